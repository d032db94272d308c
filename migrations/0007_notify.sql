-- 0007_notify: the notification outbox. A fan-out cursor over events.id turns
-- events into in-app notifications and deliveries (email, webhook); the cursor
-- moves in the same transaction that writes what it produced. Deliveries are
-- claimed with a lease (locked_until), retried with back-off, parked as
-- 'failed' after max_attempts; delivery_attempts is their log.

CREATE TABLE notify_cursor (
    name          TEXT PRIMARY KEY,
    last_event_id INTEGER NOT NULL
);
-- events from before this migration are history, not news
INSERT INTO notify_cursor (name, last_event_id) SELECT 'fanout', COALESCE(MAX(id), 0) FROM events;

-- Webhook subscriptions: event_types is a JSON array of types ("ticket.created"),
-- prefixes ("ticket.*") or "*".
CREATE TABLE webhooks (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL,
    url         TEXT NOT NULL,
    secret      TEXT NOT NULL,
    event_types TEXT NOT NULL DEFAULT '["*"]',
    active      INTEGER NOT NULL DEFAULT 1,
    version     INTEGER NOT NULL DEFAULT 1,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);

-- One message to send: channel 'email' (user_id, recipient = address) or
-- 'webhook' (webhook_id, recipient = URL). payload: the rendered message (JSON).
CREATE TABLE deliveries (
    id           INTEGER PRIMARY KEY,
    channel      TEXT NOT NULL,
    event_id     INTEGER NOT NULL,
    event_type   TEXT NOT NULL,
    user_id      INTEGER REFERENCES users(id),
    webhook_id   INTEGER REFERENCES webhooks(id),
    recipient    TEXT NOT NULL,
    payload      TEXT NOT NULL,
    status       TEXT NOT NULL DEFAULT 'pending',
    attempts     INTEGER NOT NULL DEFAULT 0,
    max_attempts INTEGER NOT NULL,
    next_at      INTEGER NOT NULL,
    locked_until INTEGER,
    locked_by    TEXT,
    last_error   TEXT,
    last_code    INTEGER,
    sent_at      INTEGER,
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL
);
CREATE INDEX deliveries_due ON deliveries(status, next_at, id);
CREATE INDEX deliveries_webhook ON deliveries(webhook_id, status, id);
CREATE INDEX deliveries_list ON deliveries(status, id);

CREATE TABLE delivery_attempts (
    id          INTEGER PRIMARY KEY,
    delivery_id INTEGER NOT NULL REFERENCES deliveries(id),
    attempt     INTEGER NOT NULL,
    node        TEXT NOT NULL,
    at          INTEGER NOT NULL,
    duration_ms INTEGER NOT NULL,
    ok          INTEGER NOT NULL,
    code        INTEGER,
    error       TEXT
);
CREATE INDEX delivery_attempts_delivery ON delivery_attempts(delivery_id, id);

-- In-app notifications: what a user sees under the bell in the console header.
CREATE TABLE notifications (
    id         INTEGER PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users(id),
    kind       TEXT NOT NULL,
    event_id   INTEGER NOT NULL,
    entity     TEXT NOT NULL,
    entity_id  INTEGER NOT NULL,
    title      TEXT NOT NULL,
    read_at    INTEGER,
    created_at INTEGER NOT NULL
);
CREATE INDEX notifications_user ON notifications(user_id, id);
CREATE INDEX notifications_unread ON notifications(user_id, read_at);

-- A user's choices, only where they differ from the defaults (notifications.c).
CREATE TABLE notify_prefs (
    user_id INTEGER NOT NULL REFERENCES users(id),
    kind    TEXT NOT NULL,
    channel TEXT NOT NULL,
    enabled INTEGER NOT NULL,
    PRIMARY KEY (user_id, kind, channel)
);
CREATE TABLE notify_settings (
    user_id  INTEGER PRIMARY KEY REFERENCES users(id),
    language TEXT NOT NULL
);

-- Email templates per notification kind and language; {{name}} placeholders.
CREATE TABLE email_templates (
    kind       TEXT NOT NULL,
    language   TEXT NOT NULL,
    subject    TEXT NOT NULL,
    body_text  TEXT NOT NULL,
    body_html  TEXT NOT NULL,
    updated_at INTEGER NOT NULL,
    updated_by TEXT,
    PRIMARY KEY (kind, language)
);

