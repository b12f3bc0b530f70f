-- Tantalio case store, version 1: the whole data model of DESIGN.md §3.
-- Raw observations (what each exhibit recorded) are kept apart from resolved entities
-- (persons, groups), so every resolved fact can be traced back and re-derived.

CREATE TABLE meta (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
);

-- Custody -------------------------------------------------------------------------------
CREATE TABLE exhibit (
  id            TEXT PRIMARY KEY,            -- e.g. EX-07
  description   TEXT,
  owner_phone   TEXT,                        -- E.164 of the person it was seized from
  country       TEXT,                        -- ISO 3166 alpha-2
  timezone      TEXT NOT NULL,               -- IANA name; device-local times convert with it
  registered_at TEXT NOT NULL
);

CREATE TABLE exhibit_source (                -- what was given on the command line
  exhibit_id TEXT NOT NULL REFERENCES exhibit(id),
  location   TEXT NOT NULL,                  -- absolute path at registration
  kind       TEXT NOT NULL,                  -- folder | zip | file
  label      TEXT NOT NULL DEFAULT '',       -- prefix of its files' paths ('' when ingested alone)
  PRIMARY KEY (exhibit_id, location)
);

CREATE TABLE source_file (
  id          INTEGER PRIMARY KEY,
  exhibit_id  TEXT NOT NULL REFERENCES exhibit(id),
  path        TEXT NOT NULL,                 -- relative to the exhibit root; zip members as a.zip!/m
  size        INTEGER NOT NULL,
  sha256      TEXT NOT NULL,
  md5         TEXT NOT NULL,
  sha1        TEXT NOT NULL,
  mtime       TEXT,                          -- as found on the evidence, ISO UTC
  mime        TEXT,                          -- from magic bytes
  format      TEXT,                          -- detected format (parser name) or NULL
  parser      TEXT,
  status      TEXT NOT NULL DEFAULT 'hashed', -- hashed | parsed | failed
  hashed_at   TEXT NOT NULL,
  parsed_at   TEXT,
  UNIQUE (exhibit_id, path)
);
CREATE INDEX source_file_sha256 ON source_file(sha256);

CREATE TABLE warning (
  id          INTEGER PRIMARY KEY,
  exhibit_id  TEXT,
  path        TEXT,
  location    TEXT NOT NULL DEFAULT '',      -- line N / row id
  stage       TEXT NOT NULL,                 -- intake | parser name | triage | hashlist | analyze
  message     TEXT NOT NULL,
  at          TEXT NOT NULL,
  UNIQUE (exhibit_id, path, location, stage, message)
);

CREATE TABLE audit_event (
  seq        INTEGER PRIMARY KEY,
  at         TEXT NOT NULL,
  actor      TEXT NOT NULL,
  action     TEXT NOT NULL,
  details    TEXT NOT NULL,                  -- canonical JSON
  prev_hash  TEXT NOT NULL,
  hash       TEXT NOT NULL                   -- sha256(prev_hash | seq | at | actor | action | details)
);

-- Identities ----------------------------------------------------------------------------
CREATE TABLE person (
  id         INTEGER PRIMARY KEY,
  label      TEXT NOT NULL,
  created_at TEXT NOT NULL
);

CREATE TABLE identifier (
  id         INTEGER PRIMARY KEY,
  kind       TEXT NOT NULL,                  -- phone | jid | lid | telegram_id | username | display_name | owner
  value      TEXT NOT NULL,                  -- as first written
  normalized TEXT NOT NULL,                  -- E.164 for phones; lower-case JIDs; names NFC-trimmed
  scope      TEXT NOT NULL DEFAULT '',       -- '' = global; exhibit id for device-specific names
  context    TEXT NOT NULL DEFAULT '',       -- chat_key for a label seen in one conversation
                                             -- ('' = device-wide: address book, push name):
                                             -- one device may show two people under one label
                                             -- in two chats, so such labels are kept per chat
  country    TEXT,
  person_id  INTEGER REFERENCES person(id),
  UNIQUE (kind, normalized, scope, context)
);
CREATE INDEX identifier_person ON identifier(person_id);

