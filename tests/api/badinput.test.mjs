// The rest of the bad-input catalogue (errors.test.mjs has the JSON syntax,
// type, size and content-type cases of POST /api/v1/tickets): odd numbers,
// very long strings and deep nesting in every resource, foreign encodings and
// a BOM, path traversal on the static site, hostile query strings and headers,
// broken framing (Content-Length, chunked), slow and vanishing clients, and
// bodies far over the limit. Each bad request must get a 4xx problem+json
// naming the field where there is one; the server must keep answering; nothing
// may be written. Raw bytes go over node:net sockets, every one bounded in time
// and closed.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { mkdtempSync, rmSync, readdirSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer } from '../lib/server.mjs';
import { client, raw, fromRaw, assertProblem, tag } from './client.mjs';
import { readRoutes, routeKey } from './routes.mjs';

const TICKETS = '/api/v1/tickets';
const USERS = '/api/v1/users';
const GROUPS = '/api/v1/groups';
const TOKENS = '/api/v1/tokens';
const LONG = 300000; // "very long": far over every field's limit, well under the 1 MiB body limit
const MiB = 1024 * 1024;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// ---------------------------------------------------------------------------
// raw HTTP/1.1 over node:net

/** The bytes of one request. headers: [[name, value]] with values as given
 * (strings are sent as latin1, so any byte can be put in). Adds Host and
 * Connection: close unless given; Content-Length for a body unless
 * `contentLength` says otherwise (null: none). */
function request({ method = 'GET', path = '/', headers = [], body, contentLength } = {}) {
  const h = [...headers];
  const has = (n) => h.some(([k]) => k.toLowerCase() === n);
  if (!has('host')) h.unshift(['Host', '127.0.0.1']);
  if (!has('connection')) h.push(['Connection', 'close']);
  const b = body === undefined ? null : Buffer.isBuffer(body) ? body : Buffer.from(body);
  const cl = contentLength === undefined ? (b ? b.length : undefined) : contentLength;
  if (cl !== undefined && cl !== null) h.push(['Content-Length', String(cl)]);
  const head = `${method} ${path} HTTP/1.1\r\n${h.map(([k, v]) => `${k}: ${v}`).join('\r\n')}\r\n\r\n`;
  return Buffer.concat([Buffer.from(head, 'latin1'), b || Buffer.alloc(0)]);
}

/** Parse the first HTTP response in `buf`; null if it is not complete. */
function parseResponse(buf) {
  const end = buf.indexOf('\r\n\r\n');
  if (end < 0) return null;
  const lines = buf.subarray(0, end).toString('latin1').split('\r\n');
  const m = /^HTTP\/1\.[01] (\d{3})/.exec(lines[0]);
  if (!m) return { status: -1, headers: {}, body: buf, complete: true };
  const headers = {};
  for (const l of lines.slice(1)) {
    const i = l.indexOf(':');
    if (i > 0) headers[l.slice(0, i).trim().toLowerCase()] = l.slice(i + 1).trim();
  }
  const len = Number(headers['content-length'] ?? NaN);
  const body = buf.subarray(end + 4, Number.isFinite(len) ? end + 4 + len : undefined);
  const complete = Number.isFinite(len) ? body.length >= len : false;
  return { status: Number(m[1]), headers, body, complete };
}

/**
 * Open a socket, send `bytes` (a Buffer, or an array of Buffers written in
 * order with backpressure), then `then`: 'wait' (for the answer), 'end'
 * (half-close and wait), 'reset' (RST at once) or 'destroy'. Resolves
 * { status (0 if no answer), headers, body, closed, timedOut, error } once a
 * full answer is in, the socket closes, or `timeout` ms pass. Never rejects;
 * the socket is always destroyed.
 */
function exchange(port, bytes, { then = 'wait', timeout = 5000 } = {}) {
  return new Promise((resolve) => {
    const s = net.connect({ port, host: '127.0.0.1' });
    const parts = [];
    let done = false, closed = false, timedOut = false, error = null;
    const finish = () => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      const r = parseResponse(Buffer.concat(parts));
      s.destroy();
      resolve({ status: r ? r.status : 0, headers: r ? r.headers : {}, body: r ? r.body : Buffer.alloc(0),
        closed, timedOut, error });
    };
    const timer = setTimeout(() => { timedOut = true; finish(); }, timeout);
    s.on('data', (d) => {
      parts.push(d);
      const r = parseResponse(Buffer.concat(parts));
      if (r && r.complete) finish();
    });
    s.on('error', (e) => { error = e.code || e.message; });
    s.on('close', () => { closed = true; finish(); });
    s.on('connect', async () => {
      const chunks = Array.isArray(bytes) ? bytes : [bytes];
      for (const c of chunks) {
        if (done || s.destroyed || parts.length) break; // the server has answered (e.g. 413)
        if (!s.write(c)) await new Promise((ok) => { s.once('drain', ok); s.once('close', ok); });
      }
      if (done || s.destroyed) return;
      if (then === 'end') s.end();
      else if (then === 'reset') { s.resetAndDestroy(); }
      else if (then === 'destroy') s.destroy();
    });
  });
}

/** Adapt an exchange() answer to the { status, headers (Headers), text, body } shape. */
function asResponse(r) {
  const text = r.body.toString('utf8');
  const headers = new Headers();
  for (const [k, v] of Object.entries(r.headers)) {
    try { headers.set(k, v); } catch { /* not a ByteString: left out */ }
  }
  let body;
  try { body = JSON.parse(text); } catch { body = undefined; }
  return { status: r.status, headers, text, body };
}

/** Open file descriptors of a process (Linux), or null. */
function fdCount(pid) {
  try { return readdirSync(`/proc/${pid}/fd`).length; } catch { return null; }
}

// ---------------------------------------------------------------------------

