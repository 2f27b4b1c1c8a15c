import Foundation
import HTTPCore
import HTTPServer
import JSONCore
import Support
import Switchboard
import TestSupport
import Webhooks
import XCTest

/// Deliveries are background work: the thread that sends them runs at a lower priority than the threads that
/// answer requests, so that when the cores are busy inbound webhooks and API calls are answered first.
final class WebhookDeliveryPriorityTests: XCTestCase {
    /// Nice values of this process's threads by name (as the kernel keeps it: at most 15 bytes).
    private static func niceValues() -> [(name: String, nice: Int)] {
        let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task")) ?? []
        return tasks.compactMap { tid in
            guard let stat = try? String(contentsOfFile: "/proc/self/task/\(tid)/stat", encoding: .utf8),
                let open = stat.firstIndex(of: "("), let close = stat.lastIndex(of: ")")
            else { return nil }
            // After the name: state is field 3, nice field 19 (proc(5)).
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            guard fields.count > 16, let nice = Int(fields[16]) else { return nil }
            return (String(stat[stat.index(after: open)..<close]), nice)
        }
    }

    func testTheDeliveryThreadYieldsToTheThreadsThatAnswerRequests() throws {
        // The subscriber answers from the event loop of its own server in this process, and meanwhile looks at the
        // gateway's threads: the delivery thread is blocked in its call to us, so it is there to be seen.
        let seen = LockedValue<[(name: String, nice: Int)]?>(nil)
        let subscriber = HTTPServer(
            configuration: ServerConfiguration(port: 0, eventLoops: 1),
            router: Router([
                Route("POST", "/hooks", .inline { _ in
                    let threads = Self.niceValues()
                    if threads.contains(where: { $0.name == "webhook-deliver" }) { seen.set(threads) }
                    return .text("ok")
                })
            ]),
            logger: .discard, metrics: MetricsRegistry(), accessLog: false,
            renderError: { error, _ in HTTPResponse.text("\(error)", status: 500) })
        try subscriber.start()
        defer { subscriber.stop() }
        let server = try TestGateway { $0.webhooks.allowPrivateTargets = true }
        defer { server.cleanUp() }
        let client = try server.client()
        XCTAssertEqual(try client.post("/v1/webhooks", ["url": .string("http://127.0.0.1:\(subscriber.port!)/hooks")]).status, 201)
        // Any event will do: a session and a group make several.
        XCTAssertEqual(try client.post("/v1/sessions", ["id": "bob", "provider": "native", "phone": "+15550009002"]).status, 201)
        XCTAssertEqual(try client.post("/v1/sessions/default/groups", ["name": "Priority", "participants": ["+15550009002"]]).status, 201)
        let deadline = Date().addingTimeInterval(10)
        while seen.get() == nil && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        let threads = try XCTUnwrap(seen.get(), "no delivery arrived while its thread could be seen")
        func nice(_ name: String) -> Set<Int> { Set(threads.filter { $0.name == name }.map(\.nice)) }
        XCTAssertEqual(nice("webhook-deliver"), [10], "the delivery thread runs at nice 10")
        // The same moment, the threads that answer: the event loops (the gateway's and the subscriber's) and the writer.
        XCTAssertEqual(nice("http-loop-0").union(nice("http-loop-1")).union(nice("db-writer")), [0], "\(threads)")
        XCTAssertFalse(nice("db-writer").isEmpty, "the gateway's threads are named: \(threads.map(\.name))")
    }
}
