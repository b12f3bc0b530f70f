-- The analyst's workspace (issue 15): full-text search, account protection, server-side reveal
-- grants and reviewer welfare. Nothing here is evidence. The search index is derived from the
-- raw observations of 0001 (never from analysis results, so `analyze` re-runs leave it valid)
-- and is filled by src/tantalio/web/search/index.py, not by triggers: ingest stays as fast as it
-- was, and the index catches up by row-id watermark (the web app in the background, `tantalio
-- search` before it answers).

-- Search ------------------------------------------------------------------------------------
-- Message text, indexed where it lives (external content: the text is not stored twice).
-- unicode61 with remove_diacritics 2 folds case and accents: "buenas noches" finds "Buenas Noches",
-- "jose" finds "José".
CREATE VIRTUAL TABLE search_message USING fts5(
  text, content='message', content_rowid='id', tokenize='unicode61 remove_diacritics 2'
);

-- Everything else that is searched by its words: names and numbers (identifier), conversation
-- names and JIDs (chat_obs), evidence file paths and digests (source_file), attachment names and
-- captions (media_ref), media digests, PDQ and EXIF camera make/model/serial (media_item).
CREATE VIRTUAL TABLE search_entity USING fts5(body, tokenize='unicode61 remove_diacritics 2');

CREATE TABLE search_doc (                    -- what each search_entity row stands for
  id     INTEGER PRIMARY KEY,                -- = search_entity.rowid
  kind   TEXT NOT NULL,                      -- identifier | chat | file | attachment | media
  ref    TEXT NOT NULL,                      -- the row id (sha256 for media)
  stamp  TEXT,                               -- media: what the indexed text was built from
  UNIQUE (kind, ref)
);

CREATE TABLE search_state (                  -- how far each kind is indexed
  kind   TEXT PRIMARY KEY,
  mark   INTEGER NOT NULL DEFAULT 0,         -- highest source row id indexed
  rows   INTEGER NOT NULL DEFAULT 0,         -- source rows up to mark when indexed (detects deletions)
  stamp  TEXT                                -- media: fingerprint of media_item when last compared
);

-- Accounts ----------------------------------------------------------------------------------
ALTER TABLE users ADD COLUMN must_change_password INTEGER NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN password_changed_at TEXT;
ALTER TABLE sessions ADD COLUMN last_seen_at TEXT;    -- idle expiry; refreshed at most once a minute
ALTER TABLE sessions ADD COLUMN client TEXT;

CREATE TABLE login_throttle (                -- failed logins per account ('user:NAME') and per client address ('addr:IP')
  key           TEXT PRIMARY KEY,
  failures      INTEGER NOT NULL,
  last_failure  TEXT NOT NULL,
  next_allowed  TEXT,                        -- growing delay: no attempt is checked before this
  locked_until  TEXT                         -- lockout after too many failures
);

CREATE TABLE admin_notice (                  -- told to every admin at their next login
  id       INTEGER PRIMARY KEY,
  at       TEXT NOT NULL,
  actor    TEXT NOT NULL,
  subject  TEXT NOT NULL,                    -- the account concerned
  text     TEXT NOT NULL
);
CREATE TABLE admin_notice_seen (
  notice_id INTEGER NOT NULL REFERENCES admin_notice(id),
  admin     TEXT NOT NULL,
  seen_at   TEXT NOT NULL,
  PRIMARY KEY (notice_id, admin)
);

-- Media review --------------------------------------------------------------------------------
CREATE TABLE reveal_grant (                  -- one reveal at a time, per reviewer, enforced here
  user        TEXT PRIMARY KEY,
  sha256      TEXT NOT NULL,
  token_hash  TEXT NOT NULL,                 -- sha256 of the one-time token the page fetches with
  granted_at  TEXT NOT NULL,
  expires_at  TEXT NOT NULL,
  fetched     INTEGER NOT NULL DEFAULT 0
);

ALTER TABLE exposure ADD COLUMN previews INTEGER NOT NULL DEFAULT 0;
ALTER TABLE exposure ADD COLUMN run_started_at TEXT;  -- start of the current stretch without a break
ALTER TABLE exposure ADD COLUMN last_reveal_at TEXT;

CREATE TABLE web_setting (                   -- settings admins change from the web UI
  key    TEXT PRIMARY KEY,
  value  TEXT NOT NULL
);

-- The audit page filters by action and actor.
CREATE INDEX audit_event_action ON audit_event(action, seq);
CREATE INDEX audit_event_actor ON audit_event(actor, seq);
