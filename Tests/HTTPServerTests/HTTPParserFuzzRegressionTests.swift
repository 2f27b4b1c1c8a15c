import HTTPServer
import XCTest

/// Inputs the HTTP parser fuzzer (Tests/Fuzz/FuzzHTTPParser) found, reduced to what they exercise. Each one's
/// original input is also in Tests/Fuzz/Corpus/FuzzHTTPParser/ as `crash-*`.
final class HTTPParserFuzzRegressionTests: XCTestCase {
    /// A head split right after a CRLF had that line counted twice when parsing resumed, so a request within the
    /// header-count limit was refused with 431 depending on how the stream was cut.
    func testHeadSplitAfterLineEndsCountsEachLineOnce() throws {
        let limits = HTTPParserLimits(maxHeaderCount: 3)
        let lines = ["GET / HTTP/1.1\r\n", "Host: a\r\n", "X-A: 1\r\n", "\r\n"]
        var harness = ParserHarness(limits: limits)
        for line in lines { try harness.feed(line) }
        XCTAssertEqual(harness.requests.count, 1)

        var byteByByte = ParserHarness(limits: limits)
        for byte in lines.joined().utf8 { try byteByByte.feed([byte]) }
        XCTAssertEqual(byteByByte.requests.count, 1)
    }

    /// One header over the limit is still refused, however the head arrives.
    func testHeadSplitAfterLineEndsStillEnforcesTheLimit() {
        var harness = ParserHarness(limits: HTTPParserLimits(maxHeaderCount: 3))
        let lines = ["GET / HTTP/1.1\r\n", "Host: a\r\n", "X-A: 1\r\n", "X-B: 2\r\n", "\r\n"]
        var refusal: HTTPParseError? = nil
        do {
            for line in lines { try harness.feed(line) }
        } catch {
            refusal = error
        }
        XCTAssertEqual(refusal, .tooManyHeaders)
    }

    /// A CR ending the bytes at hand was counted against the request-line limit before the byte after it was
    /// seen: cut there, a bare CR at the limit answered 414 instead of the 400 it gets in one piece.
    func testCROnTheRequestLineLimitIsJudgedByTheByteAfterIt() {
        let limits = HTTPParserLimits(maxRequestLineBytes: 16)
        let line = "GET /" + String(repeating: "a", count: 11)
        XCTAssertEqual(ParserHarness.error(line + "\rX", limits: limits), .invalidLineEnding)

        var harness = ParserHarness(limits: limits)
        var refusal: HTTPParseError? = nil
        do {
            try harness.feed(line + "\r")
            try harness.feed("X")
        } catch {
            refusal = error
        }
        XCTAssertEqual(refusal, .invalidLineEnding)
    }
}
