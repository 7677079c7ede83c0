-- Every chat the bot has talked to, with its settings.
CREATE TABLE chats (
    chat_id       INTEGER PRIMARY KEY,
    first_seen_at REAL    NOT NULL,
    last_seen_at  REAL    NOT NULL,
    time_zone     TEXT
);
