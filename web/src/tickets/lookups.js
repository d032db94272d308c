// Reference data the ticket pages share, loaded once per session and on
// demand again (after an admin change): ticket types, workflows (status names
// and categories), custom fields, categories and fault codes, users, groups.
// Each list loads only when the user may read it; a failure leaves it empty.
import { reactive } from 'vue';
import { i18n } from '../i18n/index.js';
import { can } from '../auth/session.js';
import {
  listCategories, listCustomFields, listTicketTypes, listWorkflows, getWorkflow,
} from '../api/ticketConfig.js';
import { listAllGroups, listAllUsers } from '../api/directory.js';

export const lookups = reactive({
  loaded: false,
  types: [],
  workflows: [],
  customFields: [],
  categories: [],
  faultCodes: [],
  users: [],
  groups: [],
});

let pending = null;

async function safe(fn, fallback = []) {
  try { return await fn(); } catch { return fallback; }
}

/** Workflows with their statuses: the list may carry only a summary, then each one is read. */
async function loadWorkflows() {
  const list = await listWorkflows();
  return Promise.all(list.map((w) => (Array.isArray(w.statuses) ? w : safe(() => getWorkflow(w.id), w))));
}

/** Load (or with force, reload) everything; resolves when done. */
export function loadLookups(force = false) {
  if (lookups.loaded && !force) return Promise.resolve(lookups);
  if (pending) return pending;
  const config = can('ticket_config:read');
  pending = Promise.all([
    config ? safe(listTicketTypes) : [],
    config ? safe(loadWorkflows) : [],
    config ? safe(listCustomFields) : [],
    config ? safe(() => listCategories('category')) : [],
    config ? safe(() => listCategories('fault_code')) : [],
    can('users:read') ? safe(listAllUsers) : [],
    can('groups:read') ? safe(listAllGroups) : [],
  ]).then(([types, workflows, customFields, categories, faultCodes, users, groups]) => {
    Object.assign(lookups, { types, workflows, customFields, categories, faultCodes, users, groups, loaded: true });
    return lookups;
  }).finally(() => { pending = null; });
  return pending;
}

const t = (...a) => i18n.global.t(...a);
const te = (k) => i18n.global.te(k);

/** A status key in the UI language: a known key's translation, else the workflow's name, else the key. */
export function statusLabel(key) {
  if (!key) return '';
  if (te(`statusName.${key}`)) return t(`statusName.${key}`);
  for (const w of lookups.workflows) {
    const s = (w.statuses || []).find((x) => x.key === key);
    if (s?.name) return s.name;
  }
  return key;
}

/** The category (new/open/pending/resolved/closed) of a status key, from the workflows. */
export function statusCategory(key) {
  for (const w of lookups.workflows) {
    const s = (w.statuses || []).find((x) => x.key === key);
    if (s) return s.category;
  }
  return null;
}

/** Every status key of every workflow, in workflow order, without repeats. */
export function allStatuses() {
  const seen = new Map();
  for (const w of lookups.workflows) for (const s of w.statuses || []) if (!seen.has(s.key)) seen.set(s.key, s);
  return [...seen.values()];
}

export function typeLabel(key) {
  if (!key) return '';
  if (te(`typeName.${key}`)) return t(`typeName.${key}`);
  return lookups.types.find((x) => x.key === key)?.name || key;
}

export function userLabel(id) {
  if (id === null || id === undefined) return '';
  const u = lookups.users.find((x) => x.id === id);
  return u ? (u.display_name || u.username) : `#${id}`;
}

export function groupLabel(id) {
  if (id === null || id === undefined) return '';
  return lookups.groups.find((x) => x.id === id)?.name || `#${id}`;
}

export function categoryLabel(id, kind = 'category') {
  if (id === null || id === undefined) return '';
  const list = kind === 'fault_code' ? lookups.faultCodes : lookups.categories;
  const c = list.find((x) => x.id === id);
  if (!c) return `#${id}`;
  return c.code ? `${c.code} ${c.name}` : c.name;
}

/** Active custom fields that apply to ticket type `typeKey` (all active ones when no type is given). */
export function fieldsForType(typeKey) {
  return lookups.customFields
    .filter((f) => f.active !== false)
    .filter((f) => !typeKey || !f.ticket_types?.length || f.ticket_types.includes(typeKey))
    .sort((a, b) => (a.position ?? 0) - (b.position ?? 0) || a.id - b.id);
}

/** Users who can work tickets (not customers, not disabled), for assignee and watcher pickers. */
export function staffUsers() {
  return lookups.users.filter((u) => !u.disabled && !(u.roles || []).every((r) => r === 'customer'));
}

/** A flat tree list as [{ ...node, depth }] in tree order, for indented selects. */
export function treeOrder(list) {
  const byParent = new Map();
  for (const n of list) {
    const k = n.parent_id ?? 0;
    if (!byParent.has(k)) byParent.set(k, []);
    byParent.get(k).push(n);
  }
  const out = [];
  const ids = new Set(list.map((n) => n.id));
  const walk = (parent, depth) => {
    for (const n of byParent.get(parent) || []) {
      out.push({ ...n, depth });
      if (depth < 20) walk(n.id, depth + 1);
    }
  };
  walk(0, 0);
  // orphans (parent not in the list) at the top level
  for (const n of list) if (n.parent_id && !ids.has(n.parent_id) && !out.some((o) => o.id === n.id)) out.push({ ...n, depth: 0 });
  return out;
}
