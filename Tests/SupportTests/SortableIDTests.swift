import Foundation
import Support
import XCTest

final class SortableIDTests: XCTestCase {
    private let crockford = Set("0123456789ABCDEFGHJKMNPQRSTVWXYZ")

    /// Decodes the 10-character time part (48 bits of milliseconds) of an id body.
    private func millis(of body: Substring) -> UInt64? {
        let alphabet = Array("0123456789ABCDEFGHJKMNPQRSTVWXYZ")
        var value: UInt64 = 0
        for character in body.prefix(10) {
            guard let digit = alphabet.firstIndex(of: character) else { return nil }
            value = value << 5 | UInt64(digit)
        }
        return value
    }

    func testMakeHasPrefixAndTwentySixCrockfordCharacters() {
        let id = SortableID.make("msg")
        XCTAssertTrue(id.hasPrefix("msg_"), id)
        let body = id.dropFirst(4)
        XCTAssertEqual(body.count, 26)
        XCTAssertTrue(body.allSatisfy { crockford.contains($0) }, id)
    }

    func testTimePartEncodesMillisecondsOfMinting() throws {
        // The minting time is max(the last id's time, now): robust even if an earlier test minted with a later clock.
        let before = UInt64(Date().timeIntervalSince1970 * 1000)
        let first = try XCTUnwrap(millis(of: SortableID.make("evt").dropFirst(4)))
        let second = try XCTUnwrap(millis(of: SortableID.make("evt", now: Date()).dropFirst(4)))
        let after = UInt64(Date().timeIntervalSince1970 * 1000)
        XCTAssertGreaterThanOrEqual(first, before)
        XCTAssertLessThan(first, before + 366 * 86_400_000, "the time part must be a plausible epoch time in ms")
        XCTAssertGreaterThanOrEqual(second, first)
        XCTAssertLessThanOrEqual(second, max(first, after))
    }

    func testIDsMintedInABurstAreStrictlyIncreasing() {
        let ids = (0..<2000).map { _ in SortableID.make("msg") }
        for (earlier, later) in zip(ids, ids.dropFirst()) {
            XCTAssertLessThan(earlier, later)
        }
        XCTAssertEqual(Set(ids).count, ids.count)
    }

    func testIDsWithinOneMillisecondStillSort() {
        let instant = Date()
        let ids = (0..<50).map { _ in SortableID.make("x", now: instant) }
        XCTAssertEqual(ids, ids.sorted())
        XCTAssertEqual(Set(ids).count, 50)
    }

    func testClockGoingBackwardsDoesNotBreakOrder() {
        let current = SortableID.make("x")
        let fromThePast = SortableID.make("x", now: Date(timeIntervalSince1970: 1_000))
        XCTAssertLessThan(current, fromThePast)
    }

    func testBase32MatchesCrockfordVectors() {
        XCTAssertEqual(SortableID.base32([]), "")
        XCTAssertEqual(SortableID.base32([0x00]), "00")
        XCTAssertEqual(SortableID.base32([0xFF]), "ZW")
        XCTAssertEqual(SortableID.base32(Array("f".utf8)), "CR")
        XCTAssertEqual(SortableID.base32(Array("foobar".utf8)), "CSQPYRK1E8")
        XCTAssertEqual(SortableID.base32(Array(0..<10)), "000G40R40M30E209")
    }

    func testBase32LengthIsCeilingOfBitsOverFive() {
        for count in 0..<40 {
            let text = SortableID.base32([UInt8](repeating: 0xA5, count: count))
            XCTAssertEqual(text.count, (count * 8 + 4) / 5, "for \(count) bytes")
            XCTAssertTrue(text.allSatisfy { crockford.contains($0) })
        }
    }

    func testRandomTokenHasRequestedLengthAndAlphabet() {
        let token = SortableID.randomToken(40)
        XCTAssertEqual(token.count, 40)
        XCTAssertTrue(token.unicodeScalars.allSatisfy { CharacterSet.alphanumerics.contains($0) && $0.isASCII }, token)
        XCTAssertEqual(SortableID.randomToken(0), "")
    }

    func testRandomTokensDoNotRepeat() {
        let tokens = (0..<200).map { _ in SortableID.randomToken(24) }
        XCTAssertEqual(Set(tokens).count, 200)
    }
}
