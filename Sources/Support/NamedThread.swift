import Foundation

extension Thread {
    /// A thread whose name the kernel shows too (`top -H`, `perf`, `/proc/PID/task/*/comm`). On Linux, Foundation
    /// passes a name to the kernel only when the running thread sets its own, and the kernel refuses names over
    /// 15 bytes, so the thread names itself first and names are kept short. (`name` set from outside before the
    /// start read back another thread's name on Linux, so it is not set there.)
    public convenience init(named name: String, _ body: @escaping @Sendable () -> Void) {
        precondition(name.utf8.count <= 15, "a thread name the kernel keeps has at most 15 bytes: \(name)")
        self.init {
            Thread.current.name = name
            body()
        }
    }
}
