// Signing in as a person and as an integration: the session cookie and its
// flags, who-am-I, CSRF on state-changing requests, failed logins that give
// nothing away, logout, API tokens (secret shown once, scopes, revocation,
// expiry) and the login rate limits. docs/api.md "Authentication and
// authorisation".
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, dbDump } from '../lib/server.mjs';
import { client, assertProblem, assertUnauthorized, parseSetCookie, tag, TIME_RE, SESSION_COOKIE } from './client.mjs';

const DEMO_PASSWORD = 'tend-demo-2026';
const TICKETS = '/api/v1/tickets';
const HOUR = 3600 * 1000;

/** A user object never carries a password or its hash. */
function assertNoSecrets(r, what, ...secrets) {
  assert.doesNotMatch(r.text, /password|hash/i, `${what}: no password or hash field: ${r.text.slice(0, 300)}`);
  for (const s of secrets) assert.ok(!r.text.includes(s), `${what}: the secret is not echoed`);
}

/** A problem body without what differs between any two answers. */
const stable = (b) => {
  const { request_id: _r, instance: _i, ...rest } = b || {};
  return rest;
};

/** Create a user through the API as `admin`; resolves the user. */
async function addUser(admin, fields) {
  const body = { password: `pw-${Math.random().toString(36).slice(2)}-Long`, ...fields };
  const r = await admin.post('/api/v1/users', body);
  assert.equal(r.status, 201, `create user ${fields.username}: ${r.status} ${r.text.slice(0, 300)}`);
  return { ...r.body, password: body.password };
}

