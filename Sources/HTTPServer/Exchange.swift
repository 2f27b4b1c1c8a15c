/// The bookkeeping of one request, carried to wherever its response is produced.
struct Exchange: Sendable {
    let started: UInt64
    let method: String
    let headOnly: Bool
    let keepAlive: Bool
    let versionMinor: Int
    let requestId: String
}

/// The error a slow client gets (408).
public struct HTTPServerTimeout: Error, Sendable {}

/// Request ids: accepted from the client when they look sane, otherwise minted.
enum RequestID {
    static func accept(_ value: String?, loop: EventLoop) -> String {
        if let value, (1...128).contains(value.utf8.count),
            value.utf8.allSatisfy({ ($0 >= 48 && $0 <= 57) || ($0 >= 65 && $0 <= 90) || ($0 >= 97 && $0 <= 122) || $0 == 45 || $0 == 95 || $0 == 46 || $0 == 58 })
        {
            return value
        }
        return loop.mintRequestID()
    }
}
