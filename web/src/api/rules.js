// Rules engine endpoints (docs/api-rules.md): the ordered rule set, its
// validation and dry run, and the field/operator/action catalogue for the
// console's editor. Reading needs rules:read, changing rules:manage.
import { request } from './client.js';

const BASE = '/api/v1/rules';
const one = (id) => `${BASE}/${encodeURIComponent(id)}`;

/** Every rule in evaluation order (position, id). */
export async function listRules(signal) {
  return (await request('GET', BASE, { signal })).data?.items || [];
}

export async function getRule(id, signal) {
  return (await request('GET', one(id), { signal })).data;
}

export async function createRule(body) {
  return (await request('POST', BASE, { body })).data;
}

/** Change a rule; `body.version` is the one last read (409 when stale). */
export async function updateRule(id, body) {
  return (await request('PATCH', one(id), { body })).data;
}

export async function deleteRule(id) {
  await request('DELETE', one(id));
}

/** The new order as all rule ids; resolves the rules in that order. */
export async function reorderRules(ids) {
  return (await request('POST', `${BASE}/reorder`, { body: { ids } })).data?.items || [];
}

/**
 * Check a condition (and optionally actions and triggers) without saving.
 * Resolves { ok: true }; a 422 rejects with the errors
 * [{ field, message, position }] in err.problem.errors.
 */
export async function validateRule(body, signal) {
  return (await request('POST', `${BASE}/validate`, { body, signal })).data;
}

/**
 * What the rules would do: body { ticket_id } or { ticket: {...} }, optional
 * trigger and rules (unsaved bodies tested instead of the saved set).
 * Resolves { trace: [...], changes: { field: { from, to } }, ticket }.
 */
export async function dryRun(body) {
  return (await request('POST', `${BASE}/dry-run`, { body })).data;
}

/** { fields: [{ name, type, ops, values? }], triggers: [...], actions: [{ type, params }] } */
export async function ruleFields(signal) {
  return (await request('GET', `${BASE}/fields`, { signal })).data || { fields: [], triggers: [], actions: [] };
}

/** Triggers in the contract's order (the server's list wins when it has one). */
export const TRIGGERS = ['ticket.created', 'ticket.updated', 'ticket.commented', 'ticket.status_changed',
  'sla.warning', 'sla.breached', 'time'];

/** Action types and the parameters each takes, in the order the editor offers them. */
export const ACTION_TYPES = ['set_priority', 'set_field', 'add_tags', 'remove_tags', 'assign_group', 'assign_agent',
  'set_required_skills', 'notify', 'webhook', 'transition', 'escalate'];

export const STRATEGIES = ['none', 'round_robin', 'least_open', 'skill_match'];
export const NOTIFY_TARGETS = ['assignee', 'group_lead', 'watchers', 'managers'];