describe('authentication', { timeout: 30000 }, () => {
  let server, admin, anon;
  before(async () => {
    server = await startServer({ demo: true });
    admin = client(server.url, { token: server.token });
    anon = client(server.url);
  });
  after(async () => { await server?.close(); });

  describe('login', () => {
    it('answers 200 {user, csrf_token, expires_at} and sets tend_session HttpOnly, SameSite=Lax, Path=/, not Secure over http', async () => {
      const r = await anon.tryLogin('agent', DEMO_PASSWORD);
      assert.equal(r.status, 200, r.text);
      assert.match(r.headers.get('content-type') || '', /^application\/json/);
      assert.equal(r.body.user?.username, 'agent');
      assert.ok(r.body.user.roles.includes('agent'), `roles: ${JSON.stringify(r.body.user.roles)}`);
      assert.equal(typeof r.body.user.id, 'number');
      assert.equal(r.body.user.disabled, false);
      assertNoSecrets(r, 'login answer', DEMO_PASSWORD);
      assert.equal(typeof r.body.csrf_token, 'string');
      assert.ok(r.body.csrf_token.length >= 16, `csrf_token is not guessable: ${r.body.csrf_token}`);
      assert.match(r.body.expires_at, TIME_RE);
      const left = Date.parse(r.body.expires_at) - Date.now();
      assert.ok(left > 11.5 * HOUR && left <= 12 * HOUR + 60000, `session lasts 12 h: expires_at ${r.body.expires_at}`);

      const c = r.session?.setCookie;
      assert.ok(c, `Set-Cookie ${SESSION_COOKIE}: ${JSON.stringify(r.headers.getSetCookie())}`);
      assert.ok(c.value.length >= 20, `the session secret is long and random: ${c.value}`);
      assert.ok(!c.value.includes(r.body.csrf_token), 'the cookie is not the CSRF token');
      assert.equal(c.attrs.httponly, true, `HttpOnly: ${c.raw}`);
      assert.match(String(c.attrs.samesite), /^lax$/i, `SameSite=Lax: ${c.raw}`);
      assert.equal(c.attrs.path, '/', `Path=/: ${c.raw}`);
      assert.ok(!('secure' in c.attrs), `no Secure over plain http: ${c.raw}`);
      if ('max-age' in c.attrs) {
        const s = Number(c.attrs['max-age']);
        assert.ok(s > 11.5 * 3600 && s <= 12 * 3600, `Max-Age is 12 h: ${c.raw}`);
      }
      if ('expires' in c.attrs) {
        const left2 = Date.parse(c.attrs.expires) - Date.now();
        assert.ok(left2 > 11.5 * HOUR && left2 <= 12 * HOUR + 60000, `Expires is 12 h ahead: ${c.raw}`);
      }
    });

    it('the cookie is Secure when the request came over HTTPS (X-Forwarded-Proto: https)', async () => {
      const r = await anon.tryLogin('agent', DEMO_PASSWORD, { headers: { 'x-forwarded-proto': 'https' } });
      assert.equal(r.status, 200, r.text);
      const c = r.session?.setCookie;
      assert.ok(c, `Set-Cookie ${SESSION_COOKIE}: ${JSON.stringify(r.headers.getSetCookie())}`);
      assert.equal(c.attrs.secure, true, `Secure: ${c.raw}`);
      assert.equal(c.attrs.httponly, true, `HttpOnly: ${c.raw}`);
      assert.match(String(c.attrs.samesite), /^lax$/i, `SameSite=Lax: ${c.raw}`);
      assert.equal(c.attrs.path, '/', `Path=/: ${c.raw}`);
    });

    it('each login starts a new session with its own cookie and CSRF token', async () => {
      const a = await anon.login('agent', DEMO_PASSWORD);
      const b = await anon.login('agent', DEMO_PASSWORD);
      assert.notEqual(a.cookie, b.cookie);
      assert.notEqual(a.csrf, b.csrf);
    });

    it('a login without username or password is 422 naming the field', async () => {
      assertProblem(await anon.post('/api/v1/auth/login', { username: 'agent' }), 422, 'password', 'no password');
      assertProblem(await anon.post('/api/v1/auth/login', { password: DEMO_PASSWORD }), 422, 'username', 'no username');
    });
  });

  describe('who am I', () => {
    it('GET /api/v1/auth/me with the cookie: the user, auth "session", the CSRF token and the permissions', async () => {
      const s = await anon.login('agent', DEMO_PASSWORD);
      const r = await s.get('/api/v1/auth/me');
      assert.equal(r.status, 200, r.text);
      assert.equal(r.body.user?.username, 'agent');
      assert.equal(r.body.user.id, s.user.id);
      assert.equal(r.body.auth, 'session');
      assert.equal(r.body.csrf_token, s.csrf);
      assertNoSecrets(r, 'me', DEMO_PASSWORD);
      const p = r.body.permissions;
      assert.deepEqual([...(p.tickets || [])].sort(), ['bulk', 'comment', 'create', 'export', 'merge', 'read', 'update'], JSON.stringify(p));
      assert.deepEqual(p.users, ['read'], JSON.stringify(p));
      assert.deepEqual(p.groups, ['read'], JSON.stringify(p));
      for (const res of ['tokens', 'permissions']) {
        assert.ok(!p[res] || p[res].length === 0, `an agent has no ${res} permission: ${JSON.stringify(p)}`);
      }
    });

    it('GET /api/v1/auth/me with a token: auth "token", no CSRF token', async () => {
      const r = await admin.get('/api/v1/auth/me');
      assert.equal(r.status, 200, r.text);
      assert.equal(r.body.user?.username, 'admin');
      assert.equal(r.body.auth, 'token');
      assert.ok(r.body.csrf_token === undefined || r.body.csrf_token === null,
        `no csrf_token for a token: ${JSON.stringify(r.body.csrf_token)}`);
      assert.deepEqual(r.body.permissions.tokens, ['manage']);
      assert.deepEqual([...r.body.permissions.users].sort(), ['manage', 'read']);
    });

    it('without a credential it is 401 with WWW-Authenticate', async () => {
      assertUnauthorized(await anon.get('/api/v1/auth/me'));
    });
  });

  describe('failed logins give nothing away', () => {
    it('wrong password, unknown user and disabled user all answer the same 401', async () => {
      const victim = await addUser(admin, { username: tag('victim'), roles: ['agent'] });
      const off = await addUser(admin, { username: tag('off'), roles: ['agent'] });
      const d = await admin.patch(`/api/v1/users/${off.id}`, { disabled: true });
      assert.equal(d.status, 200, d.text);
      const answers = {
        'wrong password': await anon.tryLogin(victim.username, `${victim.password}x`),
        'unknown user': await anon.tryLogin(tag('nobody'), victim.password),
        'disabled user (right password)': await anon.tryLogin(off.username, off.password),
      };
      const bodies = [];
      for (const [what, r] of Object.entries(answers)) {
        assertProblem(r, 401, undefined, what);
        assert.ok(!r.session, `${what}: no session cookie`);
        assert.ok(!/disabled|unknown|not found|no such|exist/i.test(r.text), `${what}: no hint why: ${r.text}`);
        bodies.push(stable(r.body));
      }
      assert.deepEqual(bodies[1], bodies[0], 'unknown user answers like a wrong password');
      assert.deepEqual(bodies[2], bodies[0], 'a disabled user answers like a wrong password');
      // and the victim, not locked out by one failure, still gets in
      await anon.login(victim.username, victim.password);
    });
  });

  describe('logout', () => {
    it('ends the session: 204, the cookie is cleared, the old cookie is 401 at once', async () => {
      const s = await anon.login('agent', DEMO_PASSWORD);
      const other = await anon.login('agent', DEMO_PASSWORD);
      assert.equal((await s.get('/api/v1/auth/me')).status, 200);
      const r = await s.post('/api/v1/auth/logout');
      assert.equal(r.status, 204, r.text);
      const cleared = parseSetCookie(r.headers).find((c) => c.name === SESSION_COOKIE);
      assert.ok(cleared, `logout sends Set-Cookie ${SESSION_COOKIE}: ${JSON.stringify(r.headers.getSetCookie())}`);
      const gone = cleared.value === '' || Number(cleared.attrs['max-age']) <= 0
        || Date.parse(cleared.attrs.expires) < Date.now();
      assert.ok(gone, `the cookie is cleared (empty, Max-Age=0 or Expires in the past): ${cleared.raw}`);
      assertUnauthorized(await s.get('/api/v1/auth/me'), 'the logged-out cookie');
      assertUnauthorized(await s.get(TICKETS), 'the logged-out cookie on tickets');
      assert.equal((await other.get('/api/v1/auth/me')).status, 200, 'another session of the same user lives on');
    });

    it('logout with the cookie but without X-CSRF-Token is 403 and the session lives on', async () => {
      const s = await anon.login('agent', DEMO_PASSWORD);
      const noCsrf = client(server.url, { cookie: s.cookie });
      assertProblem(await noCsrf.post('/api/v1/auth/logout'), 403, 'X-CSRF-Token');
      assert.equal((await s.get('/api/v1/auth/me')).status, 200);
    });
  });

  describe('CSRF', () => {
    it('a cookie POST without X-CSRF-Token is 403 naming X-CSRF-Token and creates nothing', async () => {
      const s = await anon.login('agent', DEMO_PASSWORD);
      const noCsrf = client(server.url, { cookie: s.cookie });
      const ref = tag('csrf');
      assertProblem(await noCsrf.post(TICKETS, { subject: 'forged', customer_ref: ref }), 403, 'X-CSRF-Token', 'no token');
      assertProblem(await s.post(TICKETS, { subject: 'forged', customer_ref: ref }, { headers: { 'x-csrf-token': 'x'.repeat(s.csrf.length) } }),
        403, 'X-CSRF-Token', 'a wrong token');
      assertProblem(await s.post(TICKETS, { subject: 'forged', customer_ref: ref }, { headers: { 'x-csrf-token': '' } }),
        403, 'X-CSRF-Token', 'an empty token');
      const other = await anon.login('agent', DEMO_PASSWORD);
      assertProblem(await s.post(TICKETS, { subject: 'forged', customer_ref: ref }, { headers: { 'x-csrf-token': other.csrf } }),
        403, 'X-CSRF-Token', "another session's token");
      assert.deepEqual(await admin.listAll(`customer_ref=${ref}`), [], 'nothing was created');
    });

    it('a cookie PATCH without X-CSRF-Token is 403 and changes nothing', async () => {
      const s = await anon.login('agent', DEMO_PASSWORD);
      const t = await admin.create({ subject: 'csrf patch target' });
      const noCsrf = client(server.url, { cookie: s.cookie });
      assertProblem(await noCsrf.patch(`${TICKETS}/${t.id}`, { version: 1, subject: 'forged' }), 403, 'X-CSRF-Token');
      const g = await admin.get(`${TICKETS}/${t.id}`);
      assert.equal(g.body.subject, 'csrf patch target');
      assert.equal(g.body.version, 1);
    });

    it('with the session CSRF token the same requests work, and events name the user', async () => {
      const s = await anon.login('agent', DEMO_PASSWORD);
      const t = await s.create({ subject: 'with csrf' });
      const u = await s.update(t.id, { version: 1, priority: 'high' });
      assert.equal(u.version, 2);
      const ev = await admin.get(`${TICKETS}/${t.id}/events`);
      assert.deepEqual(ev.body.items.map((e) => e.actor), ['agent', 'agent'], JSON.stringify(ev.body.items));
    });

    it('a GET with the cookie needs no CSRF token', async () => {
      const s = await anon.login('agent', DEMO_PASSWORD);
      assert.equal((await client(server.url, { cookie: s.cookie }).get(TICKETS)).status, 200);
    });

    it('a bearer-token POST needs no CSRF token, and its events name the token user', async () => {
      const r = await admin.post(TICKETS, { subject: 'by token' });
      assert.equal(r.status, 201, r.text);
      const ev = await admin.get(`${TICKETS}/${r.body.id}/events`);
      assert.equal(ev.body.items[0].actor, 'admin');
    });
  });

  describe('API tokens', () => {
    const newToken = async (body) => {
      const r = await admin.post('/api/v1/tokens', { name: tag('tok'), ...body });
      assert.equal(r.status, 201, `create token ${JSON.stringify(body)}: ${r.status} ${r.text.slice(0, 300)}`);
      return r.body;
    };

    it('the secret is returned only at creation; GET /api/v1/tokens has prefix, never token', async () => {
      const name = tag('integration');
      const r = await admin.post('/api/v1/tokens', { name, scopes: ['tickets:read'] });
      assert.equal(r.status, 201, r.text);
      const t = r.body;
      assert.equal(typeof t.token, 'string');
      assert.match(t.token, /^tend_/, `the secret starts tend_: ${t.token}`);
      assert.ok(t.token.length >= 30, 'the secret is long');
      assert.equal(typeof t.id, 'number');
      assert.equal(t.name, name);
      assert.deepEqual(t.scopes, ['tickets:read']);
      assert.equal(typeof t.prefix, 'string');
      assert.ok(t.prefix.length >= 6 && t.prefix.length < t.token.length, `prefix: ${t.prefix}`);
      assert.ok(t.token.startsWith(t.prefix), `the prefix identifies the token: ${t.prefix} / ${t.token}`);
      assert.doesNotMatch(r.text, /hash/i, 'no hash in the answer');

      const l = await admin.get('/api/v1/tokens');
      assert.equal(l.status, 200, l.text);
      assert.ok(Array.isArray(l.body.items));
      const mine = l.body.items.find((x) => x.id === t.id);
      assert.ok(mine, `the new token is listed: ${l.text.slice(0, 500)}`);
      assert.equal(mine.prefix, t.prefix);
      assert.equal(mine.name, name);
      for (const x of l.body.items) {
        assert.ok(!('token' in x), `no "token" in the list: ${JSON.stringify(x)}`);
        assert.ok(!Object.keys(x).some((k) => /secret|hash/i.test(k)), `no secret or hash: ${JSON.stringify(x)}`);
      }
      assert.ok(!l.text.includes(t.token), 'the secret is nowhere in the list');
      assert.ok(!l.text.includes(server.token), "the suite's own secret is nowhere in the list");
    });

    it('a token acts as its user at once: me, and what that user may do', async () => {
      const agentId = (await admin.get('/api/v1/users?role=agent')).body.items.find((u) => u.username === 'agent').id;
      const t = await newToken({ user_id: agentId, scopes: ['*'] });
      assert.equal(t.user_id, agentId);
      const as = client(server.url, { token: t.token });
      const me = await as.get('/api/v1/auth/me');
      assert.equal(me.status, 200, me.text);
      assert.equal(me.body.user.username, 'agent');
      assert.equal(me.body.auth, 'token');
      assert.equal((await as.get('/api/v1/users')).status, 200, 'an agent may read users');
      assertProblem(await as.post('/api/v1/users', { username: tag('u'), roles: ['agent'], password: 'a long enough password' }),
        403, undefined, 'an agent token may not manage users');
      assertProblem(await as.get('/api/v1/tokens'), 403, undefined, 'an agent token may not manage tokens');
    });

    it('a token with scope tickets:read can GET tickets but not POST or PATCH them (403)', async () => {
      const t = await newToken({ scopes: ['tickets:read'] });
      const ro = client(server.url, { token: t.token });
      const ticket = await admin.create({ subject: 'scoped read' });
      assert.equal((await ro.get(TICKETS)).status, 200);
      assert.equal((await ro.get(`${TICKETS}/${ticket.id}`)).status, 200);
      assert.equal((await ro.get(`${TICKETS}/${ticket.id}/events`)).status, 200);
      const ref = tag('scoped');
      assertProblem(await ro.post(TICKETS, { subject: 'not allowed', customer_ref: ref }), 403, undefined, 'POST');
      assertProblem(await ro.patch(`${TICKETS}/${ticket.id}`, { version: 1, subject: 'no' }), 403, undefined, 'PATCH');
      assertProblem(await ro.get('/api/v1/users'), 403, undefined, 'users:read is out of scope');
      assertProblem(await ro.get('/api/v1/tokens'), 403, undefined, 'tokens:manage is out of scope');
      assert.deepEqual(await admin.listAll(`customer_ref=${ref}`), [], 'nothing was created');
      assert.equal((await admin.get(`${TICKETS}/${ticket.id}`)).body.version, 1, 'nothing was changed');
      const me = await ro.get('/api/v1/auth/me');
      assert.equal(me.status, 200, 'a scoped token may still ask who it is');
    });

    it("a scope beyond the user's permissions grants nothing", async () => {
      const custId = (await admin.get('/api/v1/users?role=customer')).body.items.find((u) => u.username === 'customer').id;
      const r = await admin.post('/api/v1/tokens', { name: tag('tok'), user_id: custId, scopes: ['users:read'] });
      if (r.status === 201) {
        assertProblem(await client(server.url, { token: r.body.token }).get('/api/v1/users'), 403, undefined,
          'a customer token scoped users:read');
      } else {
        assertProblem(r, 422, 'scopes', 'refused at creation');
      }
    });

    it('a revoked token is 401 at once', async () => {
      const t = await newToken({ scopes: ['*'] });
      const c = client(server.url, { token: t.token });
      assert.equal((await c.get(TICKETS)).status, 200);
      const d = await admin.del(`/api/v1/tokens/${t.id}`);
      assert.equal(d.status, 204, d.text);
      assertUnauthorized(await c.get(TICKETS), 'the revoked token');
      assertUnauthorized(await c.post(TICKETS, { subject: 'revoked' }), 'the revoked token POSTing');
      assert.equal((await admin.get(TICKETS)).status, 200, 'other tokens still work');
    });

    it('revoking an unknown token is 404', async () => {
      assertProblem(await admin.del('/api/v1/tokens/987654321'), 404);
    });

    it('expires_at in the past is 422 naming expires_at', async () => {
      const r = await admin.post('/api/v1/tokens', { name: tag('old'), scopes: ['*'],
        expires_at: new Date(Date.now() - 60000).toISOString() });
      assertProblem(r, 422, 'expires_at');
    });

    it('bad token requests are 422 naming the field', async () => {
      const cases = [
        [{ scopes: ['*'] }, 'name'],
        [{ name: tag('t'), scopes: ['tickets:fly'] }, 'scopes'],
        [{ name: tag('t'), scopes: 'tickets:read' }, 'scopes'],
        [{ name: tag('t'), scopes: ['*'], expires_at: 'tomorrow' }, 'expires_at'],
        [{ name: tag('t'), scopes: ['*'], user_id: 987654321 }, 'user_id'],
        [{ name: tag('t'), scopes: ['*'], colour: 'red' }, 'colour'],
      ];
      for (const [body, field] of cases) {
        assertProblem(await admin.post('/api/v1/tokens', body), 422, field, JSON.stringify(body));
      }
    });

    it('a token that expires is 401 once it has', async () => {
      const expires = Date.now() + 2000;
      const t = await newToken({ scopes: ['*'], expires_at: new Date(expires).toISOString() });
      assert.match(String(t.expires_at), TIME_RE);
      const c = client(server.url, { token: t.token });
      assert.equal((await c.get(TICKETS)).status, 200, 'valid before it expires');
      const until = Math.max(expires, Date.parse(t.expires_at));
      assert.ok(until - expires < 1500, `expires_at is the time asked for: ${t.expires_at}`);
      await new Promise((ok) => setTimeout(ok, Math.max(0, until - Date.now()) + 700));
      assertUnauthorized(await c.get(TICKETS), 'the expired token');
    });
  });

  it('passwords, token secrets and session secrets are not stored in clear', async () => {
    const who = await addUser(admin, { username: tag('stored'), roles: ['agent'] });
    const s = await anon.login(who.username, who.password);
    const t = await admin.post('/api/v1/tokens', { name: tag('stored'), scopes: ['*'] });
    assert.equal(t.status, 201, t.text);
    const dump = dbDump(server.db);
    assert.ok(dump.includes(who.username), 'the user is stored');
    assert.ok(!dump.includes(who.password), 'the password is not stored in clear');
    assert.ok(!dump.includes(t.body.token), 'the token secret is not stored in clear');
    assert.ok(!dump.includes(server.token), "the suite's token secret is not stored in clear");
    assert.ok(!dump.includes(s.cookie), 'the session secret is not stored in clear');
  });

  it("failed and successful logins are on the user's audit trail", async () => {
    const who = await addUser(admin, { username: tag('audited'), roles: ['agent'] });
    await anon.tryLogin(who.username, 'not the password at all');
    await anon.login(who.username, who.password);
    // the failure is recorded after its answer: give the writer a moment
    let types = [];
    for (let i = 0; i < 50; i++) {
      const r = await admin.get(`/api/v1/users/${who.id}/events`);
      assert.equal(r.status, 200, r.text);
      types = r.body.items.map((e) => e.type);
      if (types.includes('auth.login_failed') && types.includes('auth.login')) break;
      await new Promise((ok) => setTimeout(ok, 20));
    }
    assert.ok(types.includes('user.created'), `created: ${types}`);
    assert.ok(types.includes('auth.login_failed'), `failed login: ${types}`);
    assert.ok(types.includes('auth.login'), `login: ${types}`);
  });
});

