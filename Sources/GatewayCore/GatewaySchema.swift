import Storage

/// The gateway's own tables. The native engine and later subsystems add theirs with their own prefixes.
public enum GatewaySchema {
    public static let migrations: [Migration] = [
        Migration(
            "gateway-001",
            """
            CREATE TABLE api_keys (
                id TEXT PRIMARY KEY NOT NULL,
                name TEXT NOT NULL,
                salt BLOB NOT NULL,
                hash BLOB NOT NULL,
                admin INTEGER NOT NULL DEFAULT 0,
                sessions TEXT,
                created_at REAL NOT NULL,
                expires_at REAL,
                revoked_at REAL
            );
            CREATE TABLE sessions (
                name TEXT PRIMARY KEY NOT NULL,
                provider TEXT NOT NULL,
                account TEXT NOT NULL,
                created_at REAL NOT NULL,
                owner_key TEXT
            );
            """)
    ]
}
