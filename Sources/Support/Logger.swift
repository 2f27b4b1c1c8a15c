import Foundation
import JSONCore

/// Severity of a log record, lowest first.
public enum LogLevel: Int, Sendable, Comparable, CaseIterable {
    case trace, debug, info, notice, warning, error, critical

    public var name: String {
        switch self {
        case .trace: "trace"
        case .debug: "debug"
        case .info: "info"
        case .notice: "notice"
        case .warning: "warning"
        case .error: "error"
        case .critical: "critical"
        }
    }

    public init?(name: String) {
        guard let level = LogLevel.allCases.first(where: { $0.name == name.lowercased() }) else { return nil }
        self = level
    }

    public static func < (lhs: LogLevel, rhs: LogLevel) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// One log record as handed to a handler.
public struct LogRecord: Sendable {
    public let time: Date
    public let level: LogLevel
    public let label: String
    public let message: String
    public let metadata: JSONObject
}

/// Where records go. Handlers must be thread-safe.
public protocol LogHandler: Sendable {
    func write(_ record: LogRecord)
    /// Writes out anything buffered (at shutdown).
    func flush()
}

extension LogHandler {
    public func flush() {}
}

/// A logger value: a label, a minimum level and metadata carried into every record (`requestId`, `provider`…).
///
/// Loggers are passed in, never created inside libraries; add context with `with(_:_:)`.
/// Never put a secret, a body or a phone number into a message or metadata.
public struct Logger: Sendable {
    public var label: String
    public var minimumLevel: LogLevel
    public var metadata: JSONObject
    public let handler: any LogHandler
    private let clock: any WallClock

    public init(label: String, level: LogLevel = .info, handler: any LogHandler, clock: any WallClock = SystemClock()) {
        self.label = label
        self.minimumLevel = level
        self.metadata = JSONObject()
        self.handler = handler
        self.clock = clock
    }

    /// A logger that drops everything.
    public static let discard = Logger(label: "discard", level: .critical, handler: DiscardLogHandler())

    /// A copy with one more metadata entry.
    public func with(_ key: String, _ value: JSON) -> Logger {
        var copy = self
        copy.metadata[key] = value
        return copy
    }

    /// A copy with another label.
    public func labelled(_ label: String) -> Logger {
        var copy = self
        copy.label = label
        return copy
    }

    public func isEnabled(_ level: LogLevel) -> Bool { level >= minimumLevel }

    public func log(_ level: LogLevel, _ message: @autoclosure () -> String, _ extra: JSONObject = [:]) {
        guard level >= minimumLevel else { return }
        var merged = extra
        if !metadata.isEmpty {
            merged = metadata
            for member in extra { merged[member.key] = member.value }
        }
        handler.write(LogRecord(time: clock.now(), level: level, label: label, message: message(), metadata: merged))
    }

    public func trace(_ message: @autoclosure () -> String, _ extra: JSONObject = [:]) { log(.trace, message(), extra) }
    public func debug(_ message: @autoclosure () -> String, _ extra: JSONObject = [:]) { log(.debug, message(), extra) }
    public func info(_ message: @autoclosure () -> String, _ extra: JSONObject = [:]) { log(.info, message(), extra) }
    public func notice(_ message: @autoclosure () -> String, _ extra: JSONObject = [:]) { log(.notice, message(), extra) }
    public func warning(_ message: @autoclosure () -> String, _ extra: JSONObject = [:]) { log(.warning, message(), extra) }
    public func error(_ message: @autoclosure () -> String, _ extra: JSONObject = [:]) { log(.error, message(), extra) }
}

// MARK: - Handlers

/// Drops every record.
public struct DiscardLogHandler: LogHandler {
    public init() {}
    public func write(_ record: LogRecord) {}
}

/// The line format of a stream handler.
public enum LogFormat: String, Sendable {
    /// One JSON object per line: `{"ts","level","label","msg",…metadata}`.
    case json
    /// `2026-11-21T10:00:00.000Z info  label: message key=value …`.
    case text
}

/// Writes one line per record to a file descriptor (stderr by default).
///
/// Lines are buffered and written in batches by a flusher thread — every 100 ms or as soon as 64 KiB are pending —
/// at once for warnings and worse, and on `flush()`, so a busy server does not pay one `write(2)` per request.
public final class StreamLogHandler: LogHandler, @unchecked Sendable {
    private let descriptor: Int32
    private let format: LogFormat
    private let condition = Condition()
    private let writeLock = Lock()
    private var pending: [UInt8] = []
    private var flusherStarted = false

