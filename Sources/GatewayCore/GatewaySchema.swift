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
            """),
        Migration(
            "gateway-002",
            """
            CREATE TABLE messages (
                id TEXT PRIMARY KEY NOT NULL,
                session TEXT NOT NULL,
                group_id TEXT NOT NULL,
                type TEXT NOT NULL,
                text TEXT,
                media_url TEXT,
                media_mime TEXT,
                media_filename TEXT,
                caption TEXT,
                mentions TEXT,
                status TEXT NOT NULL,
                provider_message_id TEXT,
                error TEXT,
                recipients INTEGER,
                delivered INTEGER NOT NULL DEFAULT 0,
                read INTEGER NOT NULL DEFAULT 0,
                created_at REAL NOT NULL,
                updated_at REAL NOT NULL
            ) WITHOUT ROWID;
            CREATE INDEX messages_by_session ON messages (session, id);
            CREATE INDEX messages_by_provider_id ON messages (provider_message_id) WHERE provider_message_id IS NOT NULL;

            -- Fan-out events (one message received by many sessions) store everything but the session once, in
            -- event_payloads; each recipient's row is just (session, payload). Their ids are derived on read from
            -- the payload's identity, the session and the type (deterministic, like every event id).
            CREATE TABLE event_payloads (
                id INTEGER PRIMARY KEY,
                identity TEXT NOT NULL,
                type TEXT NOT NULL,
                provider TEXT NOT NULL,
                group_id TEXT,
                occurred_at REAL NOT NULL,
                received_at REAL NOT NULL,
                data TEXT NOT NULL
            );
            -- Sessions by a small integer key: every event row and index entry carries 8 bytes, not a name.
            CREATE TABLE event_sessions (
                key INTEGER PRIMARY KEY,
                name TEXT NOT NULL UNIQUE
            );
            -- seq without AUTOINCREMENT: events are never deleted from the end, so rowids are not reused, and
            -- AUTOINCREMENT would write sqlite_sequence on every insert.
            CREATE TABLE events (
                seq INTEGER PRIMARY KEY,
                id TEXT,
                type TEXT,
                session INTEGER NOT NULL REFERENCES event_sessions (key),
                provider TEXT,
                group_id TEXT,
                occurred_at REAL,
                received_at REAL,
                data TEXT,
                payload INTEGER REFERENCES event_payloads (id),
                CHECK ((payload IS NULL) = (id IS NOT NULL AND type IS NOT NULL AND data IS NOT NULL))
            );
            -- The deterministic id dedupes provider events that arrive twice. Fan-out rows have no stored id and are
            -- unique by construction.
            CREATE UNIQUE INDEX events_by_id ON events (id) WHERE id IS NOT NULL;
            CREATE INDEX events_by_session ON events (session, seq);
            """),
        Migration(
            "gateway-003",
            """
            -- Every inbound provider webhook that passed verification, as received (the raw bytes are what was
            -- signed), with the ids of the events it produced.
            CREATE TABLE inbound_webhooks (
                id INTEGER PRIMARY KEY,
                provider TEXT NOT NULL,
                session TEXT NOT NULL,
                kind TEXT NOT NULL,
                received_at REAL NOT NULL,
                headers TEXT NOT NULL,
                body BLOB NOT NULL,
                events TEXT NOT NULL
            );
            -- Payload shapes per provider and event kind (drift): every JSON path seen, when first and last.
            CREATE TABLE payload_kinds (
                provider TEXT NOT NULL,
                kind TEXT NOT NULL,
                first_seen REAL NOT NULL,
                last_seen REAL NOT NULL,
                seen INTEGER NOT NULL,
                PRIMARY KEY (provider, kind)
            ) WITHOUT ROWID;
            CREATE TABLE payload_fields (
                provider TEXT NOT NULL,
                kind TEXT NOT NULL,
                path TEXT NOT NULL,
                type TEXT NOT NULL,
                first_seen REAL NOT NULL,
                last_seen REAL NOT NULL,
                seen INTEGER NOT NULL,
                PRIMARY KEY (provider, kind, path)
            ) WITHOUT ROWID;
            """),
        Migration(
            "gateway-004",
            """
            CREATE TABLE payload_shapes (
                provider TEXT NOT NULL,
                kind TEXT NOT NULL,
                shape TEXT NOT NULL,
                fields TEXT NOT NULL,
                first_seen REAL NOT NULL,
                last_seen REAL NOT NULL,
                seen INTEGER NOT NULL,
                PRIMARY KEY (provider, kind, shape)
            ) WITHOUT ROWID;
            DROP TABLE payload_fields;
            DROP TABLE payload_kinds;
            """),
        Migration(
            "gateway-005",
            """
            -- Idempotency-Key answers, per API key and route, kept 24 h. `running` rows belong to the process
            -- named by `boot`; one left by a previous process was interrupted.
            CREATE TABLE idempotency_keys (
                principal TEXT NOT NULL,
                route TEXT NOT NULL,
                key TEXT NOT NULL,
                fingerprint TEXT NOT NULL,
                state TEXT NOT NULL,
                boot TEXT NOT NULL,
                status INTEGER,
                content_type TEXT,
                body BLOB,
                resource TEXT,
                created_at REAL NOT NULL,
                PRIMARY KEY (principal, route, key)
            ) WITHOUT ROWID;
            CREATE INDEX idempotency_keys_by_age ON idempotency_keys (created_at);
            """),
            Migration(
            "gateway-006",
            """
            -- Sends still owed to a provider. `state`: `pending` (due at `next_at`), `sending` (an attempt of the
            -- process `boot` is running), `unknown` (an attempt's outcome is unknown; reconciled at `next_at`
            -- before any resend). `paced`: `next_at` is a pacing slot already reserved. A row is deleted when its
            -- message is sent or failed.
            CREATE TABLE outbox (
                message_id TEXT PRIMARY KEY,
                session TEXT NOT NULL,
                state TEXT NOT NULL,
                boot TEXT,
                attempts INTEGER NOT NULL DEFAULT 0,
                next_at REAL NOT NULL,
                paced INTEGER NOT NULL DEFAULT 0,
                created_at REAL NOT NULL
            ) WITHOUT ROWID;
            CREATE INDEX outbox_due ON outbox (next_at) WHERE state != 'sending';
            -- Every provider call made for a send, and every reconciliation of an unknown outcome.
            CREATE TABLE message_attempts (
                message_id TEXT NOT NULL,
                number INTEGER NOT NULL,
                started_at REAL NOT NULL,
                finished_at REAL NOT NULL,
                outcome TEXT NOT NULL,
                provider_status INTEGER,
                error TEXT,
                PRIMARY KEY (message_id, number)
            ) WITHOUT ROWID;
            """),
        Migration(
            "gateway-007",
            """
            -- A group's fan-out event (a message to its members) is one `events` row: `recipients` lists the session
            -- keys (',3,8,13,'), recipient i of n has the log position seq - n + 1 + i (a fan-out takes n consecutive
            -- positions ending at its rowid), and `session` is the placeholder key 0. A session finds them through
            -- the groups it has had such events in: one index entry per fan-out instead of one per recipient.
            ALTER TABLE events ADD COLUMN recipients TEXT;
            INSERT OR IGNORE INTO event_sessions (key, name) VALUES (0, '*');
            CREATE INDEX events_fanout_by_group ON events (group_id, seq) WHERE recipients IS NOT NULL;
            CREATE TABLE event_session_groups (
                session INTEGER NOT NULL,
                group_id TEXT NOT NULL,
                PRIMARY KEY (session, group_id)
            ) WITHOUT ROWID;
            """),
    ]
}
