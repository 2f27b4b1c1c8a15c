import CurlTransport
import Foundation
import HTTPCore
import HTTPServer
import JSONCore
import Support
import XCTest

/// libcurl against our own server on port 0: reuse, deadlines, redirects, size caps, DELETE with a body, and
/// typed errors for every way a call can fail.
final class CurlTransportTests: XCTestCase {
    private var server: HTTPServer!
    private var transport: CurlTransport!
    private var base: String { "http://127.0.0.1:\(server.port!)" }

    override func setUpWithError() throws {
        server = try CurlTransportTests.startServer()
        transport = CurlTransport(options: .init(connectTimeout: 2, maxResponseBytes: 100_000, maxRequestBytes: 50_000))
    }

    /// Our server on port 0 with the routes these tests call (also used by `CurlLaneTests`).
    static func startServer() throws -> HTTPServer {
        let routes = [
            Route("POST", "/echo", .inline(CurlTransportTests.echo)),
            Route("PUT", "/echo", .inline(CurlTransportTests.echo)),
            Route("DELETE", "/echo", .inline(CurlTransportTests.echo)),
            Route("GET", "/echo", .inline(CurlTransportTests.echo)),
            Route("GET", "/slow", .async { _ in
                try await Task.sleep(nanoseconds: 3_000_000_000)
                return .text("late")
            }),
            Route("POST", "/slow-post", .async { _ in
                try await Task.sleep(nanoseconds: 3_000_000_000)
                return .text("late")
            }),
            Route("GET", "/big", .inline { _ in HTTPResponse(status: 200, body: [UInt8](repeating: 65, count: 200_000)) }),
            Route("GET", "/redirect", .inline { _ in HTTPResponse(status: 302, headers: ["Location": "/echo"], body: []) }),
            Route("GET", "/status/{code}", .inline { context in
                HTTPResponse.json(["ok": false], status: Int(context.parameter("code")) ?? 500, headers: ["Retry-After": "7"])
            }),
        ]
        let server = HTTPServer(
            configuration: ServerConfiguration(port: 0, eventLoops: 1), router: Router(routes), logger: .discard, metrics: MetricsRegistry(),
            accessLog: false, renderError: { error, _ in .text("\(error)", status: 500) })
        try server.start()
        return server
    }

    override func tearDown() {
        transport.shutdown()
        server.stop()
    }

    static func echo(_ context: RequestContext) throws -> HTTPResponse {
        let request = context.request
        return .json([
            "method": .string(request.method), "body": .string(String(decoding: request.body, as: UTF8.self)),
            "contentType": .string(request.headers["content-type"]), "token": .string(request.headers["x-token"]),
            "expect": .string(request.headers["expect"]), "query": .string(request.query),
        ])
    }

    private func send(_ method: String, _ path: String, body: [UInt8]? = nil, timeout: Double = 5, headers: HTTPHeaders = [:]) async throws(TransportError)
        -> TransportResponse
    {
        try await transport.send(TransportRequest(method: method, url: base + path, headers: headers, body: body, timeout: timeout))
    }

    private func expectFailure(_ kind: TransportError.Kind, _ operation: () async throws(TransportError) -> TransportResponse, file: StaticString = #filePath, line: UInt = #line) async {
        do {
            let response = try await operation()
            XCTFail("expected \(kind), got HTTP \(response.status)", file: file, line: line)
        } catch {
            XCTAssertEqual(error.kind, kind, error.description, file: file, line: line)
        }
    }

