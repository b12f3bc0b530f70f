-- One vocabulary for a membership event (issue 12 item 6), stable group labels, and each
-- exhibit's owner as the analysis found it (issue 13 item 1).

-- Membership events ---------------------------------------------------------------------------
-- The case export (schema tantalio.case/1, DESIGN.md §4) is the public contract: a membership is
-- {"group", "person", "event", "time", "by"}. The record (MembershipEventRecord: event, person,
-- by) and both tables now use the same names: `event` the kind of event, `person` the member
-- concerned (the creator for `created`), `by` who did it. (`by` is an SQL keyword, so the id
-- columns carry their suffix.)
ALTER TABLE membership_event RENAME COLUMN kind TO event;
ALTER TABLE membership_event RENAME COLUMN subject_identifier_id TO person_identifier_id;
ALTER TABLE membership_event RENAME COLUMN actor_identifier_id TO by_identifier_id;
ALTER TABLE group_event RENAME COLUMN kind TO event;
ALTER TABLE group_event RENAME COLUMN actor_person_id TO by_person_id;

-- Exhibit owners -------------------------------------------------------------------------------
-- The person each exhibit was seized from, as network analysis resolved them: the --owner phone,
-- or, without it, the device's own account as the evidence names it (device_account: the
-- registration JID, OwnJabberID, Telegram's personal_information...). Derived, rebuilt by every
-- `analyze` with the other network tables; every reader (dossiers, VID queue, packages, export,
-- web) uses it instead of matching exhibit.owner_phone, which is empty when --owner was not given.
CREATE TABLE exhibit_owner (
  exhibit_id  TEXT PRIMARY KEY REFERENCES exhibit(id),
  person_id   INTEGER NOT NULL REFERENCES person(id),
  basis       TEXT NOT NULL                  -- what shows it: "--owner +44…", "the evidence: com.whatsapp: …"
);
CREATE INDEX exhibit_owner_person ON exhibit_owner(person_id);

-- Stable group labels -------------------------------------------------------------------------
-- G-001 (groups) and C-0001 (one-to-one chats) were numbered afresh by every `analyze`, oldest
-- first: an exhibit bringing an older group moved every label cited in reports and exports. A
-- label, once issued, now follows its anchor (network/group_labels.py), as person labels do.
CREATE TABLE chat_label (
  label        TEXT PRIMARY KEY,             -- G-001, C-0001 ...
  prefix       TEXT NOT NULL,                -- 'G-' or 'C-'
  number       INTEGER NOT NULL,             -- new labels continue after the highest ever issued
  status       TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'merged', 'retired')),
  anchor       TEXT NOT NULL,                -- 'jid:…@g.us', 'telegram:<chat id>', or 'EX-01|<chat key>'
  issued_at    TEXT NOT NULL,
  merged_into  TEXT,                         -- status 'merged': the label that now names the conversation
  retired_at   TEXT,
  reason       TEXT,
  UNIQUE (prefix, number)
);
