import XCTest

@testable import WAHAProvider

/// `WAHAWebhook.coreID` scans bytes instead of splitting the string; it must answer exactly as the split did.
final class WAHACoreIDTests: XCTestCase {
    /// The earlier implementation, as the model.
    private func model(_ serialized: String) -> String {
        let parts = serialized.split(separator: "_")
        guard parts.count >= 3, parts[0] == "true" || parts[0] == "false" else { return serialized }
        return String(parts[2])
    }

    func testTheScanAnswersAsSplittingDid() {
        let known = [
            "true_120363022345678901@g.us_3EB0A1B2C3D4E5F60718_15550000001@c.us", "false_15550000002@c.us_3EB0C0FFEE", "3EB0C0FFEE",
            "true_chat", "true__chat__id_", "_true_chat_id", "TRUE_chat_id", "true_chat_", "", "_", "___", "true_é_ïd_ü", "truex_chat_id",
        ]
        for serialized in known { XCTAssertEqual(WAHAWebhook.coreID(serialized), model(serialized), serialized) }
        XCTAssertEqual(WAHAWebhook.coreID("true_120363022345678901@g.us_3EB0A1B2C3D4E5F60718_15550000001@c.us"), "3EB0A1B2C3D4E5F60718")
        // Random strings over an alphabet heavy in separators and the two prefixes.
        var state: UInt64 = 7
        let pieces = ["_", "_", "true", "false", "a", "é", "@c.us", "3EB0", "tru"]
        for _ in 0..<5_000 {
            var serialized = ""
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            for step in 0..<Int(state >> 60) {
                serialized += pieces[Int((state >> UInt64(4 * step % 56)) % UInt64(pieces.count))]
            }
            XCTAssertEqual(WAHAWebhook.coreID(serialized), model(serialized), serialized)
        }
    }
}
