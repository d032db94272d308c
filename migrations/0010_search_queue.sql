-- 0010_search_queue: the full-text index is no longer written by the triggers
-- themselves; they queue the ticket, and the commit hook
-- (src/modules/tickets/tickets_search_index.c) re-indexes the queue once per
-- transaction. FTS5 writes a new index segment at every statement savepoint,
-- so indexing inside each write of a group commit cost a segment per ticket.
DROP TRIGGER ticket_search_insert;
DROP TRIGGER ticket_search_update;
DROP TRIGGER ticket_search_comment;

CREATE TABLE ticket_search_queue (
    ticket_id INTEGER PRIMARY KEY
);

CREATE TRIGGER ticket_search_insert AFTER INSERT ON tickets BEGIN
    INSERT OR IGNORE INTO ticket_search_queue (ticket_id) VALUES (new.id);
END;
CREATE TRIGGER ticket_search_update AFTER UPDATE OF subject, description ON tickets BEGIN
    INSERT OR IGNORE INTO ticket_search_queue (ticket_id) VALUES (new.id);
END;
CREATE TRIGGER ticket_search_comment AFTER INSERT ON comments BEGIN
    INSERT OR IGNORE INTO ticket_search_queue (ticket_id) VALUES (new.ticket_id);
END;
