-- Totals of how questions were answered: one row per kind, no chat ids, no question texts.
CREATE TABLE counters (
    name  TEXT    PRIMARY KEY,
    value INTEGER NOT NULL DEFAULT 0
);

-- Announcements an admin sent (or is about to send) to every chat.
CREATE TABLE broadcasts (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    admin_chat_id    INTEGER NOT NULL,   -- where the preview and the progress reports go
    text             TEXT    NOT NULL,   -- as typed; sent HTML-escaped
    status           TEXT    NOT NULL,   -- draft | sending | done | cancelled
    created_at       REAL    NOT NULL,
    started_at       REAL,
    finished_at      REAL,
    progress_message INTEGER,            -- the admin's message edited with progress
    reported_at      REAL                -- when progress was last shown
);

-- Who a broadcast goes to, and how each send ended: the state that survives a restart.
CREATE TABLE broadcast_deliveries (
    broadcast_id INTEGER NOT NULL REFERENCES broadcasts (id) ON DELETE CASCADE,
    chat_id      INTEGER NOT NULL,
    status       TEXT    NOT NULL DEFAULT 'pending',  -- pending | sent | unreachable | failed
    due_at       REAL,                                -- NULL once it ended
    attempts     INTEGER NOT NULL DEFAULT 0,
    done_at      REAL,
    PRIMARY KEY (broadcast_id, chat_id)
);
CREATE INDEX broadcast_deliveries_due ON broadcast_deliveries (due_at) WHERE due_at IS NOT NULL;
CREATE INDEX broadcast_deliveries_chat ON broadcast_deliveries (chat_id);
