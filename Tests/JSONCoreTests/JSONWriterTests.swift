import JSONCore
import XCTest

/// Serialisation: escaping, number forms, key order, pretty output and round trips through the parser.
final class JSONWriterTests: XCTestCase {
    func testWritesScalarsCompactly() {
        XCTAssertEqual(JSON.null.text, "null")
        XCTAssertEqual(JSON.bool(true).text, "true")
        XCTAssertEqual(JSON.bool(false).text, "false")
        XCTAssertEqual(JSON.int(-12).text, "-12")
        XCTAssertEqual(JSON.double(1.5).text, "1.5")
        XCTAssertEqual(JSON.array([1, "a", nil]).text, #"[1,"a",null]"#)
    }

    func testIntAndDoubleKeepDistinctForms() {
        XCTAssertEqual(JSON.int(5).text, "5")
        XCTAssertEqual(JSON.double(5).text, "5.0")
    }

    func testNonFiniteDoublesWriteAsNull() {
        XCTAssertEqual(JSON.double(.nan).text, "null")
        XCTAssertEqual(JSON.double(.infinity).text, "null")
        XCTAssertEqual(JSON.double(-.infinity).text, "null")
    }

    func testEscapesQuotesAndBackslashes() {
        XCTAssertEqual(JSON.string(#"say "hi" \ bye"#).text, #""say \"hi\" \\ bye""#)
    }

    func testEscapesNamedControlCharacters() {
        XCTAssertEqual(JSON.string("a\nb\rc\td").text, #""a\nb\rc\td""#)
    }

    func testEscapesOtherControlCharactersAsUnicode() {
        XCTAssertEqual(JSON.string("\u{0}\u{1}\u{8}\u{C}\u{1F}").text, #""\u0000\u0001\u0008\u000c\u001f""#)
    }

    func testLeavesNonASCIIAndSlashRaw() {
        XCTAssertEqual(JSON.string("é/😀\u{7F}").text, "\"é/😀\u{7F}\"")
    }

    func testEscapesKeysLikeValues() {
        let value: JSON = ["a\"b\n": 1]
        XCTAssertEqual(value.text, #"{"a\"b\n":1}"#)
    }

    func testEveryControlCharacterRoundTrips() throws {
        let all = String(String.UnicodeScalarView((0..<0x20).map { Unicode.Scalar(UInt8($0)) })) + "\"\\"
        let written = JSON.string(all).bytes
        XCTAssertFalse(written.dropFirst().dropLast().contains { $0 < 0x20 }, "no raw control byte may remain")
        XCTAssertEqual(try JSONParser.parse(written), .string(all))
    }

    func testKeepsInsertionOrderByDefault() {
        let value: JSON = ["b": 1, "a": 2, "c": 3]
        XCTAssertEqual(value.text, #"{"b":1,"a":2,"c":3}"#)
    }

    func testSortedKeysOrdersEveryLevel() {
        let value: JSON = ["b": ["z": 1, "y": 2], "a": [["d": 1, "c": 2]]]
        XCTAssertEqual(JSONWriter(sortedKeys: true).string(value), #"{"a":[{"c":2,"d":1}],"b":{"y":2,"z":1}}"#)
        XCTAssertEqual(String(decoding: value.canonicalBytes, as: UTF8.self), #"{"a":[{"c":2,"d":1}],"b":{"y":2,"z":1}}"#)
    }

    func testCanonicalBytesAreEqualForReorderedObjects() {
        let first: JSON = ["x": 1, "y": [true, nil]]
        let second: JSON = ["y": [true, nil], "x": 1]
        XCTAssertNotEqual(first.bytes, second.bytes)
        XCTAssertEqual(first.canonicalBytes, second.canonicalBytes)
    }

    func testPrettyOutputIsIndentedAndParsesBack() throws {
        let value: JSON = ["name": "x", "list": [1, 2], "empty": [], "nested": ["k": nil]]
        let pretty = JSONWriter(pretty: true).string(value)
        let expected = """
            {
              "name": "x",
              "list": [
                1,
                2
              ],
              "empty": [],
              "nested": {
                "k": null
              }
            }
            """
        XCTAssertEqual(pretty, expected)
        XCTAssertEqual(try JSONParser.parse(pretty), value)
    }

    func testEmptyContainersWriteWithoutWhitespaceEvenWhenPretty() {
        let writer = JSONWriter(pretty: true)
        XCTAssertEqual(writer.string(.array([])), "[]")
        XCTAssertEqual(writer.string(.object(JSONObject())), "{}")
    }

    func testWriteAppendsToExistingBuffer() {
        var out = Array("prefix:".utf8)
        JSONWriter().write(["a": 1], into: &out)
        XCTAssertEqual(String(decoding: out, as: UTF8.self), #"prefix:{"a":1}"#)
    }

    // MARK: - Round trips

    func testRoundTripPreservesStructureAndNumberKinds() throws {
        let text = #"{"id":9007199254740993,"ratio":0.25,"whole":2.0,"neg":-3,"s":"é\n\"q\"","list":[null,true,false,[],{}],"big":1.0e300}"#
        let first = try JSONParser.parse(text)
        let written = first.text
        let second = try JSONParser.parse(written)
        XCTAssertEqual(first, second)
        XCTAssertEqual(first.text, second.text, "writing is deterministic")
        guard case .int(let id) = second["id"] else { return XCTFail("id must stay an integer") }
        XCTAssertEqual(id, 9_007_199_254_740_993, "integers above 2^53 must not lose precision")
        guard case .double(let whole) = second["whole"] else { return XCTFail("2.0 must stay a double") }
        XCTAssertEqual(whole, 2.0)
        XCTAssertEqual(second["big"]?.doubleValue, 1e300)
    }

    func testDoublesRoundTripExactly() throws {
        for value in [0.1, 1.0 / 3.0, -2.5e-308, 1.7976931348623157e308, 123456.789] {
            let written = JSON.double(value).text
            guard case .double(let back) = try JSONParser.parse(written) else {
                XCTFail("\(written) should parse as a double")
                continue
            }
            XCTAssertEqual(back, value, written)
        }
    }

    func testExtremeIntegersRoundTrip() throws {
        for value in [Int64.min, Int64.max, 0, -1] {
            guard case .int(let back) = try JSONParser.parse(JSON.int(value).text) else {
                XCTFail("\(value) should parse as an int")
                continue
            }
            XCTAssertEqual(back, value)
        }
    }

    func testUnicodeStringsRoundTrip() throws {
        let value = JSON.string("日本語 👨‍👩‍👧 \u{2028} \u{FEFF}")
        XCTAssertEqual(try JSONParser.parse(value.bytes), value)
    }
}
