import Foundation
import XCTest

@testable import Webhooks

final class StandardWebhooksTests: XCTestCase {
    /// The test vector of the Standard Webhooks reference libraries.
    func testSignatureMatchesTheSpecificationVector() throws {
        let secret = try XCTUnwrap(WebhookSecret("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"))
        let signature = secret.signature(id: "msg_p5jXN8AQM9LWM0D4loKWxJek", timestamp: 1_614_265_330, body: Array(#"{"test": 2432232314}"#.utf8))
        XCTAssertEqual(signature, "g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")
    }

    func testHeadersCarryOneSignaturePerSecretDuringARotation() throws {
        let first = WebhookSecret.generate()
        let second = WebhookSecret.generate()
        let headers = Dictionary(uniqueKeysWithValues: StandardWebhooks.headers(id: "evt_1", timestamp: 1_700_000_000, body: [1, 2], secrets: [first, second]))
        XCTAssertEqual(headers["webhook-id"], "evt_1")
        XCTAssertEqual(headers["webhook-timestamp"], "1700000000")
        let parts = try XCTUnwrap(headers["webhook-signature"]).split(separator: " ").map(String.init)
        XCTAssertEqual(parts, ["v1," + first.signature(id: "evt_1", timestamp: 1_700_000_000, body: [1, 2]), "v1," + second.signature(id: "evt_1", timestamp: 1_700_000_000, body: [1, 2])])
        XCTAssertNotEqual(parts[0], parts[1])
    }

    func testGeneratedSecretsAreRandomAndParseBack() {
        let secret = WebhookSecret.generate()
        XCTAssertTrue(secret.text.hasPrefix("whsec_"))
        XCTAssertEqual(WebhookSecret(secret.text), secret)
        XCTAssertNotEqual(WebhookSecret.generate(), secret)
    }

    func testMalformedSecretsAreRefused() {
        XCTAssertNil(WebhookSecret("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"), "no prefix")
        XCTAssertNil(WebhookSecret("whsec_not base64!"))
        XCTAssertNil(WebhookSecret("whsec_AAAA"), "3 bytes is too short a key")
    }
}

final class StandardWebhooksVerifyTests: XCTestCase {
    private let secret = WebhookSecret("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")!
    private let body = Array(#"{"test": 2432232314}"#.utf8)
    private let now = Date(timeIntervalSince1970: 1_614_265_330)

    private func verify(_ signatures: String?, body: [UInt8]? = nil, at date: Date? = nil, secrets: [WebhookSecret]? = nil) -> String? {
        do {
            try StandardWebhooks.verify(
                id: "msg_p5jXN8AQM9LWM0D4loKWxJek", timestamp: "1614265330", signatures: signatures, body: body ?? self.body,
                secrets: secrets ?? [secret], now: date ?? now)
            return nil
        } catch {
            return error.rawValue
        }
    }

    func testTheSpecificationVectorVerifiesAmongOtherSignatures() {
        XCTAssertNil(verify("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="))
        XCTAssertNil(verify("v1a,ignored v1,bm90IGl0 v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="))
        XCTAssertNil(verify("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=", secrets: [WebhookSecret.generate(), secret]), "either secret of a rotation")
    }

    func testTamperingStalenessAndMissingHeadersAreRefused() {
        let good = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
        XCTAssertEqual(verify(good, body: Array(#"{"test": 2432232315}"#.utf8)), StandardWebhooks.VerificationFailure.noMatchingSignature.rawValue)
        XCTAssertEqual(verify(good, secrets: [WebhookSecret.generate()]), StandardWebhooks.VerificationFailure.noMatchingSignature.rawValue)
        XCTAssertEqual(verify(good, at: now.addingTimeInterval(301)), StandardWebhooks.VerificationFailure.staleTimestamp.rawValue)
        XCTAssertEqual(verify(good, at: now.addingTimeInterval(-301)), StandardWebhooks.VerificationFailure.staleTimestamp.rawValue)
        XCTAssertEqual(verify(nil), StandardWebhooks.VerificationFailure.missingHeaders.rawValue)
        XCTAssertEqual(verify("g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="), StandardWebhooks.VerificationFailure.noMatchingSignature.rawValue, "no v1, prefix")
    }
}
