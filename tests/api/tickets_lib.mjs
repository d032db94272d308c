// Helpers shared by the tickets-module suites (docs/api-tickets.md): demo
// sign-ins, workflow walks, custom fields and categories, and problem checks
// whose field is a pattern (workflow validation names places like
// `transitions[0].roles[1]`).
import assert from 'node:assert/strict';
import { client, assertProblem } from './client.mjs';

export const T = '/api/v1/tickets';
export const DEMO_PASSWORD = 'tend-demo-2026';
export const ROLES = ['admin', 'manager', 'dispatcher', 'agent', 'engineer', 'warehouse', 'finance', 'customer'];
export const CATEGORIES = ['new', 'open', 'pending', 'resolved', 'closed'];
export const REPAIR = ['new', 'assigned', 'in_progress', 'pending_customer', 'resolved', 'pending_followup', 'closed'];
export const REPAIR_CATEGORY = {
  new: 'new', assigned: 'open', in_progress: 'open', pending_customer: 'pending',
  resolved: 'resolved', pending_followup: 'resolved', closed: 'closed',
};
export const SIMPLE = ['new', 'open', 'pending', 'resolved', 'closed'];
export const PRIORITY_RANK = { low: 0, normal: 1, high: 2, urgent: 3 };

/** Sign in every demo role: { role: session client }. */
export async function demoSessions(server, roles = ROLES) {
  const anon = client(server.url);
  const out = {};
  for (const r of roles) out[r] = await anon.login(r, DEMO_PASSWORD);
  return out;
}

/** The id of a user by username (through the admin client). */
export async function userId(admin, username) {
  const r = await admin.get('/api/v1/users?limit=200');
  assert.equal(r.status, 200, r.text);
  const u = r.body.items.find((x) => x.username === username);
  assert.ok(u, `user ${username} exists`);
  return u.id;
}

/** The caller's own user id (GET /auth/me). */
export async function meId(c) {
  const r = await c.get('/api/v1/auth/me');
  assert.equal(r.status, 200, r.text);
  return (r.body.user || r.body).id;
}

/** POST /tickets/{id}/transitions and assert 200; resolves the ticket. */
export async function transition(c, id, to, extra = {}) {
  const r = await c.post(`${T}/${id}/transitions`, { to, ...extra });
  assert.equal(r.status, 200, `transition ${id} -> ${to} ${JSON.stringify(extra)}: ${r.status} ${r.text.slice(0, 300)}`);
  return r.body;
}

/** The repair-workflow path from `new` to each status, with the fields each step needs. */
export function repairPath(status, assigneeId) {
  const p = {
    new: [],
    assigned: [['assigned', { assignee_id: assigneeId }]],
    in_progress: [['in_progress']],
    pending_customer: [['in_progress'], ['pending_customer']],
    resolved: [['in_progress'], ['resolved', { resolution_code: 'fixed' }]],
    pending_followup: [['in_progress'], ['resolved', { resolution_code: 'fixed' }], ['pending_followup']],
    closed: [['in_progress'], ['resolved', { resolution_code: 'fixed' }], ['closed']],
  }[status];
  assert.ok(p, `repair status ${status}`);
  return p;
}

/** Walk a new repair ticket to `status` through transitions; resolves the ticket. */
export async function walkRepair(c, ticket, status, assigneeId) {
  let t = ticket;
  for (const [to, extra] of repairPath(status, assigneeId)) t = await transition(c, t.id, to, extra || {});
  assert.equal(t.status, status);
  return t;
}

/** POST /custom-fields and assert 201; resolves the field. */
export async function addField(admin, def) {
  const r = await admin.post('/api/v1/custom-fields', def);
  assert.equal(r.status, 201, `custom field ${JSON.stringify(def)}: ${r.status} ${r.text.slice(0, 300)}`);
  return r.body;
}

/** POST /categories and assert 201; resolves the category. */
export async function addCategory(admin, def) {
  const r = await admin.post('/api/v1/categories', def);
  assert.equal(r.status, 201, `category ${JSON.stringify(def)}: ${r.status} ${r.text.slice(0, 300)}`);
  return r.body;
}

/** A problem whose errors name a field matching `re` (a RegExp). */
export function assertProblemLike(r, status, re, what = '') {
  const p = assertProblem(r, status, undefined, what);
  assert.ok(p.errors.some((e) => re.test(e.field)),
    `${what ? `${what}: ` : ''}errors name a field matching ${re}: ${r.text.slice(0, 400)}`);
  return p;
}

/** A ticket's events (asserting 200). */
export async function events(c, id) {
  const r = await c.get(`${T}/${id}/events`);
  assert.equal(r.status, 200, `events of ${id}: ${r.status} ${r.text.slice(0, 300)}`);
  return r.body.items;
}

/** GET a ticket and assert 200. */
export async function getTicket(c, id) {
  const r = await c.get(`${T}/${id}`);
  assert.equal(r.status, 200, `GET ticket ${id}: ${r.status} ${r.text.slice(0, 300)}`);
  return r.body;
}

/** A minimal valid workflow definition (POST /workflows body). */
export function workflowDef(key, over = {}) {
  return {
    key,
    name: `Workflow ${key}`,
    initial: 'open',
    statuses: [
      { key: 'open', name: 'Open', category: 'open', pauses_sla: false },
      { key: 'waiting', name: 'Waiting', category: 'pending', pauses_sla: true },
      { key: 'done', name: 'Done', category: 'closed', pauses_sla: false },
    ],
    transitions: [
      { from: 'open', to: 'waiting', name: 'Wait', roles: [], requires: [] },
      { from: 'waiting', to: 'open', name: 'Resume', roles: [], requires: [] },
      { from: '*', to: 'done', name: 'Finish', roles: [], requires: [] },
    ],
    ...over,
  };
}

/**
 * Switch the demo's routing rules off (docs/api-rules.md): suites that check
 * exactly what they wrote, on tickets of the demo's VIP organisations, do not
 * want a rule raising the priority or choosing the group.
 */
export async function withoutDemoRules(admin) {
  for (const r of (await admin.get('/api/v1/rules')).body.items) {
    const p = await admin.patch(`/api/v1/rules/${r.id}`, { active: false });
    assert.equal(p.status, 200, p.text);
  }
}