describe('bad input (catalogue, part 2)', { timeout: 120000 }, () => {
  let server, api, dbDir, ticket, user, group, indexHtml;
  const MARK = tag('bad2');

  before(async () => {
    // a private SQLite database even when TEND_TEST_DB is set: "nothing
    // written" is checked by exact counts, which a shared database cannot give
    dbDir = mkdtempSync(join(tmpdir(), 'tend-badinput-'));
    server = await startServer({ db: `sqlite:${join(dbDir, 'tend.db')}` });
    api = client(server.url, { token: server.token });
    ticket = await api.create({ subject: `${MARK} target`, customer_ref: MARK });
    let r = await api.post(USERS, { username: `bad2${Date.now().toString(36)}`, display_name: 'Target',
      roles: ['agent'], password: 'Tend-target-Passw0rd!' });
    assert.equal(r.status, 201, r.text);
    user = r.body;
    r = await api.post(GROUPS, { name: `${MARK} group`, description: 'target' });
    assert.equal(r.status, 201, r.text);
    group = r.body;
    r = await raw(server.url, { path: '/' });
    assert.equal(r.status, 200);
    indexHtml = r.body;
  });
  after(async () => {
    await server?.close();
    if (dbDir) rmSync(dbDir, { recursive: true, force: true });
  });

  /** Everything a bad request could have written, as seen through the API. */
  async function snapshot() {
    const get = async (path) => {
      const r = await api.get(path);
      assert.equal(r.status, 200, `snapshot GET ${path}: ${r.status} ${r.text.slice(0, 200)}`);
      return r.body;
    };
    const users = [];
    for (let cursor = null, i = 0; i < 100; i++) {
      const page = await get(`${USERS}?limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      users.push(...page.items);
      cursor = page.next_cursor;
      if (!cursor) break;
    }
    // tickets-module resources (docs/api-tickets.md); a route not built yet reads as "absent"
    const built = new Set(readRoutes().map(routeKey));
    const opt = async (path, route) => (built.has(`GET ${route}`) ? get(path) : 'absent');
    return {
      tickets: (await api.listAll()).length,
      ticket: await get(`${TICKETS}/${ticket.id}`),
      events: (await get(`${TICKETS}/${ticket.id}/events`)).items.length,
      users,
      groups: (await get(GROUPS)).items,
      tokens: (await get(TOKENS)).items.map((t) => `${t.id}:${t.revoked}`),
      comments: await opt(`${TICKETS}/${ticket.id}/comments`, '/api/v1/tickets/:id/comments'),
      links: await opt(`${TICKETS}/${ticket.id}/links`, '/api/v1/tickets/:id/links'),
      views: await opt('/api/v1/views', '/api/v1/views'),
      workflows: await opt('/api/v1/workflows', '/api/v1/workflows'),
      types: await opt('/api/v1/ticket-types', '/api/v1/ticket-types'),
      fields: await opt('/api/v1/custom-fields', '/api/v1/custom-fields'),
      categories: await opt('/api/v1/categories?kind=category', '/api/v1/categories'),
      faults: await opt('/api/v1/categories?kind=fault_code', '/api/v1/categories'),
    };
  }

  /** Check that `name` changed nothing and the server still answers. */
  async function unchanged(name, before) {
    await api.healthy(`after "${name}"`);
    assert.deepEqual(await snapshot(), before, `"${name}" wrote nothing`);
  }

  /**
   * A bad request: 4xx problem+json with `status` (or one of), naming `field`
   * (a string, or a function of the status for cases where a parse error (400,
   * field "") and a validation error (422, the field) are both right), server
   * healthy, nothing written.
   */
  function bad(name, send, status, field) {
    it(name, async () => {
      const before = await snapshot();
      const r = await send();
      const f = typeof field === 'function' ? field(r.status) : field;
      assertProblem(r, status, f, name);
      await unchanged(name, before);
    });
  }
  const parseOr = (f) => (s) => (s === 400 ? '' : f);

  const post = (path, body) => () => api.post(path, body);
  const patch = (path, body) => () => api.patch(path, body);
  const sendRaw = (method, path, body, ct = 'application/json') => () =>
    api.call(method, path, { body, headers: { 'content-type': ct } });

  // -------------------------------------------------------------------------
  describe('huge and odd numbers', () => {
    const target = () => `${TICKETS}/${ticket.id}`;
    const pv = (lit) => () => api.call('PATCH', target(),
      { body: `{"version": ${lit}, "subject": "${MARK} changed"}`, headers: { 'content-type': 'application/json' } });
    // numbers a double or int64 cannot hold are a JSON parse error (400, field "")
    // or a validation error naming version (422); never a wrap-around
    for (const lit of ['1e400', '-1e400', String(2n ** 70n), String(2n ** 63n), String(-(2n ** 63n) - 1n),
      '1' + '0'.repeat(400)]) {
      bad(`PATCH version ${lit.length > 30 ? `${lit.slice(0, 12)}...(${lit.length} digits)` : lit}`, pv(lit),
        [400, 422], parseOr('version'));
    }
    for (const lit of ['-0', '0', '-1', '1.5', '1.0', '1e2', '-0.0', String(-(2n ** 63n)), '"1"', 'true', 'null',
      '[1]', '{"v":1}']) {
      bad(`PATCH version ${lit}`, pv(lit), 422, 'version');
    }
    bad('PATCH version INT64_MAX is stale (409)', pv(String(2n ** 63n - 1n)), 409, 'version');
    for (const etag of ['"v99999999999999999999"', '"v-0"', '"v1.5"', '"v0"', '"v1e400"', `"v${'9'.repeat(5000)}"`]) {
      bad(`If-Match ${etag.slice(0, 30)} without version`, () => api.call('PATCH', target(), {
        body: JSON.stringify({ subject: `${MARK} changed` }),
        headers: { 'content-type': 'application/json', 'if-match': etag },
      }), 422, 'version');
    }
    for (const f of ['organisation_id', 'assignee_id']) {
      bad(`POST ticket ${f} 2**70`, sendRaw('POST', TICKETS, `{"subject":"${MARK}","${f}":${2n ** 70n}}`),
        [400, 422], parseOr(f));
      bad(`POST ticket ${f} 1e400`, sendRaw('POST', TICKETS, `{"subject":"${MARK}","${f}":1e400}`),
        [400, 422], parseOr(f));
      bad(`POST ticket ${f} 1.5`, post(TICKETS, { subject: MARK, [f]: 1.5 }), 422, f);
      bad(`POST ticket ${f} -0`, sendRaw('POST', TICKETS, `{"subject":"${MARK}","${f}":-0}`), 422, f);
      bad(`POST ticket ${f} INT64_MAX (no such record)`,
        sendRaw('POST', TICKETS, `{"subject":"${MARK}","${f}":${2n ** 63n - 1n}}`), 422, f);
      bad(`PATCH ticket ${f} 2**70`, () => api.call('PATCH', target(), {
        body: `{"version":1,"${f}":${2n ** 70n}}`, headers: { 'content-type': 'application/json' },
      }), [400, 422], parseOr(f));
    }
    // a decoded NUL must not end the id early: /tickets/1%00x is not ticket 1
    bad('GET /tickets/{id}%00x', () => api.get(`${TICKETS}/${ticket.id}%00x`), 404);
    bad('GET /tickets/{id}%00/events', () => api.get(`${TICKETS}/${ticket.id}%00/events`), 404);
    bad('GET /users/{id}%00x', () => api.get(`${USERS}/${user.id}%00x`), 404);
    bad('PATCH /tickets/{id}%00x', () => api.call('PATCH', `${TICKETS}/${ticket.id}%00x`, {
      body: JSON.stringify({ version: 1, subject: `${MARK} nul` }), headers: { 'content-type': 'application/json' },
    }), 404);
    bad('POST user organisation_id 1.5', post(USERS, { username: 'num-user', roles: ['customer'],
      password: 'Tend-target-Passw0rd!', organisation_id: 1.5 }), 422, 'organisation_id');
    bad('POST user organisation_id 2**70', sendRaw('POST', USERS,
      `{"username":"num-user","roles":["customer"],"password":"Tend-target-Passw0rd!","organisation_id":${2n ** 70n}}`),
    [400, 422], parseOr('organisation_id'));
    bad('POST group members [2**70]', sendRaw('POST', GROUPS, `{"name":"${MARK} n","members":[${2n ** 70n}]}`),
      [400, 422], parseOr('members'));
    bad('POST group members [1.5]', post(GROUPS, { name: `${MARK} n`, members: [1.5] }), 422, 'members');
    bad('POST group members [-0]', sendRaw('POST', GROUPS, `{"name":"${MARK} n","members":[-0]}`), 422, 'members');
    bad('POST token user_id 2**70', sendRaw('POST', TOKENS, `{"name":"n","scopes":["*"],"user_id":${2n ** 70n}}`),
      [400, 422], parseOr('user_id'));
    bad('POST token user_id 1.5', post(TOKENS, { name: 'n', scopes: ['*'], user_id: 1.5 }), 422, 'user_id');
    for (const id of ['99999999999999999999', '9223372036854775808', '-0', '0x1', '1e3', '1.0', ' 1', '%2531']) {
      bad(`PATCH /tickets/${id}`, () => api.call('PATCH', `${TICKETS}/${id}`, {
        body: JSON.stringify({ version: 1, subject: `${MARK} changed` }), headers: { 'content-type': 'application/json' },
      }), 404);
    }
  });

  // -------------------------------------------------------------------------
  describe(`very long strings (${LONG} characters) in every string field`, () => {
    const s = (c = 'x') => c.repeat(LONG);
    const tk = () => `${TICKETS}/${ticket.id}`;
    const pwd = 'Tend-target-Passw0rd!';
    const cases = [
      // tickets: create
      ['POST ticket subject', TICKETS, () => ({ subject: s() }), 'subject'],
      ['POST ticket subject in CJK', TICKETS, () => ({ subject: s('字') }), 'subject'],
      ['POST ticket description', TICKETS, () => ({ subject: MARK, description: s() }), 'description'],
      ['POST ticket customer_ref', TICKETS, () => ({ subject: MARK, customer_ref: s() }), 'customer_ref'],
      ['POST ticket priority', TICKETS, () => ({ subject: MARK, priority: s() }), 'priority'],
      ['POST ticket assignee_id as a string', TICKETS, () => ({ subject: MARK, assignee_id: s('9') }), 'assignee_id'],
      ['POST ticket organisation_id as a string', TICKETS, () => ({ subject: MARK, organisation_id: s('9') }),
        'organisation_id'],
      // users: create
      ['POST user username', USERS, () => ({ username: s('u'), roles: ['agent'], password: pwd }), 'username'],
      ['POST user display_name', USERS, () => ({ username: 'long-dn', display_name: s(), roles: ['agent'], password: pwd }),
        'display_name'],
      ['POST user email', USERS, () => ({ username: 'long-em', email: `${s('e')}@example.com`, roles: ['agent'],
        password: pwd }), 'email'],
      ['POST user password', USERS, () => ({ username: 'long-pw', roles: ['agent'], password: s() }), 'password'],
      ['POST user roles [long]', USERS, () => ({ username: 'long-rl', roles: [s('r')], password: pwd }), 'roles'],
      // groups: create
      ['POST group name', GROUPS, () => ({ name: s('g') }), 'name'],
      ['POST group description', GROUPS, () => ({ name: `${MARK} long`, description: s() }), 'description'],
      // tokens: create
      ['POST token name', TOKENS, () => ({ name: s('n'), scopes: ['*'] }), 'name'],
      ['POST token scopes [long]', TOKENS, () => ({ name: 'long-scope', scopes: [s('s')] }), 'scopes'],
      ['POST token expires_at', TOKENS, () => ({ name: 'long-exp', scopes: ['*'], expires_at: `2099-01-01T00:00:00.000Z${s(' ')}` }),
        'expires_at'],
    ];
    for (const [name, path, body, field] of cases) bad(name, () => api.post(path, body()), 422, field);
    const updates = [
      ['PATCH ticket subject', tk, () => ({ version: 1, subject: s() }), 'subject'],
      ['PATCH ticket description', tk, () => ({ version: 1, description: s() }), 'description'],
      ['PATCH ticket customer_ref', tk, () => ({ version: 1, customer_ref: s() }), 'customer_ref'],
      ['PATCH ticket status', tk, () => ({ version: 1, status: s() }), 'status'],
      ['PATCH ticket priority', tk, () => ({ version: 1, priority: s() }), 'priority'],
      ['PATCH user display_name', () => `${USERS}/${user.id}`, () => ({ display_name: s() }), 'display_name'],
      ['PATCH user email', () => `${USERS}/${user.id}`, () => ({ email: `x@${s('e')}` }), 'email'],
      ['PATCH user password', () => `${USERS}/${user.id}`, () => ({ password: s() }), 'password'],
      ['PATCH user roles [long]', () => `${USERS}/${user.id}`, () => ({ roles: [s('r')] }), 'roles'],
      ['PATCH group name', () => `${GROUPS}/${group.id}`, () => ({ name: s('g') }), 'name'],
      ['PATCH group description', () => `${GROUPS}/${group.id}`, () => ({ description: s() }), 'description'],
    ];
    for (const [name, path, body, field] of updates) bad(name, () => api.patch(path(), body()), 422, field);

    bad('a long Idempotency-Key with a valid body', () => api.post(TICKETS, { subject: MARK },
      { headers: { 'idempotency-key': 'k'.repeat(20000) } }), [400, 422], 'Idempotency-Key');

    it('a very long unknown key is 422 naming (a prefix of) that key', async () => {
      const before = await snapshot();
      const key = `k${'y'.repeat(LONG)}`;
      const r = await api.post(TICKETS, { subject: MARK, [key]: 1 });
      const p = assertProblem(r, 422, undefined, 'long key');
      const f = p.errors[0].field;
      assert.ok(f.length > 0 && key.startsWith(f), `field names the key (or its start): ${f.slice(0, 80)}`);
      assert.ok(r.text.length < 20000, `the problem does not echo the whole key: ${r.text.length} bytes`);
      await unchanged('long key', before);
    });

    it('sign-in with a very long username or password is refused quickly, without harm', async () => {
      const before = await snapshot();
      for (const body of [{ username: s('u'), password: 'whatever-password' },
        { username: `nobody-${MARK}`, password: s('p') }]) {
        const t0 = Date.now();
        const r = await client(server.url).post('/api/v1/auth/login', body);
        assertProblem(r, [400, 401, 422], undefined, 'long login');
        assert.ok(Date.now() - t0 < 5000, `answered in ${Date.now() - t0} ms`);
      }
      await unchanged('long login', before);
    });
  });

  // -------------------------------------------------------------------------
  describe('deep nesting inside a field value', () => {
    const arr = (n, inner = '1') => '['.repeat(n) + inner + ']'.repeat(n);
    const obj = (n) => '{"a":'.repeat(n) + '1' + '}'.repeat(n);
    const tk = () => `${TICKETS}/${ticket.id}`;
    const fields = [
      ['POST', () => TICKETS, 'description', (v) => `{"subject":"${MARK}","description":${v}}`],
      ['POST', () => TICKETS, 'customer_ref', (v) => `{"subject":"${MARK}","customer_ref":${v}}`],
      ['POST', () => TICKETS, 'priority', (v) => `{"subject":"${MARK}","priority":${v}}`],
      ['POST', () => TICKETS, 'assignee_id', (v) => `{"subject":"${MARK}","assignee_id":${v}}`],
      ['PATCH', tk, 'version', (v) => `{"subject":"${MARK}","version":${v}}`],
      ['PATCH', tk, 'status', (v) => `{"version":1,"status":${v}}`],
      ['POST', () => USERS, 'roles', (v) => `{"username":"deep-user","password":"Tend-target-Passw0rd!","roles":${v}}`],
      ['POST', () => USERS, 'display_name',
        (v) => `{"username":"deep-user","password":"Tend-target-Passw0rd!","roles":["agent"],"display_name":${v}}`],
      ['PATCH', () => `${USERS}/${user.id}`, 'email', (v) => `{"email":${v}}`],
      ['POST', () => GROUPS, 'members', (v) => `{"name":"${MARK} deep","members":${v}}`],
      ['PATCH', () => `${GROUPS}/${group.id}`, 'name', (v) => `{"name":${v}}`],
      ['POST', () => TOKENS, 'scopes', (v) => `{"name":"deep","scopes":${v}}`],
      ['POST', () => TOKENS, 'name', (v) => `{"name":${v},"scopes":["*"]}`],
    ];
    for (const [method, path, field, body] of fields) {
      // parsed, then refused for its type
      bad(`${method} ${field}: 64 nested arrays`, () => sendRaw(method, path(), body(arr(64)))(), 422, field);
      bad(`${method} ${field}: 64 nested objects`, () => sendRaw(method, path(), body(obj(64)))(), 422, field);
      // past any sane parser depth: refused as a whole (400) or for its type (422), never a stack overflow
      bad(`${method} ${field}: 50000 nested arrays`, () => sendRaw(method, path(), body(arr(50000)))(),
        [400, 422], parseOr(field));
    }
    bad('100000 nested objects in a description', () => sendRaw('POST', TICKETS,
      `{"subject":"${MARK}","description":${obj(100000)}}`)(), [400, 422], parseOr('description'));
    bad('100000 unclosed arrays in a description', () => sendRaw('POST', TICKETS,
      `{"subject":"${MARK}","description":${'['.repeat(100000)}`)(), 400, '');
  });

  // -------------------------------------------------------------------------
  describe('tickets-module bodies (docs/api-tickets.md)', () => {
    const s = (c = 'x') => c.repeat(LONG);
    const tk = () => `${TICKETS}/${ticket.id}`;
    const WF = '/api/v1/workflows';
    const wf = (over = {}) => ({ key: 'bad_wf', name: 'Bad', initial: 'open',
      statuses: [{ key: 'open', name: 'Open', category: 'open' }, { key: 'done', name: 'Done', category: 'closed' }],
      transitions: [{ from: 'open', to: 'done', name: 'Finish', roles: [], requires: [] }], ...over });
    const big = String(2n ** 70n);
    const cases = [
      // ticket fields new in the tickets module
      ['POST ticket type', 'POST', () => TICKETS, () => ({ subject: MARK, type: s('t') }), 422, 'type'],
      ['POST ticket channel', 'POST', () => TICKETS, () => ({ subject: MARK, channel: s('c') }), 422, 'channel'],
      ['POST ticket tags [long]', 'POST', () => TICKETS, () => ({ subject: MARK, tags: [s('t')] }), 422, 'tags'],
      ['POST ticket tags: 10000', 'POST', () => TICKETS, () => ({ subject: MARK, tags: Array.from({ length: 10000 },
        (_, i) => `t${i}`) }), 422, 'tags'],
      ['POST ticket watchers: 10000', 'POST', () => TICKETS, () => ({ subject: MARK, watchers: Array.from({ length: 10000 },
        (_, i) => i + 1) }), 422, 'watchers'],
      ['POST ticket custom: a long unknown key', 'POST', () => TICKETS, () => ({ subject: MARK, custom: { [s('k')]: 1 } }), 422,
        undefined],
      ['POST ticket custom: not an object', 'POST', () => TICKETS, () => ({ subject: MARK, custom: [1, 2] }), 422, 'custom'],
      ['POST ticket resolution_code [long]', 'POST', () => TICKETS, () => ({ subject: MARK, resolution_code: s() }), 422,
        'resolution_code'],
      ['POST ticket resolution [long]', 'POST', () => TICKETS, () => ({ subject: MARK, resolution: s() }), 422, 'resolution'],
      ['POST ticket category_id 2**70', 'RAW', () => TICKETS, () => `{"subject":"${MARK}","category_id":${big}}`, [400, 422],
        parseOr('category_id')],
      ['PATCH ticket tags as an object', 'PATCH', tk, () => ({ version: 1, tags: { a: 1 } }), 422, 'tags'],
      ['PATCH ticket watchers nested', 'PATCH', tk, () => ({ version: 1, watchers: [[1]] }), 422, 'watchers'],
      ['PATCH ticket group_id 1.5', 'PATCH', tk, () => ({ version: 1, group_id: 1.5 }), 422, 'group_id'],
      // transitions
      ['POST transition to [long]', 'POST', () => `${tk()}/transitions`, () => ({ to: s() }), 422, 'to'],
      ['POST transition to as an object', 'POST', () => `${tk()}/transitions`, () => ({ to: { key: 'in_progress' } }), 422, 'to'],
      ['POST transition resolution_code [long]', 'POST', () => `${tk()}/transitions`,
        () => ({ to: 'in_progress', resolution_code: s() }), 422, 'resolution_code'],
      ['POST transition version 2**70', 'RAW', () => `${tk()}/transitions`, () => `{"to":"in_progress","version":${big}}`,
        [400, 409, 422], (st) => (st === 400 ? '' : st === 409 ? undefined : 'version')],
      // comments
      ['POST comment body [long]', 'POST', () => `${tk()}/comments`, () => ({ body: s() }), 422, 'body'],
      ['POST comment body in CJK [long]', 'POST', () => `${tk()}/comments`, () => ({ body: s('字') }), 422, 'body'],
      ['POST comment internal "true"', 'POST', () => `${tk()}/comments`, () => ({ body: 'x', internal: 'true' }), 422,
        'internal'],
      ['POST comment attachment_ids 2**70', 'RAW', () => `${tk()}/comments`, () => `{"body":"x","attachment_ids":[${big}]}`,
        [400, 422], parseOr('attachment_ids')],
      // links, merge, bulk
      ['POST link kind [long]', 'POST', () => `${tk()}/links`, () => ({ kind: s(), ticket_id: 1 }), 422, 'kind'],
      ['POST link ticket_id 1e400', 'RAW', () => `${tk()}/links`, () => '{"kind":"related","ticket_id":1e400}', [400, 422],
        parseOr('ticket_id')],
      ['POST link ticket_id -0', 'RAW', () => `${tk()}/links`, () => '{"kind":"related","ticket_id":-0}', 422, 'ticket_id'],
      ['POST merge into 2**70', 'RAW', () => `${tk()}/merge`, () => `{"into":${big}}`, [400, 422], parseOr('into')],
      ['POST merge into itself as a string', 'POST', () => `${tk()}/merge`, () => ({ into: String(ticket.id) }), 422, 'into'],
      ['POST bulk ids: 100000', 'POST', () => `${TICKETS}/bulk`, () => ({ ids: Array.from({ length: 100000 }, (_, i) => i + 1),
        set: { priority: 'low' } }), [413, 422], (st) => (st === 413 ? undefined : 'ids')],
      ['POST bulk ids [2**70]', 'RAW', () => `${TICKETS}/bulk`, () => `{"ids":[${big}],"set":{"priority":"low"}}`, [400, 422],
        (st) => (st === 400 ? '' : 'ids[0]')],
      ['POST bulk set.priority [long]', 'POST', () => `${TICKETS}/bulk`, () => ({ ids: [ticket.id], set: { priority: s() } }),
        422, 'set.priority'],
      ['POST bulk set as a list', 'POST', () => `${TICKETS}/bulk`, () => ({ ids: [ticket.id], set: [['priority', 'low']] }),
        422, 'set'],
      // saved views
      ['POST view name [long]', 'POST', () => '/api/v1/views', () => ({ name: s(), query: '' }), 422, 'name'],
      ['POST view query [long]', 'POST', () => '/api/v1/views', () => ({ name: `${MARK} v`, query: `status=${s('o')}` }), 422,
        'query'],
      ['POST view query with 1000 parameters', 'POST', () => '/api/v1/views', () => ({ name: `${MARK} v`,
        query: Array.from({ length: 1000 }, (_, i) => `k${i}=1`).join('&') }), 422, 'query'],
      ['POST view columns [long]', 'POST', () => '/api/v1/views', () => ({ name: `${MARK} v`, query: '', columns: [s()] }), 422,
        'columns'],
      // configuration
      ['POST workflow key [long]', 'POST', () => WF, () => wf({ key: s('k') }), 422, 'key'],
      ['POST workflow name [long]', 'POST', () => WF, () => wf({ name: s() }), 422, 'name'],
      ['POST workflow status key [long]', 'POST', () => WF, () => wf({ statuses: [{ key: s('k'), name: 'x', category: 'open' },
        { key: 'done', name: 'Done', category: 'closed' }] }), 422, 'statuses[0].key'],
      ['POST workflow 10000 statuses', 'POST', () => WF, () => wf({ statuses: Array.from({ length: 10000 },
        (_, i) => ({ key: `s${i}`, name: 'x', category: i ? 'open' : 'closed' })) }), 422, 'statuses'],
      ['POST workflow statuses as an object', 'POST', () => WF, () => wf({ statuses: { open: 'open' } }), 422, 'statuses'],
      ['POST workflow transitions null', 'POST', () => WF, () => wf({ transitions: null }), 422, 'transitions'],
      ['POST workflow transition name [long]', 'POST', () => WF, () => wf({ transitions: [{ from: 'open', to: 'done',
        name: s(), roles: [], requires: [] }] }), 422, 'transitions[0].name'],
      ['POST ticket type key [long]', 'POST', () => '/api/v1/ticket-types', () => ({ key: s('k'), name: 'x', workflow_id: 1 }),
        422, 'key'],
      ['POST ticket type workflow_id 2**70', 'RAW', () => '/api/v1/ticket-types', () => `{"key":"bad_t","name":"x","workflow_id":${big}}`,
        [400, 422], parseOr('workflow_id')],
      ['POST custom field label [long]', 'POST', () => '/api/v1/custom-fields', () => ({ key: 'bad_f', label: s(), type: 'text' }),
        422, 'label'],
      ['POST custom field pattern [long]', 'POST', () => '/api/v1/custom-fields', () => ({ key: 'bad_f', label: 'x', type: 'text',
        pattern: `(${s('a')}` }), 422, 'pattern'],
      ['POST custom field pattern: catastrophic', 'POST', () => '/api/v1/custom-fields', () => ({ key: 'bad_f', label: 'x',
        type: 'text', pattern: '((((((((((a*)*)*)*)*)*)*)*)*)*' + ')'.repeat(5000) }), 422, 'pattern'],
      ['POST custom field 100000 options', 'POST', () => '/api/v1/custom-fields', () => ({ key: 'bad_f', label: 'x',
        type: 'select', options: Array.from({ length: 100000 }, (_, i) => `o${i}`) }), [413, 422], (st) => (st === 413 ? undefined : 'options')],
      ['POST custom field min 1e400', 'RAW', () => '/api/v1/custom-fields', () => '{"key":"bad_f","label":"x","type":"number","min":1e400}',
        [400, 422], parseOr('min')],
      ['POST category name [long]', 'POST', () => '/api/v1/categories', () => ({ kind: 'category', name: s() }), 422, 'name'],
      ['POST category code [long]', 'POST', () => '/api/v1/categories', () => ({ kind: 'category', name: 'x', code: s() }), 422,
        'code'],
      ['POST category parent_id 2**70', 'RAW', () => '/api/v1/categories', () => `{"kind":"category","name":"x","parent_id":${big}}`,
        [400, 422], parseOr('parent_id')],
    ];
    for (const [name, method, path, body, status, field] of cases) {
      bad(name, () => (method === 'RAW' ? sendRaw('POST', path(), body())() : api.call(method, path(), { json: body() })),
        status, field);
    }
    const deep = (n) => '['.repeat(n) + '1' + ']'.repeat(n);
    for (const [name, path, json] of [
      ['tags', () => TICKETS, (v) => `{"subject":"${MARK}","tags":${v}}`],
      ['custom', () => TICKETS, (v) => `{"subject":"${MARK}","custom":${v}}`],
      ['ids', () => `${TICKETS}/bulk`, (v) => `{"ids":${v},"set":{"priority":"low"}}`],
      ['statuses', () => '/api/v1/workflows', (v) => `{"key":"deep","name":"d","initial":"a","statuses":${v},"transitions":[]}`],
      ['body', () => `${TICKETS}/${ticket.id}/comments`, (v) => `{"body":${v}}`],
    ]) {
      bad(`POST ${name}: 50000 nested arrays`, () => sendRaw('POST', path(), json(deep(50000)))(), [400, 422],
        (st) => (st === 400 ? '' : undefined));
    }
  });

  // -------------------------------------------------------------------------
  describe('foreign encodings and a BOM', () => {
    // "打印机卡纸" (printer jam) in GBK, then U+20000 in GB18030's four-byte form
    const GBK = Buffer.from([0xb4, 0xf2, 0xd3, 0xa1, 0xbb, 0xfa, 0xbf, 0xa8, 0xd6, 0xbd]);
    const GB18030 = Buffer.concat([GBK, Buffer.from([0x95, 0x32, 0x82, 0x36])]);
    const json = (subject) => Buffer.concat([Buffer.from('{"subject":"'), subject, Buffer.from(`","customer_ref":"${MARK}"}`)]);
    it('(the GBK and GB18030 bytes are what they claim)', () => {
      assert.equal(new TextDecoder('gbk').decode(GBK), '打印机卡纸');
      assert.equal(new TextDecoder('gb18030').decode(GB18030), '打印机卡纸\u{20000}');
    });
    bad('GBK subject as application/json', sendRaw('POST', TICKETS, json(GBK)), 400, '');
    bad('GB18030 subject as application/json', sendRaw('POST', TICKETS, json(GB18030)), 400, '');
    bad('GBK subject with charset=gbk', sendRaw('POST', TICKETS, json(GBK), 'application/json; charset=gbk'),
      [400, 415]);
    bad('GB18030 subject with charset=gb18030',
      sendRaw('POST', TICKETS, json(GB18030), 'application/json; charset=GB18030'), [400, 415]);
    bad('GBK display_name on PATCH user', () => sendRaw('PATCH', `${USERS}/${user.id}`,
      Buffer.concat([Buffer.from('{"display_name":"'), GBK, Buffer.from('"}')]))(), 400, '');
    bad('GBK group name', sendRaw('POST', GROUPS,
      Buffer.concat([Buffer.from('{"name":"'), GBK, Buffer.from('"}')])), 400, '');
    bad('Latin-1 "café" subject', sendRaw('POST', TICKETS, json(Buffer.from('caf\xe9', 'latin1'))), 400, '');
    bad('UTF-16LE JSON with its BOM', sendRaw('POST', TICKETS,
      Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(`{"subject":"${MARK}"}`, 'utf16le')])), 400, '');
    bad('UTF-16BE JSON without a BOM', sendRaw('POST', TICKETS,
      Buffer.from(`{"subject":"${MARK}"}`, 'utf16le').swap16()), 400, '');
    bad('UTF-16 JSON labelled charset=utf-16', sendRaw('POST', TICKETS,
      Buffer.from(`{"subject":"${MARK}"}`, 'utf16le'), 'application/json; charset=utf-16'), [400, 415]);
    const BOM = Buffer.from([0xef, 0xbb, 0xbf]);
    bad('a UTF-8 BOM before the JSON (POST ticket)', sendRaw('POST', TICKETS,
      Buffer.concat([BOM, Buffer.from(`{"subject":"${MARK}"}`)])), 400, '');
    bad('a UTF-8 BOM before the JSON (PATCH ticket)', () => sendRaw('PATCH', `${TICKETS}/${ticket.id}`,
      Buffer.concat([BOM, Buffer.from(`{"version":1,"subject":"${MARK} bom"}`)]))(), 400, '');
    bad('a UTF-8 BOM before the JSON (POST group)', sendRaw('POST', GROUPS,
      Buffer.concat([BOM, Buffer.from(`{"name":"${MARK} bom"}`)])), 400, '');
    bad('two BOMs', sendRaw('POST', TICKETS, Buffer.concat([BOM, BOM, Buffer.from(`{"subject":"${MARK}"}`)])), 400, '');
  });

  // -------------------------------------------------------------------------
  describe('non-ASCII input quoted back in a problem', () => {
    // The server quotes (the start of) a bad value or key in its message; cut
    // by bytes, a multi-byte character split in two must not cost the
    // problem its "detail" and "errors".
    const cjk = (n, pre = 'a') => pre + '字'.repeat(n);
    bad('?status= 14 CJK characters', () => raw(server.url, {
      path: `${TICKETS}?status=${encodeURIComponent(cjk(14, ''))}`, headers: api.auth() }).then(fromRaw), 400, 'status');
    bad('?priority= a + 21 two-byte characters', () => raw(server.url, {
      path: `${TICKETS}?priority=${encodeURIComponent(`a${'é'.repeat(21)}`)}`, headers: api.auth() }).then(fromRaw),
    400, 'priority');
    bad('POST user roles [14 CJK characters]', post(USERS, { username: 'cjk-role', roles: [cjk(14, '')],
      password: 'Tend-target-Passw0rd!' }), 422, 'roles');
    bad('POST token scopes [a + 21 CJK characters]', post(TOKENS, { name: 'cjk', scopes: [cjk(21)] }), 422, 'scopes');
    for (const [path, body] of [[TICKETS, { subject: MARK }], [GROUPS, { name: `${MARK} cjk` }],
      [TOKENS, { name: 'cjk', scopes: ['*'] }], [USERS, { username: 'cjk-key', roles: ['agent'], password: 'Tend-target-Passw0rd!' }]]) {
      it(`POST ${path.split('/').pop()} with an unknown key of a + 30 CJK characters: 422 naming (the start of) it`, async () => {
        const before = await snapshot();
        const key = cjk(30);
        const r = await api.post(path, { ...body, [key]: 1 });
        const p = assertProblem(r, 422, undefined, 'CJK key');
        assert.ok(p.errors.length > 0 && p.errors[0].field.length > 0 && key.startsWith(p.errors[0].field),
          `errors[0].field is (the start of) the key: ${r.text.slice(0, 300)}`);
        assert.equal(typeof p.detail, 'string', 'the problem has a detail');
        await unchanged('CJK key', before);
      });
    }
  });

  // -------------------------------------------------------------------------
  describe('path traversal on the static site', () => {
    const paths = [
      '/../../etc/passwd', '/%2e%2e/%2e%2e/etc/passwd', '/assets/..%2f..%2fetc%2fpasswd', '/index.html%00.js',
      '/..%2f..%2f..%2f..%2f..%2f..%2fetc%2fpasswd', '/assets/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd',
      '/%252e%252e/%252e%252e/etc/passwd', '/..\\..\\..\\..\\etc\\passwd', '/assets/..%5c..%5c..%5cetc%5cpasswd',
      '/%c0%ae%c0%ae/%c0%ae%c0%ae/etc/passwd', '/....//....//etc/passwd', '//etc/passwd', '/./././etc/passwd',
      '/../package.json', '/%2e%2e/package.json', '/assets/../../package.json', '/../../src/app/main.c',
      '/../../../../proc/self/environ', '/../../../../proc/self/cmdline', '/index.html%00', '/%00',
      'http://127.0.0.1/../../etc/passwd', '/api/v1/../../../etc/passwd', '/api/v1/%2e%2e/%2e%2e/etc/passwd',
    ];
    for (const path of paths) {
      it(`GET ${path}`, async () => {
        for (const method of ['GET', 'HEAD']) {
          const r = await exchange(server.port, request({ method, path }));
          assert.ok(r.status >= 200 && r.status < 500, `${method} ${path}: status ${r.status} (${r.error || ''})`);
          const text = r.body.toString('latin1');
          assert.doesNotMatch(text, /root:.*:0:0:/, `${path} leaked /etc/passwd`);
          assert.doesNotMatch(text, /"devDependencies"|#include|LSAN_OPTIONS|ASAN_OPTIONS|build-san/,
            `${path} leaked a file from outside the web root`);
          if (method === 'GET' && r.status === 200) {
            assert.ok(r.body.equals(indexHtml), `${path}: a 200 is the app's index.html, nothing else`);
          } else if (method === 'GET') {
            assert.ok(r.status >= 400, `${path}: ${r.status}`);
            assertProblem(asResponse(r), r.status, undefined, path);
          }
        }
        await api.healthy(`after ${path}`);
      });
    }
  });

  // -------------------------------------------------------------------------
  describe('hostile query strings', () => {
    const q = (path) => () => raw(server.url, { path, headers: api.auth() }).then(fromRaw);
    const many = (n, p = (i) => `p${i}=1`) => Array.from({ length: n }, (_, i) => p(i)).join('&');
    bad('40 parameters', q(`${TICKETS}?${many(40)}`), 400, 'query');
    bad('33 parameters', q(`${TICKETS}?${many(33)}`), 400, 'query');
    bad('40 status parameters', q(`${TICKETS}?${many(40, () => 'status=open')}`), 400, 'query');
    bad('40 parameters on the users list', q(`${USERS}?${many(40)}`), 400, 'query');
    bad('1000 empty-valued parameters', q(`${TICKETS}?${many(1000, (i) => `k${i}`)}`), 400, 'query');
    it('every filter at once (23 known parameters) is not "too many"', async () => {
      // unknown parameters are refused (docs/api-tickets.md) and the server
      // takes at most 4 custom-field filters, so 32 distinct legal parameters
      // no longer exist: 18 filters, 4 custom-field filters and limit
      for (let i = 0; i < 4; i++) {
        const f = await api.post('/api/v1/custom-fields', { key: `qp${i}`, label: `Query ${i}`, type: 'text' });
        assert.ok(f.status === 201 || f.status === 409 || f.status === 422, f.text.slice(0, 200));
      }
      const t = '2026-01-01T00:00:00Z';
      const known = ['status=new', 'status_category=new', 'priority=low', 'type=repair', 'channel=api', 'assignee_id=none',
        'group_id=none', 'organisation_id=none', 'category_id=none', 'fault_code_id=none', 'watcher_id=me', 'tag=x',
        'customer_ref=x', `created_after=${t}`, `created_before=${t}`, `updated_after=${t}`, `updated_before=${t}`, 'sort=-id',
        ...Array.from({ length: 4 }, (_, i) => `custom.qp${i}=x`), 'limit=1'];
      assert.equal(known.length, 23);
      const r = await q(`${TICKETS}?${known.join('&')}`)();
      assert.equal(r.status, 200, r.text.slice(0, 300));
    });
    for (const [qs, field] of [
      ['status=%zz', 'status'], ['status=%', 'status'], ['status=%f', 'status'], ['status=open%', 'status'],
      ['customer_ref=%zz', 'customer_ref'], ['customer_ref=%', 'customer_ref'], ['customer_ref=%g0', 'customer_ref'],
      ['%zz=1', 'query'], ['%=1', 'query'], ['%', 'query'], ['lim%it=1', 'query'],
      ['status=%ff', 'status'], ['customer_ref=%ff', 'customer_ref'], ['customer_ref=%c0%af', 'customer_ref'],
      ['customer_ref=%ed%a0%80', 'customer_ref'], ['customer_ref=%e5%ad', 'customer_ref'], ['%ff=1', 'query'],
      ['cursor=%ff%fe', 'cursor'], ['limit=%ff', 'limit'],
    ]) {
      bad(`?${qs}`, q(`${TICKETS}?${qs}`), 400, field);
    }
    bad('?role=%ff on users', q(`${USERS}?role=%ff`), 400, 'role');
    const K20 = 20 * 1024;
    bad('a 20 KB status value', q(`${TICKETS}?status=${'o'.repeat(K20)}`), 400, 'status');
    bad('a 20 KB status list', q(`${TICKETS}?status=${'open,'.repeat(K20 / 5)}open`), 400, 'status');
    bad('a 20 KB limit', q(`${TICKETS}?limit=${'9'.repeat(K20)}`), 400, 'limit');
    bad('a 20 KB cursor', q(`${TICKETS}?cursor=${'c'.repeat(K20)}`), 400, 'cursor');
    bad('a 20 KB assignee_id', q(`${TICKETS}?assignee_id=${'1'.repeat(K20)}`), 400, 'assignee_id');
    bad('a 20 KB role on users', q(`${USERS}?role=${'r'.repeat(K20)}`), 400, 'role');
    bad('a 20 KB percent-encoded CJK status', q(`${TICKETS}?status=${encodeURIComponent('字'.repeat(K20 / 9))}`),
      400, 'status');
    it('a 20 KB customer_ref is refused (4xx) or matches nothing', async () => {
      const r = await q(`${TICKETS}?customer_ref=${'r'.repeat(K20)}`)();
      if (r.status === 200) assert.deepEqual(r.body.items, []);
      else assertProblem(r, [400, 414, 431], undefined, '20 KB customer_ref');
      await api.healthy();
    });
  });

  // -------------------------------------------------------------------------
  describe('hostile headers', () => {
    const auth = () => ['Authorization', `Bearer ${server.token}`];
    const body = () => `{"subject":"${MARK} header","customer_ref":"${MARK}"}`;
    it('a 10 KB X-Request-Id is replaced by a generated one (GET and a bad POST)', async () => {
      const before = await snapshot();
      const id = 'r'.repeat(10 * 1024);
      const g = await api.get(`${TICKETS}?limit=1`, { headers: { 'x-request-id': id } });
      assert.equal(g.status, 200);
      assert.match(g.headers.get('x-request-id') || '', /^[A-Za-z0-9._-]{1,64}$/);
      const p = await api.post(TICKETS, { subject: 42 }, { headers: { 'x-request-id': id } });
      assertProblem(p, 422, 'subject');
      assert.notEqual(p.body.request_id, id);
      await unchanged('10 KB X-Request-Id', before);
    });
    for (const [name, key] of [
      ['a control character (0x01)', 'key\x01one'], ['an escape sequence', '\x1b[31mred\x1b[0m'],
      ['DEL (0x7f)', 'key\x7f'], ['a NUL byte', 'key\x00nul'], ['a bare CR', 'key\rcr'],
    ]) {
      it(`an Idempotency-Key with ${name}: 4xx, nothing created`, async () => {
        const before = await snapshot();
        const r = await exchange(server.port, request({ method: 'POST', path: TICKETS,
          headers: [auth(), ['Content-Type', 'application/json'], ['Idempotency-Key', key]], body: body() }));
        assert.ok(r.status >= 400 && r.status < 500, `status ${r.status} ${r.body.toString().slice(0, 200)}`);
        if (/problem\+json/.test(r.headers['content-type'] || '')) {
          assertProblem(asResponse(r), [400, 422], 'Idempotency-Key');
        }
        await unchanged(`Idempotency-Key with ${name}`, before);
      });
    }
    it('an Idempotency-Key with control characters is answered as problem+json naming it',
      { todo: 'libh2o (picohttpparser) rejects control bytes in header values itself: "400 Bad Request", text/plain' },
      async () => {
        const r = await exchange(server.port, request({ method: 'POST', path: TICKETS,
          headers: [auth(), ['Content-Type', 'application/json'], ['Idempotency-Key', 'key\x01one']], body: body() }));
        assertProblem(asResponse(r), [400, 422], 'Idempotency-Key');
      });
    bad('Authorization: Bearer + 5 KB', () => api.get(`${TICKETS}?limit=1`,
      { headers: { authorization: `Bearer ${'A'.repeat(5 * 1024)}` } }), 401);
    bad('Authorization: Bearer tend_ + 5 KB on a POST', () => api.post(TICKETS, { subject: MARK },
      { headers: { authorization: `Bearer tend_${'A'.repeat(5 * 1024)}` } }), 401);
    bad('Authorization: Bearer + the real token + 5 KB', () => api.post(TICKETS, { subject: MARK },
      { headers: { authorization: `Bearer ${server.token}${'A'.repeat(5 * 1024)}` } }), 401);
    bad('Authorization: Basic + 5 KB', () => api.get(`${TICKETS}?limit=1`,
      { headers: { authorization: `Basic ${'A'.repeat(5 * 1024)}` } }), 401);
    bad('a 5 KB session cookie', () => client(server.url).post(TICKETS, { subject: MARK },
      { headers: { cookie: `tend_session=${'c'.repeat(5 * 1024)}`, 'x-csrf-token': 'x'.repeat(5 * 1024) } }), [401, 403]);
    bad('a 5 KB If-Match', () => api.call('PATCH', `${TICKETS}/${ticket.id}`, {
      body: JSON.stringify({ subject: `${MARK} changed` }),
      headers: { 'content-type': 'application/json', 'if-match': `"v${'1'.repeat(5 * 1024)}"` },
    }), 422, 'version');
    bad('a 10 KB Content-Type', () => api.call('POST', TICKETS, { body: body(),
      headers: { 'content-type': `application/json${'x'.repeat(10 * 1024)}` } }), 415, 'Content-Type');
    it('101 header fields, or one of 500 KB: refused (4xx or closed), nothing created', async () => {
      const before = await snapshot();
      const many = Array.from({ length: 101 }, (_, i) => [`X-H${i}`, 'v']);
      for (const headers of [many, [['X-Big', 'a'.repeat(500 * 1024)]]]) {
        const r = await exchange(server.port, request({ method: 'POST', path: TICKETS,
          headers: [auth(), ['Content-Type', 'application/json'], ...headers], body: body() }), { timeout: 10000 });
        assert.ok(r.status === 0 || (r.status >= 400 && r.status < 500), `status ${r.status}`);
        assert.ok(!r.timedOut, 'the server answered or closed');
      }
      await unchanged('too many headers', before);
    });
  });

  // -------------------------------------------------------------------------
  describe('message framing', () => {
    const auth = () => ['Authorization', `Bearer ${server.token}`];
    const json = ['Content-Type', 'application/json'];
    const body = () => `{"subject":"${MARK} framing","customer_ref":"${MARK}"}`;
    for (const then of ['end', 'reset', 'destroy']) {
      it(`Content-Length larger than the body sent, then the client goes (${then})`, async () => {
        const before = await snapshot();
        const r = await exchange(server.port, request({ method: 'POST', path: TICKETS, headers: [auth(), json],
          body: body(), contentLength: 1000 }), { then, timeout: 3000 });
        assert.ok(r.status === 0 || (r.status >= 400 && r.status < 500), `status ${r.status}`);
        await unchanged(`short body (${then})`, before);
      });
    }
    it('Content-Length larger than the body, the client waits: no 2xx, never 5xx', async () => {
      const before = await snapshot();
      const r = await exchange(server.port, request({ method: 'POST', path: TICKETS, headers: [auth(), json],
        body: body(), contentLength: 1000 }), { timeout: 2000 });
      assert.ok(r.status === 0 || (r.status >= 400 && r.status < 500), `status ${r.status}`);
      await unchanged('short body, waiting', before);
    });
    for (const [name, cl] of [['an overflowing', '99999999999999999999999'], ['a negative', '-1'],
      ['a non-numeric', '12abc'], ['a hexadecimal', '0x20'], ['an empty', '']]) {
      it(`${name} Content-Length: 4xx, nothing created`, async () => {
        const before = await snapshot();
        const r = await exchange(server.port, request({ method: 'POST', path: TICKETS,
          headers: [auth(), json, ['Content-Length', cl]], body: body(), contentLength: null }));
        assert.ok(r.status >= 400 && r.status < 500, `status ${r.status} ${r.body.toString().slice(0, 200)}`);
        await unchanged(`${name} Content-Length`, before);
      });
    }
    it('two different Content-Length headers: 400, nothing created (request smuggling)', {
      todo: 'libh2o 2.2 (Debian) hides Content-Length and Transfer-Encoding from handlers and does not check them; fixed upstream later; deployments put nginx in front, which refuses such requests (docs/reliability.md)' }, async () => {
      const before = await snapshot();
      const b = body();
      const r = await exchange(server.port, request({ method: 'POST', path: TICKETS,
        headers: [auth(), json, ['Content-Length', String(b.length)], ['Content-Length', '3']], body: b,
        contentLength: null }));
      assert.equal(r.status, 400, `RFC 9112 6.3: differing Content-Length values are an error; got ${r.status} ` +
        r.body.toString().slice(0, 200));
      await unchanged('two Content-Lengths', before);
    });
    it('Transfer-Encoding: chunked with Content-Length: refused, or answered and the connection closed', {
      todo: 'libh2o 2.2 (Debian) hides Content-Length and Transfer-Encoding from handlers and does not check them; fixed upstream later; deployments put nginx in front, which refuses such requests (docs/reliability.md)' }, async () => {
      const before = await snapshot();
      const b = body();
      const chunked = `${b.length.toString(16)}\r\n${b}\r\n0\r\n\r\n`;
      // no "Connection: close": RFC 9112 6.1 says the server MUST close after answering such a request
      const bytes = Buffer.concat([
        request({ method: 'POST', path: TICKETS, body: chunked, contentLength: null,
          headers: [auth(), json, ['Transfer-Encoding', 'chunked'], ['Content-Length', '3'], ['Connection', 'keep-alive']] }),
        request({ path: '/healthz', headers: [['Connection', 'keep-alive']] }),
      ]);
      const got = await new Promise((resolve) => {
        const s = net.connect({ port: server.port, host: '127.0.0.1' });
        const parts = [];
        const done = (closed) => { clearTimeout(t); s.destroy(); resolve({ text: Buffer.concat(parts).toString('latin1'), closed }); };
        const t = setTimeout(() => done(false), 2000);
        s.on('data', (d) => parts.push(d));
        s.on('error', () => {});
        s.on('close', () => done(true));
        s.write(bytes);
      });
      const statuses = [...got.text.matchAll(/HTTP\/1\.1 (\d{3})/g)].map((m) => Number(m[1]));
      assert.ok(statuses.length > 0, 'answered');
      if (statuses[0] >= 200 && statuses[0] < 300) {
        assert.ok(got.closed && statuses.length === 1,
          `a TE+CL request was answered ${statuses[0]} and the connection kept serving (${statuses.join(', ')}): ` +
          'a request-smuggling risk behind a proxy');
        // the one ticket it made is expected: remove it from the comparison
        before.tickets += 1;
      } else {
        assert.ok(statuses[0] >= 400 && statuses[0] < 500, `status ${statuses[0]}`);
      }
      await api.healthy();
      const after = await snapshot();
      assert.equal(after.tickets, before.tickets);
    });
    for (const [name, chunks] of [
      ['a non-hex chunk size', 'zz\r\n{}\r\n0\r\n\r\n'],
      ['a chunk size that overflows', 'ffffffffffffffffffff\r\n{}\r\n0\r\n\r\n'],
      ['a chunk longer than its size', '2\r\n{"subject":"x"}\r\n0\r\n\r\n'],
      ['a missing chunk terminator', `f\r\n{"subject":"xx"}0\r\n\r\n`],
    ]) {
      it(`chunked body with ${name}: 4xx or closed, nothing created`, async () => {
        const before = await snapshot();
        const r = await exchange(server.port, request({ method: 'POST', path: TICKETS, body: chunks, contentLength: null,
          headers: [auth(), json, ['Transfer-Encoding', 'chunked']] }), { timeout: 3000 });
        assert.ok(r.status === 0 || (r.status >= 400 && r.status < 500),
          `status ${r.status} ${r.body.toString().slice(0, 200)}`);
        await unchanged(`chunked ${name}`, before);
      });
    }
  });

  // -------------------------------------------------------------------------
  describe('bodies over the limit', () => {
    const auth = () => ['Authorization', `Bearer ${server.token}`];
    const json = ['Content-Type', 'application/json'];
    const over = (n) => {
      const head = `{"name":"${MARK}","description":"`;
      return head + 'a'.repeat(n - head.length - 2) + '"}';
    };
    for (const [method, label, path] of [['PATCH', '/tickets/{id}', () => `${TICKETS}/${ticket.id}`],
      ['POST', '/users', () => USERS], ['PATCH', '/users/{id}', () => `${USERS}/${user.id}`],
      ['POST', '/groups', () => GROUPS], ['PATCH', '/groups/{id}', () => `${GROUPS}/${group.id}`],
      ['POST', '/tokens', () => TOKENS], ['POST', '/auth/login', () => '/api/v1/auth/login']]) {
      bad(`${method} ${label}: 1 MiB + 1 byte is 413`, () => raw(server.url, {
        method, path: path(), headers: { ...api.auth(method), 'content-type': 'application/json' }, body: over(MiB + 1),
      }).then(fromRaw), 413);
    }
    for (const chunked of [false, true]) {
      it(`a ${chunked ? 'chunked ' : ''}body of 40 MB: 413 or the connection closed, never a crash`, async () => {
        const before = await snapshot();
        const piece = Buffer.alloc(MiB, 'a');
        const total = 40 * 1000 * 1000;
        const chunks = [request({ method: 'POST', path: TICKETS, headers: [auth(), json,
          ...(chunked ? [['Transfer-Encoding', 'chunked']] : [])], contentLength: chunked ? null : total })];
        for (let sent = 0; sent < total; sent += piece.length) {
          const n = Math.min(piece.length, total - sent);
          chunks.push(chunked ? Buffer.concat([Buffer.from(`${n.toString(16)}\r\n`), piece.subarray(0, n), Buffer.from('\r\n')])
            : piece.subarray(0, n));
        }
        if (chunked) chunks.push(Buffer.from('0\r\n\r\n'));
        const t0 = Date.now();
        const r = await exchange(server.port, chunks, { timeout: 20000 });
        assert.ok(!r.timedOut, `answered or closed within 20 s (${Date.now() - t0} ms)`);
        assert.ok(r.status === 0 || r.status === 413, `status ${r.status} ${r.body.toString().slice(0, 200)}`);
        await unchanged(`40 MB${chunked ? ' chunked' : ''}`, before);
      });
    }
    it('the 413 for 40 MB is problem+json', { todo: 'libh2o answers bodies over its own limit (32 MiB) itself, text/plain' },
      async () => {
        const r = await exchange(server.port, request({ method: 'POST', path: TICKETS, headers: [auth(), json],
          contentLength: 40 * 1000 * 1000 }), { timeout: 5000 });
        assertProblem(asResponse(r), 413);
      });
  });

  // -------------------------------------------------------------------------
  describe('slow and vanishing clients', () => {
    it('50 slowloris sockets (one header byte a second for 5 s) do not stall a normal client', async () => {
      const before = await snapshot();
      const fd0 = fdCount(server.proc.pid);
      const line = Buffer.from(`GET ${TICKETS}?limit=1 HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: `);
      const socks = [];
      try {
        await Promise.all(Array.from({ length: 50 }, () => new Promise((ok) => {
          const s = net.connect({ port: server.port, host: '127.0.0.1' }, ok);
          s.on('error', () => {});
          s.on('data', () => {});
          s.setTimeout(8000, () => s.destroy());
          socks.push(s);
        })));
        let pos = 0;
        const drip = setInterval(() => {
          for (const s of socks) if (!s.destroyed) s.write(line.subarray(pos, pos + 1));
          pos++;
        }, 1000);
        const lat = [];
        const t0 = Date.now();
        try {
          while (Date.now() - t0 < 5200) {
            const s = Date.now();
            const r = await fetch(`${server.url}${TICKETS}?limit=5`, {
              headers: { authorization: `Bearer ${server.token}` }, signal: AbortSignal.timeout(3000),
            });
            await r.text();
            lat.push(Date.now() - s);
            assert.equal(r.status, 200);
            await sleep(100);
          }
        } finally {
          clearInterval(drip);
        }
        assert.ok(lat.length >= 10, `normal requests made: ${lat.length}`);
        assert.ok(Math.max(...lat) < 1000, `every normal request within 1 s; slowest ${Math.max(...lat)} ms`);
        const alive = socks.filter((s) => !s.destroyed).length;
        assert.ok(alive >= 0);
      } finally {
        for (const s of socks) s.destroy();
      }
      await unchanged('slowloris', before);
      if (fd0 !== null) {
        let fd = fdCount(server.proc.pid);
        for (let i = 0; i < 40 && fd > fd0 + 5; i++) { await sleep(100); fd = fdCount(server.proc.pid); }
        assert.ok(fd <= fd0 + 5, `the server let go of the slow sockets: ${fd0} fds before, ${fd} after`);
      }
    });

    it('200 connections dropped mid-request (FIN and RST) leave it healthy, with nothing written', async () => {
      const before = await snapshot();
      const fd0 = fdCount(server.proc.pid);
      const tok = server.token;
      const variants = [
        // a POST whose body never completes, then RST
        [Buffer.from(`POST ${TICKETS} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${tok}\r\n` +
          `Content-Type: application/json\r\nContent-Length: 200\r\n\r\n{"subject":"${MARK} abrupt`), 'reset'],
        // half a header block, then RST
        [Buffer.from(`GET ${TICKETS}?limit=5 HTTP/1.1\r\nHost: x\r\nAuthor`), 'reset'],
        // a whole read, dropped before the answer is read
        [Buffer.from(`GET ${TICKETS}?limit=200 HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${tok}\r\n\r\n`), 'reset'],
        // a POST whose body never completes, then FIN
        [Buffer.from(`POST ${TICKETS} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${tok}\r\n` +
          `Content-Type: application/json\r\nContent-Length: 200\r\n\r\n{"subject":"${MARK} abrupt`), 'end'],
        // the request line only, then plain close
        [Buffer.from(`PATCH ${TICKETS}/${ticket.id} HTTP/1.1\r\n`), 'destroy'],
      ];
      const one = (i) => new Promise((ok) => {
        const [bytes, how] = variants[i % variants.length];
        const s = net.connect({ port: server.port, host: '127.0.0.1' });
        const t = setTimeout(() => { s.destroy(); ok(); }, 3000);
        s.on('error', () => {});
        s.on('close', () => { clearTimeout(t); ok(); });
        s.on('connect', () => {
          s.write(bytes, () => setTimeout(() => {
            if (how === 'reset') s.resetAndDestroy();
            else if (how === 'end') { s.end(); setTimeout(() => s.destroy(), 200); } else s.destroy();
          }, i % 3 === 0 ? 0 : 5));
        });
      });
      for (let b = 0; b < 4; b++) await Promise.all(Array.from({ length: 50 }, (_, i) => one(b * 50 + i)));
      await unchanged('abrupt closes', before);
      if (fd0 !== null) {
        let fd = fdCount(server.proc.pid);
        for (let i = 0; i < 40 && fd > fd0 + 5; i++) { await sleep(100); fd = fdCount(server.proc.pid); }
        assert.ok(fd <= fd0 + 5, `no sockets left behind: ${fd0} fds before, ${fd} after`);
      }
      assert.ok(existsSync(`/proc/${server.proc.pid}`) || process.platform !== 'linux', 'the server runs');
    });
  });

  // last: everything above ran on one process
  it('the server survived all of it: clean exit on SIGTERM, no sanitizer report', async () => {
    assert.equal(server.proc.exitCode, null, `the server is still running:\n${server.output().slice(-3000)}`);
    await server.stop('SIGTERM');
    assert.equal(server.proc.exitCode, 0, `exit status after SIGTERM:\n${server.output().slice(-3000)}`);
    assert.doesNotMatch(server.output(), /AddressSanitizer|LeakSanitizer|runtime error:/,
      `sanitizer report:\n${server.output().slice(-3000)}`);
  });
});
