import Foundation
import JSONCore
import Support
import XCTest

final class LoggerTests: XCTestCase {
    /// 2026-11-21T10:00:00.250Z.
    private let clock = ManualClock(Date(timeIntervalSince1970: 1_795_255_200.25))

    private func makeLogger(level: LogLevel = .info) -> (Logger, InMemoryLogHandler) {
        let handler = InMemoryLogHandler()
        return (Logger(label: "test", level: level, handler: handler, clock: clock), handler)
    }

    private func line(_ record: LogRecord, _ format: LogFormat) -> String {
        String(decoding: StreamLogHandler.render(record, format: format), as: UTF8.self)
    }

    // MARK: - Logger

    func testDropsRecordsBelowMinimumLevel() {
        let (logger, handler) = makeLogger(level: .notice)
        logger.debug("d")
        logger.info("i")
        logger.notice("n")
        logger.error("e")
        XCTAssertEqual(handler.all.map(\.message), ["n", "e"])
        XCTAssertEqual(handler.all.map(\.level), [.notice, .error])
        XCTAssertFalse(logger.isEnabled(.info))
        XCTAssertTrue(logger.isEnabled(.warning))
    }

    func testDoesNotEvaluateMessageOfDisabledLevel() {
        let (logger, handler) = makeLogger(level: .info)
        var evaluated = false
        logger.trace({ evaluated = true; return "expensive" }())
        XCTAssertFalse(evaluated)
        XCTAssertTrue(handler.all.isEmpty)
    }

    func testRecordCarriesLabelClockTimeAndMessage() throws {
        let (logger, handler) = makeLogger()
        logger.warning("disk low")
        let record = try XCTUnwrap(handler.all.first)
        XCTAssertEqual(record.label, "test")
        XCTAssertEqual(record.time, clock.now())
        XCTAssertEqual(record.message, "disk low")
        XCTAssertEqual(record.level, .warning)
    }

    func testWithAddsMetadataWithoutChangingOriginal() throws {
        let (logger, handler) = makeLogger()
        let scoped = logger.with("requestId", "req_1").with("provider", "mock")
        scoped.info("scoped")
        logger.info("plain")
        XCTAssertEqual(handler.all[0].metadata, ["requestId": "req_1", "provider": "mock"])
        XCTAssertTrue(handler.all[1].metadata.isEmpty)
        XCTAssertTrue(logger.metadata.isEmpty)
    }

    func testExtraMetadataOverridesLoggerMetadata() throws {
        let (logger, handler) = makeLogger()
        logger.with("a", 1).with("b", 2).info("m", ["b": 3, "c": 4])
        let metadata = try XCTUnwrap(handler.all.first?.metadata)
        XCTAssertEqual(metadata.keys, ["a", "b", "c"])
        XCTAssertEqual(metadata["b"], .int(3))
    }

    func testLabelledChangesOnlyTheLabel() throws {
        let (logger, handler) = makeLogger()
        logger.with("k", "v").labelled("db").info("x")
        let record = try XCTUnwrap(handler.all.first)
        XCTAssertEqual(record.label, "db")
        XCTAssertEqual(record.metadata["k"], .string("v"))
    }

    func testDiscardLoggerLogsNothingBelowCritical() {
        XCTAssertFalse(Logger.discard.isEnabled(.error))
    }

    func testLevelNamesParseCaseInsensitively() {
        XCTAssertEqual(LogLevel(name: "WARNING"), .warning)
        XCTAssertEqual(LogLevel(name: "trace"), .trace)
        XCTAssertNil(LogLevel(name: "verbose"))
        XCTAssertTrue(LogLevel.debug < LogLevel.info)
        XCTAssertTrue(LogLevel.error < LogLevel.critical)
        XCTAssertEqual(LogLevel.allCases.map { LogLevel(name: $0.name) }, LogLevel.allCases.map { $0 })
    }

    // MARK: - Rendering

