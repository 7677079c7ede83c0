-- Telegram's file_id for each uploaded picture, by the picture's content hash: a picture is
-- uploaded once and sent by file_id afterwards; a new drawing has a new hash.
CREATE TABLE picture_files (
    digest    TEXT PRIMARY KEY,   -- sha256 of the picture's spec, title and renderer version
    file_id   TEXT NOT NULL,
    stored_at REAL NOT NULL
);
