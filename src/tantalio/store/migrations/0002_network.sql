-- Network analysis results (DESIGN.md §3 "person", "chat"; NETWORK.md roles and origin).
-- Everything here is derived from the raw observations of 0001 and is rebuilt by `analyze`;
-- manual person merges/splits live in person_merge (0001) and are replayed on rebuild.

CREATE TABLE chat_name (                     -- every name a group had, with when it was seen
  chat_id     INTEGER NOT NULL REFERENCES chat(id),
  name        TEXT NOT NULL,
  first_seen  TEXT,
  last_seen   TEXT,
  PRIMARY KEY (chat_id, name)
);

CREATE TABLE group_event (                   -- membership history merged across exhibits
  id          INTEGER PRIMARY KEY,
  chat_id     INTEGER NOT NULL REFERENCES chat(id),
  kind        TEXT NOT NULL,                 -- created | added | joined_link | left | removed | admin_granted | ...
  person_id   INTEGER REFERENCES person(id), -- member concerned (creator for created)
  actor_person_id INTEGER REFERENCES person(id),
  time        TEXT,
  detail      TEXT,
  sources     TEXT NOT NULL,                 -- JSON list of membership_event ids it was merged from
  confidence  REAL NOT NULL DEFAULT 1.0
);
CREATE INDEX group_event_chat ON group_event(chat_id, time);

CREATE TABLE post (                          -- a group message carrying media, de-duplicated across phones
  id          INTEGER PRIMARY KEY,
  chat_id     INTEGER NOT NULL REFERENCES chat(id),
  person_id   INTEGER REFERENCES person(id),
  time        TEXT,
  sha256      TEXT,
  family      TEXT,                          -- PDQ-near family (media_item.family)
  forwarded   INTEGER,
  message_ids TEXT NOT NULL                  -- JSON list: the same message as seen on each phone
);
CREATE INDEX post_family ON post(family, time);

CREATE TABLE first_sighting (
  family      TEXT PRIMARY KEY,
  sha256      TEXT,
  post_id     INTEGER REFERENCES post(id),
  person_id   INTEGER REFERENCES person(id),
  chat_id     INTEGER REFERENCES chat(id),
  time        TEXT,
  origin_observed INTEGER NOT NULL,          -- 0 when the earliest copy already carried a forwarded flag
  note        TEXT
);

CREATE TABLE propagation_edge (
  post_id     INTEGER PRIMARY KEY REFERENCES post(id),
  parent_post_id INTEGER REFERENCES post(id),
  confidence  REAL NOT NULL,
  alternatives TEXT                          -- JSON list of other candidate parent post ids
);

CREATE TABLE person_role (
  person_id   INTEGER NOT NULL REFERENCES person(id),
  role        TEXT NOT NULL,                 -- producer | suspected_producer | distributor | administrator | bridge | consumer
  confidence  REAL NOT NULL DEFAULT 1.0,
  evidence    TEXT NOT NULL,                 -- JSON list of {"text", "exhibit", "path", "location", "sha256", "chat"}
  PRIMARY KEY (person_id, role)
);

CREATE TABLE person_score (
  person_id   INTEGER PRIMARY KEY REFERENCES person(id),
  priority    REAL NOT NULL,
  explanation TEXT NOT NULL,                 -- JSON: the terms of the priority score
  community   INTEGER,
  betweenness REAL,
  kpp_rank    INTEGER,                       -- rank in the key-player (fragmentation) removal order
  groups      INTEGER NOT NULL DEFAULT 0,
  messages    INTEGER NOT NULL DEFAULT 0,
  media_posted INTEGER NOT NULL DEFAULT 0,
  known_posted INTEGER NOT NULL DEFAULT 0,
  unknown_posted INTEGER NOT NULL DEFAULT 0,
  first_posts INTEGER NOT NULL DEFAULT 0
);
