// Session and user endpoints of /api/v1 (see "Authentication and authorisation"
// in docs/api.md). The session itself is the HttpOnly cookie `tend_session`;
// nothing here is stored by the browser app.
import { request } from './client.js';

/** Sign in; resolves { user, csrf_token, expires_at }. 401 and 429 are left to the caller. */
export async function login(username, password) {
  const { data } = await request('POST', '/api/v1/auth/login', { body: { username, password }, auth: false });
  return data;
}

/** End the session (204); a 401 (already ended) is not an error for the caller. */
export async function logout() {
  await request('POST', '/api/v1/auth/logout', { auth: false });
}

/** The caller: { user, auth, csrf_token?, permissions: { resource: [actions] } }; 401 when signed out. */
export async function fetchMe() {
  const { data } = await request('GET', '/api/v1/auth/me', { auth: false });
  return data;
}

export const ROLES = ['admin', 'manager', 'dispatcher', 'agent', 'engineer', 'warehouse', 'finance', 'customer'];

/** One page of users. filters: { role, disabled, limit, cursor }. */
export async function listUsers(filters = {}, signal) {
  const { data } = await request('GET', '/api/v1/users', { query: filters, signal });
  return { items: data?.items || [], nextCursor: data?.next_cursor ?? null };
}

/** Create a user: { username, display_name?, email?, roles, password, organisation_id? }. */
export async function createUser(body) {
  const { data } = await request('POST', '/api/v1/users', { body });
  return data;
}

/** Change a user: any of { display_name, email, roles, disabled, organisation_id, password }. */
export async function updateUser(id, changes) {
  const { data } = await request('PATCH', `/api/v1/users/${encodeURIComponent(id)}`, { body: changes });
  return data;
}
