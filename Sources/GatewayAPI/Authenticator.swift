import GatewayCore
import GroupModel
import HTTPCore
import Support

/// Finds the caller from `Authorization: Bearer <key|JWT>` or `X-Api-Key`.
public struct Authenticator: Sendable {
    let keys: APIKeyStore
    let tokens: (any TokenVerifier)?

    public init(keys: APIKeyStore, tokens: (any TokenVerifier)?) {
        self.keys = keys
        self.tokens = tokens
    }

    public func authenticate(_ headers: HTTPHeaders) throws -> Principal {
        guard let credential = Authenticator.credential(headers) else {
            throw GatewayError.unauthenticated("Send an API key as 'Authorization: Bearer <key>' or 'X-Api-Key: <key>'.")
        }
        if Authenticator.isToken(credential) {
            guard let tokens else { throw GatewayError.unauthenticated("This gateway accepts API keys only: no JWT secret is configured (auth.jwt).") }
            return try tokens.verify(credential)
        }
        guard let principal = try keys.verify(credential) else {
            throw GatewayError.unauthenticated("The API key is not valid: unknown, revoked or expired.")
        }
        return principal
    }

    /// The principal for a key verified recently or a valid JWT (no database access); nil otherwise.
    func cachedPrincipal(_ headers: HTTPHeaders) -> Principal? {
        guard let credential = Authenticator.credential(headers) else { return nil }
        if Authenticator.isToken(credential) { return try? tokens?.verify(credential) }
        return keys.cachedPrincipal(credential)
    }

    /// JWTs have three dot-separated parts; API keys have no dots.
    static func isToken(_ credential: String) -> Bool {
        credential.utf8.reduce(0) { $1 == UInt8(ascii: ".") ? $0 + 1 : $0 } == 2
    }

    static func credential(_ headers: HTTPHeaders) -> String? {
        if let authorization = headers["authorization"] {
            // Byte-level: "Bearer" (any case), one space, the credential.
            let bytes = authorization.utf8
            guard let space = bytes.firstIndex(of: UInt8(ascii: " ")),
                bytes[..<space].elementsEqual("bearer".utf8, by: { $0 | 0x20 == $1 })
            else { return nil }
            let value = String(Substring(bytes[bytes.index(after: space)...])).trimmingASCIIWhitespace()
            return value.isEmpty ? nil : value
        }
        if let key = headers["x-api-key"], !key.isEmpty { return key }
        return nil
    }
}

/// Verifies bearer tokens that are JWTs (`JWTVerifier`).
public protocol TokenVerifier: Sendable {
    func verify(_ token: String) throws -> Principal
}
