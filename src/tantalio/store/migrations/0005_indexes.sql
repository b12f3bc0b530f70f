-- Indexes for network analysis at scale (no schema change).

-- `analyze` looks up each group's recordings by chat (creator, created_at): without this index
-- every group scans all of chat_obs, quadratic in the number of groups.
CREATE INDEX chat_obs_chat ON chat_obs(chat_id);