CREATE TABLE alias (                         -- a name a device gives a hard identifier
  id            INTEGER PRIMARY KEY,
  identifier_id INTEGER NOT NULL REFERENCES identifier(id),   -- the hard identifier
  name_id       INTEGER NOT NULL REFERENCES identifier(id),   -- the display_name identifier
  name_kind     TEXT NOT NULL,               -- address_book | push_name | export_label | ...
  exhibit_id    TEXT NOT NULL,
  source_file_id INTEGER REFERENCES source_file(id),
  location      TEXT,
  UNIQUE (identifier_id, name_id, name_kind, exhibit_id)
);

CREATE TABLE person_merge (                  -- every merge/split, with its evidence; undoable
  id          INTEGER PRIMARY KEY,
  op          TEXT NOT NULL,                 -- merge | split | assign
  person_id   INTEGER,
  other_id    INTEGER,
  identifier_id INTEGER,
  reason      TEXT NOT NULL,
  confidence  REAL,
  evidence    TEXT,                          -- JSON
  actor       TEXT NOT NULL,
  at          TEXT NOT NULL,
  undone_at   TEXT
);

-- Chats, messages, events (raw, per source) ----------------------------------------------
CREATE TABLE chat (                          -- resolved conversation (group or 1:1) across exhibits
  id          INTEGER PRIMARY KEY,
  label       TEXT NOT NULL,                 -- stable id for exports, e.g. G-001
  platform    TEXT NOT NULL,
  is_group    INTEGER NOT NULL,
  created_at  TEXT,
  creator_person_id INTEGER REFERENCES person(id)
);

CREATE TABLE chat_obs (                      -- a conversation as one source file records it
  id          INTEGER PRIMARY KEY,
  source_file_id INTEGER NOT NULL REFERENCES source_file(id),
  exhibit_id  TEXT NOT NULL,
  chat_key    TEXT NOT NULL,
  platform    TEXT NOT NULL,
  is_group    INTEGER NOT NULL,
  jid         TEXT,
  name        TEXT,
  created_at  TEXT,
  creator_identifier_id INTEGER REFERENCES identifier(id),
  chat_id     INTEGER REFERENCES chat(id),
  UNIQUE (source_file_id, chat_key)
);
CREATE INDEX chat_obs_jid ON chat_obs(jid);

CREATE TABLE message (
  id          INTEGER PRIMARY KEY,
  chat_obs_id INTEGER NOT NULL REFERENCES chat_obs(id),
  source_file_id INTEGER NOT NULL REFERENCES source_file(id),
  exhibit_id  TEXT NOT NULL,
  message_key TEXT NOT NULL,
  location    TEXT NOT NULL,                 -- line N / row id
  sender_identifier_id INTEGER REFERENCES identifier(id),
  from_me     INTEGER NOT NULL DEFAULT 0,
  time        TEXT,                          -- ISO UTC
  time_raw    TEXT NOT NULL,
  text        TEXT NOT NULL,
  kind        TEXT NOT NULL,
  forwarded   INTEGER,
  forward_score INTEGER,
  key_id      TEXT,
  raw         TEXT,
  UNIQUE (source_file_id, message_key)
);
CREATE INDEX message_chat_time ON message(chat_obs_id, time);
CREATE INDEX message_sender ON message(sender_identifier_id);

CREATE TABLE membership_event (
  id          INTEGER PRIMARY KEY,
  chat_obs_id INTEGER NOT NULL REFERENCES chat_obs(id),
  source_file_id INTEGER NOT NULL REFERENCES source_file(id),
  exhibit_id  TEXT NOT NULL,
  message_id  INTEGER REFERENCES message(id),
  location    TEXT NOT NULL,
  kind        TEXT NOT NULL,
  subject_identifier_id INTEGER REFERENCES identifier(id),
  actor_identifier_id   INTEGER REFERENCES identifier(id),
  time        TEXT,
  time_raw    TEXT NOT NULL DEFAULT '',
  detail      TEXT
);
CREATE INDEX membership_event_chat ON membership_event(chat_obs_id, time);

