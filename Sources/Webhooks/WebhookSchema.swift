import Storage

/// Tables of outbound webhooks: subscriptions (with their fan-out cursor into the event log), one delivery row per
/// event and subscriber, and every attempt of every delivery.
public enum WebhookSchema {
    public static let migrations: [Migration] = [
        Migration(
            "webhooks-001",
            """
            CREATE TABLE webhook_subscriptions (
                id TEXT PRIMARY KEY,
                url TEXT NOT NULL,
                events TEXT,
                sessions TEXT,
                description TEXT,
                secret TEXT NOT NULL,
                previous_secret TEXT,
                previous_expires_at REAL,
                status TEXT NOT NULL DEFAULT 'active',
                disabled_reason TEXT,
                disabled_at REAL,
                failing_since REAL,
                cursor INTEGER NOT NULL,
                owner_key TEXT,
                created_at REAL NOT NULL,
                updated_at REAL NOT NULL
            );
            CREATE TABLE webhook_deliveries (
                id TEXT PRIMARY KEY,
                subscription_id TEXT NOT NULL REFERENCES webhook_subscriptions(id) ON DELETE CASCADE,
                event_seq INTEGER NOT NULL,
                event_id TEXT NOT NULL,
                event_type TEXT NOT NULL,
                status TEXT NOT NULL,
                attempts INTEGER NOT NULL DEFAULT 0,
                next_attempt_at REAL NOT NULL,
                window_start REAL NOT NULL,
                last_attempt_at REAL,
                last_status INTEGER,
                last_error TEXT,
                delivered_at REAL,
                created_at REAL NOT NULL,
                UNIQUE (subscription_id, event_seq)
            );
            CREATE INDEX webhook_deliveries_pending ON webhook_deliveries (subscription_id, event_seq) WHERE status = 'pending';
            CREATE INDEX webhook_deliveries_by_status ON webhook_deliveries (subscription_id, status, event_seq);
            CREATE TABLE webhook_attempts (
                delivery_id TEXT NOT NULL REFERENCES webhook_deliveries(id) ON DELETE CASCADE,
                number INTEGER NOT NULL,
                at REAL NOT NULL,
                duration_ms REAL NOT NULL,
                status INTEGER,
                error TEXT,
                response TEXT,
                PRIMARY KEY (delivery_id, number)
            ) WITHOUT ROWID;
            """),
        Migration(
            "webhooks-002",
            """
            -- `webhook_deliveries_by_status` answers every query on a subscriber's pending deliveries in `event_seq`
            -- order, so the partial index only cost an insert and a delete in the writer per delivery.
            DROP INDEX webhook_deliveries_pending;
            """),
    ]
}
