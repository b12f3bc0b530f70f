-- Hash lists read faithfully (issue 14 item 9).
-- A list keeps what it says about itself (VICS version and profile), the analyst's map of its
-- category codes (an unknown code is uncategorised, never illegal, until mapped), how many
-- duplicate rows it held, and whether the analyst accepted a partial import of a broken file.
ALTER TABLE hash_list ADD COLUMN version TEXT;
ALTER TABLE hash_list ADD COLUMN profile TEXT;
ALTER TABLE hash_list ADD COLUMN category_map TEXT;
ALTER TABLE hash_list ADD COLUMN algorithm TEXT;
ALTER TABLE hash_list ADD COLUMN duplicate_count INTEGER NOT NULL DEFAULT 0;
ALTER TABLE hash_list ADD COLUMN partial INTEGER NOT NULL DEFAULT 0;

-- Duplicate rows of one list are stored once: the unique index below refuses them. Rows that
-- older imports stored twice are folded into their first copy first (matches re-pointed).
UPDATE OR IGNORE match SET entry_id = (
  SELECT min(k.id) FROM hash_entry k JOIN hash_entry e ON e.id = match.entry_id
  WHERE k.list_id = e.list_id AND k.algorithm = e.algorithm AND k.value = e.value
    AND coalesce(k.category, '') = coalesce(e.category, '') AND coalesce(k.series, '') = coalesce(e.series, ''));
DELETE FROM match WHERE entry_id NOT IN (
  SELECT min(id) FROM hash_entry GROUP BY list_id, algorithm, value, coalesce(category, ''), coalesce(series, ''));
DELETE FROM hash_entry WHERE id NOT IN (
  SELECT min(id) FROM hash_entry GROUP BY list_id, algorithm, value, coalesce(category, ''), coalesce(series, ''));
UPDATE hash_list SET entry_count = (SELECT count(*) FROM hash_entry WHERE list_id = hash_list.id);

-- Serves lookups by (algorithm, value) as the index it replaces did.
DROP INDEX hash_entry_value;
CREATE UNIQUE INDEX hash_entry_once ON hash_entry(algorithm, value, list_id, coalesce(category, ''), coalesce(series, ''));
