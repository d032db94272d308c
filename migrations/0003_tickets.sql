-- 0003_tickets: the full service-request model: workflows and ticket types as
-- data, custom fields, categories and fault codes, tags, watchers, comments,
-- attachments, links, saved views, per-status counters and full-text search.

-- A workflow: its statuses, initial status and transitions, as one validated JSON
-- document (see src/modules/tickets/workflow.c for the shape and the rules).
CREATE TABLE workflows (
    id         INTEGER PRIMARY KEY,
    key        TEXT NOT NULL UNIQUE,
    name       TEXT NOT NULL,
    definition TEXT NOT NULL,
    version    INTEGER NOT NULL DEFAULT 1,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);

CREATE TABLE ticket_types (
    id          INTEGER PRIMARY KEY,
    key         TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    workflow_id INTEGER NOT NULL REFERENCES workflows(id),
    active      INTEGER NOT NULL DEFAULT 1,
    position    INTEGER NOT NULL DEFAULT 0,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);

-- Admin-defined fields; `ticket_types` is a JSON array of type keys ([] = all).
CREATE TABLE custom_fields (
    id           INTEGER PRIMARY KEY,
    key          TEXT NOT NULL UNIQUE,
    definition   TEXT NOT NULL,
    active       INTEGER NOT NULL DEFAULT 1,
    position     INTEGER NOT NULL DEFAULT 0,
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL
);

