import Foundation
@testable import GatewayCore
import JSONCore
import TestSupport
import XCTest

/// `PayloadDrift.profile` answers from a cache keyed by a fingerprint of the payload's structure: it must give
/// exactly the shape and digest computed directly, share an entry only between payloads of the same shape (the
/// same shape may take several: an array of three items is not fingerprinted as one of two), and never cache a
/// payload whose shape depends on the order of its walk.
final class PayloadDriftProfileTests: XCTestCase {
    private func direct(_ json: JSON) -> PayloadDrift.Profile {
        let shape = PayloadDrift.shape(json)
        return PayloadDrift.Profile(shape: shape, digest: PayloadDrift.digest(shape))
    }

    /// Every webhook body of every provider's contract fixtures.
    private func fixtureBodies() throws -> [JSON] {
        let root = Script.repositoryRoot + "/Contract/Fixtures"
        let files = FileManager.default.enumerator(atPath: root)?.compactMap { $0 as? String }.filter { $0.contains("webhooks/") && $0.hasSuffix(".json") } ?? []
        return try files.sorted().compactMap { file in
            try JSONParser.parse(Array(FileManager.default.contents(atPath: root + "/" + file) ?? Data()))["webhook"]?["body"]
        }
    }

    func testCachedProfilesAreTheDirectOnesForEveryFixtureBody() throws {
        let bodies = try fixtureBodies()
        XCTAssertGreaterThan(bodies.count, 50)
        for body in bodies {
            XCTAssertEqual(PayloadDrift.profile(body), direct(body), body.text)
            XCTAssertEqual(PayloadDrift.profile(body), direct(body), "from the cache: \(body.text)")
        }
        // Bodies that share a fingerprint share a shape (the reverse need not hold: a longer array is another entry).
        var shapes: [UInt64: String] = [:]
        for body in bodies {
            let key = try XCTUnwrap(PayloadDrift.fingerprint(body))
            let digest = direct(body).digest
            XCTAssertEqual(shapes[key] ?? digest, digest, body.text)
            shapes[key] = digest
        }
        XCTAssertGreaterThan(Set(shapes.values).count, 20)
    }

    func testOnlyTheShapeDecidesTheFingerprint() throws {
        let base = try JSONParser.parse(#"{"event": "message", "payload": {"id": "a", "fromMe": false, "ack": 1, "media": null, "to": ["x", "y"]}}"#)
        let same = [
            #"{"payload": {"to": ["z", "w"], "media": null, "ack": 7, "fromMe": true, "id": "b"}, "event": "message.any"}"#,  // order, values
            #"{"event": "message", "payload": {"id": "a", "fromMe": false, "ack": 1.5, "media": null, "to": ["x", "y"]}}"#,  // int → double
        ]
        let different = [
            #"{"event": "message", "payload": {"id": 1, "fromMe": false, "ack": 1, "media": null, "to": ["x", "y"]}}"#,  // a type
            #"{"event": "message", "payload": {"id": "a", "fromMe": false, "ack": 1, "media": null, "to": ["x", "y"], "new": 1}}"#,  // a field
            #"{"event": "message", "payload": {"id": "a", "fromMe": false, "ack": 1, "media": null, "to": ["x", 2]}}"#,  // mixed items
            #"{"event": "message", "payload": {"id": "a", "fromMe": false, "ack": 1, "media": null}, "to": ["x", "y"]}"#,  // moved up
            #"{"event": "message", "payload": {"id": "a", "fromMe": false, "ack": 1, "medium": null, "to": ["x", "y"]}}"#,  // renamed
        ]
        let key = try XCTUnwrap(PayloadDrift.fingerprint(base))
        for text in same {
            let json = try JSONParser.parse(text)
            XCTAssertEqual(PayloadDrift.fingerprint(json), key, text)
            XCTAssertEqual(PayloadDrift.profile(json), direct(base), text)
        }
        for text in different {
            let json = try JSONParser.parse(text)
            XCTAssertNotEqual(direct(json).digest, direct(base).digest, text)
            XCTAssertNotEqual(PayloadDrift.fingerprint(json), key, text)
            XCTAssertEqual(PayloadDrift.profile(json), direct(json), text)
        }
    }

    func testPayloadsOverThePathLimitAreNotCachedAndStillRight() throws {
        // 450 fields: `shape` keeps the first 400 it walks, so which ones depends on the order.
        let wide = JSON.object(JSONObject((0..<450).map { ("field\($0)", JSON.int(Int64($0))) }))
        let reversed = JSON.object(JSONObject((0..<450).reversed().map { ("field\($0)", JSON.int(Int64($0))) }))
        XCTAssertNil(PayloadDrift.fingerprint(wide))
        XCTAssertEqual(PayloadDrift.profile(wide), direct(wide))
        XCTAssertEqual(PayloadDrift.profile(reversed), direct(reversed))
        XCTAssertNotEqual(direct(wide).digest, direct(reversed).digest, "the limit makes the walk's order matter")
        let narrow = JSON.object(JSONObject((0..<400).map { ("field\($0)", JSON.int(Int64($0))) }))
        XCTAssertNotNil(PayloadDrift.fingerprint(narrow))
    }
}
