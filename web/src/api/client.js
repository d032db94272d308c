// Thin fetch wrapper for the Tend JSON API: sends JSON, parses JSON and
// problem+json answers, throws ApiError for anything that is not 2xx, and adds
// the session's CSRF token to state-changing requests.

/** An error answer from the API (RFC 9457 problem), or a network failure (status 0). */
export class ApiError extends Error {
  constructor(status, problem, headers = null) {
    super(problem?.detail || problem?.title || `HTTP ${status}`);
    this.name = 'ApiError';
    this.status = status;
    this.problem = problem || {};
    this.headers = headers; // the response's Headers, when there was a response
  }

  /** The problem's `errors` list as { field: message }; several messages for a field are joined. */
  get fieldErrors() {
    const out = {};
    for (const e of this.problem.errors || []) {
      const field = e?.field ?? '';
      out[field] = out[field] ? `${out[field]}; ${e.message}` : String(e?.message ?? '');
    }
    return out;
  }

  get requestId() {
    return this.problem.request_id || null;
  }
}

function buildUrl(path, query) {
  if (!query) return path;
  const params = new URLSearchParams();
  for (const [k, raw] of Object.entries(query)) {
    const v = Array.isArray(raw) ? raw.join(',') : raw;
    if (v === undefined || v === null || v === '') continue;
    params.set(k, String(v));
  }
  const qs = params.toString();
  return qs ? `${path}?${qs}` : path;
}

// Session state the client needs on every call, set by auth/session.js: the
// CSRF token of the signed-in session (memory only, never stored) and the
// handlers for 401 (signed out) and 403 (not allowed).
const hooks = {
  csrfToken: null,
  onUnauthorized: null, // (err) => void
  onForbidden: null, // (err, method) => void
  refreshCsrf: null, // () => Promise<void>: fetch a fresh token after a CSRF 403
};

/** Install the session hooks (see `hooks` above); returns nothing. */
export function configureClient(options) {
  Object.assign(hooks, options);
}

/** Remember (or forget, with null) the CSRF token sent as X-CSRF-Token on state-changing calls. */
export function setCsrfToken(token) {
  hooks.csrfToken = token || null;
}

const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** A 403 caused by a missing or stale CSRF token rather than by the role. */
function isCsrfProblem(err) {
  return err.status === 403 && (err.problem.errors || []).some((e) => /^x-csrf-token$/i.test(e?.field || ''));
}

async function send(method, path, opts) {
  const headers = { Accept: 'application/json, application/problem+json', ...(opts.headers || {}) };
  if (STATE_CHANGING.has(method) && hooks.csrfToken) headers['X-CSRF-Token'] = hooks.csrfToken;
  const init = { method, headers, signal: opts.signal, credentials: 'same-origin' };
  if (opts.raw !== undefined) {
    // a file upload: the bytes as they are (the server sniffs the type)
    headers['Content-Type'] = opts.raw?.type || 'application/octet-stream';
    init.body = opts.raw;
  } else if (opts.body !== undefined) {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(opts.body);
  }
  let res;
  try {
    res = await fetch(buildUrl(path, opts.query), init);
  } catch (e) {
    if (e?.name === 'AbortError') throw e;
    throw new ApiError(0, { title: 'Network error', detail: String(e?.message || e) });
  }
  const type = res.headers.get('Content-Type') || '';
  let data = null;
  if (res.status !== 204 && /json/i.test(type)) {
    try { data = await res.json(); } catch { data = null; }
  }
  if (!res.ok) {
    throw new ApiError(res.status, data && typeof data === 'object' ? data
      : { title: res.statusText || `HTTP ${res.status}`, status: res.status }, res.headers);
  }
  return { data, status: res.status, headers: res.headers };
}

/**
 * Call the API. `opts`: { query: object, body: JSON-serialisable, raw: Blob/File
 * sent as the body as it is, headers, signal,
 * auth: false to leave a 401/403 to the caller (sign-in, session probe) }.
 * Resolves { data, status, headers } for 2xx; rejects with ApiError otherwise.
 * A state-changing call carries the session's X-CSRF-Token; one refused for a
 * stale token is retried once with a fresh token. A 401 signs the console out
 * (back to /login); a 403 on a GET shows the "no access" page.
 */
export async function request(method, path, opts = {}) {
  try {
    return await send(method, path, opts);
  } catch (err) {
    if (!(err instanceof ApiError) || opts.auth === false) throw err;
    if (isCsrfProblem(err) && hooks.refreshCsrf && !opts.csrfRetried) {
      let refreshed = false;
      try { await hooks.refreshCsrf(); refreshed = true; } catch { /* answered below */ }
      if (refreshed) return request(method, path, { ...opts, csrfRetried: true });
    }
    if (err.status === 401) hooks.onUnauthorized?.(err);
    else if (err.status === 403 && !isCsrfProblem(err)) hooks.onForbidden?.(err, method);
    throw err;
  }
}

/** A random RFC 4122 v4 UUID; falls back to getRandomValues where randomUUID needs a secure context. */
export function newIdempotencyKey() {
  if (globalThis.crypto?.randomUUID) return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
