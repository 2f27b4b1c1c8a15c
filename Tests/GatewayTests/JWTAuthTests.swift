import Crypto
import Foundation
import GatewayAPI
import JSONCore
import Support
import Switchboard
import TestSupport
import XCTest

/// Bearer JWTs (HS256, secret from config): scopes from claims, the algorithm pinned, time claims with leeway,
/// and every malformed or forged token refused with `unauthenticated`.
final class JWTAuthTests: XCTestCase {
    static let secret = "jwt-test-secret-0123456789abcdefghijklmnop"
    private var server: TestGateway!

    override func setUpWithError() throws {
        server = try TestGateway { config in
            var settings = JWTVerifier.Settings(secret: Secret(JWTAuthTests.secret))
            settings.leeway = 30
            config.jwt = settings
        }
    }

    override func tearDown() { server.cleanUp() }

    private var now: Int { Int(Date().timeIntervalSince1970) }

    /// A token with `header` and `claims`, signed with HS256 under `secret` (whatever the header says).
    static func token(_ claims: JSON, header: JSON = ["alg": "HS256", "typ": "JWT"], secret: String = JWTAuthTests.secret) -> String {
        let signingInput = ByteEncoding.base64URL(JSONWriter().bytes(header)) + "." + ByteEncoding.base64URL(JSONWriter().bytes(claims))
        return signingInput + "." + ByteEncoding.base64URL(HMAC.mac(.sha256, key: Array(secret.utf8), message: Array(signingInput.utf8)))
    }

    private func claims(_ extra: JSONObject = [:], sessions: [String]? = ["default"]) -> JSON {
        var object: JSONObject = ["sub": "app-1", "exp": .int(Int64(now + 600))]
        if let sessions { object["sessions"] = .array(sessions.map(JSON.string)) }
        for member in extra { object[member.key] = member.value }
        return .object(object)
    }

    private func assertRefused(_ token: String, _ reason: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let response = try server.client(key: token).get("/v1/sessions")
        XCTAssertEqual(response.status, 401, response.text, file: file, line: line)
        XCTAssertEqual(response.errorCode, "unauthenticated", file: file, line: line)
        XCTAssertEqual(response.header("WWW-Authenticate"), "Bearer", file: file, line: line)
        XCTAssertTrue(response.json?["error"]?["message"]?.stringValue?.contains(reason) == true, "\(response.text) should say '\(reason)'", file: file, line: line)
    }

    // MARK: - Accepted tokens and their scopes

    func testScopedTokenSeesOnlyItsSessions() throws {
        let admin = try server.client()
        XCTAssertEqual(try admin.post("/v1/sessions", ["id": "other", "provider": "native", "phone": "+15550000042"]).status, 201)
        let client = try server.client(key: Self.token(claims()))
        let list = try client.get("/v1/sessions")
        XCTAssertEqual(list.status, 200, list.text)
        XCTAssertEqual(list.json?["data"]?.arrayValue?.compactMap { $0["id"]?.stringValue }, ["default"])
        XCTAssertEqual(try client.get("/v1/sessions/default").status, 200)
        XCTAssertEqual(try client.get("/v1/sessions/other").errorCode, "session_not_found")
        XCTAssertEqual(try client.get("/v1/keys").status, 403, "a scoped token is not an admin")
    }

    func testAdminClaimMakesAnAdmin() throws {
        let client = try server.client(key: Self.token(claims(["admin": true], sessions: nil)))
        XCTAssertEqual(try client.get("/v1/keys").status, 200)
    }

    func testTokenWorksThroughXApiKeyAndWithinLeeway() throws {
        let token = Self.token(claims(["exp": .int(Int64(now - 10)), "nbf": .int(Int64(now + 10)), "iat": .int(Int64(now + 5))]))
        let client = try server.client(key: nil)
        XCTAssertEqual(try client.request("GET", "/v1/sessions", headers: ["X-Api-Key": token]).status, 200, "10 s of skew is inside the 30 s leeway")
    }

    /// Tokens minted by a third-party library (PyJWT, Tests/Scripts/jwt_check.py), accepted and refused alike.
    func testTokensMintedByPyJWT() throws {
        let (status, output) = try Script.run("python3", [Script.path("jwt_check.py"), String(server.port), Self.secret])
        XCTAssertEqual(status, 0, output)
        XCTAssertTrue(output.contains("jwt: ok"), output)
        XCTAssertFalse(output.contains("FAIL"), output)
    }

    // MARK: - Refused tokens

