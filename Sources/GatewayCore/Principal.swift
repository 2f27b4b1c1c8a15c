/// Who is calling: an admin, or a key limited to some sessions.
public struct Principal: Sendable, Equatable {
    /// The key id (the visible prefix), `env-admin` for `SWITCHBOARD_ADMIN_KEY`, or `jwt:<sub>`.
    public let keyID: String
    public let isAdmin: Bool
    /// Sessions this principal may use; nil for admins (all sessions).
    public let sessions: Set<String>?

    public init(keyID: String, isAdmin: Bool, sessions: Set<String>?) {
        self.keyID = keyID
        self.isAdmin = isAdmin
        self.sessions = isAdmin ? nil : sessions ?? []
    }

    /// Whether this principal may see and use `session`.
    public func canUse(session: String) -> Bool { isAdmin || sessions?.contains(session) == true }
}