CREATE TABLE group_member (                  -- current members as a database lists them
  chat_obs_id INTEGER NOT NULL REFERENCES chat_obs(id),
  identifier_id INTEGER NOT NULL REFERENCES identifier(id),
  rank        TEXT NOT NULL,
  source_file_id INTEGER NOT NULL REFERENCES source_file(id),
  location    TEXT,
  PRIMARY KEY (chat_obs_id, identifier_id)
);

-- Media ---------------------------------------------------------------------------------
CREATE TABLE media_ref (                     -- media a message carries, as the parser saw it
  id          INTEGER PRIMARY KEY,
  message_id  INTEGER NOT NULL REFERENCES message(id),
  source_file_id INTEGER NOT NULL REFERENCES source_file(id),
  exhibit_id  TEXT NOT NULL,
  seen_as     TEXT NOT NULL,                 -- file | db_hash | export_attachment | omitted
  path        TEXT,                          -- exhibit path of the file when present
  sha256      TEXT,                          -- recorded by the app, or of the attached file
  mime        TEXT,
  size        INTEGER,
  name        TEXT,
  caption     TEXT,
  location    TEXT
);
CREATE INDEX media_ref_sha256 ON media_ref(sha256);
CREATE INDEX media_ref_message ON media_ref(message_id);

CREATE TABLE media_item (                    -- one per content (SHA-256)
  sha256      TEXT PRIMARY KEY,
  md5         TEXT,
  sha1        TEXT,
  size        INTEGER,
  mime        TEXT,
  width       INTEGER,
  height      INTEGER,
  pdq         TEXT,
  pdq_quality INTEGER,
  pdq_method  TEXT,
  pdq_dihedral TEXT,                         -- JSON: the 8 dihedral PDQs (rotated/flipped copies)
  frames      TEXT,                          -- JSON list of video frame PDQs
  exif_make   TEXT,
  exif_model  TEXT,
  exif_serial TEXT,
  exif_lens_serial TEXT,
  exif_taken  TEXT,
  exif_software TEXT,
  gps_lat     REAL,
  gps_lon     REAL,
  status      TEXT NOT NULL DEFAULT 'unknown', -- known | ignorable | unknown
  category    TEXT,
  family      TEXT,                          -- PDQ-near family id
  triage_error TEXT,
  triaged_at  TEXT
);

CREATE TABLE media_instance (                -- every place a media item was seen
  id          INTEGER PRIMARY KEY,
  sha256      TEXT NOT NULL REFERENCES media_item(sha256),
  exhibit_id  TEXT NOT NULL,
  source_file_id INTEGER REFERENCES source_file(id),  -- the file itself, when present
  path        TEXT,
  message_id  INTEGER REFERENCES message(id),
  seen_as     TEXT NOT NULL,
  UNIQUE (sha256, exhibit_id, path, message_id, seen_as)
);
CREATE INDEX media_instance_sha ON media_instance(sha256);

CREATE TABLE hash_list (
  id          INTEGER PRIMARY KEY,
  name        TEXT NOT NULL UNIQUE,
  kind        TEXT NOT NULL,                 -- illegal | ignorable
  format      TEXT NOT NULL,                 -- vics | csv | pdq | md5 | ...
  path        TEXT NOT NULL,
  sha256      TEXT NOT NULL,
  scheme      TEXT,
  imported_at TEXT NOT NULL,
  entry_count INTEGER NOT NULL DEFAULT 0,
  problem_count INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE hash_entry (
  id          INTEGER PRIMARY KEY,
  list_id     INTEGER NOT NULL REFERENCES hash_list(id),
  algorithm   TEXT NOT NULL,                 -- md5 | sha1 | sha256 | pdq | photodna
  value       TEXT NOT NULL,
  category    TEXT,
  series      TEXT,
  victim_identified INTEGER,
  offender_identified INTEGER,
  is_distributed INTEGER,
  line        INTEGER,
  extra       TEXT
);
CREATE INDEX hash_entry_value ON hash_entry(algorithm, value);

CREATE TABLE match (
  sha256      TEXT NOT NULL REFERENCES media_item(sha256),
  entry_id    INTEGER NOT NULL REFERENCES hash_entry(id),
  algorithm   TEXT NOT NULL,
  distance    INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (sha256, entry_id, algorithm)
);
