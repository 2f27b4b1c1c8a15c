import Foundation
import Support
import XCTest

final class TimestampTests: XCTestCase {
    /// 2026-11-21T10:00:00Z.
    private let reference: TimeInterval = 1_795_255_200

    // MARK: - Formatting

    func testFormatsEpochAsISO8601WithMilliseconds() {
        XCTAssertEqual(Timestamp.iso8601(Date(timeIntervalSince1970: 0)), "1970-01-01T00:00:00.000Z")
    }

    func testFormatsKnownInstant() {
        XCTAssertEqual(Timestamp.iso8601(Date(timeIntervalSince1970: reference)), "2026-11-21T10:00:00.000Z")
        XCTAssertEqual(Timestamp.iso8601(Date(timeIntervalSince1970: 951_782_400 + 86_399)), "2000-02-29T23:59:59.000Z")
    }

    func testFormatsHalfSecondAsFiveHundredMilliseconds() {
        XCTAssertEqual(Timestamp.iso8601(Date(timeIntervalSince1970: reference + 0.5)), "2026-11-21T10:00:00.500Z")
    }

    func testFormatsInstantsBeforeEpoch() {
        XCTAssertEqual(Timestamp.iso8601(Date(timeIntervalSince1970: -0.5)), "1969-12-31T23:59:59.500Z")
        XCTAssertEqual(Timestamp.iso8601(Date(timeIntervalSince1970: -86_400)), "1969-12-31T00:00:00.000Z")
    }

    func testEveryWholeMillisecondIsFormattedExactly() {
        // A date built from whole milliseconds must show those milliseconds, not one fewer from float error.
        var wrong: [String] = []
        for millis in 0..<1000 {
            let date = Date(timeIntervalSince1970: reference + Double(millis) / 1000)
            let text = Timestamp.iso8601(date)
            let expected = "2026-11-21T10:00:00." + String(format: "%03d", millis) + "Z"
            if text != expected { wrong.append("\(expected) → \(text)") }
        }
        XCTAssertTrue(wrong.isEmpty, "\(wrong.count) of 1000 milliseconds formatted wrongly, e.g. \(wrong.prefix(3))")
    }

    func testParsedTimestampFormatsBackToSameText() throws {
        for text in ["2026-11-21T10:00:00.123Z", "2026-11-21T10:00:00.001Z", "2026-11-21T10:00:00.999Z", "2030-01-02T03:04:05.678Z"] {
            let date = try XCTUnwrap(Timestamp.parseISO8601(text), text)
            XCTAssertEqual(Timestamp.iso8601(date), text)
        }
    }

    func testAlternatingSecondsAreNotConfusedByTheCache() {
        let first = Date(timeIntervalSince1970: reference)
        let second = Date(timeIntervalSince1970: reference + 3_661)
        XCTAssertEqual(Timestamp.iso8601(first), "2026-11-21T10:00:00.000Z")
        XCTAssertEqual(Timestamp.iso8601(second), "2026-11-21T11:01:01.000Z")
        XCTAssertEqual(Timestamp.iso8601(first.addingTimeInterval(0.25)), "2026-11-21T10:00:00.250Z")
    }

    func testAppendISO8601AppendsToBuffer() {
        var out = Array("ts=".utf8)
        Timestamp.appendISO8601(Date(timeIntervalSince1970: reference), into: &out)
        XCTAssertEqual(String(decoding: out, as: UTF8.self), "ts=2026-11-21T10:00:00.000Z")
    }

    func testFormatsHTTPDate() {
        XCTAssertEqual(Timestamp.httpDate(0), "Thu, 01 Jan 1970 00:00:00 GMT")
        XCTAssertEqual(Timestamp.httpDate(1_795_000_000), "Wed, 18 Nov 2026 11:06:40 GMT")
        XCTAssertEqual(Timestamp.httpDate(951_782_400), "Tue, 29 Feb 2000 00:00:00 GMT")
        XCTAssertEqual(Timestamp.httpDate(4_102_444_800), "Fri, 01 Jan 2100 00:00:00 GMT")
    }

    // MARK: - Parsing

    func testParsesUTCWithoutFraction() {
        XCTAssertEqual(Timestamp.parseISO8601("2026-11-21T10:00:00Z")?.timeIntervalSince1970, reference)
    }

