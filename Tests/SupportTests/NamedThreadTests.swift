import Foundation
import Support
import XCTest

final class NamedThreadTests: XCTestCase {
    /// The kernel knows the name, not only Foundation: it is what `top -H` and `perf` show.
    func testTheKernelShowsTheName() {
        let seen = LockedValue<String?>(nil)
        let done = DispatchSemaphore(value: 0)
        let thread = Thread(named: "test-named") {
            seen.set(try? String(contentsOfFile: "/proc/thread-self/comm", encoding: .utf8))
            done.signal()
        }
        thread.start()
        XCTAssertEqual(done.wait(timeout: .now() + 5), .success)
        XCTAssertEqual(seen.get(), "test-named\n")
    }
}
