-- The analyst web UI (src/tantalio/web): accounts, sessions, reviewers' categorisations and
-- their daily exposure to revealed media. Nothing here is evidence; categorisation is the
-- reviewers' judgement, kept apart from hash-list categories (media_item.category) and read by
-- the reports for the VICS export.

CREATE TABLE users (
  name          TEXT PRIMARY KEY,
  role          TEXT NOT NULL CHECK (role IN ('admin', 'analyst', 'reviewer')),
  password_hash TEXT NOT NULL,               -- scrypt$N$r$p$salt$hash (base64), see web/passwords.py
  created_at    TEXT NOT NULL,
  disabled      INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE sessions (
  token_hash  TEXT PRIMARY KEY,              -- sha256 of the cookie value; the value itself is never stored
  user_name   TEXT NOT NULL REFERENCES users(name),
  csrf_token  TEXT NOT NULL,
  created_at  TEXT NOT NULL,
  expires_at  TEXT NOT NULL
);
CREATE INDEX sessions_user ON sessions(user_name);

CREATE TABLE categorisation (                -- every decision is kept; the latest per sha256 counts
  id          INTEGER PRIMARY KEY,
  sha256      TEXT NOT NULL REFERENCES media_item(sha256),
  category    TEXT NOT NULL,                 -- a code of the scheme, e.g. projectvic "1"
  scheme      TEXT NOT NULL,                 -- media/hashlists/categories.py scheme name
  user        TEXT NOT NULL,
  at          TEXT NOT NULL
);
CREATE INDEX categorisation_sha256 ON categorisation(sha256, id);

CREATE TABLE exposure (                      -- welfare: media a reviewer revealed, per UTC day
  user        TEXT NOT NULL,
  day         TEXT NOT NULL,                 -- YYYY-MM-DD (UTC)
  reveals     INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (user, day)
);
