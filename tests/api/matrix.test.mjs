// The authorisation matrix, generated from the route table: every route of
// src/app/routes.def is called by every demo role (signed in, with CSRF) and
// without credentials, and must answer 401 without a caller (unless public),
// 403 when the role lacks the route's permission in GET /api/v1/permissions,
// and otherwise the sample's success. A route without a sample below fails,
// so a new route cannot go untested. Then the record-level rules: customers
// see their organisation's tickets, engineers those assigned to them, and
// everything else is 404 as if it did not exist. docs/api.md "Authentication
// and authorisation".
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, dbQuery } from '../lib/server.mjs';
import { client, assertProblem, assertUnauthorized, tag } from './client.mjs';
import { readRoutes, routeKey } from './routes.mjs';
import { workflowDef } from './tickets_lib.mjs';

const DEMO_PASSWORD = 'tend-demo-2026';
const ROLES = ['admin', 'manager', 'dispatcher', 'agent', 'engineer', 'warehouse', 'finance', 'customer'];
const ANON = 'none';
const MARK = tag('mx'); // in everything the matrix creates
const T = '/api/v1/tickets';

// docs/api.md "Roles and permissions": resource:action -> roles
const DOCUMENTED = {
  'tickets:read': ROLES,
  'tickets:create': ['admin', 'manager', 'dispatcher', 'agent', 'customer'],
  'tickets:update': ['admin', 'manager', 'dispatcher', 'agent', 'engineer'],
  'tickets:comment': ['admin', 'manager', 'dispatcher', 'agent', 'engineer', 'customer'],
  'users:read': ['admin', 'manager', 'dispatcher', 'agent'],
  'users:manage': ['admin'],
  'groups:read': ['admin', 'manager', 'dispatcher', 'agent'],
  'groups:manage': ['admin', 'manager'],
  'tokens:manage': ['admin'],
  'permissions:read': ['admin', 'manager'],
  // migrations/0003_tickets.sql, docs/api-tickets.md
  'tickets:comment': ['admin', 'manager', 'dispatcher', 'agent', 'engineer', 'customer'],
  'tickets:bulk': ['admin', 'manager', 'dispatcher', 'agent'],
  'tickets:merge': ['admin', 'manager', 'dispatcher', 'agent'],
  'tickets:export': ['admin', 'manager', 'dispatcher', 'agent', 'finance'],
  'ticket_config:read': ROLES,
  'ticket_config:manage': ['admin'],
  // migrations/0007_notify.sql, docs/api-notify.md
  'notify:manage': ['admin'],
  // migrations/0008_customers.sql, docs/api-customers.md
  'customers:read': ROLES,
  'customers:manage': ['admin', 'manager', 'dispatcher', 'agent'],
  'customers:import': ['admin', 'manager'],
  'customers:export': ['admin', 'manager', 'finance'],
  'assets:read': ROLES,
  'assets:manage': ['admin', 'manager', 'dispatcher', 'agent'],
  'contracts:read': ['admin', 'manager', 'dispatcher', 'agent', 'finance'],
  'contracts:manage': ['admin', 'manager', 'finance'],
  // migrations/0009_rules.sql, docs/api-rules.md
  'rules:read': ['admin', 'manager', 'dispatcher'],
  'rules:manage': ['admin', 'manager'],
};
const KEY = `mx${Date.now().toString(36)}`; // config keys: [a-z][a-z0-9_]*

/**
 * One sample request per route, keyed "METHOD /path" as in routes.def.
 * perm: the permission docs/api.md gives the route; path/body: functions of
 * the fixtures `x` and the caller `who` (ROLES or ANON); ok: the statuses a
 * permitted caller gets; fresh: call with a session made for this request.
 */
const CALENDAR = { time_zone: 'Asia/Shanghai', week: { mon: [['09:00', '18:00']], tue: [['09:00', '18:00']] } };
const ICS = ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//matrix//EN', 'BEGIN:VEVENT', 'UID:m1@matrix',
  'DTSTAMP:20261101T000000Z', 'DTSTART;VALUE=DATE:20261225', 'SUMMARY:Closed', 'END:VEVENT', 'END:VCALENDAR', ''].join('\r\n');

const RULE = { triggers: ['ticket.created'], condition: "subject contains 'matrix-never-matches'", actions: [{ type: 'add_tags', tags: ['mx'] }] };
const POLICY = { calendar_id: 1, conditions: { channel: ['iot'] }, targets: { resolution: 480 } };

