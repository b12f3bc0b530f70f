-- Damaged evidence and interrupted work (issue 17).

-- Custody of a file that could not be read to its end: its digests are those of the bytes read
-- (`bytes_read` of `size`), and `read_error` names what stopped the read (bad CRC, corrupt
-- deflate data, truncation, an I/O error). NULL for files read whole.
ALTER TABLE source_file ADD COLUMN bytes_read INTEGER;
ALTER TABLE source_file ADD COLUMN read_error TEXT;
-- How an SQLite evidence database was read when it was not read as it stands: NULL (read as is)
-- or e.g. 'sqlite3 .recover: <integrity_check result>' when its records come from a recovered
-- scratch copy inside the case folder.
ALTER TABLE source_file ADD COLUMN salvage TEXT;

-- Provenance of a live message row that was read from a recovered copy ('sqlite_recover');
-- NULL for rows read from the database as it stands. Deleted rows never land here: they go to
-- recovered_record below, so no view mixes them with live rows by accident.
ALTER TABLE message ADD COLUMN recovery TEXT;

-- A media instance seen without a message (message_id NULL) was added again on every analyze:
-- SQLite treats NULLs as distinct, so the UNIQUE of 0001 never fired. Keep the first row of each
-- instance and make the rule hold with NULLs.
DELETE FROM media_instance WHERE id NOT IN (
  SELECT min(id) FROM media_instance
  GROUP BY sha256, exhibit_id, coalesce(path, ''), coalesce(message_id, -1), seen_as
);
CREATE UNIQUE INDEX media_instance_once ON media_instance(
  sha256, exhibit_id, coalesce(path, ''), coalesce(message_id, -1), seen_as
);

-- The same for warnings not tied to a file or exhibit (analyze's notes): each analyze logged them
-- again. One row per problem, as 0001 meant.
DELETE FROM warning WHERE id NOT IN (
  SELECT min(id) FROM warning
  GROUP BY coalesce(exhibit_id, ''), coalesce(path, ''), location, stage, message
);
CREATE UNIQUE INDEX warning_once ON warning(coalesce(exhibit_id, ''), coalesce(path, ''), location, stage, message);

-- Deleted records carved from an evidence database (free pages, free blocks and unallocated
-- space inside pages, WAL frames the database no longer shows). Apart from `message` on
-- purpose: analysis, exports and reports read live rows only unless they ask for these.
CREATE TABLE recovered_record (
  id            INTEGER PRIMARY KEY,
  exhibit_id    TEXT NOT NULL,
  source_file_id INTEGER NOT NULL REFERENCES source_file(id),
  table_name    TEXT NOT NULL,               -- message | messages | ZWAMESSAGE
  row_id        INTEGER,                     -- the rowid when the cell header survived
  state         TEXT NOT NULL,               -- deleted | old_version (the rowid lives on with other values)
  area          TEXT NOT NULL,               -- freelist | freeblock | unallocated | superseded | wal | wal_uncommitted
  page          INTEGER NOT NULL,            -- page number in the database (or in the WAL frame)
  offset        INTEGER NOT NULL,            -- byte offset of the record inside that page
  wal_frame     INTEGER,                     -- WAL frame number (1-based) for the wal areas
  chat          TEXT,                        -- the chat's JID when the row names one that resolves
  sender        TEXT,
  time          TEXT,                        -- ISO UTC
  text          TEXT,
  key_id        TEXT,
  record_values TEXT NOT NULL,               -- JSON: every carved column value, by column name
  content_hash  TEXT NOT NULL,               -- SHA-256 of record_values: one row per distinct record
  UNIQUE (source_file_id, table_name, content_hash)
);
CREATE INDEX recovered_record_exhibit ON recovered_record(exhibit_id);
