import GroupModel
import ProviderKit
import Storage

/// A provider that lives in the gateway's own database (the native engine). Its sends run inside the gateway's
/// write transaction: the message row, the provider's delivery state and the events commit together, once.
public protocol LocalProvider: ProviderAdapter {
    /// Delivers `message` within `db`'s transaction, before the gateway writes the message row (from the returned
    /// outcome). Throwing rolls the whole send back.
    func send(_ message: OutgoingMessage, on binding: SessionBinding, in db: SQLiteConnection) throws -> SendOutcome

    /// A group's info if the provider holds it in memory, without blocking; nil when it would need I/O.
    func cachedGroup(_ id: String, on binding: SessionBinding) throws -> Group?

    /// Marks a message the session received as read (the recipient's side of receipts).
    func markRead(message id: String, on binding: SessionBinding) async throws

    /// A device acknowledged every event of the session up to `seq` (a log position): each message received up
    /// to there gets its `delivered` receipt. Returns the session's acknowledged position afterwards.
    @discardableResult
    func acknowledge(through seq: Int64, on binding: SessionBinding) async throws -> Int64

    /// The position the session's devices last acknowledged (0 when none did).
    func acknowledged(on binding: SessionBinding) throws -> Int64

    /// The session's member is typing (`true`) or stopped (`false`) in a group: a `presence.typing` event for
    /// the other members.
    func typing(_ typing: Bool, group: String, on binding: SessionBinding) async throws
}