    func testAlgNoneIsRefused() throws {
        let unsigned = Self.token(claims(), header: ["alg": "none", "typ": "JWT"]).split(separator: ".").prefix(2).joined(separator: ".") + "."
        try assertRefused(unsigned, "algorithm is not HS256")
        try assertRefused(Self.token(claims(), header: ["alg": "none"]), "algorithm is not HS256")
        try assertRefused(Self.token(claims(), header: ["alg": "None"]), "algorithm is not HS256")
    }

    func testOtherAlgorithmsAreRefusedEvenWhenTheMACMatches() throws {
        for alg in ["HS384", "HS512", "RS256", "ES256", "hs256"] {
            try assertRefused(Self.token(claims(), header: ["alg": .string(alg), "typ": "JWT"]), "algorithm is not HS256")
        }
        try assertRefused(Self.token(claims(), header: ["typ": "JWT"]), "algorithm is not HS256")
    }

    func testExpiredTokenIsRefused() throws {
        try assertRefused(Self.token(claims(["exp": .int(Int64(now - 60))])), "expired")
    }

    func testNotYetValidTokenIsRefused() throws {
        try assertRefused(Self.token(claims(["nbf": .int(Int64(now + 120))])), "not valid yet")
    }

    func testTokenIssuedInTheFutureIsRefused() throws {
        try assertRefused(Self.token(claims(["iat": .int(Int64(now + 3600))])), "'iat'")
    }

    func testBadSignatureIsRefused() throws {
        try assertRefused(Self.token(claims(), secret: "another-secret-0123456789abcdefghijklmnop"), "signature does not match")
        let token = Self.token(claims())
        let tampered = Self.token(claims(["admin": true], sessions: nil)).split(separator: ".").prefix(2).joined(separator: ".") + "."
            + token.split(separator: ".")[2]
        try assertRefused(tampered, "signature does not match")
    }

    func testNonCanonicalSignatureEncodingIsRefused() throws {
        let token = Self.token(claims())
        try assertRefused(token + "=", "signature does not match")
        try assertRefused(token.dropLast() + (token.last == "A" ? "B" : "A"), "signature does not match")
    }

    func testMissingClaimsAreRefused() throws {
        try assertRefused(Self.token(["sub": "app-1", "sessions": ["default"]]), "no 'exp'")
        try assertRefused(Self.token(["exp": .int(Int64(now + 600)), "sessions": ["default"]]), "'sub'")
        try assertRefused(Self.token(["sub": "app-1", "exp": .int(Int64(now + 600))]), "no 'sessions'")
        try assertRefused(Self.token(claims(["exp": "tomorrow"])), "'exp' claim is not a number")
        try assertRefused(Self.token(claims(["sessions": ["Not A Session"]])), "not a session name")
        try assertRefused(Self.token(claims(["admin": true])), "both 'admin' and 'sessions'")
        try assertRefused(Self.token(claims(["sub": "has space"])), "'sub'")
    }

    func testMalformedTokensAreRefused() throws {
        try assertRefused("a.b.c", "not base64url-encoded JSON")
        try assertRefused("..", "not base64url-encoded JSON")
        try assertRefused(Self.token(claims(), header: ["alg": "HS256", "crit": ["exp"]]), "critical")
        try assertRefused(Self.token(claims(), header: ["alg": "HS256", "typ": "JWE"]), "'typ'")
        let long = Self.token(claims(["pad": .string(String(repeating: "x", count: 9000))]))
        XCTAssertEqual(try server.client(key: long).get("/v1/sessions").status, 401)
    }

    func testIssuerAndAudienceAreCheckedWhenConfigured() throws {
        let strict = try TestGateway { config in
            var settings = JWTVerifier.Settings(secret: Secret(JWTAuthTests.secret))
            settings.issuer = "https://auth.example.com"
            settings.audience = "switchboard"
            config.jwt = settings
        }
        defer { strict.cleanUp() }
        let good = Self.token(claims(["iss": "https://auth.example.com", "aud": ["other", "switchboard"]]))
        XCTAssertEqual(try strict.client(key: good).get("/v1/sessions").status, 200)
        let wrongIssuer = try strict.client(key: Self.token(claims(["iss": "https://evil.example.com", "aud": "switchboard"]))).get("/v1/sessions")
        XCTAssertEqual(wrongIssuer.status, 401)
        let noAudience = try strict.client(key: Self.token(claims(["iss": "https://auth.example.com"]))).get("/v1/sessions")
        XCTAssertEqual(noAudience.status, 401)
    }

    func testTokensAreRefusedWhenNoSecretIsConfigured() throws {
        let plain = try TestGateway()
        defer { plain.cleanUp() }
        let response = try plain.client(key: Self.token(claims())).get("/v1/sessions")
        XCTAssertEqual(response.status, 401)
        XCTAssertTrue(response.text.contains("no JWT secret is configured"), response.text)
    }
}
