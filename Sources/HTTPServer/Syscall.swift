import Glibc

/// A failed system call: which call, for what, and `errno` captured at once.
public struct SystemError: Error, Sendable, CustomStringConvertible {
    public let call: String
    public let errno: Int32

    public var description: String { "\(call) failed: \(String(cString: strerror(errno))) (errno \(errno))" }
}

/// Every system call goes through here: `EINTR` is retried, `errno` is captured immediately, and failures
/// throw a typed error naming the call.
enum Syscall {
    @discardableResult
    static func check(_ call: String, _ body: () -> Int32) throws(SystemError) -> Int32 {
        while true {
            let result = body()
            if result >= 0 { return result }
            let code = Glibc.errno
            if code == EINTR { continue }
            throw SystemError(call: call, errno: code)
        }
    }

    /// Like `check` for calls returning `ssize_t`; `EAGAIN`/`EWOULDBLOCK` come back as nil.
    static func io(_ call: String, _ body: () -> Int) throws(SystemError) -> Int? {
        while true {
            let result = body()
            if result >= 0 { return result }
            let code = Glibc.errno
            if code == EINTR { continue }
            if code == EAGAIN || code == EWOULDBLOCK { return nil }
            throw SystemError(call: call, errno: code)
        }
    }
}
