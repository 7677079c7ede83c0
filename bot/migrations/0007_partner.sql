-- Partner mode: the person receiving the massage links their own chat to the giver's.

-- Invite links: only a hash of the token is kept, so a copy of the database opens nothing.
CREATE TABLE partner_invites (
    token_hash     TEXT    PRIMARY KEY,
    giver_chat_id  INTEGER NOT NULL,
    session_id     INTEGER,              -- the session open when invited: ends the invite
    created_at     REAL    NOT NULL,
    expires_at     REAL    NOT NULL,
    used_at        REAL
);
CREATE INDEX partner_invites_giver ON partner_invites (giver_chat_id);

-- A giver and a receiver linked until either ends it; at most one link per chat.
CREATE TABLE partner_links (
    id                 INTEGER PRIMARY KEY AUTOINCREMENT,
    giver_chat_id      INTEGER NOT NULL UNIQUE,
    receiver_chat_id   INTEGER NOT NULL UNIQUE,
    linked_at          REAL    NOT NULL,
    checkin            TEXT    NOT NULL DEFAULT '{}', -- JSON {focus, avoid, pressure}
    checkin_step       TEXT    NOT NULL DEFAULT 'focus', -- focus avoid pressure health done
    health             TEXT    NOT NULL DEFAULT '',   -- '' | clear | flagged | read
    remote_message_id  INTEGER,
    session_id         INTEGER,              -- the session the ouch count belongs to
    ouches             INTEGER NOT NULL DEFAULT 0,
    receiver_gone      INTEGER NOT NULL DEFAULT 0 -- the receiver blocked the bot
);

-- What a receiver asked for last time, per giver, until the receiver deletes it.
CREATE TABLE partner_preferences (
    giver_chat_id    INTEGER NOT NULL,
    receiver_chat_id INTEGER NOT NULL,
    preferences      TEXT    NOT NULL,
    updated_at       REAL    NOT NULL,
    PRIMARY KEY (giver_chat_id, receiver_chat_id)
);

-- The receiver's stars for a session (the giver's are in sessions.rating).
CREATE TABLE partner_ratings (
    session_id       INTEGER PRIMARY KEY,
    giver_chat_id    INTEGER NOT NULL,
    receiver_chat_id INTEGER NOT NULL,
    stars            INTEGER NOT NULL CHECK (stars BETWEEN 1 AND 5),
    rated_at         REAL    NOT NULL
);
