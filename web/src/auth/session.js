// The signed-in user as the console knows it: who (GET /api/v1/auth/me), with
// which permissions, and the session's CSRF token (kept in memory only; the
// session itself is the HttpOnly cookie, so nothing here touches localStorage).
import { reactive, readonly } from 'vue';
import { setCsrfToken } from '../api/client.js';
import { fetchMe, login, logout } from '../api/auth.js';

const state = reactive({
  status: 'unknown', // 'unknown' until /me answered, then 'signed-in' or 'signed-out'
  user: null,
  auth: null,
  permissions: {}, // { resource: [action, ...] }
});

/** Read-only view of the session for components: status, user, permissions. */
export const session = readonly(state);

let probe = null;

function apply(me) {
  state.user = me?.user || null;
  state.auth = me?.auth || null;
  state.permissions = me?.permissions && typeof me.permissions === 'object' ? me.permissions : {};
  if (me?.csrf_token) setCsrfToken(me.csrf_token);
  state.status = state.user ? 'signed-in' : 'signed-out';
}

/** Forget the user and the CSRF token (after sign-out or a 401). */
export function clearSession() {
  setCsrfToken(null);
  state.user = null;
  state.auth = null;
  state.permissions = {};
  state.status = 'signed-out';
}

/**
 * Ask the server who we are (again). Resolves the status; a 401 means signed
 * out; any other failure (server unreachable) rejects and leaves the state as it was.
 */
export function refreshSession() {
  if (probe) return probe;
  probe = fetchMe()
    .then((me) => { apply(me); return state.status; })
    .catch((err) => {
      if (err?.status === 401) { clearSession(); return state.status; }
      throw err;
    })
    .finally(() => { probe = null; });
  return probe;
}

/** The session status, asking the server only the first time. */
export async function ensureSession() {
  if (state.status !== 'unknown') return state.status;
  return refreshSession();
}

/** Sign in with the form's credentials, then load the permissions. Rejects with the ApiError (401, 429, ...). */
export async function signIn(username, password) {
  const answer = await login(username, password);
  setCsrfToken(answer?.csrf_token);
  state.user = answer?.user || null;
  await refreshSession();
  // 200 but no session: the browser did not keep the cookie (e.g. Secure over plain HTTP)
  if (state.status !== 'signed-in') throw Object.assign(new Error('session cookie not kept'), { noSession: true });
}

/** End the session on the server (best effort) and forget it here. */
export async function signOut() {
  try {
    await logout();
  } catch { /* already ended or unreachable: the console forgets it either way */ }
  clearSession();
}

/** Whether the user holds `resource:action` (e.g. 'tickets:create'). */
export function can(permission) {
  const [resource, action] = String(permission).split(':');
  const actions = state.permissions[resource];
  return Array.isArray(actions) && (actions.includes(action) || actions.includes('*'));
}
