import Foundation
import ContractKit
import GatewayCore
import Glibc
import JSONCore
import Storage
import Support

/// `switchboard <command>`: parsing and running the commands. `main.swift` only calls `run`.
public enum CommandLineInterface {
    public static let usage = """
        Usage: switchboard <command> [options]

        Commands:
          serve                 Start the gateway (no --config: the embedded default, native engine, local SQLite)
              --config FILE       JSON configuration (${ENV} values are interpolated)
              --host H            Listen address (default 127.0.0.1)
              --port N            Listen port (default 8080; 0 picks a free one)
              --data DIR          Data folder (default ./.switchboard)
              --log-format F      json (default) or text
              --log-level L       trace, debug, info (default), notice, warning, error
          keys create           Create an API key and print it once
              --name NAME         A label for the key
              --admin             An admin key (sees every session)
              --session S         A session the key may use (repeatable)
              --expires-in SECS   Expiry, in seconds from now
              --config FILE / --data DIR   Where the database is
          contract verify       Replay contract fixtures through the adapters
              --provider P        Only this provider's fixtures
              --fixtures DIR      Fixtures folder (default Contract/Fixtures)
          --help, -h            This help
          --version             The version

        Environment:
          SWITCHBOARD_ADMIN_KEY   Use this admin key instead of generating one on first start
        """

    /// Runs the command line and returns the process exit status.
    public static func run(_ arguments: [String]) -> Int32 {
        var args = Array(arguments.dropFirst())
        guard let command = args.first else {
            FileHandle.standardError.write(Data((usage + "\n").utf8))
            return 2
        }
        args.removeFirst()
        do {
            switch command {
            case "--help", "-h", "help":
                print(usage)
                return 0
            case "--version", "version":
                print("switchboard \(Gateway.version)")
                return 0
            case "serve":
                return try serve(try Options.parse(args, flags: ["config", "host", "port", "data", "log-format", "log-level"], switches: []))
            case "contract":
                guard args.first == "verify" else { throw UsageError("usage: switchboard contract verify [--provider P] [--fixtures DIR]") }
                return try contractVerify(try Options.parse(Array(args.dropFirst()), flags: ["provider", "fixtures"], switches: []))
            case "keys":
                guard args.first == "create" else { throw UsageError("usage: switchboard keys create [--admin | --session S …] [--name N]") }
                return try createKey(try Options.parse(Array(args.dropFirst()), flags: ["name", "session", "expires-in", "config", "data"], switches: ["admin"]))
            default:
                throw UsageError("unknown command '\(command)'; see 'switchboard --help'")
            }
        } catch let error as UsageError {
            printError(error.message)
            return 2
        } catch {
            printError(String(describing: error))
            return 1
        }
    }

    // MARK: - serve

    static func serve(_ options: Options) throws -> Int32 {
        let environment = ProcessInfo.processInfo.environment
        var config = try loadConfig(options, environment: environment)
        if let host = options.value("host") { config.host = host }
        if let port = options.value("port") {
            guard let number = Int(port), (0...65535).contains(number) else { throw UsageError("--port must be 0-65535") }
            config.port = number
        }
        if let format = options.value("log-format") {
            guard let parsed = LogFormat(rawValue: format) else { throw UsageError("--log-format must be json or text") }
            config.logFormat = parsed
        }
        if let level = options.value("log-level") {
            guard let parsed = LogLevel(name: level) else { throw UsageError("--log-level must be trace, debug, info, notice, warning or error") }
            config.logLevel = parsed
        }
        let logger = Logger(label: "switchboard", level: config.logLevel, handler: StreamLogHandler(descriptor: 2, format: config.logFormat))
        let gateway = try Gateway(config: config, logger: logger, environment: environment)
        let port: Int
        do {
            port = try gateway.start()
        } catch {
            gateway.stop()
            throw error
        }
        FileHandle.standardOutput.write(Data(Banner.text(gateway: gateway, port: port).utf8))
        logger.info("listening", ["host": .string(config.host), "port": .int(Int64(port))])
        let signal = SignalWaiter.wait(for: [SIGTERM, SIGINT])
        logger.info("shutting down", ["signal": .int(Int64(signal))])
        gateway.stop()
        return 0
    }

