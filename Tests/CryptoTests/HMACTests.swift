import Crypto
import XCTest

/// HMAC against the published vectors of RFC 4231 (SHA-256, SHA-512) and RFC 2202 (SHA-1).
final class HMACTests: XCTestCase {
    private struct Vector {
        let name: String
        let key: [UInt8]
        let data: [UInt8]
        let sha256: String
        let sha512: String
    }

    private func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

    private var rfc4231: [Vector] {
        [
            Vector(
                name: "4.2 (test case 1)", key: [UInt8](repeating: 0x0b, count: 20), data: bytes("Hi There"),
                sha256: "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7",
                sha512: "87aa7cdea5ef619d4ff0b4241a1d6cb02379f4e2ce4ec2787ad0b30545e17cde"
                    + "daa833b7d6b8a702038b274eaea3f4e4be9d914eeb61f1702e696c203a126854"),
            Vector(
                name: "4.3 (test case 2, key shorter than output)", key: bytes("Jefe"), data: bytes("what do ya want for nothing?"),
                sha256: "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
                sha512: "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea250554"
                    + "9758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737"),
            Vector(
                name: "4.4 (test case 3)", key: [UInt8](repeating: 0xaa, count: 20), data: [UInt8](repeating: 0xdd, count: 50),
                sha256: "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe",
                sha512: "fa73b0089d56a284efb0f0756c890be9b1b5dbdd8ee81a3655f83e33b2279d39"
                    + "bf3e848279a722c806b485a47e67c807b946a337bee8942674278859e13292fb"),
            Vector(
                name: "4.5 (test case 4)", key: Array(1...25), data: [UInt8](repeating: 0xcd, count: 50),
                sha256: "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b",
                sha512: "b0ba465637458c6990e5a8c5f61d4af7e576d97ff94b872de76f8050361ee3db"
                    + "a91ca5c11aa25eb4d679275cc5788063a5f19741120c4f2de2adebeb10a298dd"),
            Vector(
                name: "4.7 (test case 6, key larger than block)", key: [UInt8](repeating: 0xaa, count: 131),
                data: bytes("Test Using Larger Than Block-Size Key - Hash Key First"),
                sha256: "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54",
                sha512: "80b24263c7c1a3ebb71493c1dd7be8b49b46d1f41b4aeec1121b013783f8f352"
                    + "6b56d037e05f2598bd0fd2215d6a1e5295e64f73f63f0aec8b915a985d786598"),
            Vector(
                name: "4.8 (test case 7, key and data larger than block)", key: [UInt8](repeating: 0xaa, count: 131),
                data: bytes(
                    "This is a test using a larger than block-size key and a larger than block-size data. "
                        + "The key needs to be hashed before being used by the HMAC algorithm."),
                sha256: "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2",
                sha512: "e37b6a775dc87dbaa4dfa9f96e5e3ffddebd71f8867289865df5a32d20cdc944"
                    + "b6022cac3c4982b10d5eeb55c3e4de15134676fb6de0446065c97440fa8c6a58"),
        ]
    }

    func testSHA256MatchesRFC4231() {
        for vector in rfc4231 {
            XCTAssertEqual(ByteEncoding.hex(HMAC.mac(.sha256, key: vector.key, message: vector.data)), vector.sha256, vector.name)
        }
    }

    func testSHA512MatchesRFC4231() {
        for vector in rfc4231 {
            XCTAssertEqual(ByteEncoding.hex(HMAC.mac(.sha512, key: vector.key, message: vector.data)), vector.sha512, vector.name)
        }
    }

    func testRFC4231TruncatedVector() {
        // Test case 5 publishes only the first 128 bits.
        let mac = HMAC.mac(.sha256, key: [UInt8](repeating: 0x0c, count: 20), message: bytes("Test With Truncation"))
        XCTAssertEqual(ByteEncoding.hex(Array(mac.prefix(16))), "a3b6167473100ee06e0c796c2955552b")
        let mac512 = HMAC.mac(.sha512, key: [UInt8](repeating: 0x0c, count: 20), message: bytes("Test With Truncation"))
        XCTAssertEqual(ByteEncoding.hex(Array(mac512.prefix(16))), "415fad6271580a531d4179bc891d87a6")
    }

    func testSHA1MatchesRFC2202() {
        let vectors: [(key: [UInt8], data: [UInt8], mac: String)] = [
            ([UInt8](repeating: 0x0b, count: 20), bytes("Hi There"), "b617318655057264e28bc0b6fb378c8ef146be00"),
            (bytes("Jefe"), bytes("what do ya want for nothing?"), "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79"),
            ([UInt8](repeating: 0xaa, count: 20), [UInt8](repeating: 0xdd, count: 50), "125d7342b9ac11cd91a39af48aa17b4f63f175d3"),
            (Array(1...25), [UInt8](repeating: 0xcd, count: 50), "4c9007f4026250c6bc8414f9bf50c86c2d7235da"),
            ([UInt8](repeating: 0xaa, count: 80), bytes("Test Using Larger Than Block-Size Key - Hash Key First"),
             "aa4ae5e15272d00e95705637ce8a3b55ed402112"),
            ([UInt8](repeating: 0xaa, count: 80), bytes("Test Using Larger Than Block-Size Key and Larger Than One Block-Size Data"),
             "e8e99d0f45237d786d6bbaa7965c7808bbff1a91"),
        ]
        for (index, vector) in vectors.enumerated() {
            XCTAssertEqual(ByteEncoding.hex(HMAC.mac(.sha1, key: vector.key, message: vector.data)), vector.mac, "test case \(index + 1)")
        }
    }

    func testOutputSizesPerAlgorithm() {
        XCTAssertEqual(HMAC.mac(.sha1, key: [1], message: [2]).count, 20)
        XCTAssertEqual(HMAC.mac(.sha256, key: [1], message: [2]).count, 32)
        XCTAssertEqual(HMAC.mac(.sha512, key: [1], message: [2]).count, 64)
    }

    func testEmptyKeyAndEmptyMessage() {
        XCTAssertEqual(
            ByteEncoding.hex(HMAC.mac(.sha256, key: [UInt8](), message: [])),
            "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad")
    }

    func testStringKeyEqualsUTF8BytesKey() {
        let message = bytes("{\"event\":\"message.sent\"}")
        XCTAssertEqual(HMAC.mac(.sha256, key: "whsec_test", message: message), HMAC.mac(.sha256, key: bytes("whsec_test"), message: message))
        XCTAssertEqual(ByteEncoding.hex(HMAC.mac(.sha256, key: "Jefe", message: bytes("what do ya want for nothing?"))), rfc4231[1].sha256)
    }

    func testDifferentKeysGiveDifferentMACs() {
        let message = bytes("payload")
        XCTAssertNotEqual(HMAC.mac(.sha256, key: "k1", message: message), HMAC.mac(.sha256, key: "k2", message: message))
        XCTAssertNotEqual(HMAC.mac(.sha256, key: "k1", message: message), HMAC.mac(.sha256, key: "k1", message: bytes("payload!")))
    }
}
