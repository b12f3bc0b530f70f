-- Operation scale in bounded memory (issue 16, second round).
--
-- A hash list of ten million media imports in many short transactions, not one: its row says
-- whether it is complete. Matching, reports and the web use only lists in state 'ready'; a list
-- left 'importing' (an import killed or failed midway) or 'removing' is cleaned up by importing
-- it again or by `tantalio hashlist remove`. Lists imported before this migration are complete.
ALTER TABLE hash_list ADD COLUMN state TEXT NOT NULL DEFAULT 'ready'
  CHECK (state IN ('importing', 'ready', 'removing'));

-- The case export reads media one slice of the SHA-256 range at a time: posts by hash.
CREATE INDEX post_sha256 ON post(sha256);
