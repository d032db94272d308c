// Saved views of the ticket queue (/api/v1/views): the signed-in user's own
// named filters — a list query string plus the chosen columns.
import { request } from './client.js';

const BASE = '/api/v1/views';

export async function listViews(signal) {
  const { data } = await request('GET', BASE, { signal });
  return data?.items || [];
}

/** { name, query: 'status_category=open&priority=high', columns: [...] } → the view. */
export async function createView(body) {
  return (await request('POST', BASE, { body })).data;
}

export async function updateView(id, body) {
  return (await request('PATCH', `${BASE}/${encodeURIComponent(id)}`, { body })).data;
}

export async function deleteView(id) {
  await request('DELETE', `${BASE}/${encodeURIComponent(id)}`);
}
