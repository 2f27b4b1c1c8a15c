import JSONCore
import XCTest

/// One test per way a JSON text can be malformed: the strict parser must refuse each with an offset.
final class JSONParserRejectionTests: XCTestCase {
    /// Parses `bytes` expecting a refusal, and returns the error for further checks.
    @discardableResult
    private func refusal(_ bytes: [UInt8], maxDepth: Int = JSONParser.defaultMaxDepth, file: StaticString = #filePath, line: UInt = #line)
        -> JSONParseError?
    {
        do {
            let value = try JSONParser.parse(bytes, maxDepth: maxDepth)
            XCTFail("expected a parse error, got \(value)", file: file, line: line)
            return nil
        } catch {
            return error
        }
    }

    @discardableResult
    private func refusal(_ text: String, maxDepth: Int = JSONParser.defaultMaxDepth, file: StaticString = #filePath, line: UInt = #line)
        -> JSONParseError?
    {
        refusal(Array(text.utf8), maxDepth: maxDepth, file: file, line: line)
    }

    func testRejectsTrailingCommaInArray() {
        let error = refusal("[1,2,]")
        XCTAssertEqual(error?.offset, 5)
    }

    func testRejectsTrailingCommaInObject() {
        let error = refusal(#"{"a":1,}"#)
        XCTAssertEqual(error?.reason, "expected a string key")
        XCTAssertEqual(error?.offset, 7)
    }

    func testRejectsLeadingZero() {
        XCTAssertEqual(refusal("012")?.reason, "leading zero in a number")
        XCTAssertEqual(refusal("-01")?.reason, "leading zero in a number")
    }

    func testRejectsLoneHighSurrogate() {
        XCTAssertEqual(refusal(#""\uD83D""#)?.reason, "lone high surrogate in \\u escape")
        XCTAssertNotNil(refusal(#""\uD83Dx""#))
    }

    func testRejectsLoneLowSurrogate() {
        XCTAssertEqual(refusal(#""\uDE00""#)?.reason, "lone low surrogate in \\u escape")
    }

    func testRejectsHighSurrogateFollowedByNonSurrogateEscape() {
        XCTAssertEqual(refusal(#""\uD83D\u0041""#)?.reason, "invalid low surrogate in \\u escape")
    }

    func testRejectsInvalidEscape() {
        let error = refusal(#""a\qb""#)
        XCTAssertEqual(error?.reason, "invalid escape \\'q'")
        XCTAssertEqual(error?.offset, 3)
    }

    func testRejectsInvalidHexDigitInUnicodeEscape() {
        XCTAssertEqual(refusal(#""\u12G4""#)?.reason, "invalid hex digit in \\u escape")
    }

    func testRejectsTruncatedUnicodeEscape() {
        XCTAssertNotNil(refusal(#""\u12"#))
    }

    func testRejectsRawControlCharacterInString() {
        XCTAssertEqual(refusal("\"a\u{01}b\"")?.reason, "unescaped control character in a string")
        XCTAssertEqual(refusal("\"line\nbreak\"")?.reason, "unescaped control character in a string")
    }

    func testRejectsRawControlCharacterAfterEscapeInString() {
        // The slow (escape-decoding) path must refuse control characters as well.
        XCTAssertEqual(refusal("\"\\n\u{09}\"")?.reason, "unescaped control character in a string")
    }

    func testRejectsInvalidUTF8Bytes() {
        // 0xC3 0x28 is an invalid two-byte sequence; 0xFF never occurs in UTF-8.
        let quote = UInt8(ascii: "\"")
        XCTAssertEqual(refusal([quote, 0xC3, 0x28, quote])?.reason, "invalid UTF-8 in a string")
        XCTAssertEqual(refusal([quote, 0xFF, quote])?.reason, "invalid UTF-8 in a string")
    }

    func testRejectsInvalidUTF8BytesInStringWithEscapes() {
        let bytes = Array(#""\n"#.utf8) + [0xED, 0xA0, 0x80] + [UInt8(ascii: "\"")]  // encoded surrogate: invalid UTF-8
        XCTAssertEqual(refusal(bytes)?.reason, "invalid UTF-8 in a string")
    }

    func testRejectsOverlongUTF8Encoding() {
        let quote = UInt8(ascii: "\"")
        XCTAssertNotNil(refusal([quote, 0xC0, 0xAF, quote]))
    }

    func testRejectsDuplicateKeyInSmallObject() {
        let error = refusal(#"{"a":1,"b":2,"a":3}"#)
        XCTAssertEqual(error?.reason, #"duplicate key "a""#)
        XCTAssertEqual(error?.offset, 13)
    }

    func testRejectsDuplicateKeyInObjectWithMoreThanEightKeys() {
        let members = (0..<12).map { #""k\#($0)":\#($0)"# }.joined(separator: ",")
        let error = refusal("{" + members + #","k3":99}"#)
        XCTAssertEqual(error?.reason, #"duplicate key "k3""#)
    }

    func testRejectsDuplicateKeyAsNinthMember() {
        // The ninth key is the first one checked through the set built from the first eight.
        let members = (0..<8).map { #""k\#($0)":\#($0)"# }.joined(separator: ",")
        XCTAssertEqual(refusal("{" + members + #","k0":0}"#)?.reason, #"duplicate key "k0""#)
    }

    func testRejectsDuplicateKeyWrittenWithEscapes() {
        XCTAssertEqual(refusal(#"{"a":1,"\u0061":2}"#)?.reason, #"duplicate key "a""#)
    }

    func testAcceptsManyDistinctKeys() throws {
        let members = (0..<40).map { #""k\#($0)":\#($0)"# }.joined(separator: ",")
        let value = try JSONParser.parse("{" + members + "}")
        XCTAssertEqual(value.objectValue?.count, 40)
        XCTAssertEqual(value["k39"], .int(39))
    }

    func testRejectsNestingDeeperThanLimit() {
        let limit = 5
        XCTAssertNoThrow(try JSONParser.parse(String(repeating: "[", count: limit) + String(repeating: "]", count: limit), maxDepth: limit))
        let tooDeep = String(repeating: "[", count: limit + 1) + String(repeating: "]", count: limit + 1)
        XCTAssertEqual(refusal(tooDeep, maxDepth: limit)?.reason, "nesting deeper than 5 levels")
    }

    func testDefaultDepthLimitStopsDeeplyNestedInput() {
        let text = String(repeating: #"{"a":"#, count: 10_000) + "1" + String(repeating: "}", count: 10_000)
        XCTAssertEqual(refusal(text)?.reason, "nesting deeper than \(JSONParser.defaultMaxDepth) levels")
    }

    func testRejectsNaNLiteral() {
        XCTAssertNotNil(refusal("NaN"))
        XCTAssertNotNil(refusal("[NaN]"))
    }

    func testRejectsInfinityLiterals() {
        XCTAssertNotNil(refusal("Infinity"))
        XCTAssertNotNil(refusal("-Infinity"))
    }

    func testRejectsTrailingData() {
        let error = refusal("{} x")
        XCTAssertEqual(error?.reason, "unexpected data after the JSON value")
        XCTAssertEqual(error?.offset, 3)
        XCTAssertNotNil(refusal("1 2"))
    }

    func testRejectsUnterminatedString() {
        XCTAssertEqual(refusal(#""abc"#)?.reason, "unterminated string")
        XCTAssertEqual(refusal(#""ab\n"#)?.reason, "unterminated string")
    }

    func testRejectsUnterminatedArray() {
        XCTAssertEqual(refusal("[1, 2")?.reason, "unterminated array")
        XCTAssertNotNil(refusal("["))
    }

    func testRejectsUnterminatedObject() {
        XCTAssertEqual(refusal(#"{"a": 1"#)?.reason, "unterminated object")
        XCTAssertNotNil(refusal(#"{"a":"#))
        XCTAssertNotNil(refusal("{"))
    }

    func testRejectsNumberOutOfRange() {
        let error = refusal("1e400")
        XCTAssertEqual(error?.reason, "number out of range")
        XCTAssertEqual(error?.offset, 0)
        XCTAssertEqual(refusal("[-1e400]")?.offset, 1)
    }

    func testRejectsMalformedNumbers() {
        for text in ["-", "1.", ".5", "1e", "1e+", "+1", "0x10", "1.e5"] {
            XCTAssertNotNil(refusal(text), text)
        }
    }

    func testRejectsCommentsAndSingleQuotes() {
        XCTAssertNotNil(refusal("[1] // note"))
        XCTAssertNotNil(refusal("/* c */ 1"))
        XCTAssertNotNil(refusal("'text'"))
    }

    func testRejectsMisspelledLiterals() {
        XCTAssertEqual(refusal("tru")?.reason, "unexpected end of input")
        XCTAssertEqual(refusal("nul1")?.reason, "invalid literal")
        XCTAssertEqual(refusal("True")?.reason, "unexpected character 'T'")
    }

    func testRejectsEmptyAndWhitespaceOnlyInput() {
        XCTAssertEqual(refusal("")?.reason, "unexpected end of input")
        XCTAssertEqual(refusal(" \n\t ")?.reason, "unexpected end of input")
    }

    func testRejectsNonStringObjectKey() {
        XCTAssertEqual(refusal("{1:2}")?.reason, "expected a string key")
    }

    func testRejectsMissingColonAndMissingComma() {
        XCTAssertEqual(refusal(#"{"a" 1}"#)?.reason, "expected ':' after an object key")
        XCTAssertEqual(refusal(#"{"a":1 "b":2}"#)?.reason, "expected ',' or '}' in an object")
        XCTAssertEqual(refusal("[1 2]")?.reason, "expected ',' or ']' in an array")
    }

    func testErrorDescriptionNamesReasonAndOffset() {
        let error = refusal("[1,]")
        XCTAssertEqual(error?.description, "unexpected character ']' at byte 3")
    }
}
