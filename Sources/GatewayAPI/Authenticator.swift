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
        if let tokens, credential.split(separator: ".", omittingEmptySubsequences: false).count == 3 {
            return try tokens.verify(credential)
        }
        guard let principal = try keys.verify(credential) else {
            throw GatewayError.unauthenticated("The API key is not valid: unknown, revoked or expired.")
        }
        return principal
    }

    /// The principal for a key verified recently (no database access); nil when not cached.
    func cachedPrincipal(_ headers: HTTPHeaders) -> Principal? {
        guard let credential = Authenticator.credential(headers), credential.split(separator: ".").count != 3 else { return nil }
        return keys.cachedPrincipal(credential)
    }

    static func credential(_ headers: HTTPHeaders) -> String? {
        if let authorization = headers["authorization"] {
            let parts = authorization.split(separator: " ", maxSplits: 1)
            if parts.count == 2, parts[0].lowercased() == "bearer" {
                let value = String(parts[1]).trimmingASCIIWhitespace()
                return value.isEmpty ? nil : value
            }
            return nil
        }
        if let key = headers["x-api-key"], !key.isEmpty { return key }
        return nil
    }
}

/// Verifies bearer tokens that are JWTs (issue 8 plugs its HS256 verifier in here).
public protocol TokenVerifier: Sendable {
    func verify(_ token: String) throws -> Principal
}
