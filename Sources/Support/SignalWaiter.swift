import Dispatch
import Foundation
import Glibc

/// Blocks until one of the given signals arrives (SIGTERM/SIGINT for graceful shutdown). The signals are
/// blocked for normal delivery and observed with Dispatch signal sources.
public enum SignalWaiter {
    @discardableResult
    public static func wait(for signals: [Int32]) -> Int32 {
        let received = LockedValue<Int32>(0)
        let semaphore = DispatchSemaphore(value: 0)
        var sources: [any DispatchSourceSignal] = []
        for number in signals {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler {
                received.set(number)
                semaphore.signal()
            }
            source.resume()
            sources.append(source)
        }
        semaphore.wait()
        for source in sources { source.cancel() }
        return received.get()
    }
}
