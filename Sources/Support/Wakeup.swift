import Dispatch
import Foundation

/// Wakes one waiting task, or remembers the signal for the next wait. A wait also ends when its timeout passes.
public final class Wakeup: @unchecked Sendable {
    private let lock = NSLock()
    private var signalled = false
    private var waiter: CheckedContinuation<Void, Never>?
    private var generation: UInt64 = 0

    public init() {}

    public func signal() {
        lock.lock()
        if let waiter {
            self.waiter = nil
            lock.unlock()
            waiter.resume()
        } else {
            signalled = true
            lock.unlock()
        }
    }

    /// Returns at the next signal (or at once if one came since the last wait), or after `timeout` seconds.
    public func wait(timeout: Double) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            lock.lock()
            if signalled {
                signalled = false
                lock.unlock()
                continuation.resume()
                return
            }
            generation &+= 1
            let mine = generation
            waiter = continuation
            lock.unlock()
            DispatchQueue.global().asyncAfter(deadline: .now() + max(0.001, timeout)) { [self] in
                lock.lock()
                // A later wait has its own timer: only end the wait this timer belongs to.
                guard generation == mine, let waiter else { return lock.unlock() }
                self.waiter = nil
                lock.unlock()
                waiter.resume()
            }
        }
    }
}
