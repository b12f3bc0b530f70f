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
