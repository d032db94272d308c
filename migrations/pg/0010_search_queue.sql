-- 0010_search_queue: SQLite only (its FTS5 index is now re-indexed once per
-- transaction from a queue). PostgreSQL's pg_trgm search keeps its own
-- triggers; nothing changes here, the version only keeps both dialects in step.
SELECT 1;
