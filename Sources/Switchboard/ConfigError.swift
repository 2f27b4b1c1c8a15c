/// A configuration problem, with the JSON path it is at and how to fix it.
public struct ConfigError: Error, Sendable, CustomStringConvertible {
    public let path: String
    public let problem: String

    public init(_ path: String, _ problem: String) {
        self.path = path
        self.problem = problem
    }

    public var description: String { path.isEmpty ? problem : "\(path): \(problem)" }
}
