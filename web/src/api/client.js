// Thin fetch wrapper for the Tend JSON API: sends JSON, parses JSON and
// problem+json answers, and throws ApiError for anything that is not 2xx.

/** An error answer from the API (RFC 9457 problem), or a network failure (status 0). */
export class ApiError extends Error {
  constructor(status, problem) {
    super(problem?.detail || problem?.title || `HTTP ${status}`);
    this.name = 'ApiError';
    this.status = status;
    this.problem = problem || {};
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

/**
 * Call the API. `opts`: { query: object, body: JSON-serialisable, headers, signal }.
 * Resolves { data, status, headers } for 2xx; rejects with ApiError otherwise.
 */
export async function request(method, path, opts = {}) {
  const headers = { Accept: 'application/json, application/problem+json', ...(opts.headers || {}) };
  const init = { method, headers, signal: opts.signal, credentials: 'same-origin' };
  if (opts.body !== undefined) {
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
      : { title: res.statusText || `HTTP ${res.status}`, status: res.status });
  }
  return { data, status: res.status, headers: res.headers };
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