    func testJSONLineHasFixedFieldsThenMetadata() throws {
        let (logger, handler) = makeLogger()
        logger.with("requestId", "req_1").info("hello", ["count": 3])
        let text = line(try XCTUnwrap(handler.all.first), .json)
        XCTAssertEqual(text, #"{"ts":"2026-11-21T10:00:00.250Z","level":"info","label":"test","msg":"hello","requestId":"req_1","count":3}"# + "\n")
    }

    func testJSONLineIsValidJSONWithEscapedMessage() throws {
        let (logger, handler) = makeLogger()
        logger.error("quote \" backslash \\ newline \n tab \t", ["nested": ["list": [1, nil]]])
        let text = line(try XCTUnwrap(handler.all.first), .json)
        XCTAssertTrue(text.hasSuffix("}\n"))
        XCTAssertEqual(text.filter { $0 == "\n" }.count, 1, "one record is one line")
        let parsed = try JSONParser.parse(String(text.dropLast()))
        XCTAssertEqual(parsed["msg"], .string("quote \" backslash \\ newline \n tab \t"))
        XCTAssertEqual(parsed["level"], "error")
        XCTAssertEqual(parsed["nested"], ["list": [1, nil]])
    }

    func testJSONLineDropsMetadataThatWouldShadowFixedFields() throws {
        let (logger, handler) = makeLogger()
        logger.info("real", ["msg": "forged", "level": "critical", "ts": "x", "label": "y", "kept": true])
        let text = line(try XCTUnwrap(handler.all.first), .json)
        let parsed = try JSONParser.parse(String(text.dropLast()))  // duplicate keys would be refused here
        XCTAssertEqual(parsed["msg"], "real")
        XCTAssertEqual(parsed["level"], "info")
        XCTAssertEqual(parsed["label"], "test")
        XCTAssertEqual(parsed["kept"], true)
    }

    func testTextLineFormat() throws {
        let (logger, handler) = makeLogger()
        logger.with("session", "alice").info("started", ["port": 8080, "tls": false])
        let text = line(try XCTUnwrap(handler.all.first), .text)
        XCTAssertEqual(text, "2026-11-21T10:00:00.250Z info    test: started session=alice port=8080 tls=false\n")
    }

    func testTextLinePadsLevelToSevenCharacters() throws {
        let (logger, handler) = makeLogger(level: .trace)
        logger.warning("w")
        logger.error("e")
        XCTAssertTrue(line(handler.all[0], .text).hasPrefix("2026-11-21T10:00:00.250Z warning test: w"))
        XCTAssertTrue(line(handler.all[1], .text).hasPrefix("2026-11-21T10:00:00.250Z error   test: e"))
    }

    func testInMemoryHandlerTextJoinsJSONLines() {
        let (logger, handler) = makeLogger()
        logger.info("one")
        logger.info("two")
        let lines = handler.text.split(separator: "\n")
        XCTAssertEqual(lines.count, 2)
        XCTAssertTrue(lines[1].contains(#""msg":"two""#))
    }

    func testStreamHandlerWritesLinesToDescriptor() throws {
        var fds: [Int32] = [0, 0]
        XCTAssertEqual(pipe(&fds), 0)
        defer { close(fds[0]) }
        let handler = StreamLogHandler(descriptor: fds[1], format: .text)
        let logger = Logger(label: "pipe", level: .info, handler: handler, clock: clock)
        logger.info("buffered")
        logger.error("urgent")  // warnings and worse flush at once
        handler.flush()
        close(fds[1])
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = read(fds[0], &buffer, buffer.count)
            if count <= 0 { break }
            bytes += buffer[0..<count]
        }
        let text = String(decoding: bytes, as: UTF8.self)
        // The background flusher may write the first line concurrently with our flush, so compare as a set of lines.
        XCTAssertTrue(text.hasSuffix("\n"))
        XCTAssertEqual(
            text.split(separator: "\n").map(String.init).sorted(),
            ["2026-11-21T10:00:00.250Z error   pipe: urgent", "2026-11-21T10:00:00.250Z info    pipe: buffered"])
    }

    // MARK: - Secret

    func testSecretNeverPrintsItsValue() {
        let secret = Secret("sk_test_TOPSECRET")
        XCTAssertEqual(secret.description, "<redacted>")
        XCTAssertEqual(secret.debugDescription, "<redacted>")
        XCTAssertEqual("key=\(secret)", "key=<redacted>")
        XCTAssertEqual(String(describing: secret), "<redacted>")
        XCTAssertEqual(String(reflecting: secret), "<redacted>")
        XCTAssertFalse("\([secret])".contains("TOPSECRET"))
        XCTAssertFalse("\(["k": secret])".contains("TOPSECRET"))
    }

    func testSecretKeepsItsValueForUse() {
        let secret = Secret("hunter2")
        XCTAssertEqual(secret.value, "hunter2")
        XCTAssertFalse(secret.isEmpty)
        XCTAssertTrue(Secret("").isEmpty)
        XCTAssertEqual(secret, Secret("hunter2"))
        XCTAssertNotEqual(secret, Secret("hunter3"))
    }
}
