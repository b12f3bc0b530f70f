-- Network analysis, additions to 0002 (derived, rebuilt by `analyze` like 0002's tables).

CREATE TABLE membership_spell (              -- when a person was in a group: "members at any moment"
  chat_id     INTEGER NOT NULL REFERENCES chat(id),
  person_id   INTEGER NOT NULL REFERENCES person(id),
  start       TEXT,                          -- NULL: already a member when the records begin
  end         TEXT,                          -- NULL: still a member when the records end
  start_kind  TEXT,                          -- the event that opened it, or 'observed'
  end_kind    TEXT
);
CREATE INDEX membership_spell_chat ON membership_spell(chat_id, person_id);
CREATE INDEX membership_spell_person ON membership_spell(person_id);

CREATE TABLE chat_obs_alignment (            -- how each recording of a group was tied to the group
  chat_obs_id INTEGER PRIMARY KEY REFERENCES chat_obs(id),
  chat_id     INTEGER NOT NULL REFERENCES chat(id),
  offset_s    REAL NOT NULL DEFAULT 0,       -- seconds added to its times to reach the reference clock
  reference_obs_id INTEGER,
  matched     INTEGER NOT NULL DEFAULT 0,    -- messages/events matched with the reference recording
  reasons     TEXT NOT NULL DEFAULT '[]'     -- JSON: why it joined the group (JID, overlap, name)
);
