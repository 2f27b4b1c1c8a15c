import Foundation

/// A fresh directory under the system temp folder, removed by `remove()`.
public final class TemporaryDirectory: @unchecked Sendable {
    public let path: String

    public init(prefix: String = "switchboard-test") {
        let base = ProcessInfo.processInfo.environment["TMPDIR"] ?? NSTemporaryDirectory()
        path = (base as NSString).appendingPathComponent("\(prefix)-\(UUID().uuidString.prefix(8))")
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    public func file(_ name: String) -> String { (path as NSString).appendingPathComponent(name) }

    public func remove() { try? FileManager.default.removeItem(atPath: path) }
}