    static func loadConfig(_ options: Options, environment: [String: String]) throws -> GatewayConfig {
        var config = try options.value("config").map { path throws(ConfigError) in try GatewayConfig.load(file: path, environment: environment) }
            ?? GatewayConfig.embeddedDefault
        if let data = options.value("data") { config.dataDirectory = data }
        return config
    }

    // MARK: - keys create

    static func createKey(_ options: Options) throws -> Int32 {
        let config = try loadConfig(options, environment: ProcessInfo.processInfo.environment)
        let admin = options.isSet("admin")
        let sessions = options.values("session")
        if admin == !sessions.isEmpty { throw UsageError("give either --admin or one or more --session S") }
        for session in sessions { try Identifiers.validateSessionNameForCLI(session) }
        var expiresAt: Date? = nil
        if let text = options.value("expires-in") {
            guard let seconds = Int(text), seconds >= 60 else { throw UsageError("--expires-in must be at least 60 seconds") }
            expiresAt = Date().addingTimeInterval(Double(seconds))
        }
        try FileManager.default.createDirectory(atPath: config.dataDirectory, withIntermediateDirectories: true)
        let database = try Database(
            path: (config.dataDirectory as NSString).appendingPathComponent("switchboard.db"), migrations: GatewaySchema.migrations, logger: .discard)
        defer { database.close() }
        let store = APIKeyStore(database: database, clock: SystemClock(), environmentAdminKey: nil)
        let name = options.value("name") ?? (admin ? "admin" : "sessions: " + sessions.joined(separator: ","))
        let (info, key) = try store.createSync(name: name, admin: admin, sessions: admin ? nil : sessions, expiresAt: expiresAt)
        print(key.value)
        FileHandle.standardError.write(Data("created key \(info.id) (\(admin ? "admin" : "sessions: " + sessions.joined(separator: ", "))); it is shown only now\n".utf8))
        return 0
    }

    // MARK: - contract verify

    static func contractVerify(_ options: Options) throws -> Int32 {
        let directory = options.value("fixtures") ?? "Contract/Fixtures"
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw UsageError("no fixtures folder at '\(directory)' (give --fixtures DIR)")
        }
        let provider = options.value("provider")
        let results = try runBlocking { await ContractSuite.runner().run(directory: directory, provider: provider) }
        print(ContractRunner.report(results))
        if results.isEmpty { printError("no fixtures found in '\(directory)'\(provider.map { " for provider \($0)" } ?? "")") }
        return results.isEmpty || results.contains { !$0.passed } ? 1 : 0
    }

    static func printError(_ message: String) {
        FileHandle.standardError.write(Data("switchboard: error: \(message)\n".utf8))
    }
}

/// A command-line mistake: exit status 2.
struct UsageError: Error {
    let message: String
    init(_ message: String) { self.message = message }
}

/// `--name value` options and `--flag` switches.
struct Options {
    private var values: [String: [String]] = [:]
    private var switches: Set<String> = []

    static func parse(_ arguments: [String], flags: Set<String>, switches: Set<String>) throws -> Options {
        var options = Options()
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            guard argument.hasPrefix("--") else { throw UsageError("unexpected argument '\(argument)'") }
            var name = String(argument.dropFirst(2))
            var inline: String? = nil
            if let equals = name.firstIndex(of: "=") {
                inline = String(name[name.index(after: equals)...])
                name = String(name[..<equals])
            }
            if switches.contains(name) {
                options.switches.insert(name)
            } else if flags.contains(name) {
                if let inline {
                    options.values[name, default: []].append(inline)
                } else {
                    index += 1
                    guard index < arguments.count else { throw UsageError("--\(name) needs a value") }
                    options.values[name, default: []].append(arguments[index])
                }
            } else {
                throw UsageError("unknown option '--\(name)'")
            }
            index += 1
        }
        return options
    }

    func value(_ name: String) -> String? { values[name]?.last }
    func values(_ name: String) -> [String] { values[name] ?? [] }
    func isSet(_ name: String) -> Bool { switches.contains(name) }
}

import GroupModel

extension Identifiers {
    static func validateSessionNameForCLI(_ name: String) throws {
        guard isValidSessionName(name) else { throw UsageError("'\(name)' is not a valid session name") }
    }
}
