-- Network analysis that holds beyond our own generator (issue 12).

-- Stable person labels. A label, once issued, always names the same person: it is anchored on
-- the strongest identifier it named when issued (phone, JID, LID, Telegram id, ...), never
-- renumbered and never reused. A merge keeps the older label and retires the other here, with
-- when and why; a split mints a new label. Not derived: `analyze` only adds and updates rows.
CREATE TABLE person_label (
  label        TEXT PRIMARY KEY,             -- P-0001 ...
  number       INTEGER NOT NULL UNIQUE,      -- 1 for P-0001: new labels continue after the highest
  status       TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'merged', 'retired')),
  anchor_identifier_id INTEGER REFERENCES identifier(id),  -- the identifier it is anchored on (never deleted)
  issued_at    TEXT NOT NULL,
  split_from   TEXT,                         -- minted for part of the person this label named
  merged_into  TEXT,                         -- status 'merged': the label that now names the person
  retired_at   TEXT,
  retired_by   TEXT,                         -- 'analyze', or the analyst whose merge caused it
  reason       TEXT
);

-- What a media post carries, as far as the evidence says (issue 12 item 2): only `image` and
-- `video` count as material for production, distribution, first sightings and priority.
-- NULL: nothing recorded says what it is (then it is not counted).
ALTER TABLE post ADD COLUMN media_kind TEXT;

-- Camera originals found on a person's own exhibit (derived, rebuilt by `analyze`): the files
-- the producer rule weighed, with its verdict. Known material here is a known-series producer
-- lead, which the victim-identification queue puts first.
CREATE TABLE camera_original (
  sha256       TEXT NOT NULL,
  family       TEXT NOT NULL,
  person_id    INTEGER REFERENCES person(id),   -- the exhibit's owner
  exhibit_id   TEXT NOT NULL,
  path         TEXT NOT NULL,
  make         TEXT,
  model        TEXT,
  serial       TEXT,
  taken        TEXT,                            -- ISO UTC: EXIF capture time, else the file's time
  taken_from   TEXT,                            -- exif | file_time | NULL
  folder       TEXT NOT NULL,                   -- camera | received | other (see network/camera.py)
  status       TEXT NOT NULL,                   -- the material's status: unknown | known | ignorable
  known_series INTEGER NOT NULL DEFAULT 0,      -- 1: known material (a hash-list series) shot on this device
  series       TEXT,
  supports_producer INTEGER NOT NULL DEFAULT 0, -- 1 when the producer rule accepted it
  verdict      TEXT NOT NULL,                   -- why it does or does not support the role
  PRIMARY KEY (sha256, exhibit_id, path)
);
CREATE INDEX camera_original_person ON camera_original(person_id);
