import Crypto
import XCTest

final class DigestTests: XCTestCase {
    private func sha256(_ text: String) -> String { ByteEncoding.hex(Digest.sha256(Array(text.utf8))) }
    private func sha512(_ text: String) -> String { ByteEncoding.hex(Digest.sha512(Array(text.utf8))) }

    func testSHA256KnownVectors() {
        XCTAssertEqual(sha256(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        XCTAssertEqual(sha256("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        XCTAssertEqual(
            sha256("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
    }

    func testSHA512KnownVectors() {
        XCTAssertEqual(
            sha512(""),
            "cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e")
        XCTAssertEqual(
            sha512("abc"),
            "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f")
    }

    func testMillionAs() {
        let input = [UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000)
        XCTAssertEqual(ByteEncoding.hex(Digest.sha256(input)), "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
        XCTAssertEqual(
            ByteEncoding.hex(Digest.sha512(input)),
            "e718483d0ce769644e2e42c7bc15b4638e1f98b13b2044285632a803afa973ebde0ff244877ea60a4cb0432ce577c31beb009c5c2c49aa2e4eadb217ad8cc09b")
    }

    func testDigestSizes() {
        XCTAssertEqual(Digest.sha256([1, 2, 3]).count, 32)
        XCTAssertEqual(Digest.sha512([1, 2, 3]).count, 64)
    }
}

final class ConstantTimeTests: XCTestCase {
    func testEqualBytesCompareEqual() {
        XCTAssertTrue(ConstantTime.equals([1, 2, 3], [1, 2, 3]))
        XCTAssertTrue(ConstantTime.equals([UInt8](), []))
        XCTAssertTrue(ConstantTime.equals("sk_abc", "sk_abc"))
    }

    func testDifferenceAnywhereIsDetected() {
        let base = Digest.sha256(Array("key".utf8))
        for index in base.indices {
            var changed = base
            changed[index] ^= 0x01
            XCTAssertFalse(ConstantTime.equals(base, changed), "difference at byte \(index)")
        }
    }

    func testDifferentLengthsAreNotEqual() {
        XCTAssertFalse(ConstantTime.equals([1, 2, 3], [1, 2]))
        XCTAssertFalse(ConstantTime.equals([], [0]))
        XCTAssertFalse(ConstantTime.equals("abc", "abcd"))
        XCTAssertFalse(ConstantTime.equals("abc", ""))
    }
}

final class ByteEncodingTests: XCTestCase {
    func testHexIsLowercaseAndTwoDigitsPerByte() {
        XCTAssertEqual(ByteEncoding.hex([0x00, 0x0f, 0xa0, 0xff]), "000fa0ff")
        XCTAssertEqual(ByteEncoding.hex([]), "")
    }

    func testHexRoundTripsAllByteValues() {
        let all = [UInt8](0...255)
        let text = ByteEncoding.hex(all)
        XCTAssertEqual(text.count, 512)
        XCTAssertEqual(ByteEncoding.fromHex(text), all)
    }

    func testFromHexAcceptsEitherCase() {
        XCTAssertEqual(ByteEncoding.fromHex("DEADbeef"), [0xde, 0xad, 0xbe, 0xef])
        XCTAssertEqual(ByteEncoding.fromHex(""), [])
    }

    func testFromHexRejectsInvalidInput() {
        for text in ["abc", "0g", "zz", "0x00", " 00", "é0", "00 "] {
            XCTAssertNil(ByteEncoding.fromHex(text), text)
        }
    }

    func testBase64MatchesRFC4648Vectors() {
        let vectors = [("", ""), ("f", "Zg=="), ("fo", "Zm8="), ("foo", "Zm9v"), ("foob", "Zm9vYg=="), ("fooba", "Zm9vYmE="), ("foobar", "Zm9vYmFy")]
        for (plain, encoded) in vectors {
            XCTAssertEqual(ByteEncoding.base64(Array(plain.utf8)), encoded)
            XCTAssertEqual(ByteEncoding.fromBase64(encoded), Array(plain.utf8), encoded)
        }
    }

    func testFromBase64RejectsInvalidInput() {
        for text in ["Zg=", "Z", "Zm9v!", "Zm 9v", "Zm9v-_", "=", "=="] {
            XCTAssertNil(ByteEncoding.fromBase64(text), text)
        }
    }

    func testFromBase64RejectsPaddingOnlyAndOverPaddedInput() {
        // "====" encodes nothing and "Zm9v====" carries a spare quantum of padding: neither is base64 (RFC 4648 §4).
        XCTAssertNil(ByteEncoding.fromBase64("===="))
        XCTAssertNil(ByteEncoding.fromBase64("Zm9v===="))
    }

    func testBase64URLUsesURLAlphabetWithoutPadding() {
        XCTAssertEqual(ByteEncoding.base64([0xfb, 0xff, 0xfe]), "+//+")
        XCTAssertEqual(ByteEncoding.base64URL([0xfb, 0xff, 0xfe]), "-__-")
        XCTAssertEqual(ByteEncoding.base64URL([0xfb, 0xff]), "-_8")
        XCTAssertEqual(ByteEncoding.base64URL(Array("f".utf8)), "Zg")
    }

    func testBase64URLRoundTripsEveryLength() {
        for length in 0..<70 {
            let bytes = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 251) }
            let text = ByteEncoding.base64URL(bytes)
            XCTAssertFalse(text.contains("=") || text.contains("+") || text.contains("/"), text)
            XCTAssertEqual(ByteEncoding.fromBase64URL(text), bytes, "length \(length)")
            XCTAssertEqual(ByteEncoding.fromBase64(ByteEncoding.base64(bytes)), bytes, "length \(length)")
        }
    }

    func testFromBase64URLRejectsInvalidInput() {
        // Standard-alphabet characters, padding, whitespace, and a length that no encoding produces.
        for text in ["-_8=", "+/8", "ab c", "a", "Zm9v.", "Zg==", "abcde"] {
            XCTAssertNil(ByteEncoding.fromBase64URL(text), text)
        }
    }
}

final class SecureRandomTests: XCTestCase {
    func testReturnsRequestedLength() {
        for count in [1, 16, 32, 1000] {
            XCTAssertEqual(SecureRandom.bytes(count).count, count)
        }
    }

    func testZeroLengthIsEmpty() {
        XCTAssertEqual(SecureRandom.bytes(0), [])
    }

    func testOutputsDoNotRepeat() {
        let samples = (0..<100).map { _ in SecureRandom.bytes(16) }
        XCTAssertEqual(Set(samples).count, samples.count)
    }

    func testOutputIsNotConstant() {
        let bytes = SecureRandom.bytes(4096)
        XCTAssertGreaterThan(Set(bytes).count, 200, "4096 random bytes should cover most byte values")
        XCTAssertFalse(bytes.allSatisfy { $0 == 0 })
    }
}
