import GatewayCore
import Storage
import Support
import TestSupport
@testable import Webhooks
import XCTest

/// The delivery tables after every migration: each delivery row costs the writer as few index updates as the
/// reads allow, and the hot reads stay index ranges.
final class WebhookSchemaTests: XCTestCase {
    func testPendingDeliveriesAreReadInOrderFromTheStatusIndexAlone() throws {
        let directory = TemporaryDirectory(prefix: "switchboard-webhook-schema")
        defer { directory.remove() }
        let database = try Database(path: directory.file("w.db"), migrations: GatewaySchema.migrations + WebhookSchema.migrations, logger: .discard)
        defer { database.close() }
        let (indexes, plan) = try database.read { db in
            (try db.query("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'webhook_deliveries'").compactMap { $0.string(0) },
             try db.query("EXPLAIN QUERY PLAN " + DeliveryStore.headQuery, [.text("whk_1"), .integer(10)]).compactMap { $0.string(3) })
        }
        XCTAssertFalse(indexes.contains("webhook_deliveries_pending"), "dropped by webhooks-002: the status index answers the same reads")
        XCTAssertTrue(indexes.contains("webhook_deliveries_by_status"))
        XCTAssertEqual(plan.count, 1, "\(plan)")
        XCTAssertTrue(plan.first?.contains("USING INDEX webhook_deliveries_by_status (subscription_id=? AND status=?)") ?? false, "\(plan)")
        XCTAssertFalse(plan.joined().contains("TEMP B-TREE"), "event-log order comes from the index, not a sort")
    }
}
