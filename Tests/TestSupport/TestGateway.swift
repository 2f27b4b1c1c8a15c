import Foundation
import GatewayCore
import JSONCore
import Support
import Switchboard

/// A gateway on port 0 with its own temp data folder, an in-memory log, and a known admin key.
/// Call `stop()` in a `defer` (or use `TestGateway.run`) so shutdown happens even when a test fails.
public final class TestGateway: @unchecked Sendable {
    public static let adminKey = "test-admin-key-0123456789abcdef"

    public let gateway: Gateway
    public let port: Int
    public let directory: TemporaryDirectory
    public let logs: InMemoryLogHandler
    private var stopped = false

    /// - Parameters:
    ///   - configure: adjusts the configuration (the data folder and port are set for you).
    ///   - environment: extra environment for `${ENV}` and `SWITCHBOARD_ADMIN_KEY` (set to `adminKey` unless given).
    public init(
        config: GatewayConfig = .embeddedDefault, directory: TemporaryDirectory? = nil, environment: [String: String] = [:],
        configure: (inout GatewayConfig) -> Void = { _ in }
    ) throws {
        let directory = directory ?? TemporaryDirectory()
        var config = config
        config.dataDirectory = directory.path
        config.port = 0
        configure(&config)
        var env = ["SWITCHBOARD_ADMIN_KEY": TestGateway.adminKey]
        for (key, value) in environment { env[key] = value }
        let logs = InMemoryLogHandler()
        self.logs = logs
        self.directory = directory
        gateway = try Gateway(config: config, logger: Logger(label: "test", level: .debug, handler: logs), environment: env)
        port = try gateway.start()
    }

    /// Stops the gateway (idempotent). The data folder stays until `cleanUp()`, so a test can restart on it.
    public func stop() {
        guard !stopped else { return }
        stopped = true
        gateway.stop()
    }

    public func cleanUp() {
        stop()
        directory.remove()
    }

    public var baseURL: String { "http://127.0.0.1:\(port)" }

    /// A keep-alive JSON client authenticated with the admin key.
    public func client(key: String? = TestGateway.adminKey) throws -> TestClient { try TestClient(port: port, key: key) }

    /// Runs the curl script `examples/<name>` as the README does: with bash, this gateway's URL first (then
    /// `arguments`), and `key` as `SWITCHBOARD_KEY`.
    public func runExample(
        _ name: String, _ arguments: [String] = [], key: String = TestGateway.adminKey, timeout: Double = 300
    ) throws -> (status: Int32, output: String) {
        try Script.run(
            "bash", [Script.repositoryRoot + "/examples/" + name, baseURL] + arguments, environment: ["SWITCHBOARD_KEY": key], timeout: timeout)
    }
}

/// A small blocking JSON client over one keep-alive connection.
public final class TestClient {
    private let raw: RawHTTPClient
    public var key: String?

    public init(port: Int, key: String?) throws {
        raw = try RawHTTPClient(port: port)
        self.key = key
    }

    @discardableResult
    public func request(_ method: String, _ path: String, json: JSON? = nil, headers: [String: String] = [:]) throws -> RawResponse {
        var text = "\(method) \(path) HTTP/1.1\r\nHost: test\r\n"
        if let key { text += "Authorization: Bearer \(key)\r\n" }
        for (name, value) in headers { text += "\(name): \(value)\r\n" }
        var body: [UInt8] = []
        if let json {
            body = json.bytes
            text += "Content-Type: application/json\r\n"
        }
        if json != nil || method == "POST" || method == "PATCH" || method == "PUT" { text += "Content-Length: \(body.count)\r\n" }
        try raw.send(Array((text + "\r\n").utf8) + body)
        return try raw.readResponse(headOnly: method == "HEAD")
    }

    @discardableResult
    public func get(_ path: String) throws -> RawResponse { try request("GET", path) }
    @discardableResult
    public func post(_ path: String, _ json: JSON = [:], headers: [String: String] = [:]) throws -> RawResponse {
        try request("POST", path, json: json, headers: headers)
    }
}
