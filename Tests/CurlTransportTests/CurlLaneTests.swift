import CurlTransport
import Foundation
import HTTPCore
import HTTPServer
import JSONCore
import Support
import XCTest

/// `CurlLane`: blocking calls on the caller's thread, one connection kept, with the transport's options and
/// error mapping (the webhook dispatcher sends each subscriber's deliveries through one).
final class CurlLaneTests: XCTestCase {
    private var server: HTTPServer!
    private var base: String { "http://127.0.0.1:\(server.port!)" }

    override func setUpWithError() throws { server = try CurlTransportTests.startServer() }

    override func tearDown() { server.stop() }

    func testCallsShareOneConnectionAndRedirectsComeBackAsTheyAre() throws {
        let lane = CurlLane()
        for index in 0..<20 {
            let body = Array(#"{"n":\#(index)}"#.utf8)
            let response = try lane.send(TransportRequest(method: "POST", url: base + "/echo", body: body, timeout: 5)).get()
            XCTAssertEqual(response.status, 200)
            XCTAssertEqual(try JSONParser.parse(response.body)["body"], .string(String(decoding: body, as: UTF8.self)))
            XCTAssertEqual(try JSONParser.parse(response.body)["expect"], .null, "no Expect: 100-continue round trip")
        }
        XCTAssertEqual(lane.connectionsOpened, 1)
        let redirect = try lane.send(TransportRequest(method: "GET", url: base + "/redirect", timeout: 5)).get()
        XCTAssertEqual(redirect.status, 302)
        XCTAssertEqual(redirect.headers["location"], "/echo")
    }

    func testOversizedBodyIsRefusedBeforeAnyConnection() {
        let lane = CurlLane(options: .init(maxRequestBytes: 10))
        let result = lane.send(TransportRequest(method: "POST", url: base + "/echo", body: Array(repeating: 65, count: 11)))
        XCTAssertEqual(result.failure?.kind, .invalidRequest)
        XCTAssertEqual(lane.connectionsOpened, 0)
    }

    /// On the kept connection a deadline is a timeout after sending (outcome unknown), never a connect timeout.
    func testDeadlineOnTheKeptConnectionIsATimeoutWithUnknownOutcome() throws {
        let lane = CurlLane()
        XCTAssertEqual(try lane.send(TransportRequest(method: "POST", url: base + "/echo", body: [49], timeout: 5)).get().status, 200)
        let error = lane.send(TransportRequest(method: "GET", url: base + "/slow", timeout: 0.5)).failure
        XCTAssertEqual(error?.kind, .timeout, error?.description ?? "no error")
        XCTAssertEqual(error?.outcomeUnknown, true)
    }

    func testNothingListeningIsConnectionRefused() throws {
        let port = server.port!
        server.stop()
        let error = CurlLane().send(TransportRequest(method: "POST", url: "http://127.0.0.1:\(port)/echo", body: [49], timeout: 2)).failure
        XCTAssertEqual(error?.kind, .connectionRefused, error?.description ?? "no error")
    }

    /// The kept connection closing before the answer: a `sendOnce` call is not sent a second time.
    func testSendOnceRequestIsNotSentAgainWhenTheKeptConnectionDies() throws {
        let dropper = try SecondRequestDropper()
        defer { dropper.close() }
        let lane = CurlLane()
        let url = "http://127.0.0.1:\(dropper.port)/api/sendText"
        let first = lane.send(TransportRequest(method: "POST", url: url, body: Array("one".utf8), timeout: 3, sendOnce: true))
        XCTAssertEqual(try first.get().status, 200)
        let second = lane.send(TransportRequest(method: "POST", url: url, body: Array("two".utf8), timeout: 3, sendOnce: true)).failure
        XCTAssertEqual(second?.kind, .connectionReset, second?.description ?? "no error")
        XCTAssertEqual(dropper.requests.get().count, 2, "the POST reached the server once: \(dropper.requests.get())")
    }
}

extension Result {
    fileprivate var failure: Failure? {
        if case .failure(let error) = self { return error }
        return nil
    }
}