-- Two trees in one table: kind 'category' (what the request is about) and
-- 'fault_code' (what was wrong).
CREATE TABLE categories (
    id         INTEGER PRIMARY KEY,
    kind       TEXT NOT NULL,
    parent_id  INTEGER REFERENCES categories(id),
    code       TEXT,
    name       TEXT NOT NULL,
    active     INTEGER NOT NULL DEFAULT 1,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX categories_parent ON categories(kind, parent_id);

ALTER TABLE tickets ADD COLUMN type_id INTEGER REFERENCES ticket_types(id);
ALTER TABLE tickets ADD COLUMN status_category TEXT NOT NULL DEFAULT 'new';
ALTER TABLE tickets ADD COLUMN channel TEXT NOT NULL DEFAULT 'internal';
ALTER TABLE tickets ADD COLUMN category_id INTEGER REFERENCES categories(id);
ALTER TABLE tickets ADD COLUMN fault_code_id INTEGER REFERENCES categories(id);
ALTER TABLE tickets ADD COLUMN group_id INTEGER REFERENCES groups(id);
ALTER TABLE tickets ADD COLUMN tags TEXT NOT NULL DEFAULT '[]';
ALTER TABLE tickets ADD COLUMN watchers TEXT NOT NULL DEFAULT '[]';
ALTER TABLE tickets ADD COLUMN custom TEXT NOT NULL DEFAULT '{}';
ALTER TABLE tickets ADD COLUMN resolution_code TEXT;
ALTER TABLE tickets ADD COLUMN resolution TEXT;
ALTER TABLE tickets ADD COLUMN merged_into_id INTEGER REFERENCES tickets(id);
ALTER TABLE tickets ADD COLUMN priority_rank INTEGER NOT NULL DEFAULT 1;
CREATE INDEX tickets_category_status ON tickets(status_category, id);
CREATE INDEX tickets_group ON tickets(group_id, status_category, id);
CREATE INDEX tickets_assignee_cat ON tickets(assignee_id, status_category, id);
CREATE INDEX tickets_org_cat ON tickets(organisation_id, status_category, id);
CREATE INDEX tickets_updated ON tickets(updated_at, id);
DROP INDEX tickets_assignee;
DROP INDEX tickets_organisation;

-- Tags and watchers again as rows, for filters ("tagged X", "watched by me").
CREATE TABLE ticket_tags (
    ticket_id INTEGER NOT NULL REFERENCES tickets(id),
    tag       TEXT NOT NULL,
    PRIMARY KEY (tag, ticket_id)
);
CREATE INDEX ticket_tags_ticket ON ticket_tags(ticket_id);

CREATE TABLE ticket_watchers (
    ticket_id INTEGER NOT NULL REFERENCES tickets(id),
    user_id   INTEGER NOT NULL REFERENCES users(id),
    PRIMARY KEY (user_id, ticket_id)
);
CREATE INDEX ticket_watchers_ticket ON ticket_watchers(ticket_id);

-- Public replies (internal = 0) and internal notes (internal = 1).
CREATE TABLE comments (
    id         INTEGER PRIMARY KEY,
    ticket_id  INTEGER NOT NULL REFERENCES tickets(id),
    author_id  INTEGER REFERENCES users(id),
    author     TEXT NOT NULL,
    body       TEXT NOT NULL,
    internal   INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL
);
CREATE INDEX comments_ticket ON comments(ticket_id, id);

-- Files, stored once under their SHA-256 in the data directory. A file belongs
-- to an entity ('ticket', later 'work_order', 'article'...) and optionally to a
-- comment; an internal comment's files are internal too.
CREATE TABLE attachments (
    id           INTEGER PRIMARY KEY,
    entity       TEXT NOT NULL,
    entity_id    INTEGER NOT NULL,
    comment_id   INTEGER REFERENCES comments(id),
    internal     INTEGER NOT NULL DEFAULT 0,
    sha256       TEXT NOT NULL,
    filename     TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size         INTEGER NOT NULL,
    uploaded_by  INTEGER REFERENCES users(id),
    created_at   INTEGER NOT NULL
);
CREATE INDEX attachments_entity ON attachments(entity, entity_id, id);
CREATE INDEX attachments_comment ON attachments(comment_id);

-- from_id <kind> to_id: kind is child_of, duplicate_of or related_to.
CREATE TABLE ticket_links (
    from_id    INTEGER NOT NULL REFERENCES tickets(id),
    to_id      INTEGER NOT NULL REFERENCES tickets(id),
    kind       TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (from_id, to_id)
);
CREATE INDEX ticket_links_to ON ticket_links(to_id);

-- Named filters per user: the list's query string, sort and columns.
CREATE TABLE saved_views (
    id         INTEGER PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users(id),
    name       TEXT NOT NULL,
    query      TEXT NOT NULL,
    columns    TEXT NOT NULL DEFAULT '[]',
    position   INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    UNIQUE (user_id, name)
);

-- Open work per status, kept in the same transaction as every ticket write, so
-- queue tabs count 10 million tickets without scanning them. dim is 'all',
-- 'group', 'assignee' or 'organisation'; key is that id (0 for 'all'/none).
CREATE TABLE ticket_counts (
    dim      TEXT NOT NULL,
    key      INTEGER NOT NULL,
    category TEXT NOT NULL,
    status   TEXT NOT NULL,
    n        INTEGER NOT NULL,
    PRIMARY KEY (dim, key, category, status)
);

INSERT INTO permissions (role, resource, action) VALUES
    ('admin', 'tickets', 'comment'), ('manager', 'tickets', 'comment'),
    ('dispatcher', 'tickets', 'comment'), ('agent', 'tickets', 'comment'),
    ('engineer', 'tickets', 'comment'), ('customer', 'tickets', 'comment'),
    ('admin', 'tickets', 'bulk'), ('manager', 'tickets', 'bulk'),
    ('dispatcher', 'tickets', 'bulk'), ('agent', 'tickets', 'bulk'),
    ('admin', 'tickets', 'merge'), ('manager', 'tickets', 'merge'),
    ('dispatcher', 'tickets', 'merge'), ('agent', 'tickets', 'merge'),
    ('admin', 'tickets', 'export'), ('manager', 'tickets', 'export'),
    ('dispatcher', 'tickets', 'export'), ('agent', 'tickets', 'export'),
    ('finance', 'tickets', 'export'),
    ('admin', 'ticket_config', 'read'), ('manager', 'ticket_config', 'read'),
    ('dispatcher', 'ticket_config', 'read'), ('agent', 'ticket_config', 'read'),
    ('engineer', 'ticket_config', 'read'), ('warehouse', 'ticket_config', 'read'),
    ('finance', 'ticket_config', 'read'), ('customer', 'ticket_config', 'read'),
    ('admin', 'ticket_config', 'manage');

-- Full-text search over subject, description, public replies and internal notes,
-- case-insensitive trigrams (works for Chinese as for English). rowid = ticket id.
-- Kept by triggers; the PostgreSQL backend uses pg_trgm instead.
CREATE VIRTUAL TABLE ticket_search USING fts5(subject, description, replies, notes,
                                              tokenize = 'trigram');
INSERT INTO ticket_search (rowid, subject, description, replies, notes)
    SELECT id, subject, description, '', '' FROM tickets;
CREATE TRIGGER ticket_search_insert AFTER INSERT ON tickets BEGIN
    INSERT INTO ticket_search (rowid, subject, description, replies, notes)
        VALUES (new.id, new.subject, new.description, '', '');
END;
CREATE TRIGGER ticket_search_update AFTER UPDATE OF subject, description ON tickets BEGIN
    UPDATE ticket_search SET subject = new.subject, description = new.description
        WHERE rowid = new.id;
END;
CREATE TRIGGER ticket_search_comment AFTER INSERT ON comments BEGIN
    UPDATE ticket_search SET replies = replies || char(10) || new.body
        WHERE rowid = new.ticket_id AND new.internal = 0;
    UPDATE ticket_search SET notes = notes || char(10) || new.body
        WHERE rowid = new.ticket_id AND new.internal = 1;
END;

-- The default workflows and ticket types.
INSERT INTO workflows (id, key, name, definition, created_at, updated_at) VALUES
(1, 'repair', 'Repair', '{"initial":"new","statuses":[
  {"key":"new","name":"New","category":"new","pauses_sla":false},
  {"key":"assigned","name":"Assigned","category":"open","pauses_sla":false},
  {"key":"in_progress","name":"In progress","category":"open","pauses_sla":false},
  {"key":"pending_customer","name":"Pending customer","category":"pending","pauses_sla":true},
  {"key":"resolved","name":"Resolved","category":"resolved","pauses_sla":false},
  {"key":"pending_followup","name":"Pending follow-up","category":"resolved","pauses_sla":false},
  {"key":"closed","name":"Closed","category":"closed","pauses_sla":false}],
 "transitions":[
  {"from":"new","to":"assigned","name":"Assign","roles":[],"requires":["assignee_id"]},
  {"from":"new","to":"in_progress","name":"Start work","roles":[],"requires":[]},
  {"from":"assigned","to":"in_progress","name":"Start work","roles":[],"requires":[]},
  {"from":"in_progress","to":"pending_customer","name":"Wait for customer","roles":[],"requires":[]},
  {"from":"pending_customer","to":"in_progress","name":"Resume","roles":[],"requires":[]},
  {"from":"in_progress","to":"resolved","name":"Resolve","roles":[],"requires":["resolution_code"]},
  {"from":"pending_customer","to":"resolved","name":"Resolve","roles":[],"requires":["resolution_code"]},
  {"from":"resolved","to":"pending_followup","name":"Follow up","roles":[],"requires":[]},
  {"from":"resolved","to":"closed","name":"Close","roles":[],"requires":[]},
  {"from":"pending_followup","to":"closed","name":"Close","roles":[],"requires":[]},
  {"from":"resolved","to":"in_progress","name":"Reopen","roles":[],"requires":[]},
  {"from":"pending_followup","to":"in_progress","name":"Reopen","roles":[],"requires":[]},
  {"from":"closed","to":"in_progress","name":"Reopen","roles":["admin","manager","agent"],"requires":[]},
  {"from":"*","to":"closed","name":"Cancel","roles":["admin","manager"],"requires":["resolution_code"]}]}', 0, 0),
