import Crypto
import Foundation
import GatewayCore
import GroupModel
import JSONCore
import Support

/// Bearer JWTs signed with HS256 and the configured secret: the second way in, beside API keys (as Walytic's hybrid
/// auth). The algorithm is pinned — `none`, `HS384`, `RS256`… are refused whatever the token says — and `exp` is
/// required. Claims map to the same scopes as keys: `sub` names the caller (`jwt:<sub>`), `admin: true` makes an
/// admin, otherwise `sessions` lists the sessions it may use.
public struct JWTVerifier: TokenVerifier {
    public struct Settings: Sendable {
        public var secret: Secret
        /// Clock skew tolerated on `exp`, `nbf` and `iat`.
        public var leeway: TimeInterval = 30
        /// When set, `iss` must equal it.
        public var issuer: String?
        /// When set, `aud` (a string or an array) must contain it.
        public var audience: String?

        public init(secret: Secret) { self.secret = secret }
    }

    /// Tokens longer than this are refused before any parsing.
    static let maxTokenBytes = 8192
    static let maxSessions = 1000

    private let settings: Settings
    private let clock: any WallClock

    public init(settings: Settings, clock: any WallClock) {
        self.settings = settings
        self.clock = clock
    }

    public func verify(_ token: String) throws -> Principal {
        guard token.utf8.count <= JWTVerifier.maxTokenBytes else { throw refused("it is longer than \(JWTVerifier.maxTokenBytes) bytes") }
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3 else { throw refused("it is not three base64url parts") }
        let header = try object(parts[0], "header")
        guard header["alg"]?.stringValue == "HS256" else { throw refused("its algorithm is not HS256 (the only one accepted)") }
        if let type = header["typ"], type.stringValue?.uppercased() != "JWT" { throw refused("its 'typ' is not JWT") }
        guard header["crit"] == nil else { throw refused("it has critical header extensions ('crit'), which are not supported") }
        let expected = ByteEncoding.base64URL(
            HMAC.mac(.sha256, key: Array(settings.secret.value.utf8), message: Array(token.utf8.prefix(parts[0].utf8.count + 1 + parts[1].utf8.count))))
        guard ConstantTime.equals(expected, String(parts[2])) else { throw refused("its signature does not match") }
        return try principal(try object(parts[1], "payload"))
    }

    /// The claims of a token whose signature is good.
    private func principal(_ claims: JSONObject) throws -> Principal {
        let now = clock.now().timeIntervalSince1970
        guard let exp = claims["exp"] else { throw refused("it has no 'exp' claim") }
        guard let expiry = exp.doubleValue else { throw refused("its 'exp' claim is not a number") }
        guard now < expiry + settings.leeway else { throw refused("it has expired") }
        if let nbf = claims["nbf"] {
            guard let notBefore = nbf.doubleValue else { throw refused("its 'nbf' claim is not a number") }
            guard now >= notBefore - settings.leeway else { throw refused("it is not valid yet ('nbf')") }
        }
        if let iat = claims["iat"] {
            guard let issued = iat.doubleValue, issued <= now + settings.leeway else { throw refused("its 'iat' claim is not a past time") }
        }
        if let issuer = settings.issuer, claims["iss"]?.stringValue != issuer { throw refused("its 'iss' claim is not the configured issuer") }
        if let audience = settings.audience {
            let audiences = claims["aud"].flatMap { $0.stringValue.map { [$0] } ?? $0.arrayValue?.compactMap(\.stringValue) } ?? []
            guard audiences.contains(audience) else { throw refused("its 'aud' claim does not name this gateway") }
        }
        guard let subject = claims["sub"]?.stringValue, (1...128).contains(subject.utf8.count),
            subject.utf8.allSatisfy({ (0x21...0x7E).contains($0) })
        else { throw refused("its 'sub' claim is missing or not 1–128 visible ASCII characters") }
        let admin = claims["admin"]?.boolValue ?? false
        if admin {
            guard claims["sessions"] == nil else { throw refused("it claims both 'admin' and 'sessions'") }
            return Principal(keyID: "jwt:\(subject)", isAdmin: true, sessions: nil)
        }
        guard let list = claims["sessions"]?.arrayValue, list.count <= JWTVerifier.maxSessions else {
            throw refused("it has no 'sessions' claim (a list of session names) and is not 'admin'")
        }
        var sessions = Set<String>()
        for entry in list {
            guard let name = entry.stringValue, Identifiers.isValidSessionName(name) else {
                throw refused("its 'sessions' claim holds something that is not a session name")
            }
            sessions.insert(name)
        }
        return Principal(keyID: "jwt:\(subject)", isAdmin: false, sessions: sessions)
    }

    private func object(_ part: Substring, _ name: String) throws -> JSONObject {
        guard let bytes = ByteEncoding.fromBase64URL(String(part)), let object = (try? JSONParser.parse(bytes))?.objectValue else {
            throw refused("its \(name) is not base64url-encoded JSON")
        }
        return object
    }

    private func refused(_ reason: String) -> GatewayError {
        GatewayError.unauthenticated("The bearer token was refused: \(reason).")
    }
}
