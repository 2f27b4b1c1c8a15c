import GroupModel
import JSONCore
import Support

/// A session's binding to a provider account, as configuration gives it (CONTRACT-FORMAT's `account` and
/// `credentials`). Adapters read what they need from it; the gateway never interprets the account.
public struct SessionBinding: Sendable {
    /// The gateway session name.
    public let session: String
    /// The configured provider name (`native`, `waha-main`, …).
    public let provider: String
    /// The provider kind.
    public let kind: String
    /// Account fields: `sessionId`, `session`, `accountId`, `from`, `phone`, … per provider.
    public let account: JSONObject

    public init(session: String, provider: String, kind: String, account: JSONObject) {
        self.session = session
        self.provider = provider
        self.kind = kind
        self.account = account
    }

    /// A string account field.
    public func account(_ key: String) -> String? { account[key]?.stringValue }

    /// A field provisioning requires: `invalid_request` naming `account.<key>`, with `explanation`, when it is
    /// missing or empty.
    public func requiredAccount(_ key: String, _ explanation: String) throws(GatewayError) -> String {
        guard let value = account(key), !value.isEmpty else {
            throw GatewayError.invalidRequest(explanation, details: ["field": .string("account.\(key)")])
        }
        return value
    }

    /// A field an operation needs: `session_not_ready` when the binding lacks it (`provider` names the adapter).
    public func boundAccount(_ key: String, provider: String) throws(GatewayError) -> String {
        guard let value = account(key) else { throw GatewayError.sessionNotReady("The \(provider) binding has no account.\(key).") }
        return value
    }
}

/// A session's connection state, mapped from each provider's own vocabulary (REFERENCE §18).
public enum SessionStatus: String, Sendable, CaseIterable {
    case provisioning
    case awaitingQR = "awaiting_qr"
    case awaitingPairCode = "awaiting_pair_code"
    case connecting
    case ready
    case disconnected
    case loggedOut = "logged_out"
    case locked
    case failed
    /// The provider does not say, or could not be asked.
    case unknown
}
