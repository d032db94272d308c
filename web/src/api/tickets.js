// Ticket endpoints of /api/v1 (see docs/api.md).
import { request } from './client.js';

const BASE = '/api/v1/tickets';

export const STATUSES = ['new', 'open', 'pending', 'resolved', 'closed'];
export const PRIORITIES = ['low', 'normal', 'high', 'urgent'];

/** One page, newest first. filters: { status: [], priority: [], customer_ref, limit, cursor }. */
export async function listTickets(filters = {}, signal) {
  const { data } = await request('GET', BASE, { query: filters, signal });
  return { items: data?.items || [], nextCursor: data?.next_cursor ?? null };
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
  const { data } = await request('GET', `${BASE}/${encodeURIComponent(id)}`, { signal });
  return data;
}

/** Change fields; `version` is the one last read (409 when it is stale). Resolves the ticket. */
export async function updateTicket(id, version, changes) {
  const { data } = await request('PATCH', `${BASE}/${encodeURIComponent(id)}`, {
    body: { ...changes, version },
  });
  return data;
}

export async function listTicketEvents(id, signal) {
  const { data } = await request('GET', `${BASE}/${encodeURIComponent(id)}/events`, { signal });
  return data?.items || [];
}