(2, 'simple', 'Simple', '{"initial":"new","statuses":[
  {"key":"new","name":"New","category":"new","pauses_sla":false},
  {"key":"open","name":"Open","category":"open","pauses_sla":false},
  {"key":"pending","name":"Pending","category":"pending","pauses_sla":true},
  {"key":"resolved","name":"Resolved","category":"resolved","pauses_sla":false},
  {"key":"closed","name":"Closed","category":"closed","pauses_sla":false}],
 "transitions":[
  {"from":"new","to":"open","name":"Open","roles":[],"requires":[]},
  {"from":"new","to":"resolved","name":"Resolve","roles":[],"requires":[]},
  {"from":"open","to":"pending","name":"Wait for customer","roles":[],"requires":[]},
  {"from":"pending","to":"open","name":"Resume","roles":[],"requires":[]},
  {"from":"open","to":"resolved","name":"Resolve","roles":[],"requires":[]},
  {"from":"pending","to":"resolved","name":"Resolve","roles":[],"requires":[]},
  {"from":"resolved","to":"closed","name":"Close","roles":[],"requires":[]},
  {"from":"resolved","to":"open","name":"Reopen","roles":[],"requires":[]},
  {"from":"closed","to":"open","name":"Reopen","roles":["admin","manager","agent"],"requires":[]}]}', 0, 0),