    func testParsesFractionalSeconds() throws {
        let date = try XCTUnwrap(Timestamp.parseISO8601("2026-11-21T10:00:00.25Z"))
        XCTAssertEqual(date.timeIntervalSince1970, reference + 0.25, accuracy: 1e-6)
        let micro = try XCTUnwrap(Timestamp.parseISO8601("2026-11-21T10:00:00.000001Z"))
        XCTAssertEqual(micro.timeIntervalSince1970, reference + 0.000001, accuracy: 1e-6)
    }

    func testParsesOffsetsWithAndWithoutColon() {
        XCTAssertEqual(Timestamp.parseISO8601("2026-11-21T12:30:00+02:30")?.timeIntervalSince1970, reference)
        XCTAssertEqual(Timestamp.parseISO8601("2026-11-21T05:00:00-0500")?.timeIntervalSince1970, reference)
        XCTAssertEqual(Timestamp.parseISO8601("2026-11-21T10:00:00+00:00")?.timeIntervalSince1970, reference)
    }

    func testAcceptsLowercaseAndSpaceSeparators() {
        XCTAssertEqual(Timestamp.parseISO8601("2026-11-21t10:00:00z")?.timeIntervalSince1970, reference)
        XCTAssertEqual(Timestamp.parseISO8601("2026-11-21 10:00:00Z")?.timeIntervalSince1970, reference)
    }

    func testParsesLeapDay() {
        XCTAssertEqual(Timestamp.parseISO8601("2000-02-29T00:00:00Z")?.timeIntervalSince1970, 951_782_400)
    }

    func testRejectsMalformedTimestamps() {
        let invalid = [
            "", "2026-11-21", "2026-11-21T10:00:00", "2026-11-21T10:00Z", "2026/11/21T10:00:00Z", "2026-11-21X10:00:00Z",
            "abcd-11-21T10:00:00Z", "2026-13-01T00:00:00Z", "2026-00-10T00:00:00Z", "2026-11-32T00:00:00Z",
            "2026-11-00T00:00:00Z", "2026-11-21T24:00:00Z", "2026-11-21T10:60:00Z", "2026-11-21T10:00:61Z",
            "2026-11-21T10:00:00.Z", "2026-11-21T10:00:00ZZ", "2026-11-21T10:00:00Z ", "2026-11-21T10:00:00+02",
            "2026-11-21T10:00:00+0a:00", "2026-11-21T10:00:00 UTC",
        ]
        for text in invalid {
            XCTAssertNil(Timestamp.parseISO8601(text), "should refuse \(text.debugDescription)")
        }
    }

    func testRejectsDayThatDoesNotExistInMonth() {
        // RFC 3339 §5.7: the day must exist in its month; timegm would otherwise roll these into the next month.
        for text in ["2026-02-31T00:00:00Z", "2026-02-29T00:00:00Z", "2026-04-31T00:00:00Z"] {
            XCTAssertNil(Timestamp.parseISO8601(text), "should refuse \(text)")
        }
    }

    func testFormattingThenParsingIsIdentityOnMilliseconds() throws {
        let date = Date(timeIntervalSince1970: 1_795_000_000.5)
        let parsed = try XCTUnwrap(Timestamp.parseISO8601(Timestamp.iso8601(date)))
        XCTAssertEqual(parsed.timeIntervalSince1970, date.timeIntervalSince1970, accuracy: 0.0005)
    }

    /// Found by fuzzing a provider payload's timestamp: absurd times are clamped, never a trap.
    func testTimesRFC3339CannotWriteAreClamped() {
        XCTAssertEqual(Timestamp.iso8601(Date(timeIntervalSince1970: 1.8e22)), "9999-12-31T23:59:59.999Z")
        XCTAssertEqual(Timestamp.iso8601(Date(timeIntervalSince1970: -1e300)), "0001-01-01T00:00:00.000Z")
        XCTAssertEqual(Timestamp.iso8601(Date(timeIntervalSince1970: .nan)), "1970-01-01T00:00:00.000Z")
        XCTAssertEqual(Timestamp.iso8601(Date(timeIntervalSince1970: .infinity)), "9999-12-31T23:59:59.999Z")
    }
}
