import Storage

/// The native engine's tables (accounts, groups, members, join requests, per-recipient receipts).
public enum NativeSchema {
    public static let migrations: [Migration] = [
        Migration(
            "native-001",
            """
            -- Accounts have an integer key: membership, recipient sets and receipts refer to it.
            CREATE TABLE native_accounts (
                key INTEGER PRIMARY KEY,
                jid TEXT NOT NULL UNIQUE,
                phone TEXT NOT NULL,
                session TEXT UNIQUE,
                created_at REAL NOT NULL
            );
            CREATE TABLE native_groups (
                id TEXT PRIMARY KEY NOT NULL,
                name TEXT NOT NULL,
                description TEXT,
                owner TEXT,
                created_at REAL NOT NULL,
                announce INTEGER NOT NULL DEFAULT 0,
                locked INTEGER NOT NULL DEFAULT 0,
                approval_required INTEGER NOT NULL DEFAULT 0,
                member_add_mode TEXT NOT NULL DEFAULT 'all',
                invite_code TEXT UNIQUE
            ) WITHOUT ROWID;
            CREATE TABLE native_participants (
                group_id TEXT NOT NULL REFERENCES native_groups (id) ON DELETE CASCADE,
                jid TEXT NOT NULL,
                role TEXT NOT NULL,
                joined INTEGER NOT NULL,
                PRIMARY KEY (group_id, jid)
            ) WITHOUT ROWID;
            CREATE INDEX native_participants_by_member ON native_participants (jid);
            CREATE TABLE native_join_requests (
                group_id TEXT NOT NULL REFERENCES native_groups (id) ON DELETE CASCADE,
                jid TEXT NOT NULL,
                requested_at REAL NOT NULL,
                PRIMARY KEY (group_id, jid)
            ) WITHOUT ROWID;
            -- One row per message: its group, sender and recipient set (the members at send time, as packed
            -- 64-bit account keys). A recipient's receipt row appears when it acks or reads; until then the
            -- recipient is pending.
            CREATE TABLE native_messages (
                id TEXT PRIMARY KEY NOT NULL,
                group_id TEXT NOT NULL,
                sender INTEGER NOT NULL,
                recipients BLOB NOT NULL
            ) WITHOUT ROWID;
            CREATE TABLE native_receipts (
                message_id TEXT NOT NULL,
                recipient INTEGER NOT NULL,
                delivered_at REAL NOT NULL,
                read_at REAL,
                PRIMARY KEY (message_id, recipient)
            ) WITHOUT ROWID;
            """),
        Migration(
            "native-002",
            """
            -- Devices acknowledge by event-log position (the device protocol's 'ack'): the highest position each
            -- session's devices acknowledged. A device connecting without '?after=' resumes here.
            CREATE TABLE native_device_cursors (
                session TEXT PRIMARY KEY NOT NULL,
                acked_seq INTEGER NOT NULL,
                updated_at REAL NOT NULL
            ) WITHOUT ROWID;
            """),
    ]
}
