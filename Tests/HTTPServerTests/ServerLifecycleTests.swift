import Foundation
import HTTPCore
import HTTPServer
import JSONCore
import Support
import TestSupport
import XCTest

/// Start, graceful stop, connection limits and streaming, with a router of test handlers.
final class ServerLifecycleTests: XCTestCase {
    private func makeServer(grace: Double = 10, maxConnections: Int = 16_384, routes: [Route]) throws -> HTTPServer {
        let configuration = ServerConfiguration(port: 0, eventLoops: 2, shutdownGrace: grace, maxConnections: maxConnections)
        let server = HTTPServer(
            configuration: configuration, router: Router(routes), logger: .discard, metrics: MetricsRegistry(), accessLog: false,
            renderError: { error, _ in HTTPResponse.text("\(error)", status: 500) })
        try server.start()
        return server
    }

    private let fast = Route("GET", "/fast", .inline { _ in .text("fast") })
    private let slow = Route("GET", "/slow", .async { _ in
        try await Task.sleep(nanoseconds: 1_000_000_000)
        return .text("slow done")
    })

    func testStopLetsInFlightRequestsFinish() throws {
        let server = try makeServer(routes: [fast, slow])
        let client = try RawHTTPClient(port: server.port!)
        try client.send("GET /slow HTTP/1.1\r\nHost: t\r\n\r\n")
        Thread.sleep(forTimeInterval: 0.2)
        let stopped = expectation(description: "stopped")
        let started = Date()
        DispatchQueue.global().async {
            server.stop()
            stopped.fulfill()
        }
        let response = try client.readResponse()
        XCTAssertEqual(response.status, 200)
        XCTAssertEqual(response.text, "slow done")
        XCTAssertEqual(response.header("Connection"), "close", "no more requests on a draining connection")
        wait(for: [stopped], timeout: 5)
        XCTAssertLessThan(Date().timeIntervalSince(started), 3, "stop returns once in-flight work is done")
    }

    func testStopRefusesNewConnections() throws {
        let server = try makeServer(routes: [fast])
        let port = server.port!
        server.stop()
        XCTAssertThrowsError(try RawHTTPClient(port: port), "the listening socket is closed")
    }

    func testStopClosesIdleKeepAliveConnectionsAtOnce() throws {
        let server = try makeServer(routes: [fast])
        let client = try RawHTTPClient(port: server.port!)
        try client.send("GET /fast HTTP/1.1\r\nHost: t\r\n\r\n")
        XCTAssertEqual(try client.readResponse().status, 200)
        let started = Date()
        server.stop()
        XCTAssertLessThan(Date().timeIntervalSince(started), 1)
        XCTAssertTrue(client.waitForClose(timeout: 1))
    }

    func testStopGivesUpAfterTheGracePeriod() throws {
        let hang = Route("GET", "/hang", .async { _ in
            try? await Task.sleep(nanoseconds: 30_000_000_000)
            return .text("late")
        })
        let server = try makeServer(grace: 0.5, routes: [hang])
        let client = try RawHTTPClient(port: server.port!)
        try client.send("GET /hang HTTP/1.1\r\nHost: t\r\n\r\n")
        Thread.sleep(forTimeInterval: 0.1)
        let started = Date()
        server.stop()
        XCTAssertLessThan(Date().timeIntervalSince(started), 2)
        XCTAssertTrue(client.waitForClose(timeout: 1))
    }

    func testConnectionsOverTheLimitAreRefused() throws {
        let server = try makeServer(maxConnections: 2, routes: [fast])
        defer { server.stop() }
        let first = try RawHTTPClient(port: server.port!)
        let second = try RawHTTPClient(port: server.port!)
        for client in [first, second] {
            try client.send("GET /fast HTTP/1.1\r\nHost: t\r\n\r\n")
            XCTAssertEqual(try client.readResponse().status, 200)
        }
        let third = try RawHTTPClient(port: server.port!)
        XCTAssertTrue(third.waitForClose(timeout: 2), "a third connection is closed at once")
        first.shutdownWrite()
        XCTAssertTrue(first.waitForClose(timeout: 2))
        Thread.sleep(forTimeInterval: 0.2)
        let fourth = try RawHTTPClient(port: server.port!)
        try fourth.send("GET /fast HTTP/1.1\r\nHost: t\r\n\r\n")
        XCTAssertEqual(try fourth.readResponse().status, 200, "a freed slot is usable again")
    }

    func testStreamingResponseIsChunkedAndEnds() throws {
        struct Ticker: ResponseStream {
            func start(_ writer: any ResponseStreamWriter) {
                DispatchQueue.global().async {
                    for index in 0..<3 { writer.write(Array("tick \(index)\n".utf8)) }
                    writer.finish()
                }
            }
        }
        let stream = Route("GET", "/stream", .inline { _ in HTTPResponse(status: 200, headers: ["Content-Type": "text/plain"], stream: Ticker()) })
        let server = try makeServer(routes: [stream, fast])
        defer { server.stop() }
        let client = try RawHTTPClient(port: server.port!)
        try client.send("GET /stream HTTP/1.1\r\nHost: t\r\n\r\nGET /fast HTTP/1.1\r\nHost: t\r\n\r\n")
        let response = try client.readResponse()
        XCTAssertEqual(response.header("Transfer-Encoding"), "chunked")
        XCTAssertEqual(response.text, "tick 0\ntick 1\ntick 2\n")
        XCTAssertEqual(try client.readResponse().text, "fast", "the connection goes on after the stream")
    }

    func testStreamWriterReportsClientDisconnect() throws {
        final class Holder: @unchecked Sendable {
            var writer: (any ResponseStreamWriter)?
            let closed = DispatchSemaphore(value: 0)
        }
        let holder = Holder()
        struct Hold: ResponseStream {
            let holder: Holder
            func start(_ writer: any ResponseStreamWriter) {
                holder.writer = writer
                writer.onClose { holder.closed.signal() }
                writer.write(Array("hello".utf8))
            }
        }
        let stream = Route("GET", "/stream", .inline { _ in HTTPResponse(status: 200, stream: Hold(holder: holder)) })
        let server = try makeServer(routes: [stream])
        defer { server.stop() }
        var client: RawHTTPClient? = try RawHTTPClient(port: server.port!)
        try client!.send("GET /stream HTTP/1.1\r\nHost: t\r\n\r\n")
        Thread.sleep(forTimeInterval: 0.2)
        client = nil  // closes the socket
        XCTAssertEqual(holder.closed.wait(timeout: .now() + 3), .success)
        XCTAssertFalse(holder.writer!.write(Array("more".utf8)), "writes after close report the connection gone")
    }
}
