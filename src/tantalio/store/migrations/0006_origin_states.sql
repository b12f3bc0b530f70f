-- First sightings carry the origin in three states (NETWORK.md §3.3; issue 12):
--   observed      the earliest copy's own record says it was not forwarded
--   forwarded     it says forwarded: the origin lies outside the seized data
--   undetermined  no record of forward state (every .txt export, some Telegram exports)
-- Only `observed` supports suspected_producer. The table is derived (rebuilt by `analyze`),
-- so it is recreated rather than altered.

DROP TABLE first_sighting;

CREATE TABLE first_sighting (
  family      TEXT PRIMARY KEY,
  sha256      TEXT,
  post_id     INTEGER REFERENCES post(id),
  person_id   INTEGER REFERENCES person(id),
  chat_id     INTEGER REFERENCES chat(id),
  time        TEXT,
  origin      TEXT NOT NULL CHECK (origin IN ('observed', 'forwarded', 'undetermined')),
  note        TEXT
);