const SAMPLES = {
  'POST /api/v1/auth/login': {
    perm: 'public:any', ok: [200],
    body: () => ({ username: 'warehouse', password: DEMO_PASSWORD }),
  },
  'POST /api/v1/auth/logout': { perm: 'session:any', ok: [204], fresh: true },
  'GET /api/v1/auth/me': { perm: 'session:any', ok: [200] },
  'GET /api/v1/openapi.json': { perm: 'public:any', ok: [200] },

  'POST /api/v1/tickets': {
    perm: 'tickets:create', ok: [201],
    body: (x, who) => ({ subject: `${MARK} ticket by ${who}` }),
  },
  'GET /api/v1/tickets': { perm: 'tickets:read', ok: [200] },
  'GET /api/v1/tickets/:id': { perm: 'tickets:read', ok: [200], path: (x) => `${T}/${x.ticket}` },
  'PATCH /api/v1/tickets/:id': {
    perm: 'tickets:update', ok: [200], path: (x) => `${T}/${x.ticket}`,
    body: async (x, who) => ({ version: await x.ticketVersion(), description: `${MARK} patched by ${who}` }),
  },
  'GET /api/v1/tickets/:id/events': { perm: 'tickets:read', ok: [200], path: (x) => `${T}/${x.ticket}/events` },
  'GET /api/v1/tickets/counts': { perm: 'tickets:read', ok: [200] },
  'GET /api/v1/tickets/search': { perm: 'tickets:read', ok: [200], path: () => `${T}/search?q=matrix` },
  'GET /api/v1/tickets/export': { perm: 'tickets:export', ok: [200], path: () => `${T}/export?format=csv` },
  'GET /api/v1/tickets/:id/transitions': { perm: 'tickets:read', ok: [200], path: (x) => `${T}/${x.ticket}/transitions` },
  'POST /api/v1/tickets/:id/transitions': {
    // each permitted role moves the ticket between in_progress and pending_customer
    perm: 'tickets:update', ok: [200], path: (x) => `${T}/${x.ticket}/transitions`,
    body: async (x) => {
      const t = (await x.admin.get(`${T}/${x.ticket}`)).body;
      return { to: t.status === 'in_progress' ? 'pending_customer' : 'in_progress' };
    },
  },
  'GET /api/v1/tickets/:id/comments': { perm: 'tickets:read', ok: [200], path: (x) => `${T}/${x.ticket}/comments` },
  'POST /api/v1/tickets/:id/comments': {
    perm: 'tickets:comment', ok: [201], path: (x) => `${T}/${x.ticket}/comments`,
    body: (x, who) => ({ body: `${MARK} comment by ${who}` }),
  },
  'GET /api/v1/tickets/:id/links': { perm: 'tickets:read', ok: [200], path: (x) => `${T}/${x.ticket}/links` },
  'POST /api/v1/tickets/:id/links': {
    perm: 'tickets:update', ok: [201], path: (x) => `${T}/${x.ticket}/links`,
    body: async (x) => ({ kind: 'related', ticket_id: await x.freshTicket() }),
  },
  'DELETE /api/v1/tickets/:id/links/:other_id': {
    perm: 'tickets:update', ok: [204], path: async (x) => {
      const other = await x.freshTicket();
      const r = await x.admin.post(`${T}/${x.ticket}/links`, { kind: 'related', ticket_id: other });
      assert.equal(r.status, 201, r.text);
      return `${T}/${x.ticket}/links/${other}`;
    },
  },
  'POST /api/v1/tickets/:id/merge': {
    perm: 'tickets:merge', ok: [200], path: async (x) => `${T}/${await x.freshTicket()}/merge`,
    body: (x) => ({ into: x.ticket }),
  },
  'POST /api/v1/tickets/bulk': {
    perm: 'tickets:bulk', ok: [200], path: () => `${T}/bulk`,
    body: (x) => ({ ids: [x.ticket], set: { tags_add: ['matrix'] } }),
  },

  'GET /api/v1/views': { perm: 'session:any', ok: [200] },
  'POST /api/v1/views': {
    perm: 'session:any', ok: [201], body: (x, who) => ({ name: `${MARK} view by ${who}`, query: 'status_category=open' }),
  },
  'PATCH /api/v1/views/:id': {
    perm: 'session:any', ok: [200], path: async (x, who) => `/api/v1/views/${await x.view(who)}`,
    body: (x, who) => ({ name: `${MARK} view renamed by ${who}` }),
  },
  'DELETE /api/v1/views/:id': {
    perm: 'session:any', ok: [204], path: async (x, who) => `/api/v1/views/${await x.view(who)}`,
  },

  'GET /api/v1/ticket-types': { perm: 'ticket_config:read', ok: [200] },
  'POST /api/v1/ticket-types': {
    perm: 'ticket_config:manage', ok: [201], body: (x, who) => ({ key: `${KEY}_${who}`, name: `${MARK} type by ${who}`,
      workflow_id: x.workflow }),
  },
  'PATCH /api/v1/ticket-types/:id': {
    perm: 'ticket_config:manage', ok: [200], path: (x) => `/api/v1/ticket-types/${x.type}`,
    body: (x, who) => ({ name: `${MARK} type renamed by ${who}` }),
  },
  'GET /api/v1/workflows': { perm: 'ticket_config:read', ok: [200] },
  'GET /api/v1/workflows/:id': { perm: 'ticket_config:read', ok: [200], path: (x) => `/api/v1/workflows/${x.workflow}` },
  'POST /api/v1/workflows': {
    perm: 'ticket_config:manage', ok: [201], body: (x, who) => x.workflowDef(`${KEY}_wf_${who}`),
  },
  'PUT /api/v1/workflows/:id': {
    perm: 'ticket_config:manage', ok: [200], path: (x) => `/api/v1/workflows/${x.workflow}`,
    body: async (x, who) => {
      const w = (await x.admin.get(`/api/v1/workflows/${x.workflow}`)).body;
      return { ...x.workflowDef(w.key), name: `${MARK} workflow by ${who}`, version: w.version };
    },
  },
  'GET /api/v1/custom-fields': { perm: 'ticket_config:read', ok: [200] },
  'POST /api/v1/custom-fields': {
    perm: 'ticket_config:manage', ok: [201], body: (x, who) => ({ key: `${KEY}_cf_${who}`, label: `${MARK} field by ${who}`,
      type: 'text' }),
  },
  'PATCH /api/v1/custom-fields/:id': {
    perm: 'ticket_config:manage', ok: [200], path: (x) => `/api/v1/custom-fields/${x.field}`,
    body: (x, who) => ({ label: `${MARK} field renamed by ${who}` }),
  },
  'GET /api/v1/categories': { perm: 'ticket_config:read', ok: [200], path: () => '/api/v1/categories?kind=category' },
  'POST /api/v1/categories': {
    perm: 'ticket_config:manage', ok: [201], body: (x, who) => ({ kind: 'category', name: `${MARK} category by ${who}` }),
  },
  'PATCH /api/v1/categories/:id': {
    perm: 'ticket_config:manage', ok: [200], path: (x) => `/api/v1/categories/${x.category}`,
    body: (x, who) => ({ name: `${MARK} category renamed by ${who}` }),
  },
  // the matrix sends JSON bodies: to the upload they are a small UTF-8 text file
  'POST /api/v1/tickets/:id/attachments': {
    perm: 'tickets:comment', ok: [201], path: (x) => `${T}/${x.ticket}/attachments?filename=matrix.txt`,
    body: (x, who) => ({ note: `${MARK} file by ${who}` }),
  },
  'GET /api/v1/tickets/:id/attachments': { perm: 'tickets:read', ok: [200], path: (x) => `${T}/${x.ticket}/attachments` },
  'GET /api/v1/attachments/:id': { perm: 'tickets:read', ok: [200], path: (x) => `/api/v1/attachments/${x.attachment}` },

  'GET /api/v1/users': { perm: 'users:read', ok: [200] },
  'POST /api/v1/users': {
    perm: 'users:manage', ok: [201],
    body: (x, who) => ({ username: `${MARK}-by-${who}`.toLowerCase(), roles: ['agent'], password: 'Matrix-password-2026' }),
  },
  'GET /api/v1/users/:id': { perm: 'users:read', ok: [200], path: (x) => `/api/v1/users/${x.user}` },
  'GET /api/v1/users/:id/events': { perm: 'users:manage', ok: [200], path: (x) => `/api/v1/users/${x.user}/events` },
  'PATCH /api/v1/users/:id': {
    perm: 'users:manage', ok: [200], path: (x) => `/api/v1/users/${x.user}`,
    body: (x, who) => ({ display_name: `${MARK} renamed by ${who}` }),
  },

  'GET /api/v1/groups': { perm: 'groups:read', ok: [200] },
  'POST /api/v1/groups': { perm: 'groups:manage', ok: [201], body: (x, who) => ({ name: `${MARK} group by ${who}` }) },
  'PATCH /api/v1/groups/:id': {
    perm: 'groups:manage', ok: [200], path: (x) => `/api/v1/groups/${x.group}`,
    body: (x, who) => ({ description: `${MARK} described by ${who}` }),
  },

  'GET /api/v1/tokens': { perm: 'tokens:manage', ok: [200] },
  'POST /api/v1/tokens': {
    perm: 'tokens:manage', ok: [201],
    body: (x, who) => ({ name: `${MARK} token by ${who}`, scopes: ['tickets:read'] }),
  },
  'DELETE /api/v1/tokens/:id': {
    perm: 'tokens:manage', ok: [204], path: async (x) => `/api/v1/tokens/${await x.spareToken()}`,
  },

  'GET /api/v1/permissions': { perm: 'permissions:read', ok: [200] },
  'GET /api/v1/admin/jobs': { perm: 'jobs:read', ok: [200] },

  'GET /api/v1/calendars': { perm: 'sla:read', ok: [200] },
  'POST /api/v1/calendars': {
    perm: 'sla:manage', ok: [201], body: (x, who) => ({ ...CALENDAR, name: `${MARK} calendar by ${who}` }),
  },
  'GET /api/v1/calendars/:id': { perm: 'sla:read', ok: [200], path: (x) => `/api/v1/calendars/${x.calendar}` },
  'PUT /api/v1/calendars/:id': {
    perm: 'sla:manage', ok: [200], path: (x) => `/api/v1/calendars/${x.calendar}`,
    body: async (x, who) => ({ ...CALENDAR, name: `${MARK} calendar renamed by ${who}`, version: await x.calendarVersion() }),
  },
  'DELETE /api/v1/calendars/:id': {
    perm: 'sla:manage', ok: [204], path: async (x) => `/api/v1/calendars/${await x.spareCalendar()}`,
  },
  'GET /api/v1/calendars/:id/ics': { perm: 'sla:read', ok: [200], path: (x) => `/api/v1/calendars/${x.calendar}/ics` },
  'POST /api/v1/calendars/:id/ics': {
    perm: 'sla:manage', ok: [200], path: (x) => `/api/v1/calendars/${x.calendar}/ics`,
    body: async (x) => ({ ics: ICS, mode: 'replace', version: await x.calendarVersion() }),
  },
  'GET /api/v1/calendars/:id/business-time': {
    perm: 'sla:read', ok: [200],
    path: (x) => `/api/v1/calendars/${x.calendar}/business-time?from=2026-11-23T08:00:00Z&minutes=90`,
  },
  'GET /api/v1/sla-policies': { perm: 'sla:read', ok: [200] },
  'POST /api/v1/sla-policies': {
    perm: 'sla:manage', ok: [201], body: (x, who) => ({ ...POLICY, name: `${MARK} policy by ${who}` }),
  },
  'GET /api/v1/sla-policies/:id': { perm: 'sla:read', ok: [200], path: (x) => `/api/v1/sla-policies/${x.policy}` },
  'PUT /api/v1/sla-policies/:id': {
    perm: 'sla:manage', ok: [200], path: (x) => `/api/v1/sla-policies/${x.policy}`,
    body: async (x, who) => ({ ...POLICY, name: `${MARK} policy renamed by ${who}`, version: await x.policyVersion() }),
  },
  'DELETE /api/v1/sla-policies/:id': {
    perm: 'sla:manage', ok: [204], path: async (x) => `/api/v1/sla-policies/${await x.sparePolicy()}`,
  },
  'GET /api/v1/rules': { perm: 'rules:read', ok: [200] },
  'POST /api/v1/rules': { perm: 'rules:manage', ok: [201], body: (x, who) => ({ ...RULE, name: `${MARK} rule by ${who}` }) },
  'GET /api/v1/rules/fields': { perm: 'rules:read', ok: [200] },
  'POST /api/v1/rules/reorder': { perm: 'rules:manage', ok: [200], body: async (x) => ({ ids: await x.ruleIds() }) },
  'POST /api/v1/rules/validate': { perm: 'rules:read', ok: [200], body: () => ({ condition: "priority >= 'high'" }) },
  'POST /api/v1/rules/dry-run': { perm: 'rules:read', ok: [200], body: (x) => ({ ticket_id: x.ticket }) },
  'GET /api/v1/rules/:id': { perm: 'rules:read', ok: [200], path: (x) => `/api/v1/rules/${x.rule}` },
  'PATCH /api/v1/rules/:id': {
    perm: 'rules:manage', ok: [200], path: (x) => `/api/v1/rules/${x.rule}`, body: (x, who) => ({ description: `by ${who}` }),
  },
  'DELETE /api/v1/rules/:id': { perm: 'rules:manage', ok: [204], path: async (x) => `/api/v1/rules/${await x.spareRule()}` },
  'GET /api/v1/tickets/:id/sla': { perm: 'sla:read', ok: [200], path: (x) => `${T}/${x.ticket}/sla` },
  'POST /api/v1/tickets/:id/on-site': {
    perm: 'tickets:update', ok: [200], path: (x) => `${T}/${x.ticket}/on-site`, body: () => ({}),
  },
  'GET /api/v1/sla/report': { perm: 'sla:read', ok: [200], path: () => '/api/v1/sla/report?by=priority' },

  'GET /api/v1/notifications': { perm: 'session:any', ok: [200] },
  'GET /api/v1/notifications/unread-count': { perm: 'session:any', ok: [200] },
  'POST /api/v1/notifications/:id/read': {
    perm: 'session:any', ok: [204], path: async (x, who) => `/api/v1/notifications/${await x.notification(who)}/read`,
  },
  'POST /api/v1/notifications/read-all': { perm: 'session:any', ok: [200] },
  'GET /api/v1/notification-preferences': { perm: 'session:any', ok: [200] },
  'PUT /api/v1/notification-preferences': {
    perm: 'session:any', ok: [200], body: () => ({ channels: { 'ticket.commented': { email: true } } }),
  },
  'GET /api/v1/webhooks': { perm: 'notify:manage', ok: [200] },
  'POST /api/v1/webhooks': {
    perm: 'notify:manage', ok: [201], body: (x, who) => ({ name: `${MARK} hook by ${who}`, url: 'https://example.test/hook',
      active: false }),
  },
  'PATCH /api/v1/webhooks/:id': {
    perm: 'notify:manage', ok: [200], path: (x) => `/api/v1/webhooks/${x.webhook}`,
    body: (x, who) => ({ name: `${MARK} hook renamed by ${who}` }),
  },
  'GET /api/v1/deliveries': { perm: 'notify:manage', ok: [200] },
  'GET /api/v1/deliveries/:id': { perm: 'notify:manage', ok: [200], path: async (x) => `/api/v1/deliveries/${await x.failedDelivery()}` },
  'POST /api/v1/deliveries/:id/retry': {
    perm: 'notify:manage', ok: [200], path: async (x) => `/api/v1/deliveries/${await x.failedDelivery()}/retry`,
  },
  'GET /api/v1/email-templates': { perm: 'notify:manage', ok: [200] },
  'PUT /api/v1/email-templates/:kind/:language': {
    perm: 'notify:manage', ok: [200], path: () => '/api/v1/email-templates/ticket.created/en',
    body: (x, who) => ({ subject: `[{{ticket.number}}] new (${who})`, body_text: '{{link}}', body_html: '<p>{{link}}</p>' }),
  },
  'POST /api/v1/email-templates/preview': {
    perm: 'notify:manage', ok: [200], body: () => ({ kind: 'ticket.created', language: 'zh-CN' }),
  },
  // customers and assets (docs/api-customers.md); everything of organisation 1, the demo customer's
  'GET /api/v1/organisations': { perm: 'customers:read', ok: [200] },
  'POST /api/v1/organisations': { perm: 'customers:manage', ok: [201], body: (x, who) => ({ name: `${MARK} org by ${who}` }) },
  'PUT /api/v1/organisations/by-external-id/:ext': {
    perm: 'customers:manage', ok: [200, 201], path: () => `/api/v1/organisations/by-external-id/${MARK}-org`,
    body: (x, who) => ({ name: `${MARK} synced org by ${who}` }),
  },
  'GET /api/v1/organisations/:id': { perm: 'customers:read', ok: [200], path: () => '/api/v1/organisations/1' },
  'PATCH /api/v1/organisations/:id': {
    perm: 'customers:manage', ok: [200], path: () => '/api/v1/organisations/1',
    body: async (x, who) => ({ version: await x.version('/api/v1/organisations/1'), notes: `${MARK} by ${who}` }),
  },
  'GET /api/v1/organisations/:id/overview': { perm: 'customers:read', ok: [200], path: () => '/api/v1/organisations/1/overview' },
  'GET /api/v1/contacts': { perm: 'customers:read', ok: [200] },
  'POST /api/v1/contacts': {
    perm: 'customers:manage', ok: [201], body: (x, who) => ({ organisation_id: 1, name: `${MARK} contact by ${who}` }),
  },
  'GET /api/v1/contacts/lookup': {
    perm: 'customers:read', ok: [200], path: () => '/api/v1/contacts/lookup?email=wang.wei%40hd-precision.example',
  },
  'PUT /api/v1/contacts/by-external-id/:ext': {
    perm: 'customers:manage', ok: [200, 201], path: () => `/api/v1/contacts/by-external-id/${MARK}-contact`,
    body: (x, who) => ({ organisation_id: 1, name: `${MARK} synced contact by ${who}` }),
  },
  'GET /api/v1/contacts/:id': { perm: 'customers:read', ok: [200], path: (x) => `/api/v1/contacts/${x.contact}` },
  'PATCH /api/v1/contacts/:id': {
    perm: 'customers:manage', ok: [200], path: (x) => `/api/v1/contacts/${x.contact}`,
    body: async (x, who) => ({ version: await x.version(`/api/v1/contacts/${x.contact}`), name: `${MARK} contact ${who}` }),
  },
  'GET /api/v1/sites': { perm: 'customers:read', ok: [200] },
  'POST /api/v1/sites': {
    perm: 'customers:manage', ok: [201], body: (x, who) => ({ organisation_id: 1, name: `${MARK} site by ${who}` }),
  },
  'PUT /api/v1/sites/by-external-id/:ext': {
    perm: 'customers:manage', ok: [200, 201], path: () => `/api/v1/sites/by-external-id/${MARK}-site`,
    body: (x, who) => ({ organisation_id: 1, name: `${MARK} synced site by ${who}` }),
  },
  'GET /api/v1/sites/:id': { perm: 'customers:read', ok: [200], path: (x) => `/api/v1/sites/${x.site}` },
  'PATCH /api/v1/sites/:id': {
    perm: 'customers:manage', ok: [200], path: (x) => `/api/v1/sites/${x.site}`,
    body: async (x, who) => ({ version: await x.version(`/api/v1/sites/${x.site}`), access_notes: `${MARK} ${who}` }),
  },
  'GET /api/v1/products': { perm: 'assets:read', ok: [200] },
  'POST /api/v1/products': {
    perm: 'assets:manage', ok: [201], body: (x, who) => ({ name: `${MARK} product by ${who}`, category: 'printer' }),
  },
  'GET /api/v1/products/:id': { perm: 'assets:read', ok: [200], path: (x) => `/api/v1/products/${x.product}` },
  'PATCH /api/v1/products/:id': {
    perm: 'assets:manage', ok: [200], path: (x) => `/api/v1/products/${x.product}`,
    body: async (x, who) => ({ version: await x.version(`/api/v1/products/${x.product}`), description: `${MARK} ${who}` }),
  },
  'GET /api/v1/models': { perm: 'assets:read', ok: [200] },
  'POST /api/v1/models': {
    perm: 'assets:manage', ok: [201], body: (x, who) => ({ product_id: x.product, code: `${MARK}-model-${who}`, name: `${MARK} model` }),
  },
  'GET /api/v1/models/:id': { perm: 'assets:read', ok: [200], path: (x) => `/api/v1/models/${x.model}` },
  'PATCH /api/v1/models/:id': {
    perm: 'assets:manage', ok: [200], path: (x) => `/api/v1/models/${x.model}`,
    body: async (x, who) => ({ version: await x.version(`/api/v1/models/${x.model}`), name: `${MARK} model ${who}` }),
  },
  'GET /api/v1/assets': { perm: 'assets:read', ok: [200] },
  'POST /api/v1/assets': {
    perm: 'assets:manage', ok: [201], body: (x, who) => ({ model_id: x.model, serial: `${MARK}-${who}`, organisation_id: 1 }),
  },
  'GET /api/v1/assets/lookup': { perm: 'assets:read', ok: [200], path: () => `/api/v1/assets/lookup?serial=${MARK}-target` },
  'PUT /api/v1/assets/by-external-id/:ext': {
    perm: 'assets:manage', ok: [200, 201], path: () => `/api/v1/assets/by-external-id/${MARK}-asset`,
    body: (x) => ({ model_id: x.model, serial: `${MARK}-synced`, organisation_id: 1 }),
  },
  'GET /api/v1/assets/:id': { perm: 'assets:read', ok: [200], path: (x) => `/api/v1/assets/${x.asset}` },
  'PATCH /api/v1/assets/:id': {
    perm: 'assets:manage', ok: [200], path: (x) => `/api/v1/assets/${x.asset}`,
    body: async (x, who) => ({ version: await x.version(`/api/v1/assets/${x.asset}`), custom: { by: who } }),
  },
  'GET /api/v1/assets/:id/overview': { perm: 'assets:read', ok: [200], path: (x) => `/api/v1/assets/${x.asset}/overview` },
  'GET /api/v1/assets/:id/entitlement': {
    perm: 'assets:read', ok: [200], path: (x) => `/api/v1/assets/${x.asset}/entitlement?date=2026-06-01`,
  },
  'GET /api/v1/assets/:id/meters': { perm: 'assets:read', ok: [200], path: (x) => `/api/v1/assets/${x.asset}/meters` },
  'POST /api/v1/assets/:id/meters': {
    perm: 'assets:manage', ok: [201], path: (x) => `/api/v1/assets/${x.asset}/meters`,
    body: (x) => ({ meter: 'hours', value: (x.hours = (x.hours ?? 0) + 10) }),
  },
  'GET /api/v1/contracts': { perm: 'contracts:read', ok: [200] },
  'POST /api/v1/contracts': {
    perm: 'contracts:manage', ok: [201],
    body: (x, who) => ({ number: `${MARK}-${who}`, organisation_id: 1, starts_on: '2026-01-01', ends_on: '2026-12-31' }),
  },
  'PUT /api/v1/contracts/by-external-id/:ext': {
    perm: 'contracts:manage', ok: [200, 201], path: () => `/api/v1/contracts/by-external-id/${MARK}-contract`,
    body: () => ({ number: `${MARK}-synced`, organisation_id: 1, starts_on: '2026-01-01', ends_on: '2026-12-31' }),
  },
  // the JSON string "name" is a CSV file with a header and no rows: an import of nothing
  'POST /api/v1/imports/:kind': { perm: 'customers:import', ok: [202], path: () => '/api/v1/imports/organisations', body: () => 'name' },
  'GET /api/v1/imports/:kind/:id': {
    perm: 'customers:import', ok: [200], path: (x) => `/api/v1/imports/organisations/${x.importJob}`,
  },
  'GET /api/v1/exports/:kind': { perm: 'customers:export', ok: [200], path: () => '/api/v1/exports/sites?format=csv' },
  'GET /api/v1/contracts/:id': { perm: 'contracts:read', ok: [200], path: (x) => `/api/v1/contracts/${x.contract}` },
  'PATCH /api/v1/contracts/:id': {
    perm: 'contracts:manage', ok: [200], path: (x) => `/api/v1/contracts/${x.contract}`,
    body: async (x, who) => ({ version: await x.version(`/api/v1/contracts/${x.contract}`), notes: `${MARK} ${who}` }),
  },
};

