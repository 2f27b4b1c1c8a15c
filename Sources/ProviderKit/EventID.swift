import Crypto
import GroupModel
import Support

/// Deterministic event ids (DESIGN §3): the same happening, reported twice, gets the same id.
public enum EventID {
    /// `evt_` + 26 base32 characters of SHA-256 over (provider, session, identity, type).
    public static func make(provider: String, session: String, identity: String, type: EventType) -> String {
        let digest = Digest.sha256(Array("\(provider)\u{0}\(session)\u{0}\(identity)\u{0}\(type.rawValue)".utf8))
        return "evt_" + SortableID.base32(Array(digest.prefix(16)))
    }

    /// A time-sortable deterministic id for events the gateway itself originates. `identity` starts with a
    /// sortable id (`msg_…`, `op_…`, optionally `/<detail>`): its time part leads, so ids of one happening sit
    /// together, and a 64-bit FNV-1a hash of the whole identity, session and type keeps them distinct.
    /// (These are never redelivered, so they need uniqueness, not a cryptographic digest.)
    public static func sortable(identity: String, session: String, type: EventType) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for part in [identity, session, type.rawValue] {
            for byte in part.utf8 {
                hash ^= UInt64(byte)
                hash = hash &* 0x0000_0100_0000_01B3
            }
            hash ^= 0xFF
            hash = hash &* 0x0000_0100_0000_01B3
        }
        var stem = Substring(identity)
        if let slash = stem.firstIndex(of: "/") { stem = stem[..<slash] }
        if let underscore = stem.firstIndex(of: "_") { stem = stem[stem.index(after: underscore)...] }
        return "evt_" + stem + SortableID.base32(withUnsafeBytes(of: hash.bigEndian) { Array($0) })
    }
}
