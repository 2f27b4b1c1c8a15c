import HTTPCore
import HTTPServer
import XCTest

/// What the parser accepts, and how.
final class HTTPParserTests: XCTestCase {
    func testParsesSimpleGet() throws {
        let requests = try ParserHarness.requests("GET /v1/sessions?x=1 HTTP/1.1\r\nHost: example\r\nX-Request-Id: abc\r\n\r\n")
        XCTAssertEqual(requests.count, 1)
        let head = requests[0].head
        XCTAssertEqual(head.method, "GET")
        XCTAssertEqual(head.target, "/v1/sessions?x=1")
        XCTAssertEqual(head.versionMinor, 1)
        XCTAssertEqual(head.headers["x-request-id"], "abc")
        XCTAssertEqual(head.framing, .none)
        XCTAssertTrue(head.keepAlive)
        XCTAssertTrue(requests[0].body.isEmpty)
    }

    func testTrimsOptionalWhitespaceAroundHeaderValues() throws {
        let requests = try ParserHarness.requests("GET / HTTP/1.1\r\nHost:   example \t\r\nX-Empty:\r\n\r\n")
        XCTAssertEqual(requests[0].head.headers["host"], "example")
        XCTAssertEqual(requests[0].head.headers["x-empty"], "")
    }

    func testParsesContentLengthBody() throws {
        let requests = try ParserHarness.requests("POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello")
        XCTAssertEqual(String(decoding: requests[0].body, as: UTF8.self), "hello")
        XCTAssertEqual(requests[0].head.framing, .length(5))
    }

    func testParsesChunkedBodyWithExtensionsAndTrailers() throws {
        let text = "POST /x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: Chunked\r\n\r\n5;name=value\r\nhello\r\n6\r\n world\r\n0\r\nX-Trailer: t\r\n\r\n"
        let requests = try ParserHarness.requests(text)
        XCTAssertEqual(String(decoding: requests[0].body, as: UTF8.self), "hello world")
        XCTAssertNil(requests[0].head.headers["x-trailer"], "trailers are discarded, never merged into headers")
    }

    func testParsesPipelinedRequestsInOrder() throws {
        let text = "GET /a HTTP/1.1\r\nHost: a\r\n\r\nPOST /b HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n\r\nhiGET /c HTTP/1.1\r\nHost: a\r\n\r\n"
        let requests = try ParserHarness.requests(text)
        XCTAssertEqual(requests.map(\.head.target), ["/a", "/b", "/c"])
        XCTAssertEqual(String(decoding: requests[1].body, as: UTF8.self), "hi")
    }

    func testByteByByteFeedingGivesTheSameRequests() throws {
        let text = "POST /b HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\nGET /c HTTP/1.1\r\nHost: a\r\n\r\n"
        var harness = ParserHarness()
        for byte in text.utf8 { try harness.feed([byte]) }
        XCTAssertEqual(harness.requests.map(\.head.target), ["/b", "/c"])
        XCTAssertEqual(String(decoding: harness.requests[0].body, as: UTF8.self), "abc")
    }

    func testIgnoresEmptyLinesBeforeRequestLine() throws {
        let requests = try ParserHarness.requests("\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n")
        XCTAssertEqual(requests.count, 1)
    }

    func testAcceptsAbsoluteFormTarget() throws {
        let requests = try ParserHarness.requests("GET http://example.com/v1/x?y=1 HTTP/1.1\r\nHost: example.com\r\n\r\n")
        XCTAssertEqual(requests[0].head.target, "/v1/x?y=1")
    }

    func testAcceptsAsteriskFormForOptions() throws {
        XCTAssertEqual(try ParserHarness.requests("OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n")[0].head.target, "*")
    }

    func testHTTP10ClosesUnlessKeepAliveIsAsked() throws {
        XCTAssertFalse(try ParserHarness.requests("GET / HTTP/1.0\r\n\r\n")[0].head.keepAlive)
        XCTAssertTrue(try ParserHarness.requests("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")[0].head.keepAlive)
    }

    func testConnectionCloseEndsKeepAlive() throws {
        XCTAssertFalse(try ParserHarness.requests("GET / HTTP/1.1\r\nHost: a\r\nConnection: Keep-Alive, Close\r\n\r\n")[0].head.keepAlive)
    }

    func testExpectContinueIsReportedAtTheHead() throws {
        var harness = ParserHarness()
        try harness.feed("PUT /x HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\n")
        XCTAssertEqual(harness.heads.count, 1)
        XCTAssertTrue(harness.heads[0].expectContinue)
        XCTAssertTrue(harness.requests.isEmpty)
        try harness.feed("abc")
        XCTAssertEqual(harness.requests.count, 1)
    }

    func testZeroContentLengthIsNoBody() throws {
        let requests = try ParserHarness.requests("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n")
        XCTAssertEqual(requests[0].head.framing, .none)
        XCTAssertTrue(requests[0].body.isEmpty)
    }

    func testBodyAtExactLimitIsAccepted() throws {
        var harness = ParserHarness(limits: HTTPParserLimits(maxBodyBytes: 5))
        try harness.feed("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello")
        XCTAssertEqual(harness.requests.count, 1)
    }

    func testDetectsWebSocketUpgradeRequest() throws {
        let head = try ParserHarness.requests("GET /s HTTP/1.1\r\nHost: a\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n")[0].head
        XCTAssertTrue(head.wantsUpgrade)
    }

    func testParserIsIdleOnlyBetweenRequests() throws {
        var harness = ParserHarness()
        XCTAssertTrue(harness.parser.isIdle)
        try harness.feed("GET / HT")
        XCTAssertFalse(harness.parser.isIdle)
        try harness.feed("TP/1.1\r\nHost: a\r\n\r\n")
        XCTAssertTrue(harness.parser.isIdle)
    }
}
