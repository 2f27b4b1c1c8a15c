import JSONCore
import XCTest

/// What the parser accepts and the values it builds.
final class JSONParserTests: XCTestCase {
    func testParsesScalars() throws {
        XCTAssertEqual(try JSONParser.parse("null"), .null)
        XCTAssertEqual(try JSONParser.parse("true"), .bool(true))
        XCTAssertEqual(try JSONParser.parse("false"), .bool(false))
        XCTAssertEqual(try JSONParser.parse(#""hi""#), .string("hi"))
    }

    func testIntegerLiteralParsesAsInt() throws {
        guard case .int(let value) = try JSONParser.parse("42") else { return XCTFail("expected .int") }
        XCTAssertEqual(value, 42)
        guard case .int(let negative) = try JSONParser.parse("-7") else { return XCTFail("expected .int") }
        XCTAssertEqual(negative, -7)
    }

    func testFractionOrExponentParsesAsDouble() throws {
        for (text, expected) in [("5.0", 5.0), ("1.5", 1.5), ("1e3", 1000.0), ("-2.5E-2", -0.025), ("0.1", 0.1)] {
            guard case .double(let value) = try JSONParser.parse(text) else {
                XCTFail("\(text) should parse as .double")
                continue
            }
            XCTAssertEqual(value, expected, text)
        }
    }

    func testInt64BoundsStayIntegers() throws {
        guard case .int(let max) = try JSONParser.parse("9223372036854775807") else { return XCTFail("expected .int") }
        XCTAssertEqual(max, Int64.max)
        guard case .int(let min) = try JSONParser.parse("-9223372036854775808") else { return XCTFail("expected .int") }
        XCTAssertEqual(min, Int64.min)
    }

    func testIntegerBeyondInt64FallsBackToDouble() throws {
        guard case .double(let value) = try JSONParser.parse("9223372036854775808") else { return XCTFail("expected .double") }
        XCTAssertEqual(value, 9_223_372_036_854_775_808.0)
    }

    func testNegativeZeroIsAnInteger() throws {
        XCTAssertEqual(try JSONParser.parse("-0"), .int(0))
    }

    func testDecodesSimpleEscapes() throws {
        let value = try JSONParser.parse(#""q\" b\\ s\/ \b\f\n\r\t""#)
        XCTAssertEqual(value, .string("q\" b\\ s/ \u{08}\u{0C}\n\r\t"))
    }

    func testDecodesUnicodeEscapes() throws {
        XCTAssertEqual(try JSONParser.parse(#""\u00e9\u00E9""#), .string("éé"))
        XCTAssertEqual(try JSONParser.parse(#""\u0000""#), .string("\u{0}"))
    }

    func testDecodesSurrogatePairToOneScalar() throws {
        let value = try JSONParser.parse(#""\uD83D\uDE00""#)
        XCTAssertEqual(value, .string("😀"))
        XCTAssertEqual(value.stringValue?.unicodeScalars.count, 1)
    }

    func testKeepsRawMultibyteUTF8() throws {
        XCTAssertEqual(try JSONParser.parse(Array("\"grüße 👋\"".utf8)), .string("grüße 👋"))
    }

    func testMixesRawTextAndEscapes() throws {
        XCTAssertEqual(try JSONParser.parse(#""before\tafter é""#), .string("before\tafter é"))
    }

    func testParsesNestedStructures() throws {
        let value = try JSONParser.parse(#" { "a" : [ 1 , { "b" : null } , [ ] ] , "c" : { } } "#)
        XCTAssertEqual(value["a"]?[0], .int(1))
        XCTAssertEqual(value["a"]?[1]?["b"], .null)
        XCTAssertEqual(value["a"]?[2], .array([]))
        XCTAssertEqual(value["c"], .object(JSONObject()))
    }

    func testObjectKeepsKeyOrder() throws {
        let value = try JSONParser.parse(#"{"z":1,"a":2,"m":3}"#)
        XCTAssertEqual(value.objectValue?.keys, ["z", "a", "m"])
    }

    func testAllowsAllFourWhitespaceCharacters() throws {
        XCTAssertEqual(try JSONParser.parse(" \t\r\n[\t1\r\n]\n "), .array([.int(1)]))
    }

    func testParsesFromBytesAndTextAlike() throws {
        let text = #"{"k":[true,1.25,"v"]}"#
        XCTAssertEqual(try JSONParser.parse(Array(text.utf8)), try JSONParser.parse(text))
    }

    // MARK: - Access helpers

    func testIntValueAcceptsWholeDoublesOnly() {
        XCTAssertEqual(JSON.double(3.0).intValue, 3)
        XCTAssertNil(JSON.double(3.5).intValue)
        XCTAssertNil(JSON.double(1e19).intValue)
        XCTAssertNil(JSON.string("3").intValue)
        XCTAssertEqual(JSON.int(3).doubleValue, 3.0)
    }

    func testSubscriptsReturnNilForMissingOrWrongType() {
        let value: JSON = ["list": [1, 2]]
        XCTAssertNil(value["missing"])
        XCTAssertNil(value["list"]?[2])
        XCTAssertNil(value["list"]?[-1])
        XCTAssertNil(JSON.int(1)["key"])
        XCTAssertNil(JSON.string("x")[0])
    }

    func testTypeNames() {
        XCTAssertEqual(JSON.null.typeName, "null")
        XCTAssertEqual(JSON.bool(true).typeName, "boolean")
        XCTAssertEqual(JSON.int(1).typeName, "number")
        XCTAssertEqual(JSON.double(1.5).typeName, "number")
        XCTAssertEqual(JSON.string("").typeName, "string")
        XCTAssertEqual(JSON.array([]).typeName, "array")
        XCTAssertEqual(JSON.object(JSONObject()).typeName, "object")
    }

    func testOptionalConveniencesRenderNilAsNull() {
        XCTAssertEqual(JSON.string(nil as String?), .null)
        XCTAssertEqual(JSON.int(nil as Int?), .null)
        XCTAssertEqual(JSON.bool(nil as Bool?), .null)
        XCTAssertEqual(JSON.string("x" as String?), .string("x"))
        XCTAssertEqual(JSON.int(7 as Int?), .int(7))
    }
}
