import Support
import XCTest

final class ByteSearchTests: XCTestCase {
    func testFindsTheBytesWhereverTheyAre() {
        XCTAssertTrue("x-webhook-hmac".containsBytes(of: "hmac"))
        XCTAssertTrue("hmac-algorithm".containsBytes(of: "hmac"))
        XCTAssertTrue("x-hub-signature-256".containsBytes(of: "signature"))
        XCTAssertTrue("aaab".containsBytes(of: "aab"), "a partial match is not skipped past")
        XCTAssertTrue("naïve".containsBytes(of: "ï"))
        XCTAssertTrue("anything".containsBytes(of: ""))
        XCTAssertTrue("same".containsBytes(of: "same"))
    }

    func testReportsAbsentBytes() {
        XCTAssertFalse("content-type".containsBytes(of: "hmac"))
        XCTAssertFalse("hma".containsBytes(of: "hmac"), "a needle longer than the text")
        XCTAssertFalse("x-webhook-hma".containsBytes(of: "hmac"), "a prefix of the needle at the very end")
        XCTAssertFalse("".containsBytes(of: "a"))
        XCTAssertFalse("HMAC".containsBytes(of: "hmac"), "bytes, not case-folded")
    }
}