(3, 'rma', 'Return (RMA)', '{"initial":"new","statuses":[
  {"key":"new","name":"New","category":"new","pauses_sla":false},
  {"key":"authorised","name":"Authorised","category":"open","pauses_sla":false},
  {"key":"awaiting_return","name":"Awaiting return","category":"pending","pauses_sla":true},
  {"key":"received","name":"Received","category":"open","pauses_sla":false},
  {"key":"inspecting","name":"Inspecting","category":"open","pauses_sla":false},
  {"key":"resolved","name":"Resolved","category":"resolved","pauses_sla":false},
  {"key":"closed","name":"Closed","category":"closed","pauses_sla":false}],
 "transitions":[
  {"from":"new","to":"authorised","name":"Authorise","roles":[],"requires":[]},
  {"from":"authorised","to":"awaiting_return","name":"Await return","roles":[],"requires":[]},
  {"from":"awaiting_return","to":"received","name":"Receive","roles":[],"requires":[]},
  {"from":"received","to":"inspecting","name":"Inspect","roles":[],"requires":[]},
  {"from":"inspecting","to":"resolved","name":"Resolve","roles":[],"requires":["resolution_code"]},
  {"from":"resolved","to":"closed","name":"Close","roles":[],"requires":[]},
  {"from":"resolved","to":"inspecting","name":"Reopen","roles":[],"requires":[]},
  {"from":"*","to":"closed","name":"Cancel","roles":["admin","manager"],"requires":["resolution_code"]}]}', 0, 0);

INSERT INTO ticket_types (id, key, name, workflow_id, position, created_at, updated_at) VALUES
    (1, 'repair', 'Repair', 1, 1, 0, 0),
    (2, 'installation', 'Installation', 1, 2, 0, 0),
    (3, 'maintenance', 'Preventive maintenance', 1, 3, 0, 0),
    (4, 'consultation', 'Consultation', 2, 4, 0, 0),
    (5, 'complaint', 'Complaint', 2, 5, 0, 0),
    (6, 'rma', 'Return (RMA)', 3, 6, 0, 0);

-- Tickets from before workflows become repairs with the matching status.
UPDATE tickets SET type_id = 1,
    status = CASE status WHEN 'open' THEN 'in_progress' WHEN 'pending' THEN 'pending_customer'
                         ELSE status END,
    status_category = CASE status WHEN 'open' THEN 'open' ELSE status END,
    priority_rank = CASE priority WHEN 'low' THEN 0 WHEN 'high' THEN 2 WHEN 'urgent' THEN 3
                                  ELSE 1 END;
INSERT INTO ticket_counts (dim, key, category, status, n)
    SELECT 'all', 0, status_category, status, count(*) FROM tickets
    GROUP BY status_category, status;
INSERT INTO ticket_counts (dim, key, category, status, n)
    SELECT 'group', 0, status_category, status, count(*) FROM tickets
    GROUP BY status_category, status;
INSERT INTO ticket_counts (dim, key, category, status, n)
    SELECT 'assignee', coalesce(assignee_id, 0), status_category, status, count(*) FROM tickets
    GROUP BY coalesce(assignee_id, 0), status_category, status;
INSERT INTO ticket_counts (dim, key, category, status, n)
    SELECT 'organisation', coalesce(organisation_id, 0), status_category, status, count(*)
    FROM tickets GROUP BY coalesce(organisation_id, 0), status_category, status;
