// The queue's state in the URL (?tab=open&priority=high,urgent&sort=-priority&view=3)
// and its translation to list/count parameters and to a saved view's query
// string ("status_category=open&priority=high").

/** Filters the queue offers, by their API parameter name; `list` ones take several values. */
export const FILTERS = [
  { key: 'priority', list: true },
  { key: 'type', list: true },
  { key: 'channel', list: true },
  { key: 'assignee_id', list: false },
  { key: 'group_id', list: false },
  { key: 'tag', list: false },
  { key: 'sla', list: false },
  { key: 'sla_due_within', list: false },
];
/** "Breaching within" choices of the queue, in minutes (sla_due_within). */
export const SLA_DUE_WITHIN = [60, 240, 1440];
export const TABS = ['new', 'open', 'pending', 'resolved', 'closed', 'all'];
export const DEFAULT_TAB = 'all';

const str = (v) => (Array.isArray(v) ? v.join(',') : v ?? '');

/** The queue state from a route query: { tab, filters: {key: value|[]}, sort, view }. */
export function stateFromQuery(q) {
  const tab = TABS.includes(str(q.tab)) ? str(q.tab) : DEFAULT_TAB;
  const filters = {};
  for (const f of FILTERS) {
    const v = str(q[f.key]);
    filters[f.key] = f.list ? v.split(',').filter(Boolean) : v;
  }
  return { tab, filters, sort: str(q.sort), view: str(q.view) };
}

/** A route query from a queue state (empty values left out). */
export function queryFromState({ tab, filters, sort, view }) {
  const q = {};
  if (tab && tab !== DEFAULT_TAB) q.tab = tab;
  for (const f of FILTERS) {
    const v = filters?.[f.key];
    const s = f.list ? (v || []).join(',') : (v ?? '');
    if (s !== '') q[f.key] = String(s);
  }
  if (sort) q.sort = sort;
  if (view) q.view = String(view);
  return q;
}

/** Parameters for GET /tickets/counts: the filters without the tab. */
export function countParams(state) {
  const p = {};
  for (const f of FILTERS) {
    const v = state.filters[f.key];
    if (f.list ? v?.length : v) p[f.key] = v;
  }
  return p;
}

/** Parameters for GET /tickets: the filters, the tab's status category and the sort. */
export function listParams(state) {
  const p = countParams(state);
  if (state.tab !== 'all') p.status_category = state.tab;
  if (state.sort) p.sort = state.sort;
  return p;
}

/** The saved-view query string for a state: its list parameters. */
export function viewQueryString(state) {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(listParams(state))) params.set(k, Array.isArray(v) ? v.join(',') : String(v));
  return params.toString();
}

/** A queue state from a saved view's query string (unknown parameters are ignored). */
export function stateFromViewQuery(qs, viewId) {
  const params = new URLSearchParams(qs || '');
  const q = {};
  for (const [k, v] of params) q[k] = v;
  const cat = q.status_category;
  if (cat && TABS.includes(cat)) q.tab = cat;
  const state = stateFromQuery(q);
  state.view = viewId ? String(viewId) : '';
  return state;
}
