import Foundation
import Support
import XCTest

final class ThreadPriorityTests: XCTestCase {
    /// Only the thread that asks is lowered: the others (the HTTP loops, the writer) keep their priority.
    func testLowersTheCallingThreadOnly() {
        let callerBefore = ThreadPriority.current
        let seen = LockedValue<(lowered: Bool, nice: Int32)?>(nil)
        let done = DispatchSemaphore(value: 0)
        let thread = Thread {
            let lowered = ThreadPriority.background(nice: 10)
            seen.set((lowered, ThreadPriority.current))
            done.signal()
        }
        thread.start()
        XCTAssertEqual(done.wait(timeout: .now() + 5), .success)
        XCTAssertEqual(seen.get()?.lowered, true)
        XCTAssertEqual(seen.get()?.nice, 10, "the thread runs at the nice value it asked for")
        XCTAssertEqual(ThreadPriority.current, callerBefore, "the calling thread of the test is not lowered")
    }
}