    public init(descriptor: Int32 = 2, format: LogFormat = .json) {
        self.descriptor = descriptor
        self.format = format
    }

    public func write(_ record: LogRecord) {
        let line = StreamLogHandler.render(record, format: format)
        let flushNow = condition.withLock { () -> Bool in
            pending.append(contentsOf: line)
            if !flusherStarted {
                flusherStarted = true
                let thread = Thread(named: "log-flush") { [self] in flushLoop() }
                thread.start()
            }
            // A full buffer wakes the flusher thread; the caller (often an event loop) does not pay for the write.
            if pending.count >= 64 * 1024 { condition.signal() }
            return record.level >= .warning
        }
        if flushNow { flush() }
    }

    /// Writes everything pending now.
    public func flush() {
        // Taking and writing under one lock keeps lines in order when two flushes race.
        writeLock.withLock {
            let bytes = condition.withLock { () -> [UInt8] in
                defer { pending.removeAll(keepingCapacity: true) }
                return pending
            }
            writeAll(bytes)
        }
    }

    private func flushLoop() {
        while true {
            condition.withLock { condition.wait(timeoutNanoseconds: 100_000_000) }
            flush()
        }
    }

    private func writeAll(_ bytes: [UInt8]) {
        guard !bytes.isEmpty else { return }
        bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let written = Foundation.write(descriptor, raw.baseAddress! + offset, raw.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    return  // Logging must never take the gateway down.
                }
                offset += written
            }
        }
    }

    private static let reserved: Set<String> = ["ts", "level", "label", "msg"]

    public static func render(_ record: LogRecord, format: LogFormat) -> [UInt8] {
        switch format {
        case .json:
            var out: [UInt8] = []
            out.reserveCapacity(256)
            out.append(contentsOf: #"{"ts":""#.utf8)
            Timestamp.appendISO8601(record.time, into: &out)
            out.append(contentsOf: #"","level":""#.utf8)
            out.append(contentsOf: record.level.name.utf8)
            out.append(contentsOf: #"","label":"#.utf8)
            JSONWriter.writeString(record.label, into: &out)
            out.append(contentsOf: #","msg":"#.utf8)
            JSONWriter.writeString(record.message, into: &out)
            let writer = JSONWriter()
            for member in record.metadata where !StreamLogHandler.reserved.contains(member.key) {
                out.append(UInt8(ascii: ","))
                JSONWriter.writeString(member.key, into: &out)
                out.append(UInt8(ascii: ":"))
                writer.write(member.value, into: &out)
            }
            out.append(contentsOf: "}\n".utf8)
            return out
        case .text:
            var line = Timestamp.iso8601(record.time) + " " + record.level.name.padding(toLength: 7, withPad: " ", startingAt: 0)
            line += " " + record.label + ": " + record.message
            for member in record.metadata {
                let value = member.value.stringValue ?? member.value.text
                line += " \(member.key)=\(value)"
            }
            return Array((line + "\n").utf8)
        }
    }
}

/// Keeps records in memory, for tests that assert on logging (and that secrets never reach it).
public final class InMemoryLogHandler: LogHandler, @unchecked Sendable {
    private let records = LockedValue<[LogRecord]>([])

    public init() {}

    public func write(_ record: LogRecord) { records.withLock { $0.append(record) } }

    public var all: [LogRecord] { records.get() }

    /// Every record rendered as JSON lines, for grepping.
    public var text: String {
        all.map { String(decoding: StreamLogHandler.render($0, format: .json), as: UTF8.self) }.joined()
    }
}