INSERT INTO email_templates (kind, language, subject, body_text, body_html, updated_at) VALUES
('ticket.assigned', 'en', '[{{ticket.number}}] assigned to you: {{ticket.subject}}',
 'Hello {{recipient.name}},

{{actor}} assigned ticket {{ticket.number}} to you: {{ticket.subject}}
Priority: {{ticket.priority}}

{{link}}', '<p>Hello {{recipient.name}},</p><p>{{actor}} assigned ticket <a href="{{link}}">{{ticket.number}}</a> to you: <b>{{ticket.subject}}</b></p><p>Priority: {{ticket.priority}}</p>', 0),
('ticket.assigned', 'zh-CN', '[{{ticket.number}}] 已指派给您：{{ticket.subject}}',
 '{{recipient.name}}，您好：

{{actor}} 将工单 {{ticket.number}} 指派给您：{{ticket.subject}}
优先级：{{ticket.priority}}

{{link}}', '<p>{{recipient.name}}，您好：</p><p>{{actor}} 将工单 <a href="{{link}}">{{ticket.number}}</a> 指派给您：<b>{{ticket.subject}}</b></p><p>优先级：{{ticket.priority}}</p>', 0),
('ticket.mentioned', 'en', '[{{ticket.number}}] {{actor}} mentioned you: {{ticket.subject}}',
 '{{actor}} mentioned you on {{ticket.number}}:

{{comment.body}}

{{link}}', '<p>{{actor}} mentioned you on <a href="{{link}}">{{ticket.number}}</a>:</p><blockquote>{{comment.body}}</blockquote>', 0),
('ticket.mentioned', 'zh-CN', '[{{ticket.number}}] {{actor}} 提到了您：{{ticket.subject}}',
 '{{actor}} 在工单 {{ticket.number}} 中提到了您：

{{comment.body}}

{{link}}', '<p>{{actor}} 在工单 <a href="{{link}}">{{ticket.number}}</a> 中提到了您：</p><blockquote>{{comment.body}}</blockquote>', 0),
('ticket.commented', 'en', '[{{ticket.number}}] new reply: {{ticket.subject}}',
 '{{actor}} wrote on {{ticket.number}}:

{{comment.body}}

{{link}}', '<p>{{actor}} wrote on <a href="{{link}}">{{ticket.number}}</a>:</p><blockquote>{{comment.body}}</blockquote>', 0),
('ticket.commented', 'zh-CN', '[{{ticket.number}}] 新回复：{{ticket.subject}}',
 '{{actor}} 在工单 {{ticket.number}} 中写道：

{{comment.body}}

{{link}}', '<p>{{actor}} 在工单 <a href="{{link}}">{{ticket.number}}</a> 中写道：</p><blockquote>{{comment.body}}</blockquote>', 0),
('ticket.status_changed', 'en', '[{{ticket.number}}] now {{ticket.status}}: {{ticket.subject}}',
 '{{actor}} moved {{ticket.number}} to {{ticket.status}}.

{{link}}', '<p>{{actor}} moved <a href="{{link}}">{{ticket.number}}</a> to <b>{{ticket.status}}</b>.</p>', 0),
('ticket.status_changed', 'zh-CN', '[{{ticket.number}}] 状态变为 {{ticket.status}}：{{ticket.subject}}',
 '{{actor}} 将工单 {{ticket.number}} 的状态改为 {{ticket.status}}。

{{link}}', '<p>{{actor}} 将工单 <a href="{{link}}">{{ticket.number}}</a> 的状态改为 <b>{{ticket.status}}</b>。</p>', 0),
('ticket.created', 'en', '[{{ticket.number}}] new ticket in your group: {{ticket.subject}}',
 '{{actor}} opened {{ticket.number}}: {{ticket.subject}}

{{link}}', '<p>{{actor}} opened <a href="{{link}}">{{ticket.number}}</a>: <b>{{ticket.subject}}</b></p>', 0),
('ticket.created', 'zh-CN', '[{{ticket.number}}] 您的组有新工单：{{ticket.subject}}',
 '{{actor}} 创建了工单 {{ticket.number}}：{{ticket.subject}}

{{link}}', '<p>{{actor}} 创建了工单 <a href="{{link}}">{{ticket.number}}</a>：<b>{{ticket.subject}}</b></p>', 0),
('sla.warning', 'en', '[{{ticket.number}}] SLA {{sla.metric}} due soon: {{ticket.subject}}',
 'The {{sla.metric}} target of {{ticket.number}} is due at {{sla.due_at}}.

{{link}}', '<p>The {{sla.metric}} target of <a href="{{link}}">{{ticket.number}}</a> is due at {{sla.due_at}}.</p>', 0),
('sla.warning', 'zh-CN', '[{{ticket.number}}] SLA {{sla.metric}} 即将到期：{{ticket.subject}}',
 '工单 {{ticket.number}} 的 {{sla.metric}} 目标将于 {{sla.due_at}} 到期。

{{link}}', '<p>工单 <a href="{{link}}">{{ticket.number}}</a> 的 {{sla.metric}} 目标将于 {{sla.due_at}} 到期。</p>', 0),
('sla.breached', 'en', '[{{ticket.number}}] SLA {{sla.metric}} breached: {{ticket.subject}}',
 'The {{sla.metric}} target of {{ticket.number}} was due at {{sla.due_at}} and is breached.

{{link}}', '<p>The {{sla.metric}} target of <a href="{{link}}">{{ticket.number}}</a> was due at {{sla.due_at}} and is breached.</p>', 0),
('sla.breached', 'zh-CN', '[{{ticket.number}}] SLA {{sla.metric}} 已违约：{{ticket.subject}}',
 '工单 {{ticket.number}} 的 {{sla.metric}} 目标已于 {{sla.due_at}} 到期，已违约。

{{link}}', '<p>工单 <a href="{{link}}">{{ticket.number}}</a> 的 {{sla.metric}} 目标已于 {{sla.due_at}} 到期，已违约。</p>', 0),
('sla.escalated', 'en', '[{{ticket.number}}] escalated (level {{sla.level}}): {{ticket.subject}}',
 '{{ticket.number}} was escalated to level {{sla.level}} ({{sla.metric}} due at {{sla.due_at}}).

{{link}}', '<p><a href="{{link}}">{{ticket.number}}</a> was escalated to level {{sla.level}} ({{sla.metric}} due at {{sla.due_at}}).</p>', 0),
('sla.escalated', 'zh-CN', '[{{ticket.number}}] 已升级（第 {{sla.level}} 级）：{{ticket.subject}}',
 '工单 {{ticket.number}} 已升级到第 {{sla.level}} 级（{{sla.metric}} 于 {{sla.due_at}} 到期）。

{{link}}', '<p>工单 <a href="{{link}}">{{ticket.number}}</a> 已升级到第 {{sla.level}} 级（{{sla.metric}} 于 {{sla.due_at}} 到期）。</p>', 0);

INSERT INTO permissions (role, resource, action) VALUES ('admin', 'notify', 'manage');
