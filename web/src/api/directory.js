// People and groups for pickers (assignee, watchers, group): every user and
// group the caller may read, fetched page by page.
import { request } from './client.js';

async function all(path, signal, max = 2000) {
  const out = [];
  let cursor = null;
  do {
    const { data } = await request('GET', path, { query: { limit: 200, cursor }, signal });
    out.push(...(data?.items || []));
    cursor = data?.next_cursor ?? null;
  } while (cursor && out.length < max);
  return out;
}

export const listAllUsers = (signal) => all('/api/v1/users', signal);
/** Groups come in one answer (no paging). */
export async function listAllGroups(signal) {
  const { data } = await request('GET', '/api/v1/groups', { signal });
  return data?.items || [];
}
