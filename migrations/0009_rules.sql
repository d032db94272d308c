-- 0009_rules: the rules engine. Rules are data (condition text, actions JSON),
-- evaluated in (position, id) order; rule_epoch moves on every change so each
-- thread's compiled copy knows when to rebuild. Firings are counted in 8
-- shards per rule (the shard by ticket id) so busy rules do not serialise
-- ticket writes on one row. Time rules remember each (rule, ticket, status
-- entry) they fired for, so restarts and other nodes never fire them twice.
-- Round robin remembers the last user chosen per group.

CREATE TABLE rules (
    id              INTEGER PRIMARY KEY,
    name            TEXT NOT NULL UNIQUE,
    description     TEXT NOT NULL DEFAULT '',
    active          INTEGER NOT NULL DEFAULT 1,
    position        INTEGER NOT NULL DEFAULT 0,
    triggers        TEXT NOT NULL DEFAULT '[]',
    condition       TEXT NOT NULL DEFAULT '',
    actions         TEXT NOT NULL DEFAULT '[]',
    stop_processing INTEGER NOT NULL DEFAULT 0,
    version         INTEGER NOT NULL DEFAULT 1,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL
);
CREATE INDEX rules_order ON rules(position, id);

CREATE TABLE rule_epoch (
    id    INTEGER PRIMARY KEY,
    value INTEGER NOT NULL
);
-- id 1: the epoch; id 2: the time sweep's cursor (the last ticket id it visited)
INSERT INTO rule_epoch (id, value) VALUES (1, 1), (2, 0);

CREATE TABLE rule_counters (
    rule_id       INTEGER NOT NULL REFERENCES rules(id) ON DELETE CASCADE,
    shard         INTEGER NOT NULL,
    fired_count   INTEGER NOT NULL DEFAULT 0,
    last_fired_at INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (rule_id, shard)
);

CREATE TABLE rule_time_firings (
    rule_id     INTEGER NOT NULL REFERENCES rules(id) ON DELETE CASCADE,
    ticket_id   INTEGER NOT NULL REFERENCES tickets(id),
    status_since INTEGER NOT NULL,
    fired_at    INTEGER NOT NULL,
    PRIMARY KEY (rule_id, ticket_id, status_since)
);

CREATE TABLE rule_round_robin (
    group_id     INTEGER PRIMARY KEY REFERENCES groups(id),
    last_user_id INTEGER NOT NULL
);

-- skills: users have them, categories require them, tickets carry the required ones
ALTER TABLE users ADD COLUMN skills TEXT NOT NULL DEFAULT '[]';
ALTER TABLE users ADD COLUMN available INTEGER NOT NULL DEFAULT 1;
ALTER TABLE categories ADD COLUMN skills TEXT NOT NULL DEFAULT '[]';
ALTER TABLE tickets ADD COLUMN required_skills TEXT NOT NULL DEFAULT '[]';

INSERT INTO permissions (role, resource, action) VALUES
    ('admin', 'rules', 'read'), ('manager', 'rules', 'read'), ('dispatcher', 'rules', 'read'),
    ('admin', 'rules', 'manage'), ('manager', 'rules', 'manage');

INSERT INTO email_templates (kind, language, subject, body_text, body_html, updated_at) VALUES
('rule.notify', 'en', '[{{ticket.number}}] {{rule.message}}',
 'Hello {{recipient.name}},

{{rule.message}}

{{ticket.number}}: {{ticket.subject}} ({{ticket.status}}, {{ticket.priority}})
{{link}}
', '<p>Hello {{recipient.name}},</p><p>{{rule.message}}</p><p><a href="{{link}}">{{ticket.number}}</a>: {{ticket.subject}}</p>', 0),
('rule.notify', 'zh-CN', '[{{ticket.number}}] {{rule.message}}',
 '{{recipient.name}}，您好：

{{rule.message}}

{{ticket.number}}：{{ticket.subject}}（{{ticket.status}}，{{ticket.priority}}）
{{link}}
', '<p>{{recipient.name}}，您好：</p><p>{{rule.message}}</p><p><a href="{{link}}">{{ticket.number}}</a>：{{ticket.subject}}</p>', 0);
