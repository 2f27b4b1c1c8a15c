import Foundation
import JSONCore
import Switchboard
import TestSupport
import XCTest

/// The executable's commands, run as a real process.
final class CommandLineTests: XCTestCase {
    private var binary: String { Script.repositoryRoot + "/.build/debug/switchboard" }

    func testVersionAndHelp() throws {
        let version = try Script.run(binary, ["--version"])
        XCTAssertEqual(version.status, 0)
        XCTAssertEqual(version.output, "switchboard \(Gateway.version)\n")
        let help = try Script.run(binary, ["--help"])
        XCTAssertEqual(help.status, 0)
        XCTAssertTrue(help.output.contains("serve"))
        XCTAssertTrue(help.output.contains("--config FILE"))
    }

    func testUnknownCommandAndOptionExitWith2() throws {
        let command = try Script.run(binary, ["launch"])
        XCTAssertEqual(command.status, 2)
        XCTAssertTrue(command.output.contains("unknown command 'launch'"), command.output)
        let option = try Script.run(binary, ["serve", "--colour", "red"])
        XCTAssertEqual(option.status, 2)
        XCTAssertTrue(option.output.contains("unknown option '--colour'"), option.output)
    }

    func testBadConfigFailsWithItsPath() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let config = directory.file("bad.json")
        try #"{"server": {"port": 8080, "prot": 1}}"#.write(toFile: config, atomically: true, encoding: .utf8)
        let run = try Script.run(binary, ["serve", "--config", config, "--data", directory.file("data")])
        XCTAssertEqual(run.status, 1)
        XCTAssertTrue(run.output.contains("server.prot: unknown key"), run.output)
    }

    func testServeStartsAndStopsOnSIGTERM() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        // First start: the banner names the address, the dashboard, the data folder, the sessions and the admin key;
        // the log is text.
        var (banner, log, port) = try serve(directory, logFormat: "text", until: "Try:") { banner, port in
            let key = try XCTUnwrap(banner.firstMatch(of: /(sb_[A-Za-z0-9_]+)/).map { String($0.1) })
            XCTAssertEqual(try TestClient(port: port, key: key).get("/v1/keys").status, 200, "the printed key is an admin key")
        }
        XCTAssertTrue(banner.contains("dashboard: http://127.0.0.1:\(port)/"), banner)
        XCTAssertTrue(banner.contains("data:      \(directory.path)"), banner)
        XCTAssertTrue(banner.contains("session:   default → native (native)"), banner)
        XCTAssertTrue(log.contains("listening"), log)
        XCTAssertFalse(log.hasPrefix("{"), "text log: \(log)")
        // Second start on the same data: the key is not shown again; the log is JSON lines.
        (banner, log, _) = try serve(directory, logFormat: "json", until: "session:")
        XCTAssertNil(banner.firstMatch(of: /sb_[A-Za-z0-9_]+/), banner)
        XCTAssertFalse(banner.contains("Admin API key"), banner)
        XCTAssertTrue(log.split(separator: "\n").allSatisfy { (try? JSONParser.parse(Array($0.utf8)))?["msg"] != nil }, log)
    }

    /// Starts `switchboard serve`, reads stdout until `marker`, runs `check` with the banner and port, stops it with
    /// SIGTERM (it must exit 0), and answers the banner, the log (stderr) and the port.
    private func serve(
        _ directory: TemporaryDirectory, logFormat: String, until marker: String, check: (String, Int) throws -> Void = { _, _ in }
    ) throws -> (String, String, Int) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["serve", "--port", "0", "--data", directory.path, "--log-format", logFormat]
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        var banner = ""
        let deadline = Date().addingTimeInterval(10)
        while !banner.contains(marker) && Date() < deadline {
            banner += String(decoding: out.fileHandleForReading.availableData, as: UTF8.self)
        }
        let port = try XCTUnwrap(banner.firstMatch(of: /127\.0\.0\.1:(\d+)/).map { Int($0.1)! }, banner)
        XCTAssertEqual(try TestClient(port: port, key: nil).get("/healthz").status, 200)
        try check(banner, port)
        process.terminate()  // SIGTERM
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0, "graceful shutdown exits 0")
        let log = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        return (banner, log, port)
    }

    func testKeysCreateMakesAScopedKeyForTheServer() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let run = try Script.run(binary, ["keys", "create", "--session", "alpha", "--data", directory.path])
        XCTAssertEqual(run.status, 0, run.output)
        let key = try XCTUnwrap(run.output.split(separator: "\n").first { $0.hasPrefix("sb_") }.map(String.init))
        XCTAssertTrue(key.hasPrefix("sb_"))
        let server = try TestGateway(directory: directory)
        defer { server.stop() }
        XCTAssertEqual(try server.client(key: key).get("/v1/sessions").status, 200)
        XCTAssertEqual(try server.client(key: key).get("/v1/keys").status, 403)
    }
}

final class ConfigTests: XCTestCase {
    private func parse(_ text: String, env: [String: String] = [:]) throws -> GatewayConfig {
        try GatewayConfig.parse(try JSONParser.parse(text), environment: env)
    }

    private func assertConfigError(_ text: String, _ fragment: String, env: [String: String] = [:], file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try parse(text, env: env), file: file, line: line) { error in
            XCTAssertTrue(String(describing: error).contains(fragment), "\(error)", file: file, line: line)
        }
    }

    func testEmptyConfigIsTheDefault() throws {
        let config = try parse("{}")
        XCTAssertEqual(config.port, 8080)
        XCTAssertEqual(config.host, "127.0.0.1")
        XCTAssertEqual(config.maxBodyBytes, 1 << 20)
    }

    func testEnvironmentIsInterpolated() throws {
        let config = try parse(#"{"server": {"host": "${HOST}", "port": "${PORT}"}, "data": "${DIR}/x"}"#, env: ["HOST": "0.0.0.0", "PORT": "9000", "DIR": "/tmp/sb"])
        XCTAssertEqual(config.host, "0.0.0.0")
        XCTAssertEqual(config.port, 9000)
        XCTAssertEqual(config.dataDirectory, "/tmp/sb/x")
    }

    func testMissingEnvironmentVariableIsNamed() {
        assertConfigError(#"{"data": "${NOT_SET_ANYWHERE}"}"#, "data: refers to ${NOT_SET_ANYWHERE}, which is not set")
    }

    func testUnknownKeysAreRefusedWithTheirPath() {
        assertConfigError(#"{"sever": {}}"#, "sever: unknown key")
        assertConfigError(#"{"log": {"levle": "info"}}"#, "log.levle: unknown key")
    }

    func testBadValuesAreRefused() {
        assertConfigError(#"{"server": {"port": 70000}}"#, "server.port")
        assertConfigError(#"{"log": {"format": "xml"}}"#, "log.format")
        assertConfigError(#"{"auth": {"jwt": {"secret": "short"}}}"#, "auth.jwt.secret")
        assertConfigError(#"{"providers": {"p": {"kind": "waha", "baseUrl": "ftp://x"}}}"#, "providers.p.baseUrl")
        assertConfigError(#"{"providers": {}, "sessions": {"s": {"provider": "missing"}}}"#, "sessions.s.provider")
        assertConfigError(#"{"providers": {}, "sessions": {"Bad Name": {"provider": "x"}}}"#, "sessions.Bad Name")
    }
}
