import Glibc

/// Scheduling priority of the calling thread. Linux keeps a nice value per thread, and `PRIO_PROCESS` with id 0 is
/// the calling thread only (setpriority(2), NOTES).
public enum ThreadPriority {
    /// Makes the calling thread yield to the others when the cores are busy: for background work, such as
    /// webhook deliveries, that must not delay the answers the gateway owes (inbound webhooks, API calls).
    /// Returns false if the kernel refused; the thread then runs as before.
    @discardableResult
    public static func background(nice: Int32 = 10) -> Bool {
        setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, nice) == 0
    }

    /// The calling thread's nice value (getpriority's -1 for an error cannot happen for the calling thread).
    public static var current: Int32 { getpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0) }
}
