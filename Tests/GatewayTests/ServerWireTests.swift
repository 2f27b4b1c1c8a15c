import Foundation
import JSONCore
import TestSupport
import XCTest

/// The HTTP/1.1 server over real sockets: keep-alive, pipelining, chunked uploads, every malformed case, limits
/// and timeouts, all answered in the canonical error shape.
final class ServerWireTests: XCTestCase {
    var server: TestGateway!

    override func setUpWithError() throws { server = try TestGateway() }
    override func tearDown() { server.cleanUp() }

    private func connect() throws -> RawHTTPClient { try RawHTTPClient(port: server.port) }

    func testKeepAliveReusesOneConnection() throws {
        let client = try connect()
        for _ in 0..<5 {
            try client.send("GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n")
            let response = try client.readResponse()
            XCTAssertEqual(response.status, 200)
            XCTAssertEqual(response.text, #"{"status":"ok"}"#)
            XCTAssertNotNil(response.header("Date"))
            XCTAssertEqual(response.header("Content-Length"), "15")
            XCTAssertNil(response.header("Connection"))
        }
    }

    func testPipelinedRequestsAreAnsweredInOrder() throws {
        let client = try connect()
        let pipeline = (0..<10).map { "GET /healthz HTTP/1.1\r\nHost: t\r\nX-Request-Id: pipe-\($0)\r\n\r\n" }.joined()
        + "GET /nope HTTP/1.1\r\nHost: t\r\nX-Request-Id: pipe-last\r\n\r\n"
        try client.send(pipeline)
        for index in 0..<10 {
            let response = try client.readResponse()
            XCTAssertEqual(response.status, 200)
            XCTAssertEqual(response.header("X-Request-Id"), "pipe-\(index)")
        }
        let last = try client.readResponse()
        XCTAssertEqual(last.status, 404)
        XCTAssertEqual(last.header("X-Request-Id"), "pipe-last")
        XCTAssertEqual(last.errorCode, "not_found")
    }

    func testPipelinedAsyncAndInlineRoutesKeepTheirOrder() throws {
        let client = try connect()
        let auth = "Authorization: Bearer \(TestGateway.adminKey)\r\n"
        try client.send("GET /v1/sessions HTTP/1.1\r\nHost: t\r\n\(auth)\r\nGET /healthz HTTP/1.1\r\nHost: t\r\n\r\nGET /readyz HTTP/1.1\r\nHost: t\r\n\r\n")
        XCTAssertNotNil(try client.readResponse().json?["data"])
        XCTAssertEqual(try client.readResponse().text, #"{"status":"ok"}"#)
        XCTAssertEqual(try client.readResponse().json?["status"], "ready")
    }

    func testChunkedUploadIsDecoded() throws {
        let client = try connect()
        // A chunked JSON body to a route that parses it: the key-creation route answers 201 with what it read.
        let body = #"{"name":"chunked","sessions":["alpha"]}"#
        let bytes = Array(body.utf8)
        let first = bytes[0..<10], second = bytes[10...]
        let chunked = String(first.count, radix: 16) + "\r\n" + String(decoding: first, as: UTF8.self) + "\r\n"
            + String(second.count, radix: 16) + ";ext=1\r\n" + String(decoding: second, as: UTF8.self) + "\r\n0\r\n\r\n"
        try client.send("POST /v1/keys HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer \(TestGateway.adminKey)\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n" + chunked)
        let response = try client.readResponse()
        XCTAssertEqual(response.status, 201, response.text)
        XCTAssertEqual(response.json?["name"], "chunked")
        XCTAssertEqual(response.json?["sessions"], ["alpha"])
    }

    func testExpectContinueGets100BeforeTheBody() throws {
        let client = try connect()
        try client.send("POST /v1/keys HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer \(TestGateway.adminKey)\r\nContent-Type: application/json\r\nExpect: 100-continue\r\nContent-Length: 34\r\n\r\n")
        let interim = try client.readResponse()
        XCTAssertEqual(interim.status, 100)
        try client.send(#"{"name":"x","sessions":["a"]}"#.padding(toLength: 34, withPad: " ", startingAt: 0))
        XCTAssertEqual(try client.readResponse().status, 201)
    }

    func testExpectContinueWithOversizedBodyIsRefusedWithoutReadingIt() throws {
        let client = try connect()
        try client.send("POST /v1/keys HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\nContent-Length: 999999999\r\n\r\n")
        let response = try client.readResponse()
        XCTAssertEqual(response.status, 413)
        XCTAssertEqual(response.errorCode, "payload_too_large")
        XCTAssertEqual(response.header("Connection"), "close")
    }

    func testHeadHasContentLengthButNoBody() throws {
        let client = try connect()
        try client.send("HEAD /healthz HTTP/1.1\r\nHost: t\r\n\r\nGET /healthz HTTP/1.1\r\nHost: t\r\n\r\n")
        let head = try client.readResponse(headOnly: true)
        XCTAssertEqual(head.status, 200)
        XCTAssertEqual(head.header("Content-Length"), "15")
        XCTAssertEqual(try client.readResponse().text, #"{"status":"ok"}"#, "the next response starts right after the head")
    }

    func testRequestIdIsEchoedOrMinted() throws {
        let client = try connect()
        try client.send("GET /healthz HTTP/1.1\r\nHost: t\r\nX-Request-Id: my-trace.1\r\n\r\n")
        XCTAssertEqual(try client.readResponse().header("X-Request-Id"), "my-trace.1")
        try client.send("GET /healthz HTTP/1.1\r\nHost: t\r\nX-Request-Id: has spaces!\r\n\r\n")
        let minted = try client.readResponse().header("X-Request-Id") ?? ""
        XCTAssertTrue(minted.hasPrefix("req_"), minted)
    }

    func testHTTP10ClosesAfterTheResponse() throws {
        let client = try connect()
        try client.send("GET /healthz HTTP/1.0\r\n\r\n")
        let response = try client.readResponse()
        XCTAssertEqual(response.status, 200)
        XCTAssertEqual(response.header("Connection"), "close")
        XCTAssertTrue(client.waitForClose(timeout: 2))
    }

    func testConnectionCloseIsHonoured() throws {
        let client = try connect()
        try client.send("GET /healthz HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
        XCTAssertEqual(try client.readResponse().header("Connection"), "close")
        XCTAssertTrue(client.waitForClose(timeout: 2))
    }

    // MARK: - Malformed requests: 400 (or the limit's status), canonical body, Connection: close

    private func assertRefused(_ raw: String, status: Int, code: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let client = try connect()
        try client.send(raw)
        let response = try client.readResponse()
        XCTAssertEqual(response.status, status, response.text, file: file, line: line)
        XCTAssertEqual(response.errorCode, code, file: file, line: line)
        XCTAssertEqual(response.json?["error"]?["status"]?.intValue, Int64(status), file: file, line: line)
        XCTAssertEqual(response.header("Connection"), "close", file: file, line: line)
        XCTAssertTrue(client.waitForClose(timeout: 3), "the connection must close after a framing error", file: file, line: line)
    }

    // MARK: - Request smuggling: a second request hidden behind ambiguous framing is never answered

    private func assertSmugglingRefused(_ framing: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let client = try connect()
        try client.send(framing + "GET /v1/keys HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer \(TestGateway.adminKey)\r\n\r\n")
        let response = try client.readResponse()
        XCTAssertEqual(response.status, 400, response.text, file: file, line: line)
        XCTAssertEqual(response.header("Connection"), "close", file: file, line: line)
        XCTAssertTrue(client.waitForClose(timeout: 3), file: file, line: line)
        XCTAssertThrowsError(try client.readResponse(), "the smuggled request must not be answered", file: file, line: line)
    }

    func testSmugglingWithContentLengthAndTransferEncoding() throws {
        try assertSmugglingRefused("POST /v1/normalize/waha HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n")
    }
    func testSmugglingWithTransferEncodingAndContentLength() throws {
        try assertSmugglingRefused("POST /v1/normalize/waha HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n0\r\n\r\n")
    }
    func testSmugglingWithTwoContentLengths() throws {
        try assertSmugglingRefused("POST /v1/normalize/waha HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\nContent-Length: 40\r\n\r\n")
    }
    func testSmugglingWithChunkSizeOverflow() throws {
        try assertSmugglingRefused("POST /v1/normalize/waha HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n10000000000000000\r\n\r\n")
    }
    func testSmugglingWithBareLF() throws {
        try assertSmugglingRefused("POST /v1/normalize/waha HTTP/1.1\nHost: t\nContent-Length: 0\n\n")
    }
    func testSmugglingWithObfuscatedTransferEncoding() throws {
        try assertSmugglingRefused("POST /v1/normalize/waha HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\nTransfer-Encoding: xchunked\r\n\r\n")
    }

    func testMalformedRequestLineIs400() throws { try assertRefused("GET /\r\nHost: t\r\n\r\n", status: 400, code: "invalid_request") }
    func testHeaderWithoutColonIs400() throws { try assertRefused("GET / HTTP/1.1\r\nHost: t\r\nBroken\r\n\r\n", status: 400, code: "invalid_request") }
    func testObsFoldIs400() throws { try assertRefused("GET / HTTP/1.1\r\nHost: t\r\nX: a\r\n b\r\n\r\n", status: 400, code: "invalid_request") }
    func testBareLFIs400() throws { try assertRefused("GET /healthz HTTP/1.1\nHost: t\n\n", status: 400, code: "invalid_request") }
    func testContentLengthWithTransferEncodingIs400() throws {
        try assertRefused("POST /v1/keys HTTP/1.1\r\nHost: t\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", status: 400, code: "invalid_request")
    }
    func testTransferEncodingThenContentLengthIs400() throws {
        try assertRefused("POST /v1/keys HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\nContent-Length: 4\r\n\r\n0\r\n\r\n", status: 400, code: "invalid_request")
    }
    func testDuplicateContentLengthIs400() throws {
        try assertRefused("POST /v1/keys HTTP/1.1\r\nHost: t\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\n{}", status: 400, code: "invalid_request")
    }
    func testNonNumericContentLengthIs400() throws {
        try assertRefused("POST /v1/keys HTTP/1.1\r\nHost: t\r\nContent-Length: 1x\r\n\r\n{}", status: 400, code: "invalid_request")
    }
    func testUnknownTransferCodingIs400() throws {
        try assertRefused("POST /v1/keys HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: gzip\r\n\r\n", status: 400, code: "invalid_request")
    }
    func testBadChunkSizeIs400() throws {
        try assertRefused("POST /v1/keys HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\nxyz\r\n", status: 400, code: "invalid_request")
    }
    func testChunkSizeOverflowIs400() throws {
        try assertRefused("POST /v1/keys HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\nFFFFFFFFFFFFFFFFFFFF\r\n", status: 400, code: "invalid_request")
    }
    func testOverlongTargetIs414() throws {
        try assertRefused("GET /" + String(repeating: "a", count: 9000) + " HTTP/1.1\r\nHost: t\r\n\r\n", status: 414, code: "uri_too_long")
    }
    func testOversizedHeadersAre431() throws {
        try assertRefused("GET / HTTP/1.1\r\nHost: t\r\nX-Big: " + String(repeating: "b", count: 40_000) + "\r\n\r\n", status: 431, code: "headers_too_large")
    }
    func testTooManyHeadersAre431() throws {
        try assertRefused("GET / HTTP/1.1\r\nHost: t\r\n" + (0..<120).map { "X-\($0): v\r\n" }.joined() + "\r\n", status: 431, code: "headers_too_large")
    }
    func testOversizedBodyIs413() throws {
        try assertRefused("POST /v1/keys HTTP/1.1\r\nHost: t\r\nContent-Length: 2000000\r\n\r\n", status: 413, code: "payload_too_large")
    }
    func testChunkedBodyOverLimitIs413() throws {
        let client = try connect()
        try client.send("POST /v1/keys HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n")
        let chunk = "80000\r\n" + String(repeating: "a", count: 0x80000) + "\r\n"
        try? client.send(chunk + chunk + chunk)
        let response = try client.readResponse()
        XCTAssertEqual(response.status, 413)
        XCTAssertEqual(response.errorCode, "payload_too_large")
    }

    func testMethodNotAllowedListsAllow() throws {
        let client = try connect()
        try client.send("DELETE /healthz HTTP/1.1\r\nHost: t\r\n\r\n")
        let response = try client.readResponse()
        XCTAssertEqual(response.status, 405)
        XCTAssertEqual(response.header("Allow"), "GET, HEAD")
        XCTAssertEqual(response.errorCode, "method_not_allowed")
    }

    // MARK: - Timeouts

    func testSlowHeadersAreCutOffWhileOthersAreServed() throws {
        // The default 10 s header timeout applies: the slow client trickles bytes for it while another is served.
        let slow = try connect()
        try slow.send("GET /healthz HTTP/1.1\r\nHo")
        let fast = try connect()
        let start = Date()
        var served = 0
        var cutOff = false
        while Date().timeIntervalSince(start) < 13 {
            try? slow.send("x")  // slowloris: a byte at a time, never finishing the head
            try fast.send("GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n")
            XCTAssertEqual(try fast.readResponse().status, 200)
            served += 1
            Thread.sleep(forTimeInterval: 0.5)
            if slow.waitForClose(timeout: 0.01) {
                cutOff = true
                break
            }
        }
        let elapsed = Date().timeIntervalSince(start)
        XCTAssertTrue(cutOff, "the slow client must be cut off")
        let timeout = try slow.readResponse()
        XCTAssertEqual(timeout.status, 408)
        XCTAssertEqual(timeout.errorCode, "request_timeout")
        XCTAssertGreaterThan(elapsed, 9, "not before the header timeout")
        XCTAssertGreaterThan(served, 10, "other clients are served meanwhile")
    }
}
