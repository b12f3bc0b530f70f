-- What the evidence says about the device and its messages beyond the messages themselves
-- (issue 13): the owner's own account, identifiers the evidence ties together, things done to
-- a message after it was sent, and group members a database lists as no longer active.

CREATE TABLE device_account (                -- the device owner's account, as the evidence names it
  id            INTEGER PRIMARY KEY,
  exhibit_id    TEXT NOT NULL,
  source_file_id INTEGER NOT NULL REFERENCES source_file(id),
  identifier_id INTEGER NOT NULL REFERENCES identifier(id),
  app           TEXT NOT NULL,               -- com.whatsapp | com.whatsapp.w4b | net.whatsapp.WhatsApp | telegram ...
  basis         TEXT NOT NULL,               -- what in the file shows it
  location      TEXT NOT NULL DEFAULT '',
  UNIQUE (exhibit_id, source_file_id, identifier_id, basis)
);
CREATE INDEX device_account_exhibit ON device_account(exhibit_id);

CREATE TABLE identity_link (                 -- two hard identifiers one record gives for one account
  id            INTEGER PRIMARY KEY,
  exhibit_id    TEXT NOT NULL,
  source_file_id INTEGER NOT NULL REFERENCES source_file(id),
  identifier_id INTEGER NOT NULL REFERENCES identifier(id),
  other_id      INTEGER NOT NULL REFERENCES identifier(id),
  basis         TEXT NOT NULL,
  location      TEXT NOT NULL DEFAULT '',
  applied       INTEGER NOT NULL DEFAULT 0,  -- 1 when it was written to person_merge as evidence
  UNIQUE (exhibit_id, source_file_id, identifier_id, other_id)
);
CREATE INDEX identity_link_identifier ON identity_link(identifier_id);
CREATE INDEX identity_link_other ON identity_link(other_id);

CREATE TABLE message_update (                -- reactions, edits, deletions for everyone, albums
  id            INTEGER PRIMARY KEY,
  message_id    INTEGER NOT NULL REFERENCES message(id),   -- the message it targets
  source_file_id INTEGER NOT NULL REFERENCES source_file(id),
  exhibit_id    TEXT NOT NULL,
  kind          TEXT NOT NULL,               -- reaction | reaction_removed | edited | deleted_for_everyone | album_member
  actor_identifier_id INTEGER REFERENCES identifier(id),
  time          TEXT,
  time_raw      TEXT NOT NULL DEFAULT '',
  detail        TEXT,
  related_message_id INTEGER REFERENCES message(id),      -- album_member: the album's parent message
  location      TEXT NOT NULL DEFAULT ''
);
CREATE INDEX message_update_message ON message_update(message_id);

-- A member a database still lists after they left (iOS ZISACTIVE=0): 0 = past member, departure
-- time unknown. Readers that want current members only filter on it.
ALTER TABLE group_member ADD COLUMN active INTEGER NOT NULL DEFAULT 1;
