import JSONCore
import XCTest

/// Equality, hashing and the ordered object.
final class JSONValueTests: XCTestCase {
    func testIntEqualsDoubleOfSameValue() {
        XCTAssertEqual(JSON.int(5), JSON.double(5))
        XCTAssertEqual(JSON.double(5), JSON.int(5))
        XCTAssertNotEqual(JSON.int(5), JSON.double(5.5))
    }

    func testEqualIntAndDoubleHashAlike() {
        XCTAssertEqual(JSON.int(5).hashValue, JSON.double(5).hashValue)
        let set: Set<JSON> = [.int(5), .double(5.0)]
        XCTAssertEqual(set.count, 1)
    }

    func testDifferentKindsAreNotEqual() {
        XCTAssertNotEqual(JSON.string("1"), JSON.int(1))
        XCTAssertNotEqual(JSON.bool(true), JSON.int(1))
        XCTAssertNotEqual(JSON.null, JSON.bool(false))
        XCTAssertNotEqual(JSON.array([]), JSON.object(JSONObject()))
    }

    func testObjectEqualityIgnoresKeyOrder() throws {
        let a = try JSONParser.parse(#"{"x":1,"y":{"p":true,"q":[1,2]}}"#)
        let b = try JSONParser.parse(#"{"y":{"q":[1,2],"p":true},"x":1}"#)
        XCTAssertEqual(a, b)
        XCTAssertEqual(a.hashValue, b.hashValue)
    }

    func testObjectEqualityComparesValuesAndKeySets() {
        let base: JSON = ["x": 1, "y": 2]
        XCTAssertNotEqual(base, ["x": 1, "y": 3])
        XCTAssertNotEqual(base, ["x": 1])
        XCTAssertNotEqual(base, ["x": 1, "z": 2])
        XCTAssertNotEqual(base, ["x": 1, "y": 2, "z": 3])
    }

    func testArrayEqualityRespectsOrder() {
        XCTAssertNotEqual(JSON.array([1, 2]), JSON.array([2, 1]))
        XCTAssertEqual(JSON.array([1, 2.0]), JSON.array([1.0, 2]))
    }

    func testLiteralsBuildExpectedCases() {
        let value: JSON = ["n": nil, "b": true, "i": 3, "d": 1.5, "s": "t", "a": [1]]
        guard case .object(let object) = value else { return XCTFail("expected object") }
        XCTAssertEqual(object.keys, ["n", "b", "i", "d", "s", "a"])
        guard case .int = object["i"]!, case .double = object["d"]! else { return XCTFail("number kinds wrong") }
        XCTAssertTrue(object["n"]!.isNull)
        XCTAssertEqual(object["b"]?.boolValue, true)
    }

    // MARK: - JSONObject

    func testSettingExistingKeyReplacesInPlace() {
        var object: JSONObject = ["a": 1, "b": 2, "c": 3]
        object["b"] = "new"
        XCTAssertEqual(object.keys, ["a", "b", "c"])
        XCTAssertEqual(object["b"], .string("new"))
        XCTAssertEqual(object.count, 3)
    }

    func testSettingNilRemovesKey() {
        var object: JSONObject = ["a": 1, "b": 2]
        object["a"] = nil
        XCTAssertEqual(object.keys, ["b"])
        object["missing"] = nil
        XCTAssertEqual(object.count, 1)
    }

    func testInitFromPairsKeepsLastValueForRepeatedKey() {
        let object = JSONObject([("k", 1), ("other", 2), ("k", 3)])
        XCTAssertEqual(object.keys, ["k", "other"])
        XCTAssertEqual(object["k"], .int(3))
    }

    func testIterationFollowsInsertionOrder() {
        var object = JSONObject()
        for key in ["delta", "alpha", "charlie"] { object[key] = .string(key.uppercased()) }
        XCTAssertEqual(object.map(\.key), ["delta", "alpha", "charlie"])
        XCTAssertEqual(object.map(\.value), [.string("DELTA"), .string("ALPHA"), .string("CHARLIE")])
        XCTAssertFalse(object.isEmpty)
        XCTAssertTrue(JSONObject().isEmpty)
    }
}
