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
