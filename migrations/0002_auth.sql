-- 0002_auth: groups, sessions, API tokens, permissions as data, and the ticket
-- columns that scope what customers and engineers may see.

CREATE TABLE groups (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    description TEXT NOT NULL DEFAULT '',
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);

CREATE TABLE group_members (
    group_id INTEGER NOT NULL REFERENCES groups(id),
    user_id  INTEGER NOT NULL REFERENCES users(id),
    PRIMARY KEY (group_id, user_id)
);
CREATE INDEX group_members_user ON group_members(user_id);

-- Web sessions: the cookie carries a random secret; only its SHA-256 is stored.
CREATE TABLE sessions (
    id          INTEGER PRIMARY KEY,
    secret_hash TEXT NOT NULL UNIQUE,
    user_id     INTEGER NOT NULL REFERENCES users(id),
    csrf_token  TEXT NOT NULL,
    client      TEXT,
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL,
    revoked_at  INTEGER
);
CREATE INDEX sessions_user ON sessions(user_id);

-- API tokens for integrations: shown once, stored as SHA-256, act as user_id
-- within their scopes ("resource:action" list, or "*").
CREATE TABLE api_tokens (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL,
    user_id     INTEGER NOT NULL REFERENCES users(id),
    secret_hash TEXT NOT NULL UNIQUE,
    prefix      TEXT NOT NULL,
    scopes      TEXT NOT NULL,
    created_by  INTEGER REFERENCES users(id),
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER,
    revoked_at  INTEGER
);
CREATE INDEX api_tokens_user ON api_tokens(user_id);

-- Permissions as data: which role may do which action on which resource.
CREATE TABLE permissions (
    role     TEXT NOT NULL,
    resource TEXT NOT NULL,
    action   TEXT NOT NULL,
    PRIMARY KEY (role, resource, action)
);

INSERT INTO permissions (role, resource, action) VALUES
    ('admin', 'tickets', 'read'), ('admin', 'tickets', 'create'), ('admin', 'tickets', 'update'),
    ('admin', 'users', 'read'), ('admin', 'users', 'manage'),
    ('admin', 'groups', 'read'), ('admin', 'groups', 'manage'),
    ('admin', 'tokens', 'manage'), ('admin', 'permissions', 'read'),
    ('manager', 'tickets', 'read'), ('manager', 'tickets', 'create'), ('manager', 'tickets', 'update'),
    ('manager', 'users', 'read'), ('manager', 'groups', 'read'), ('manager', 'groups', 'manage'),
    ('manager', 'permissions', 'read'),
    ('dispatcher', 'tickets', 'read'), ('dispatcher', 'tickets', 'create'),
    ('dispatcher', 'tickets', 'update'), ('dispatcher', 'users', 'read'),
    ('dispatcher', 'groups', 'read'),
    ('agent', 'tickets', 'read'), ('agent', 'tickets', 'create'), ('agent', 'tickets', 'update'),
    ('agent', 'users', 'read'), ('agent', 'groups', 'read'),
    ('engineer', 'tickets', 'read'), ('engineer', 'tickets', 'update'),
    ('warehouse', 'tickets', 'read'),
    ('finance', 'tickets', 'read'),
    ('customer', 'tickets', 'read'), ('customer', 'tickets', 'create');

ALTER TABLE tickets ADD COLUMN organisation_id INTEGER REFERENCES organisations(id);
ALTER TABLE tickets ADD COLUMN assignee_id INTEGER REFERENCES users(id);
CREATE INDEX tickets_organisation ON tickets(organisation_id, id);
CREATE INDEX tickets_assignee ON tickets(assignee_id, id);
