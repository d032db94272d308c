// The queue's columns: standard ticket fields plus active custom fields
// (`custom.<key>`), the chosen set remembered per user in localStorage.

/** Standard columns: key, label (i18n key), `sort` parameter when sortable (`sortOrders`:
 * the order header clicks cycle through, descending first unless given), width. */
export const STANDARD_COLUMNS = [
  { key: 'number', label: 'ticket.number', sort: 'id', width: 170, fixed: true },
  { key: 'subject', label: 'ticket.subject', minWidth: 240 },
  { key: 'status', label: 'ticket.status', width: 170 },
  { key: 'priority', label: 'ticket.priority', sort: 'priority', width: 110 },
  { key: 'sla', label: 'sla.column', sort: 'sla_due_at', sortOrders: ['ascending', 'descending', null], width: 160 },
  { key: 'type', label: 'ticket.type', width: 150 },
  { key: 'assignee', label: 'ticket.assignee', width: 130 },
  { key: 'group', label: 'ticket.group', width: 130 },
  { key: 'channel', label: 'ticket.channel', width: 100 },
  { key: 'tags', label: 'ticket.tags', width: 160 },
  { key: 'category', label: 'ticket.category', width: 140 },
  { key: 'customer_ref', label: 'ticket.customerRef', width: 150 },
  { key: 'created_at', label: 'ticket.createdAt', sort: 'created_at', width: 170 },
  { key: 'updated_at', label: 'ticket.updatedAt', sort: 'updated_at', width: 170 },
];

export const DEFAULT_COLUMNS = ['number', 'subject', 'status', 'priority', 'sla', 'type', 'assignee', 'created_at'];

const storageKey = (userId) => `tend.queue.columns.${userId ?? 'anon'}`;

/** The user's remembered columns, else the default set. */
export function loadColumns(userId) {
  try {
    const saved = JSON.parse(localStorage.getItem(storageKey(userId)) || 'null');
    if (Array.isArray(saved) && saved.length && saved.every((c) => typeof c === 'string')) return saved;
  } catch { /* storage disabled or bad JSON */ }
  return [...DEFAULT_COLUMNS];
}

export function saveColumns(userId, columns) {
  try { localStorage.setItem(storageKey(userId), JSON.stringify(columns)); } catch { /* storage disabled */ }
}