const ROUTES = readRoutes();
const permOf = (r) => `${r.resource}:${r.action}`;

describe('authorisation matrix', { timeout: 30000 }, () => {
  let server, admin, anon, grants;
  const sessions = {};
  const x = {}; // fixtures for the samples
  const results = {}; // route key -> who -> status

  before(async () => {
    server = await startServer({ demo: true });
    admin = client(server.url, { token: server.token });
    anon = client(server.url);
    const p = await admin.get('/api/v1/permissions');
    assert.equal(p.status, 200, `GET /api/v1/permissions: ${p.status} ${p.text.slice(0, 300)}`);
    grants = new Set(p.body.grants.map((g) => `${g.role}:${g.resource}:${g.action}`));
    for (const role of ROLES) sessions[role] = await anon.login(role, DEMO_PASSWORD);

    const eng = await admin.get('/api/v1/users?role=engineer&limit=200');
    assert.equal(eng.status, 200, eng.text);
    x.engineer = eng.body.items.find((u) => u.username === 'engineer').id;
    // a ticket every role that may read tickets can see: organisation 1, assigned to the engineer
    x.ticket = (await admin.create({ subject: `${MARK} matrix ticket`, organisation_id: 1, assignee_id: x.engineer })).id;
    x.ticketVersion = async () => (await admin.get(`${T}/${x.ticket}`)).body.version;
    const file = await admin.call('POST', `${T}/${x.ticket}/attachments?filename=matrix.txt`, { body: `${MARK} file\n` });
    assert.equal(file.status, 201, file.text);
    x.attachment = file.body.id;
    const u = await admin.post('/api/v1/users', { username: `${MARK}-target`.toLowerCase(), roles: ['finance'],
      password: 'Matrix-password-2026' });
    assert.equal(u.status, 201, u.text);
    x.user = u.body.id;
    const g = await admin.post('/api/v1/groups', { name: `${MARK} target group`, members: [x.user] });
    assert.equal(g.status, 201, g.text);
    x.group = g.body.id;
    x.admin = admin;
    // a ticket every role that may see x.ticket may also see (organisation 1, the engineer's)
    x.freshTicket = async () => (await admin.create({ subject: `${MARK} spare ticket`, organisation_id: 1,
      assignee_id: x.engineer })).id;
    // a view of the caller's own (views are per user); anonymous callers get any id
    x.view = async (who) => {
      if (!sessions[who]) return 1;
      const r = await sessions[who].post('/api/v1/views', { name: `${MARK} spare view ${Math.random()}`, query: '' });
      assert.equal(r.status, 201, r.text);
      return r.body.id;
    };
    x.workflowDef = workflowDef;
    // configuration targets, made through the routes that exist (the route
    // table grows in steps; a missing route fails its own matrix row instead)
    const has = (k) => ROUTES.some((r) => routeKey(r) === k);
    const make = async (k, path, body) => {
      if (!has(k)) return null;
      const r = await admin.post(path, body);
      assert.equal(r.status, 201, `${k}: ${r.status} ${r.text.slice(0, 300)}`);
      return r.body.id;
    };
    x.workflow = (await make('POST /api/v1/workflows', '/api/v1/workflows', workflowDef(`${KEY}_target`))) ?? 2;
    x.type = await make('POST /api/v1/ticket-types', '/api/v1/ticket-types', { key: `${KEY}_target`,
      name: `${MARK} target type`, workflow_id: x.workflow });
    x.field = await make('POST /api/v1/custom-fields', '/api/v1/custom-fields', { key: `${KEY}_target`,
      label: `${MARK} target`, type: 'text' });
    x.category = await make('POST /api/v1/categories', '/api/v1/categories', { kind: 'category',
      name: `${MARK} target` });
    x.calendar = await make('POST /api/v1/calendars', '/api/v1/calendars', { ...CALENDAR, name: `${MARK} target calendar` });
    x.calendarVersion = async () => (await admin.get(`/api/v1/calendars/${x.calendar}`)).body.version;
    x.spareCalendar = async () => make('POST /api/v1/calendars', '/api/v1/calendars',
      { ...CALENDAR, name: `${MARK} spare calendar ${Math.random()}` });
    x.rule = await make('POST /api/v1/rules', '/api/v1/rules', { ...RULE, name: `${MARK} target rule` });
    x.spareRule = async () => make('POST /api/v1/rules', '/api/v1/rules', { ...RULE, name: `${MARK} spare rule ${Math.random()}` });
    x.ruleIds = async () => (await admin.get('/api/v1/rules')).body.items.map((r) => r.id);
    x.policy = await make('POST /api/v1/sla-policies', '/api/v1/sla-policies', { ...POLICY, name: `${MARK} target policy` });
    x.policyVersion = async () => (await admin.get(`/api/v1/sla-policies/${x.policy}`)).body.version;
    x.sparePolicy = async () => make('POST /api/v1/sla-policies', '/api/v1/sla-policies',
      { ...POLICY, name: `${MARK} spare policy ${Math.random()}` });
    // a notification of the caller's own (made as the fan-out would); anonymous callers get any id
    x.notification = async (who) => {
      if (!sessions[who]) return 1;
      const me = (await sessions[who].get('/api/v1/auth/me')).body;
      const uid = (me.user || me).id;
      return Number(dbQuery(server.db, 'INSERT INTO notifications (user_id, kind, event_id, entity, entity_id, title, '
        + `created_at) VALUES (${uid}, 'ticket.assigned', 0, 'ticket', 1, 'matrix', 0) RETURNING id`).trim());
    };
    // a delivery parked as failed (as the notifier leaves one)
    x.failedDelivery = async () => Number(dbQuery(server.db, 'INSERT INTO deliveries (channel, event_id, event_type, '
      + "recipient, payload, status, attempts, max_attempts, next_at, last_error, created_at, updated_at) VALUES ('webhook', 0, "
      + "'ticket.created', 'https://example.test/none', '{}', 'failed', 8, 8, 0, 'matrix', 0, 0) RETURNING id").trim());
    x.webhook = await make('POST /api/v1/webhooks', '/api/v1/webhooks', { name: `${MARK} target hook`,
      url: 'https://example.test/target', active: false });
    // customers and assets of organisation 1 (the demo customer's)
    x.version = async (path) => (await admin.get(path)).body.version;
    x.contact = await make('POST /api/v1/contacts', '/api/v1/contacts', { organisation_id: 1, name: `${MARK} target contact` });
    x.site = await make('POST /api/v1/sites', '/api/v1/sites', { organisation_id: 1, name: `${MARK} target site` });
    x.product = await make('POST /api/v1/products', '/api/v1/products', { name: `${MARK} target product`, category: 'printer' });
    x.model = await make('POST /api/v1/models', '/api/v1/models', { product_id: x.product, code: `${MARK}-target`,
      name: `${MARK} target model` });
    x.asset = await make('POST /api/v1/assets', '/api/v1/assets', { model_id: x.model, serial: `${MARK}-target`,
      organisation_id: 1, site_id: x.site });
    x.contract = await make('POST /api/v1/contracts', '/api/v1/contracts', { number: `${MARK}-target`, organisation_id: 1,
      starts_on: '2026-01-01', ends_on: '2026-12-31', asset_ids: [x.asset] });
    const imp = await admin.call('POST', '/api/v1/imports/organisations', { body: 'name\n' });
    assert.equal(imp.status, 202, imp.text);
    x.importJob = imp.body.id;
    x.spareToken = async () => {
      const r = await admin.post('/api/v1/tokens', { name: `${MARK} spare`, scopes: ['tickets:read'] });
      assert.equal(r.status, 201, r.text);
      return r.body.id;
    };
  });
  after(async () => { await server?.close(); });

  it('every route in routes.def has a sample request (a new route needs one here)', () => {
    const missing = ROUTES.map(routeKey).filter((k) => !SAMPLES[k]);
    assert.deepEqual(missing, [], `routes without a sample in matrix.test.mjs: ${missing.join(', ')}`);
    assert.ok(ROUTES.every((r) => r.resource && r.action), 'routes.def names a resource and an action for every route');
  });

  it('routes.def gives each route the permission docs/api.md documents', () => {
    const wrong = ROUTES.filter((r) => SAMPLES[routeKey(r)] && SAMPLES[routeKey(r)].perm !== permOf(r))
      .map((r) => `${routeKey(r)}: ${permOf(r)}, documented ${SAMPLES[routeKey(r)].perm}`);
    assert.deepEqual(wrong, []);
  });

  it('GET /api/v1/permissions lists every role and the documented grants', async () => {
    const p = await admin.get('/api/v1/permissions');
    assert.deepEqual([...p.body.roles].sort(), [...ROLES].sort());
    for (const [perm, roles] of Object.entries(DOCUMENTED)) {
      const [res, act] = perm.split(':');
      const have = ROLES.filter((r) => grants.has(`${r}:${res}:${act}`));
      assert.deepEqual(have, roles, `roles granted ${perm}`);
    }
  });

  for (const route of ROUTES) {
    const key = routeKey(route);
    it(`${key} (${permOf(route)})`, async () => {
      const sample = SAMPLES[key];
      assert.ok(sample, `no sample request for ${key}: add one to SAMPLES in matrix.test.mjs`);
      const wrong = [];
      results[key] = {};
      for (const who of [...ROLES, ANON]) {
        let c;
        if (who === ANON) c = anon;
        else if (sample.fresh) c = await anon.login(who, DEMO_PASSWORD);
        else c = sessions[who];
        const path = sample.path ? await sample.path(x, who) : route.path;
        const body = sample.body ? await sample.body(x, who) : undefined;
        const r = await c.call(route.method, path, { json: body });
        results[key][who] = r.status;

        let expect;
        if (route.resource === 'public') expect = 'ok';
        else if (who === ANON) expect = 401;
        else if (route.resource === 'session') expect = 'ok';
        else expect = grants.has(`${who}:${route.resource}:${route.action}`) ? 'ok' : 403;

        const what = `${who} ${route.method} ${path}`;
        try {
          if (expect === 401) assertUnauthorized(r, what);
          else if (expect === 403) assertProblem(r, 403, undefined, what);
          else assert.ok(sample.ok.includes(r.status), `${what}: expected ${sample.ok.join('/')}, got ${r.status} ${r.text.slice(0, 200)}`);
        } catch (e) {
          wrong.push(e.message.split('\n')[0]);
        }
      }
      assert.deepEqual(wrong, [], `${key}:\n${wrong.join('\n')}`);
    });
  }

  it('refused requests changed nothing', async () => {
    const may = (perm) => ROLES.filter((r) => grants.has(`${r}:${perm}`));
    const tickets = (await admin.listAll()).filter((t) => t.subject.startsWith(`${MARK} ticket by `))
      .map((t) => t.subject.slice(`${MARK} ticket by `.length));
    assert.deepEqual(tickets.sort(), may('tickets:create').sort(), 'tickets created by');
    const users = (await admin.get('/api/v1/users?limit=200')).body.items
      .filter((u) => u.username.startsWith(`${MARK}-by-`.toLowerCase())).map((u) => u.username.split('-by-')[1]);
    assert.deepEqual(users.sort(), may('users:manage').sort(), 'users created by');
    const groups = (await admin.get('/api/v1/groups')).body.items
      .filter((g) => g.name.startsWith(`${MARK} group by `)).map((g) => g.name.slice(`${MARK} group by `.length));
    assert.deepEqual(groups.sort(), may('groups:manage').sort(), 'groups created by');
    const tokens = (await admin.get('/api/v1/tokens')).body.items
      .filter((t) => t.name.startsWith(`${MARK} token by `)).map((t) => t.name.slice(`${MARK} token by `.length));
    assert.deepEqual(tokens.sort(), may('tokens:manage').sort(), 'tokens created by');
    const t = await admin.get(`${T}/${x.ticket}`);
    const patched = /patched by (\w+)$/.exec(t.body.description)?.[1];
    assert.ok(!patched || grants.has(`${patched}:tickets:update`), `the last PATCH came from a permitted role: ${patched}`);
  });

  it('prints the matrix', (t) => {
    const cols = [...ROLES, ANON];
    const w = Math.max(...Object.keys(results).map((k) => k.length));
    const head = `${'route'.padEnd(w)}  ${cols.map((c) => c.slice(0, 5).padStart(5)).join(' ')}`;
    const lines = [head, ...Object.entries(results).map(([k, row]) =>
      `${k.padEnd(w)}  ${cols.map((c) => String(row[c] ?? '-').padStart(5)).join(' ')}`)];
    for (const l of lines) t.diagnostic(l);
    assert.ok(Object.keys(results).length > 0);
  });

  describe('tickets by organisation and assignee', () => {
    let customer, engineer, agent, own, other, assigned, elsewhere;
    before(async () => {
      customer = sessions.customer;
      engineer = sessions.engineer;
      agent = sessions.agent;
      const agentId = agent.user.id;
      own = await admin.create({ subject: `${MARK} org 1`, organisation_id: 1 });
      other = await admin.create({ subject: `${MARK} org 2`, organisation_id: 2 });
      assigned = await admin.create({ subject: `${MARK} for the engineer`, organisation_id: 2, assignee_id: x.engineer });
      elsewhere = await admin.create({ subject: `${MARK} for the agent`, organisation_id: 1, assignee_id: agentId });
    });
    const missing = async (c, path, what) => {
      const r = await c.get(path);
      const p = assertProblem(r, 404, undefined, what);
      const none = assertProblem(await admin.get(`${T}/987654321`), 404);
      assert.equal(p.type, none.type, `${what}: answers like a ticket that does not exist`);
      assert.equal(p.title, none.title, `${what}: answers like a ticket that does not exist`);
      assert.doesNotMatch(r.text, new RegExp(MARK), `${what}: nothing of the ticket leaks`);
    };

    it('tickets carry organisation_id and assignee_id; staff set them, unknown ones are 422', async () => {
      assert.equal(own.organisation_id, 1);
      assert.equal(own.assignee_id, null);
      assert.equal(assigned.organisation_id, 2);
      assert.equal(assigned.assignee_id, x.engineer);
      assertProblem(await admin.post(T, { subject: `${MARK} bad org`, organisation_id: 987654 }), 422, 'organisation_id');
      assertProblem(await admin.post(T, { subject: `${MARK} bad assignee`, assignee_id: 987654 }), 422, 'assignee_id');
      const t = await admin.create({ subject: `${MARK} patch me` });
      assertProblem(await admin.patch(`${T}/${t.id}`, { version: 1, organisation_id: 987654 }), 422, 'organisation_id');
      assertProblem(await admin.patch(`${T}/${t.id}`, { version: 1, assignee_id: 987654 }), 422, 'assignee_id');
      const u = await admin.update(t.id, { version: 1, organisation_id: 3, assignee_id: x.engineer });
      assert.equal(u.organisation_id, 3);
      assert.equal(u.assignee_id, x.engineer);
    });

    it('the customer reads its own organisation\'s ticket (200) and its events', async () => {
      const r = await customer.get(`${T}/${own.id}`);
      assert.equal(r.status, 200, r.text);
      assert.equal(r.body.id, own.id);
      assert.equal((await customer.get(`${T}/${own.id}/events`)).status, 200);
    });

    it('another organisation\'s ticket and its events are 404 for the customer', async () => {
      await missing(customer, `${T}/${other.id}`, 'org 2 ticket');
      await missing(customer, `${T}/${other.id}/events`, 'org 2 events');
      await missing(customer, `${T}/${assigned.id}`, 'org 2 ticket assigned to the engineer');
    });

    it('the customer\'s list shows only organisation 1 tickets', async () => {
      const all = await customer.listAll();
      assert.ok(all.length > 0);
      assert.deepEqual(all.filter((t) => t.organisation_id !== 1).map((t) => [t.id, t.organisation_id]), [],
        'only organisation 1');
      const ids = all.map((t) => t.id);
      assert.ok(ids.includes(own.id) && ids.includes(elsewhere.id), 'its organisation\'s tickets are listed');
      assert.ok(!ids.includes(other.id) && !ids.includes(assigned.id), 'other organisations\' are not');
      const news = await customer.listAll('status=new');
      assert.ok(news.every((t) => t.organisation_id === 1), 'a filter does not widen the scope');
    });

    it('a customer\'s new ticket belongs to organisation 1, whatever the body says', async () => {
      const plain = await customer.create({ subject: `${MARK} by the customer` });
      assert.equal(plain.organisation_id, 1);
      const subject = `${MARK} customer asks for org 2`;
      const r = await customer.post(T, { subject, organisation_id: 2 });
      if (r.status === 201) {
        assert.equal(r.body.organisation_id, 1, 'created in the customer\'s organisation');
        assert.equal((await admin.get(`${T}/${r.body.id}`)).body.organisation_id, 1);
      } else {
        assertProblem(r, 422, 'organisation_id', 'refused');
      }
      const landed = (await admin.listAll()).filter((t) => t.subject === subject);
      assert.ok(landed.every((t) => t.organisation_id === 1), `never in organisation 2: ${JSON.stringify(landed)}`);
    });

    it('a customer cannot assign a ticket: 422, or the assignee is ignored', async () => {
      const subject = `${MARK} customer assigns`;
      const r = await customer.post(T, { subject, assignee_id: x.engineer });
      if (r.status === 201) {
        assert.equal(r.body.assignee_id, null, 'the assignee is not set');
        assert.equal((await admin.get(`${T}/${r.body.id}`)).body.assignee_id, null);
      } else {
        assertProblem(r, 422, 'assignee_id', 'refused');
      }
      const landed = (await admin.listAll()).filter((t) => t.subject === subject);
      assert.ok(landed.every((t) => t.assignee_id === null), `never assigned: ${JSON.stringify(landed)}`);
    });

    it('an Idempotency-Key reused by another caller never hands over their ticket', async () => {
      const key = tag('shared-key');
      const body = { subject: `${MARK} same key, same body` };
      const first = await admin.post(T, body, { headers: { 'idempotency-key': key } });
      assert.equal(first.status, 201, first.text);
      assert.equal(first.body.organisation_id, null);
      const r = await customer.post(T, body, { headers: { 'idempotency-key': key } });
      if (r.status === 200 || r.status === 201) {
        assert.notEqual(r.body.id, first.body.id, `the customer got the admin's ticket: ${r.text}`);
        assert.equal(r.body.organisation_id, 1);
      } else {
        assertProblem(r, [409, 422], undefined, 'refused');
      }
    });

    it('the engineer reads the assigned ticket (200) and gets 404 for others', async () => {
      const r = await engineer.get(`${T}/${assigned.id}`);
      assert.equal(r.status, 200, r.text);
      assert.equal((await engineer.get(`${T}/${assigned.id}/events`)).status, 200);
      await missing(engineer, `${T}/${own.id}`, 'an unassigned ticket');
      await missing(engineer, `${T}/${elsewhere.id}`, 'a ticket assigned to someone else');
      await missing(engineer, `${T}/${elsewhere.id}/events`, 'events of a ticket assigned to someone else');
    });

    it('the engineer\'s list shows only tickets assigned to them', async () => {
      const all = await engineer.listAll();
      assert.deepEqual(all.filter((t) => t.assignee_id !== x.engineer).map((t) => [t.id, t.assignee_id]), [],
        'only assigned tickets');
      const ids = all.map((t) => t.id);
      assert.ok(ids.includes(assigned.id) && ids.includes(x.ticket), 'the assigned tickets are listed');
      assert.ok(!ids.includes(own.id) && !ids.includes(elsewhere.id), 'others are not');
      const news = await engineer.listAll('status=new,in_progress');
      assert.ok(news.every((t) => t.assignee_id === x.engineer), 'a filter does not widen the scope');
    });

    it('the engineer updates the assigned ticket; another is 404 and unchanged', async () => {
      const v = (await admin.get(`${T}/${assigned.id}`)).body.version;
      const u = await engineer.patch(`${T}/${assigned.id}`, { version: v, status: 'in_progress' });
      assert.equal(u.status, 200, u.text);
      const ev = await admin.get(`${T}/${assigned.id}/events`);
      assert.equal(ev.body.items.at(-1).actor, 'engineer');
      assertProblem(await engineer.patch(`${T}/${own.id}`, { version: 1, status: 'in_progress' }), 404);
      assert.equal((await admin.get(`${T}/${own.id}`)).body.version, 1);
    });

    it('assigning and unassigning changes what the engineer sees at once', async () => {
      const t = await admin.create({ subject: `${MARK} reassigned` });
      await missing(engineer, `${T}/${t.id}`, 'before assignment');
      const a = await admin.update(t.id, { version: 1, assignee_id: x.engineer });
      assert.equal((await engineer.get(`${T}/${t.id}`)).status, 200);
      await admin.update(t.id, { version: a.version, assignee_id: null });
      await missing(engineer, `${T}/${t.id}`, 'after unassignment');
    });

    it('other staff see every organisation', async () => {
      const ids = (await agent.listAll()).map((t) => t.id);
      for (const t of [own, other, assigned, elsewhere]) assert.ok(ids.includes(t.id), `agent sees ${t.subject}`);
      assert.equal((await sessions.warehouse.get(`${T}/${other.id}`)).status, 200);
    });
  });
});
