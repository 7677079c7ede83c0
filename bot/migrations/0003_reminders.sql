-- Daily reminders: the database is the timetable; due_at is what the scheduler reads.
CREATE TABLE reminders (
    id           INTEGER PRIMARY KEY,
    chat_id      INTEGER NOT NULL REFERENCES chats (chat_id) ON DELETE CASCADE,
    hour         INTEGER NOT NULL CHECK (hour BETWEEN 0 AND 23),
    minute       INTEGER NOT NULL CHECK (minute BETWEEN 0 AND 59),
    weekdays     INTEGER NOT NULL CHECK (weekdays BETWEEN 1 AND 127),  -- bit 0 is Monday
    time_zone    TEXT    NOT NULL,      -- copied from chats.time_zone, kept in step with it
    next_fire_at REAL    NOT NULL,      -- the next regular slot, Unix time (UTC)
    snooze_at    REAL,                  -- one extra nudge asked for with "Snooze 15 min"
    due_at       REAL,                  -- when to look next; NULL while paused
    paused       INTEGER NOT NULL DEFAULT 0,  -- 1 after a 403: the chat blocked the bot
    last_sent_at REAL,
    sent_count   INTEGER NOT NULL DEFAULT 0,
    created_at   REAL    NOT NULL,
    UNIQUE (chat_id, hour, minute, weekdays)
);
CREATE INDEX reminders_due ON reminders (due_at) WHERE due_at IS NOT NULL;
CREATE INDEX reminders_chat ON reminders (chat_id);

-- A question the bot asked and waits for: the chat's next free text is its time zone.
-- hour/minute/weekdays hold the reminder to create once the zone is known (NULL: /timezone).
CREATE TABLE reminder_pending (
    chat_id  INTEGER PRIMARY KEY REFERENCES chats (chat_id) ON DELETE CASCADE,
    hour     INTEGER,
    minute   INTEGER,
    weekdays INTEGER,
    asked_at REAL    NOT NULL
);