describe('login rate limits', { timeout: 30000 }, () => {
  // Each limit gets its own server: the failures must not lock out other tests.
  const servers = [];
  after(async () => { await Promise.all(servers.map((s) => s.close())); });
  const fresh = async () => {
    const s = await startServer();
    servers.push(s);
    return { s, admin: client(s.url, { token: s.token }), anon: client(s.url) };
  };

  function assertLimited(r, what) {
    assertProblem(r, 429, undefined, what);
    const ra = r.headers.get('retry-after');
    assert.match(ra || '', /^\d+$/, `${what}: Retry-After is a number of seconds: ${ra}`);
    assert.ok(Number(ra) > 0 && Number(ra) <= 15 * 60, `${what}: Retry-After within 15 minutes: ${ra}`);
    assert.ok(!r.session, `${what}: no session cookie`);
  }

  it('5 failed logins for one account: the 6th is 429 with Retry-After, even with the right password', async () => {
    const { admin, anon } = await fresh();
    const victim = await addUser(admin, { username: 'victim', roles: ['agent'] });
    const bystander = await addUser(admin, { username: 'bystander', roles: ['agent'] });
    for (let i = 1; i <= 5; i++) {
      assertProblem(await anon.tryLogin('victim', `wrong password ${i}`), 401, undefined, `failure ${i}`);
    }
    assertLimited(await anon.tryLogin('victim', victim.password), 'the 6th, with the right password');
    assertLimited(await anon.tryLogin('victim', 'wrong again'), 'a 7th, wrong');
    // an account that does not exist locks the same way, or the 429 would tell them apart
    for (let i = 1; i <= 5; i++) {
      assertProblem(await anon.tryLogin('ghost', `wrong password ${i}`), 401, undefined, `ghost failure ${i}`);
    }
    assertLimited(await anon.tryLogin('ghost', 'wrong password 6'), 'the 6th for an unknown account');
    // the limit is per account: others still get in from the same address,
    // and the victim's tokens are unaffected
    await anon.login('bystander', bystander.password);
    assert.equal((await admin.get('/api/v1/auth/me')).status, 200);
  });

  it('20 failed logins from one address: the 21st is 429 for any account', async () => {
    const { admin, anon } = await fresh();
    const good = await addUser(admin, { username: 'good', roles: ['agent'] });
    for (let i = 1; i <= 20; i++) {
      // a different unknown account each time: only the per-address limit applies
      assertProblem(await anon.tryLogin(`nobody-${i}`, 'wrong password'), 401, undefined, `failure ${i}`);
    }
    assertLimited(await anon.tryLogin('good', good.password), 'the 21st, a real account with the right password');
    assert.equal((await admin.get('/api/v1/auth/me')).status, 200, 'tokens are unaffected');
  });

  it('behind a proxy (--trust-proxy on) the limit is per forwarded address, not per proxy', async () => {
    const s = await startServer({ args: ['--trust-proxy', 'on'] });
    servers.push(s);
    const admin = client(s.url, { token: s.token });
    const anon = client(s.url);
    const good = await addUser(admin, { username: 'good2', roles: ['agent'] });
    const from = (ip) => ({ headers: { 'x-forwarded-for': `203.0.113.9, ${ip}` } });
    for (let i = 1; i <= 20; i++) {
      assertProblem(await anon.tryLogin(`nobody-${i}`, 'wrong password', from('198.51.100.7')), 401, undefined, `failure ${i}`);
    }
    assertLimited(await anon.tryLogin('good2', good.password, from('198.51.100.7')), 'the guesser is limited');
    const other = await anon.tryLogin('good2', good.password, from('198.51.100.8'));
    assert.equal(other.status, 200, `another client behind the same proxy signs in: ${other.text}`);
  });
});