    func testPostCarriesBodyHeadersAndQuery() async throws {
        let response = try await send("POST", "/echo?a=1&b=two", body: Array(#"{"x":1}"#.utf8), headers: ["Content-Type": "application/json", "X-Token": "t1"])
        XCTAssertEqual(response.status, 200)
        let json = try JSONParser.parse(response.body)
        XCTAssertEqual(json["method"], "POST")
        XCTAssertEqual(json["body"], #"{"x":1}"#)
        XCTAssertEqual(json["contentType"], "application/json")
        XCTAssertEqual(json["token"], "t1")
        XCTAssertEqual(json["expect"], .null, "no Expect: 100-continue round trip")
        XCTAssertEqual(json["query"], "a=1&b=two")
        XCTAssertEqual(response.headers["content-type"], "application/json")
    }

    func testConnectToPinsTheAddressWithoutResolvingTheHost() async throws {
        let port = try XCTUnwrap(server.port)
        // `.invalid` never resolves: the call only succeeds if curl connects to the pinned address.
        let pinned = try await transport.send(
            TransportRequest(method: "GET", url: "http://hooks.example.invalid:\(port)/echo", timeout: 5, connectTo: "127.0.0.1"))
        XCTAssertEqual(pinned.status, 200)
        do {
            _ = try await transport.send(TransportRequest(method: "GET", url: "http://hooks.example.invalid:\(port)/echo", timeout: 5))
            XCTFail("without the pin the name does not resolve")
        } catch {
            XCTAssertEqual(error.kind, .dnsFailure)
        }
    }

    func testDeleteCarriesAJSONBody() async throws {
        let response = try await send("DELETE", "/echo", body: Array(#"{"participants":["1@s.whatsapp.net"]}"#.utf8), headers: ["Content-Type": "application/json"])
        let json = try JSONParser.parse(response.body)
        XCTAssertEqual(json["method"], "DELETE")
        XCTAssertEqual(json["body"], #"{"participants":["1@s.whatsapp.net"]}"#)
    }

    func testPutAndBodylessPostWork() async throws {
        let put = try await send("PUT", "/echo", body: Array("p".utf8))
        XCTAssertEqual(try JSONParser.parse(put.body)["method"], "PUT")
        let empty = try JSONParser.parse(try await send("POST", "/echo", body: nil).body)
        XCTAssertEqual(empty["body"], "")
        XCTAssertEqual(empty["contentType"], .null, "no form-encoding content type is invented")
    }

    func testConnectionsAreReusedAcrossCalls() async throws {
        for _ in 0..<20 { _ = try await send("GET", "/echo") }
        XCTAssertEqual(transport.connectionsOpened.get(), 1)
    }

    func testConcurrentCallsAllComplete() async throws {
        let transport = self.transport!
        let url = base + "/echo"
        let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
            for index in 0..<50 {
                group.addTask { try await transport.send(TransportRequest(method: "POST", url: url, body: Array("n\(index)".utf8))).status }
            }
            var all: [Int] = []
            for try await status in group { all.append(status) }
            return all
        }
        XCTAssertEqual(statuses, Array(repeating: 200, count: 50))
        XCTAssertLessThanOrEqual(transport.connectionsOpened.get(), 32, "bounded by the per-host connection limit")
    }

    func testRedirectsAreNotFollowed() async throws {
        let response = try await send("GET", "/redirect")
        XCTAssertEqual(response.status, 302)
        XCTAssertEqual(response.headers["location"], "/echo")
    }

    func testErrorStatusesAndHeadersComeBackAsResponses() async throws {
        let response = try await send("GET", "/status/429")
        XCTAssertEqual(response.status, 429)
        XCTAssertEqual(response.headers["retry-after"], "7")
    }

    func testDeadlineGivesTimeoutAfterConnecting() async {
        let started = Date()
        await expectFailure(.timeout) { () async throws(TransportError) in try await self.send("GET", "/slow", timeout: 0.5) }
        XCTAssertLessThan(Date().timeIntervalSince(started), 2)
        XCTAssertTrue(TransportError(.timeout, "").outcomeUnknown)
    }

    /// A pooled connection has no connect time of its own: a deadline passed on it is still a timeout after
    /// connecting (the request may have arrived), never a connect timeout (which is safe to send again).
    func testDeadlineOnAReusedConnectionIsATimeoutWithUnknownOutcome() async throws {
        _ = try await send("GET", "/echo")
        await expectFailure(.timeout) { () async throws(TransportError) in try await self.send("POST", "/slow-post", body: [1], timeout: 0.5) }
        XCTAssertEqual(transport.connectionsOpened.get(), 1, "the call rode the pooled connection")
    }

    func testResponseOverTheCapIsRefused() async {
        await expectFailure(.responseTooLarge) { () async throws(TransportError) in try await self.send("GET", "/big") }
    }

    func testRequestOverTheCapIsRefusedBeforeSending() async {
        await expectFailure(.invalidRequest) { () async throws(TransportError) in
            try await self.send("POST", "/echo", body: [UInt8](repeating: 1, count: 60_000))
        }
    }

    func testRefusedConnection() async {
        let port = server.port!
        server.stop()
        await expectFailure(.connectionRefused) { () async throws(TransportError) in
            try await self.transport.send(TransportRequest(method: "GET", url: "http://127.0.0.1:\(port)/echo", timeout: 2))
        }
        server = HTTPServer(
            configuration: ServerConfiguration(port: 0, eventLoops: 1), router: Router(), logger: .discard, metrics: MetricsRegistry(),
            renderError: { _, _ in HTTPResponse(status: 500) })
        try? server.start()
    }

    func testDroppedConnectionIsAReset() async throws {
        let dropper = try DroppingListener()
        defer { dropper.close() }
        await expectFailure(.connectionReset) { () async throws(TransportError) in
            try await self.transport.send(TransportRequest(method: "POST", url: "http://127.0.0.1:\(dropper.port)/x", body: [1], timeout: 3))
        }
        XCTAssertTrue(TransportError(.connectionReset, "").outcomeUnknown)
    }

    func testSilentServerGivesTimeoutWithUnknownOutcome() async throws {
        let silent = try DroppingListener(silent: true)
        defer { silent.close() }
        await expectFailure(.timeout) { () async throws(TransportError) in
            try await self.transport.send(TransportRequest(method: "POST", url: "http://127.0.0.1:\(silent.port)/x", body: [1], timeout: 0.5))
        }
    }

    func testListenerThatNeverAcceptsGivesConnectTimeout() async throws {
        // A listener with a full accept queue drops further SYNs: the connection never completes.
        let full = try DroppingListener(backlogFull: true)
        defer { full.close() }
        let transport = CurlTransport(options: .init(connectTimeout: 0.3))
        defer { transport.shutdown() }
        do {
            _ = try await transport.send(TransportRequest(method: "GET", url: "http://127.0.0.1:\(full.port)/", timeout: 2))
            XCTFail("expected a failure")
        } catch {
            XCTAssertEqual(error.kind, .connectTimeout, error.description)
            XCTAssertFalse(error.outcomeUnknown, "nothing was sent")
        }
    }

    func testNonHTTPURLsAreRefused() async {
        do {
            _ = try await transport.send(TransportRequest(method: "GET", url: "file:///etc/passwd", timeout: 1))
            XCTFail("expected a failure")
        } catch {
            XCTAssertEqual(error.kind, .invalidRequest)
        }
    }

    func testLazyTransportStartsOnFirstCallAndRefusesAfterShutdown() async throws {
        let lazy = LazyCurlTransport(options: .init(connectTimeout: 2))
        XCTAssertFalse(lazy.isStarted, "nothing is set up before a call")
        let response = try await lazy.send(TransportRequest(method: "POST", url: base + "/echo", body: Array("hi".utf8), timeout: 5))
        XCTAssertEqual(response.status, 200)
        XCTAssertEqual(try JSONParser.parse(response.body)["body"], "hi")
        XCTAssertTrue(lazy.isStarted)
        lazy.shutdown()
        await expectFailure(.other) { () async throws(TransportError) in
            try await lazy.send(TransportRequest(method: "GET", url: base + "/echo", timeout: 1))
        }
        let neverUsed = LazyCurlTransport()
        neverUsed.shutdown()
        XCTAssertFalse(neverUsed.isStarted, "shutting down an unused transport starts nothing")
        await expectFailure(.other) { () async throws(TransportError) in
            try await neverUsed.send(TransportRequest(method: "GET", url: base + "/echo", timeout: 1))
        }
    }

    func testErrorMessagesLeaveOutTheQuery() async {
        do {
            _ = try await transport.send(TransportRequest(method: "GET", url: "http://127.0.0.1:1/x?token=secret-value", timeout: 1))
        } catch {
            XCTAssertFalse(error.description.contains("secret-value"), error.description)
        }
    }
}

final class CurlConnectionReuseTests: XCTestCase {
    func testConcurrentRoundsReuseTheirConnections() async throws {
        let server = HTTPServer(
            configuration: ServerConfiguration(port: 0, eventLoops: 1), router: Router([Route("POST", "/x", .inline { _ in .json(["ok": true], status: 201) })]),
            logger: .discard, metrics: MetricsRegistry(), accessLog: false, renderError: { _, _ in HTTPResponse(status: 500) })
        try server.start()
        defer { server.stop() }
        let transport = CurlTransport()
        defer { transport.shutdown() }
        let url = "http://127.0.0.1:\(server.port!)/x"
        func round() async throws {
            try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<50 { group.addTask { try await transport.send(TransportRequest(method: "POST", url: url, body: [1])).status } }
                for try await status in group { XCTAssertEqual(status, 201) }
            }
        }
        for _ in 0..<6 { try await round() }
        // 300 calls, 50 at a time: the first round may open fewer than the per-host limit (calls that finish early
        // free theirs), later ones may add up to it, and none beyond — without reuse this would be ~300.
        XCTAssertLessThanOrEqual(transport.connectionsOpened.get(), CurlTransport.Options().maxConnectionsPerHost, "later rounds reuse the pooled connections")
    }
}
