import Foundation
import HTTPCore
import HTTPServer
import Support
import TestSupport
import XCTest

/// Routes that start on the event loop and answer later from another thread (`RouteHandler.deferred`).
final class DeferredHandlerTests: XCTestCase {
    private struct Refused: Error, CustomStringConvertible {
        let description: String
    }

    private func makeServer(_ routes: [Route]) throws -> HTTPServer {
        let server = HTTPServer(
            configuration: ServerConfiguration(port: 0, eventLoops: 1, shutdownGrace: 10), router: Router(routes + [Route("GET", "/fast", .inline { _ in .text("fast") })]),
            logger: .discard, metrics: MetricsRegistry(), accessLog: false,
            renderError: { error, _ in HTTPResponse.text("error: \(error)", status: 500) })
        try server.start()
        addTeardownBlock { server.stop() }
        return server
    }

    /// Answers `text` from a global queue after `delay` seconds.
    private func later(_ path: String, _ text: String, delay: Double = 0.05) -> Route {
        Route("GET", path, .deferred { _, respond in
            DispatchQueue.global().asyncAfter(deadline: .now() + delay) { respond(.success(.text(text))) }
        })
    }

    func testAnswerFromAnotherThreadReachesTheClient() throws {
        let server = try makeServer([later("/later", "done later")])
        let client = try RawHTTPClient(port: server.port!)
        try client.send("GET /later HTTP/1.1\r\nHost: t\r\n\r\nGET /fast HTTP/1.1\r\nHost: t\r\n\r\n")
        let first = try client.readResponse()
        XCTAssertEqual(first.status, 200)
        XCTAssertEqual(first.text, "done later")
        XCTAssertEqual(try client.readResponse().text, "fast", "a pipelined request waits for the deferred answer, then gets its own")
    }

    func testThrowingBeforeAnsweringAndAFailedResultAreRenderedErrors() throws {
        let server = try makeServer([
            Route("GET", "/throws", .deferred { _, _ in throw Refused(description: "thrown") }),
            Route("GET", "/fails", .deferred { _, respond in DispatchQueue.global().async { respond(.failure(Refused(description: "failed"))) } }),
        ])
        let client = try RawHTTPClient(port: server.port!)
        try client.send("GET /throws HTTP/1.1\r\nHost: t\r\n\r\n")
        let thrown = try client.readResponse()
        XCTAssertEqual(thrown.status, 500)
        XCTAssertEqual(thrown.text, "error: thrown")
        try client.send("GET /fails HTTP/1.1\r\nHost: t\r\n\r\n")
        let failed = try client.readResponse()
        XCTAssertEqual(failed.status, 500)
        XCTAssertEqual(failed.text, "error: failed")
    }

    func testOnlyTheFirstAnswerCounts() throws {
        // The second answer must not be taken for the pipelined request behind it, nor written as an extra response.
        let server = try makeServer([
            Route("GET", "/twice", .deferred { _, respond in
                respond(.success(.text("first")))
                DispatchQueue.global().async { respond(.success(.text("second"))) }
                throw Refused(description: "after answering")
            }),
            later("/slow", "slow", delay: 0.3),
        ])
        let client = try RawHTTPClient(port: server.port!)
        try client.send("GET /twice HTTP/1.1\r\nHost: t\r\n\r\nGET /slow HTTP/1.1\r\nHost: t\r\n\r\n")
        XCTAssertEqual(try client.readResponse().text, "first")
        XCTAssertEqual(try client.readResponse().text, "slow")
        client.setTimeout(0.3)
        XCTAssertThrowsError(try client.readAvailable(), "nothing more arrives")
    }

    func testAnswerAfterTheClientLeftIsDropped() throws {
        let answered = DispatchSemaphore(value: 0)
        let server = try makeServer([Route("GET", "/gone", .deferred { _, respond in
            DispatchQueue.global().asyncAfter(deadline: .now() + 0.2) {
                respond(.success(.text("too late")))
                answered.signal()
            }
        })])
        do {
            let client = try RawHTTPClient(port: server.port!)
            try client.send("GET /gone HTTP/1.1\r\nHost: t\r\n\r\n")
        }
        XCTAssertEqual(answered.wait(timeout: .now() + 5), .success)
        let client = try RawHTTPClient(port: server.port!)
        try client.send("GET /fast HTTP/1.1\r\nHost: t\r\n\r\n")
        XCTAssertEqual(try client.readResponse().text, "fast", "the server goes on serving")
    }

    func testStopWaitsForADeferredAnswer() throws {
        let server = try makeServer([later("/later", "finished", delay: 0.5)])
        let client = try RawHTTPClient(port: server.port!)
        try client.send("GET /later HTTP/1.1\r\nHost: t\r\n\r\n")
        Thread.sleep(forTimeInterval: 0.1)
        DispatchQueue.global().async { server.stop() }
        let response = try client.readResponse()
        XCTAssertEqual(response.text, "finished")
        XCTAssertEqual(response.header("Connection"), "close")
    }
}
