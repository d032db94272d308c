// Ticket endpoints of /api/v1 (see docs/api-tickets.md).
import { request } from './client.js';

const BASE = '/api/v1/tickets';
const one = (id) => `${BASE}/${encodeURIComponent(id)}`;

/** Status categories, in queue-tab order (a workflow's statuses each map to one). */
export const CATEGORIES = ['new', 'open', 'pending', 'resolved', 'closed'];
export const PRIORITIES = ['low', 'normal', 'high', 'urgent'];
export const CHANNELS = ['portal', 'email', 'phone', 'wechat', 'api', 'iot', 'internal'];
/** Link kinds a user may add (the reverse kinds `child`/`duplicated_by` also appear in lists). */
export const LINK_KINDS = ['parent', 'child', 'duplicate_of', 'related'];

/** One page. filters: the list parameters of the contract (arrays become comma lists). */
export async function listTickets(filters = {}, signal) {
  const { data } = await request('GET', BASE, { query: filters, signal });
  return { items: data?.items || [], nextCursor: data?.next_cursor ?? null };
}

/** Counts for the queue tabs: { total, by_category, by_status } for the same filters. */
export async function ticketCounts(filters = {}, signal) {
  const { data } = await request('GET', `${BASE}/counts`, { query: filters, signal });
  return data || { total: 0, by_category: {}, by_status: {} };
}

/** Full-text search: [{ ticket, snippet, rank }], best first. */
export async function searchTickets(q, opts = {}, signal) {
  const { data } = await request('GET', `${BASE}/search`, { query: { q, ...opts }, signal });
  return data?.items || [];
}

/** Create a ticket; the key makes a retry of the same body safe. Resolves the ticket. */
export async function createTicket(body, idempotencyKey) {
  const { data } = await request('POST', BASE, {
    body,
    headers: idempotencyKey ? { 'Idempotency-Key': idempotencyKey } : {},
  });
  return data;
}

export async function getTicket(id, signal) {
  const { data } = await request('GET', one(id), { signal });
  return data;
}

/** Change fields; `version` is the one last read (409 when it is stale). Resolves the ticket. */
export async function updateTicket(id, version, changes) {
  const { data } = await request('PATCH', one(id), { body: { ...changes, version } });
  return data;
}

/** The transitions the caller may use from the current status: [{ to, name, requires, category }]. */
export async function listTransitions(id, signal) {
  const { data } = await request('GET', `${one(id)}/transitions`, { signal });
  return data?.items || [];
}

/** Move to status `to`, setting the required fields in the same change. Resolves the ticket. */
export async function applyTransition(id, body) {
  const { data } = await request('POST', `${one(id)}/transitions`, { body });
  return data;
}

export async function listTicketEvents(id, signal) {
  const { data } = await request('GET', `${one(id)}/events`, { signal });
  return data?.items || [];
}

export async function listComments(id, signal) {
  const { data } = await request('GET', `${one(id)}/comments`, { signal });
  return data?.items || [];
}

/** A reply (internal false) or internal note, with already uploaded attachments. */
export async function addComment(id, { body, internal = false, attachmentIds = [] }) {
  const payload = { body, internal };
  if (attachmentIds.length) payload.attachment_ids = attachmentIds;
  const { data } = await request('POST', `${one(id)}/comments`, { body: payload });
  return data;
}

/** Upload one file (the raw bytes) to the ticket; resolves { id, filename, content_type, size, ... }. */
export async function uploadAttachment(id, file) {
  const { data } = await request('POST', `${one(id)}/attachments`, { query: { filename: file.name }, raw: file });
  return data;
}

export const attachmentUrl = (attachmentId) => `/api/v1/attachments/${encodeURIComponent(attachmentId)}`;

export async function listLinks(id, signal) {
  const { data } = await request('GET', `${one(id)}/links`, { signal });
  return data?.items || [];
}

export async function addLink(id, kind, ticketId) {
  const { data } = await request('POST', `${one(id)}/links`, { body: { kind, ticket_id: ticketId } });
  return data;
}

export async function removeLink(id, otherId) {
  await request('DELETE', `${one(id)}/links/${encodeURIComponent(otherId)}`);
}

/** Merge ticket `id` into `into`; resolves the survivor. */
export async function mergeTicket(id, into) {
  const { data } = await request('POST', `${one(id)}/merge`, { body: { into } });
  return data;
}

/** The same change on many tickets, all or nothing: { updated, items }; a 422 lists `ids[i]` failures. */
export async function bulkUpdate(ids, set) {
  const { data } = await request('POST', `${BASE}/bulk`, { body: { ids, set } });
  return data;
}
