import CurlTransport
import Foundation
import HTTPCore
import HTTPServer
import JSONCore
import Support
import XCTest

/// At-most-once calls (`sendOnce`) over libcurl's connection pool, against `SecondRequestDropper`.
final class CurlSendOnceTests: XCTestCase {
    /// A dropping server and a transport, both stopped when the test ends.
    private func dropperAndTransport(_ options: CurlTransport.Options = .init()) throws -> (SecondRequestDropper, CurlTransport) {
        let server = try SecondRequestDropper()
        let transport = CurlTransport(options: options)
        addTeardownBlock {
            transport.shutdown()
            server.close()
        }
        return (server, transport)
    }

    private static func post(_ url: String, _ text: String) -> TransportRequest {
        TransportRequest(method: "POST", url: url, body: Array(text.utf8), timeout: 3, sendOnce: true)
    }

    /// A POST on a reused connection that closes before answering fails with an unknown outcome; libcurl does not
    /// send it again on a new connection.
    func testSendOnceRequestIsNotSentAgainWhenTheReusedConnectionDies() async throws {
        let (server, transport) = try dropperAndTransport()
        let url = "http://127.0.0.1:\(server.port)/api/sendText"
        let first = try await transport.send(CurlSendOnceTests.post(url, "one"))
        XCTAssertEqual(first.status, 200)
        do {
            _ = try await transport.send(CurlSendOnceTests.post(url, "two"))
            XCTFail("the second POST had no answer")
        } catch {
            XCTAssertEqual(error.kind, .connectionReset, error.description)
            XCTAssertTrue(error.outcomeUnknown)
        }
        // The server drops only a connection's second request, so the POST rode the reused connection; libcurl
        // may open another for its retry, but must not send the request there.
        XCTAssertEqual(server.requests.get().count, 2, "the POST reached the server once: \(server.requests.get())")
    }

    /// The same race for a repeatable call: libcurl sends it again on a new connection, and the call succeeds.
    func testRepeatableRequestIsSentAgainWhenTheReusedConnectionDies() async throws {
        let (server, transport) = try dropperAndTransport()
        let url = "http://127.0.0.1:\(server.port)/api/groups"
        for _ in 0..<2 {
            let status = try await transport.send(TransportRequest(method: "GET", url: url, timeout: 3)).status
            XCTAssertEqual(status, 200)
        }
        XCTAssertEqual(server.requests.get().count, 3, "the second GET went out twice: \(server.requests.get())")
        XCTAssertEqual(transport.connectionsOpened.get(), 2)
    }

    /// A pooled connection idle past `maxIdleSeconds` is not reused (the server may be closing it).
    func testConnectionIdlePastTheLimitIsNotReused() async throws {
        let (server, transport) = try dropperAndTransport(.init(maxIdleSeconds: 0))
        let url = "http://127.0.0.1:\(server.port)/api/sendText"
        _ = try await transport.send(CurlSendOnceTests.post(url, "one"))
        try await Task.sleep(nanoseconds: 1_100_000_000)
        let second = try await transport.send(CurlSendOnceTests.post(url, "two"))
        XCTAssertEqual(second.status, 200, "answered as the first request of a new connection")
        XCTAssertEqual(transport.connectionsOpened.get(), 2)
        XCTAssertEqual(server.requests.get().count, 2)
    }

    /// A `sendOnce` call still uses the pool: sequential POSTs share one connection.
    func testSendOnceRequestsReuseConnections() async throws {
        let server = try CurlTransportTests.startServer()
        defer { server.stop() }
        let transport = CurlTransport()
        defer { transport.shutdown() }
        for index in 0..<10 {
            let body = Array(#"{"n":\#(index)}"#.utf8)
            let response = try await transport.send(TransportRequest(method: "POST", url: "http://127.0.0.1:\(server.port!)/echo", body: body, sendOnce: true))
            XCTAssertEqual(try JSONParser.parse(response.body)["body"], .string(String(decoding: body, as: UTF8.self)))
        }
        XCTAssertEqual(transport.connectionsOpened.get(), 1)
    }
}
