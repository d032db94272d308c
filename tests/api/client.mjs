// Small HTTP helpers shared by the API suites: a JSON client over fetch, a raw
// client over node:http (exact bytes, no automatic decompression, tolerant of
// servers that answer before the body is fully sent), and problem+json checks.
import assert from 'node:assert/strict';
import http from 'node:http';

export const REQUEST_ID_RE = /^[A-Za-z0-9._-]{1,64}$/;
export const TIME_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
export const NUMBER_RE = /^SR-(\d{4})-\d{6}$/;
// the five status categories every workflow maps its statuses to
export const STATUSES = ['new', 'open', 'pending', 'resolved', 'closed'];
export const PRIORITIES = ['low', 'normal', 'high', 'urgent'];

/** A short random token for unique subjects and customer refs. */
export function tag(prefix = 't') {
  return `${prefix}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}

/** Methods that change state: with a session cookie they carry X-CSRF-Token. */
export const UNSAFE = ['POST', 'PUT', 'PATCH', 'DELETE'];
export const SESSION_COOKIE = 'tend_session';

/**
 * Parse Set-Cookie headers (a Headers object, a node:http header object, or an
 * array of strings) into [{name, value, attrs: {lower-case name: value|true}, raw}].
 */
export function parseSetCookie(headers) {
  let lines;
  if (Array.isArray(headers)) lines = headers;
  else if (headers && typeof headers.getSetCookie === 'function') lines = headers.getSetCookie();
  else lines = [].concat((headers && headers['set-cookie']) || []);
  return lines.map((raw) => {
    const [pair, ...rest] = raw.split(';');
    const eq = pair.indexOf('=');
    const attrs = {};
    for (const a of rest) {
      const i = a.indexOf('=');
      const k = (i < 0 ? a : a.slice(0, i)).trim().toLowerCase();
      if (k) attrs[k] = i < 0 ? true : a.slice(i + 1).trim();
    }
    return { name: pair.slice(0, eq).trim(), value: pair.slice(eq + 1).trim(), attrs, raw };
  });
}

/**
 * A client bound to a base URL. Every call resolves
 * { status, headers (Headers), text, body (parsed JSON or undefined) }.
 * `json` is serialised with Content-Type application/json unless a content
 * type is given; `body` is sent as is (a Buffer gets no Content-Type).
 *
 * Credentials: `token` sends `Authorization: Bearer <token>`; `cookie` (the
 * tend_session value) sends the session cookie, and `csrf` is then sent as
 * X-CSRF-Token on POST/PUT/PATCH/DELETE. A header given per call wins; a
 * per-call header set to null is left out.
 */
export function client(base, { token, cookie, csrf } = {}) {
  /** The credential headers for a request with `method` (for raw()). */
  function auth(method = 'GET') {
    const h = {};
    if (token) h.authorization = `Bearer ${token}`;
    if (cookie) {
      h.cookie = `${SESSION_COOKIE}=${cookie}`;
      if (csrf && UNSAFE.includes(method.toUpperCase())) h['x-csrf-token'] = csrf;
    }
    return h;
  }
  async function call(method, path, { json, body, headers = {} } = {}) {
    const h = { ...auth(method) };
    for (const [k, v] of Object.entries(headers)) {
      for (const old of Object.keys(h)) if (old.toLowerCase() === k.toLowerCase()) delete h[old];
      if (v !== null && v !== undefined) h[k] = v;
    }
    let b = body;
    if (json !== undefined) {
      b = JSON.stringify(json);
      if (!Object.keys(h).some((k) => k.toLowerCase() === 'content-type')) {
        h['content-type'] = 'application/json';
      }
    }
    const r = await fetch(base + path, { method, headers: h, body: b, redirect: 'manual' });
    const text = await r.text();
    let parsed;
    if (/json/.test(r.headers.get('content-type') || '')) {
      try { parsed = JSON.parse(text); } catch { parsed = undefined; }
    }
    return { status: r.status, headers: r.headers, text, body: parsed };
  }
  const c = {
    call,
    auth,
    base,
    token,
    cookie,
    csrf,
    get: (path, opts) => call('GET', path, opts),
    post: (path, json, opts = {}) => call('POST', path, { ...opts, json }),
    patch: (path, json, opts = {}) => call('PATCH', path, { ...opts, json }),
    put: (path, json, opts = {}) => call('PUT', path, { ...opts, json }),
    del: (path, opts) => call('DELETE', path, opts),

    /**
     * POST /api/v1/auth/login without credentials; resolves the raw answer
     * plus `session` ({cookie, csrf, setCookie (parsed tend_session entry)})
     * when it carried a tend_session cookie.
     */
    async tryLogin(username, password, opts = {}) {
      const r = await client(base).post('/api/v1/auth/login', { username, password }, opts);
      const set = parseSetCookie(r.headers).find((x) => x.name === SESSION_COOKIE);
      if (set) r.session = { cookie: set.value, csrf: r.body?.csrf_token, setCookie: set };
      return r;
    },
    /**
     * Sign in and assert 200 with a tend_session cookie; resolves a session
     * client (cookie + CSRF token) with `.user`, `.loginResponse` (the answer) and
     * `.setCookie` (the parsed cookie).
     */
    async login(username, password, opts = {}) {
      const r = await c.tryLogin(username, password, opts);
      assert.equal(r.status, 200, `login ${username}: ${r.status} ${r.text.slice(0, 300)}`);
      assert.ok(r.session, `login ${username} sets ${SESSION_COOKIE}: ${JSON.stringify(r.headers.getSetCookie())}`);
      assert.equal(typeof r.body.csrf_token, 'string', `login ${username} answers csrf_token: ${r.text.slice(0, 300)}`);
      const s = client(base, { cookie: r.session.cookie, csrf: r.session.csrf });
      s.user = r.body.user;
      s.loginResponse = r;
      s.setCookie = r.session.setCookie;
      return s;
    },

    /** Create a ticket and assert 201; resolves the ticket. */
    async create(fields, opts) {
      const r = await c.post('/api/v1/tickets', fields, opts);
      assert.equal(r.status, 201, `create ${JSON.stringify(fields).slice(0, 120)}: ${r.status} ${r.text.slice(0, 300)}`);
      return r.body;
    },
    /** PATCH and assert 200; resolves the updated ticket. */
    async update(id, fields) {
      const r = await c.patch(`/api/v1/tickets/${id}`, fields);
      assert.equal(r.status, 200, `patch ${id} ${JSON.stringify(fields)}: ${r.status} ${r.text.slice(0, 300)}`);
      return r.body;
    },
    /** All tickets matching a query string, following next_cursor. */
    async listAll(query = '', limit = 200) {
      const out = [];
      let cursor = null;
      for (let page = 0; page < 10000; page++) {
        const q = new URLSearchParams(query);
        q.set('limit', String(limit));
        if (cursor) q.set('cursor', cursor);
        const r = await c.get(`/api/v1/tickets?${q}`);
        assert.equal(r.status, 200, `list ?${q}: ${r.status} ${r.text.slice(0, 300)}`);
        out.push(...r.body.items);
        cursor = r.body.next_cursor;
        if (cursor === null) return out;
      }
      throw new Error('listAll: pagination did not end');
    },
    /** Assert /healthz still answers 200 (after a hostile request). */
    async healthy(after = '') {
      let r;
      try {
        r = await c.get('/healthz');
      } catch (e) {
        assert.fail(`server stopped answering /healthz ${after}: ${e.message}`);
      }
      assert.equal(r.status, 200, `/healthz ${after}: ${r.status}`);
    },
  };
  return c;
}

/**
 * Assert an RFC 9457 problem response: the status, the content type, `status`
 * in the body, `request_id` equal to X-Request-Id, and an `errors` array of
 * {field, message}. `field` (optional) must be named by one of the errors.
 * `status` may be an array of acceptable statuses.
 */
export function assertProblem(r, status, field, what = '') {
  const ok = Array.isArray(status) ? status : [status];
  const ctx = `${what ? `${what}: ` : ''}got ${r.status} ${r.text.slice(0, 400)}`;
  assert.ok(ok.includes(r.status), `expected HTTP ${ok.join(' or ')}; ${ctx}`);
  const ct = r.headers.get ? r.headers.get('content-type') : r.headers['content-type'];
  assert.match(ct || '', /^application\/problem\+json/, `Content-Type of a ${r.status}; ${ctx}`);
  let b = r.body;
  if (b === undefined) {
    try { b = JSON.parse(r.text); } catch { assert.fail(`problem body is not JSON; ${ctx}`); }
  }
  assert.equal(b.status, r.status, `problem "status" equals the HTTP status; ${ctx}`);
  assert.equal(typeof b.type, 'string', `problem "type"; ${ctx}`);
  assert.equal(typeof b.title, 'string', `problem "title"; ${ctx}`);
  const rid = r.headers.get ? r.headers.get('x-request-id') : r.headers['x-request-id'];
  assert.equal(b.request_id, rid, `problem "request_id" equals X-Request-Id; ${ctx}`);
  assert.ok(Array.isArray(b.errors), `problem "errors" is an array; ${ctx}`);
  for (const e of b.errors) {
    assert.equal(typeof e.field, 'string', `errors[].field is a string; ${ctx}`);
    assert.equal(typeof e.message, 'string', `errors[].message is a string; ${ctx}`);
    assert.ok(e.message.length > 0, `errors[].message is not empty; ${ctx}`);
  }
  if (ok.every((s) => s === 400 || s === 422)) {
    assert.ok(b.errors.length > 0, `a ${r.status} names at least one error; ${ctx}`);
  }
  if (field !== undefined) {
    assert.ok(b.errors.some((e) => e.field === field),
      `errors name field ${JSON.stringify(field)}; ${ctx}`);
  }
  return b;
}

/**
 * A raw HTTP/1.1 request with node:http: the path is sent verbatim, the body
 * (Buffer/string) in 64 KiB chunks, stopping early if the server has already
 * answered (as it may for 413). `chunked: true` sends without Content-Length.
 * Resolves { status, headers (lower-case object), body (Buffer) }.
 */
export function raw(base, { method = 'GET', path = '/', headers = {}, body, chunked = false } = {}) {
  const u = new URL(base);
  const buf = body === undefined ? null : Buffer.from(body);
  const h = { ...headers };
  if (buf && !chunked) h['content-length'] = String(buf.length);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: u.hostname, port: u.port, method, path, headers: h, agent: false });
    let responded = false;
    req.setTimeout(15000, () => req.destroy(new Error(`raw ${method} ${path}: timeout`)));
    req.on('response', (res) => {
      responded = true;
      const parts = [];
      res.on('data', (d) => parts.push(d));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(parts) }));
      res.on('error', (e) => reject(e));
    });
    req.on('error', (e) => { if (!responded) reject(e); });
    (async () => {
      if (buf) {
        for (let off = 0; off < buf.length; off += 65536) {
          if (responded || req.destroyed) return;
          if (!req.write(buf.subarray(off, off + 65536))) {
            await new Promise((ok) => { req.once('drain', ok); req.once('close', ok); });
          }
        }
      }
      if (!responded && !req.destroyed) req.end();
    })();
  });
}

/** Parse Prometheus text into [{name, labels, value}]. */
export function parseMetrics(text) {
  const out = [];
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/.exec(line);
    if (!m) continue;
    const labels = {};
    for (const l of (m[2] || '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) {
      labels[l[1]] = l[2];
    }
    out.push({ name: m[1], labels, value: Number(m[3]) });
  }
  return out;
}

/** Adapt a raw() answer to the { status, headers, text, body } shape of client(). */
export function fromRaw(r) {
  const text = r.body.toString();
  let body;
  try { body = JSON.parse(text); } catch { body = undefined; }
  const headers = new Headers();
  for (const [k, v] of Object.entries(r.headers)) headers.set(k, Array.isArray(v) ? v.join(', ') : String(v));
  return { status: r.status, headers, text, body };
}

/**
 * Assert the answer to a request without a (valid) credential: 401
 * problem+json with `WWW-Authenticate: Bearer realm="tend"`.
 */
export function assertUnauthorized(r, what = '') {
  const p = assertProblem(r, 401, undefined, what);
  const h = r.headers.get ? r.headers.get('www-authenticate') : r.headers['www-authenticate'];
  assert.match(h || '', /^Bearer\b.*\brealm="tend"/i,
    `${what ? `${what}: ` : ''}WWW-Authenticate: Bearer realm="tend" on a 401, got ${JSON.stringify(h)}`);
  return p;
}
