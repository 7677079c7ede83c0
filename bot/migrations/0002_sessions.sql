-- Guided sessions, one row each. Open sessions (ready, running, paused) carry the timing
-- state; ended ones (done, stopped, gone, failed) are the chat's history and its ratings.
CREATE TABLE sessions (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    chat_id          INTEGER NOT NULL,
    kind             TEXT    NOT NULL,               -- routine | practice
    entry_id         TEXT    NOT NULL,               -- the routine's or technique's id
    title            TEXT    NOT NULL,
    plan             TEXT    NOT NULL,               -- JSON [[technique, seconds, cue, halfway]]
    length_seconds   INTEGER NOT NULL,
    status           TEXT    NOT NULL,               -- ready running paused done stopped gone failed
    step             INTEGER NOT NULL DEFAULT 0,
    next_event       TEXT    NOT NULL DEFAULT 'step',-- step | halfway | finish, at due_at
    step_started_at  REAL,
    due_at           REAL,
    paused_remaining REAL,
    claimed_at       REAL,                           -- set while its due event is being sent
    failures         INTEGER NOT NULL DEFAULT 0,
    message_ids      TEXT    NOT NULL DEFAULT '[]',
    created_at       REAL    NOT NULL,
    ended_at         REAL,
    steps_done       INTEGER NOT NULL DEFAULT 0,
    seconds_done     INTEGER NOT NULL DEFAULT 0,
    rating           INTEGER CHECK (rating BETWEEN 1 AND 5)
);

-- One open session per chat.
CREATE UNIQUE INDEX sessions_open_chat ON sessions (chat_id)
    WHERE status IN ('ready', 'running', 'paused');

-- The timetable: unclaimed due events, earliest first.
CREATE INDEX sessions_due ON sessions (due_at)
    WHERE due_at IS NOT NULL AND claimed_at IS NULL;

-- /history: a chat's ended sessions, newest first.
CREATE INDEX sessions_history ON sessions (chat_id, ended_at)
    WHERE ended_at IS NOT NULL;
