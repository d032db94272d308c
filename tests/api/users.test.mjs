// Users and groups as an administrator manages them: create with roles, the
// password rules, customers tied to an organisation, role changes that take
// effect at once, disabling that ends every session and token, list filters,
// and groups whose member list is replaced. docs/api.md "Users", "Groups".
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../lib/server.mjs';
import { client, assertProblem, assertUnauthorized, tag, TIME_RE } from './client.mjs';

const USERS = '/api/v1/users';
const GROUPS = '/api/v1/groups';
const PASSWORD = 'Correct-Horse-Battery-9';
const uname = (p = 'u') => tag(p).toLowerCase().slice(0, 40);

/** No password, hash or secret in an answer. */
function assertNoSecrets(r, what, ...secrets) {
  assert.doesNotMatch(r.text, /password|hash|secret/i, `${what}: no password or hash field: ${r.text.slice(0, 300)}`);
  for (const s of secrets) assert.ok(!r.text.includes(s), `${what}: the password is not echoed`);
}

const sorted = (a) => [...a].sort();

describe('users and groups', { timeout: 30000 }, () => {
  let server, admin, anon;
  before(async () => {
    server = await startServer({ demo: true });
    admin = client(server.url, { token: server.token });
    anon = client(server.url);
  });
  after(async () => { await server?.close(); });

  const addUser = async (fields) => {
    const r = await admin.post(USERS, { password: PASSWORD, ...fields });
    assert.equal(r.status, 201, `create ${JSON.stringify(fields)}: ${r.status} ${r.text.slice(0, 300)}`);
    return r.body;
  };
  const perms = async (c) => {
    const r = await c.get('/api/v1/auth/me');
    assert.equal(r.status, 200, r.text);
    return r.body.permissions;
  };

  describe('create', () => {
    it('admin creates a user with roles: 201 and the user, never the password or its hash', async () => {
      const username = uname('li.na');
      const r = await admin.post(USERS, { username, display_name: '李娜', email: 'li.na@example.com',
        roles: ['agent', 'dispatcher'], password: PASSWORD });
      assert.equal(r.status, 201, r.text);
      assertNoSecrets(r, 'create', PASSWORD);
      const u = r.body;
      assert.ok(Number.isInteger(u.id) && u.id > 0, `id: ${u.id}`);
      assert.equal(u.username, username);
      assert.equal(u.display_name, '李娜');
      assert.equal(u.email, 'li.na@example.com');
      assert.deepEqual(sorted(u.roles), ['agent', 'dispatcher']);
      assert.equal(u.organisation_id, null);
      assert.equal(u.disabled, false);
      assert.match(u.created_at, TIME_RE);
      assert.match(u.updated_at, TIME_RE);
      for (const k of ['id', 'username', 'display_name', 'email', 'roles', 'organisation_id', 'disabled',
        'created_at', 'updated_at']) assert.ok(k in u, `user has "${k}"`);

      const g = await admin.get(`${USERS}/${u.id}`);
      assert.equal(g.status, 200, g.text);
      assert.deepEqual(g.body, u);
      assertNoSecrets(g, 'GET', PASSWORD);
      const l = await admin.get(`${USERS}?limit=200`);
      assert.equal(l.status, 200, l.text);
      assert.ok(l.body.items.some((x) => x.id === u.id), 'listed');
      assertNoSecrets(l, 'list', PASSWORD);
    });

    it('the new user signs in and has the permissions of both roles', async () => {
      const u = await addUser({ username: uname('two'), roles: ['engineer', 'manager'] });
      const s = await anon.login(u.username, PASSWORD);
      assert.equal(s.user.id, u.id);
      assertNoSecrets(s.loginResponse, 'login', PASSWORD);
      const p = await perms(s);
      assert.deepEqual(sorted(p.tickets), ['bulk', 'comment', 'create', 'export', 'merge', 'read', 'update']);
      assert.deepEqual(sorted(p.groups), ['manage', 'read']);
      assert.deepEqual(p.permissions, ['read']);
      assert.ok(!p.tokens?.length, `no tokens permission: ${JSON.stringify(p)}`);
    });

    it('a duplicate username is 409 or 422 naming username', async () => {
      const username = uname('dup');
      await addUser({ username, roles: ['agent'] });
      assertProblem(await admin.post(USERS, { username, roles: ['finance'], password: PASSWORD }), [409, 422], 'username');
      assertProblem(await admin.post(USERS, { username: 'agent', roles: ['agent'], password: PASSWORD }), [409, 422],
        'username', 'the demo agent');
    });

    it('weak, common, short, long or username-like passwords are 422 naming password', async () => {
      const username = uname('weak');
      const cases = [
        ['9 characters', 'Abcdef1!x'],
        ['empty', ''],
        ['257 characters', 'p'.repeat(257)],
        ['common: password123', 'password123'],
        ['common: 1234567890', '1234567890'],
        ['common: qwertyuiop', 'qwertyuiop'],
        ['the username', username],
        ['not a string', 1234567890123],
      ];
      for (const [what, password] of cases) {
        const r = await admin.post(USERS, { username, roles: ['agent'], password });
        const p = assertProblem(r, 422, 'password', what);
        if (typeof password === 'string' && password.length > 3) {
          assert.ok(!r.text.includes(password), `${what}: the password is not echoed: ${JSON.stringify(p)}`);
        }
      }
      assertProblem(await admin.post(USERS, { username, roles: ['agent'] }), 422, 'password', 'no password');
      assert.ok(!(await admin.get(`${USERS}?limit=200`)).body.items.some((x) => x.username === username),
        'no user was created');
      // the bounds themselves are fine
      await addUser({ username: uname('ten'), roles: ['agent'], password: 'Zx9!kq2#Lm' });
      await addUser({ username: uname('long'), roles: ['agent'], password: 'q'.repeat(200) + 'Z'.repeat(56) });
    });

    it('a customer needs an existing organisation_id', async () => {
      assertProblem(await admin.post(USERS, { username: uname('cust'), roles: ['customer'], password: PASSWORD }),
        422, 'organisation_id', 'no organisation');
      assertProblem(await admin.post(USERS, { username: uname('cust'), roles: ['customer'], password: PASSWORD,
        organisation_id: 987654 }), 422, 'organisation_id', 'an unknown organisation');
      const c = await addUser({ username: uname('cust'), roles: ['customer'], organisation_id: 1 });
      assert.equal(c.organisation_id, 1);
    });

    it('bad fields are 422 naming the field', async () => {
      const cases = [
        [{ roles: ['wizard'] }, 'roles'],
        [{ roles: [] }, 'roles'],
        [{ roles: 'agent' }, 'roles'],
        [{ roles: undefined }, 'roles'],
        [{ username: '' }, 'username'],
        [{ username: undefined }, 'username'],
        [{ username: 'x'.repeat(300) }, 'username'],
        [{ username: 42 }, 'username'],
        [{ is_admin: true }, 'is_admin'],
      ];
      for (const [fields, field] of cases) {
        const body = { username: uname('bad'), roles: ['agent'], password: PASSWORD, ...fields };
        for (const k of Object.keys(body)) if (body[k] === undefined) delete body[k];
        assertProblem(await admin.post(USERS, body), 422, field, JSON.stringify(fields));
      }
    });

    it('GET or PATCH of an unknown user is 404; nothing deletes a user (405)', async () => {
      assertProblem(await admin.get(`${USERS}/987654321`), 404);
      assertProblem(await admin.patch(`${USERS}/987654321`, { display_name: 'x' }), 404);
      const u = await addUser({ username: uname('keep'), roles: ['agent'] });
      const r = await admin.del(`${USERS}/${u.id}`);
      assertProblem(r, 405, undefined, 'DELETE a user');
      assert.equal((await admin.get(`${USERS}/${u.id}`)).status, 200);
    });
  });

  describe('update', () => {
    it('PATCH roles: the same session of that user has the new permissions at once', async () => {
      const u = await addUser({ username: uname('promo'), roles: ['warehouse'] });
      const s = await anon.login(u.username, PASSWORD);
      assert.deepEqual((await perms(s)).tickets, ['read']);
      assertProblem(await s.post('/api/v1/tickets', { subject: 'warehouse may not' }), 403);

      const r = await admin.patch(`${USERS}/${u.id}`, { roles: ['agent'] });
      assert.equal(r.status, 200, r.text);
      assert.deepEqual(r.body.roles, ['agent']);
      assertNoSecrets(r, 'PATCH');
      const p = await perms(s);
      assert.deepEqual(sorted(p.tickets), ['bulk', 'comment', 'create', 'export', 'merge', 'read', 'update']);
      assert.deepEqual(p.users, ['read']);
      assert.equal((await s.post('/api/v1/tickets', { subject: 'now an agent' })).status, 201);

      const back = await admin.patch(`${USERS}/${u.id}`, { roles: ['warehouse'] });
      assert.equal(back.status, 200, back.text);
      assert.deepEqual((await perms(s)).tickets, ['read'], 'a removed role is gone at once');
      assertProblem(await s.post('/api/v1/tickets', { subject: 'no longer' }), 403);
    });

    it('PATCH display_name, email, organisation_id; bad values are 422', async () => {
      const u = await addUser({ username: uname('edit'), roles: ['agent'] });
      const r = await admin.patch(`${USERS}/${u.id}`, { display_name: 'Renamed', email: 'r@example.com' });
      assert.equal(r.status, 200, r.text);
      assert.equal(r.body.display_name, 'Renamed');
      assert.equal(r.body.email, 'r@example.com');
      assert.equal(r.body.username, u.username);
      assert.ok(r.body.updated_at >= u.updated_at);
      assertProblem(await admin.patch(`${USERS}/${u.id}`, { roles: ['wizard'] }), 422, 'roles');
      assertProblem(await admin.patch(`${USERS}/${u.id}`, { roles: [] }), 422, 'roles');
      assertProblem(await admin.patch(`${USERS}/${u.id}`, { organisation_id: 987654 }), 422, 'organisation_id');
      assertProblem(await admin.patch(`${USERS}/${u.id}`, { password: 'short' }), 422, 'password');
      assertProblem(await admin.patch(`${USERS}/${u.id}`, { username: 'renamed' }), 422, 'username',
        'username is not changeable');
      assertProblem(await admin.patch(`${USERS}/${u.id}`, { disabled: 'yes' }), 422, 'disabled');
      const g = await admin.get(`${USERS}/${u.id}`);
      assert.deepEqual(g.body.roles, ['agent'], 'failed PATCHes changed nothing');
    });

    it('a customer keeps an organisation: PATCH to customer without one, or removing it, is 422', async () => {
      const u = await addUser({ username: uname('tocust'), roles: ['agent'] });
      assertProblem(await admin.patch(`${USERS}/${u.id}`, { roles: ['customer'] }), 422, 'organisation_id',
        'becoming a customer without an organisation');
      assert.deepEqual((await admin.get(`${USERS}/${u.id}`)).body.roles, ['agent']);
      const both = await admin.patch(`${USERS}/${u.id}`, { roles: ['customer'], organisation_id: 2 });
      assert.equal(both.status, 200, both.text);
      assert.equal(both.body.organisation_id, 2);
      assertProblem(await admin.patch(`${USERS}/${u.id}`, { organisation_id: null }), 422, 'organisation_id',
        'a customer losing the organisation');
      assert.equal((await admin.get(`${USERS}/${u.id}`)).body.organisation_id, 2);
    });

    it('PATCH password: the old one stops working, the new one works', async () => {
      const u = await addUser({ username: uname('pw'), roles: ['agent'] });
      const next = 'A-brand-new-passphrase-7';
      const r = await admin.patch(`${USERS}/${u.id}`, { password: next });
      assert.equal(r.status, 200, r.text);
      assertNoSecrets(r, 'PATCH password', next);
      assertProblem(await anon.tryLogin(u.username, PASSWORD), 401, undefined, 'the old password');
      await anon.login(u.username, next);
    });

    it('disabling a user ends their sessions and tokens at once, and login fails with 401', async () => {
      const u = await addUser({ username: uname('leaver'), roles: ['agent'] });
      const s = await anon.login(u.username, PASSWORD);
      const t = await admin.post('/api/v1/tokens', { name: tag('leaver'), user_id: u.id, scopes: ['*'] });
      assert.equal(t.status, 201, t.text);
      const tok = client(server.url, { token: t.body.token });
      assert.equal((await s.get('/api/v1/auth/me')).status, 200);
      assert.equal((await tok.get('/api/v1/auth/me')).status, 200);

      const d = await admin.patch(`${USERS}/${u.id}`, { disabled: true });
      assert.equal(d.status, 200, d.text);
      assert.equal(d.body.disabled, true);
      assertUnauthorized(await s.get('/api/v1/auth/me'), 'the disabled user\'s session');
      assertUnauthorized(await s.get('/api/v1/tickets'), 'the disabled user\'s session on tickets');
      assertUnauthorized(await s.post('/api/v1/tickets', { subject: 'after disable' }), 'the session POSTing');
      assertUnauthorized(await tok.get('/api/v1/auth/me'), 'the disabled user\'s token');
      assertUnauthorized(await tok.get('/api/v1/tickets'), 'the disabled user\'s token on tickets');
      const l = await anon.tryLogin(u.username, PASSWORD);
      assertProblem(l, 401, undefined, 'login of a disabled user');
      assert.ok(!l.session, 'no session cookie');
      // nor can a new token bring them back
      const t2 = await admin.post('/api/v1/tokens', { name: tag('leaver'), user_id: u.id, scopes: ['*'] });
      if (t2.status === 201) {
        assertUnauthorized(await client(server.url, { token: t2.body.token }).get('/api/v1/auth/me'),
          'a token made for a disabled user');
      } else {
        assertProblem(t2, 422, 'user_id', 'a token for a disabled user');
      }
    });

    it('re-enabling lets the user sign in again but does not revive ended sessions and tokens', async () => {
      const u = await addUser({ username: uname('back'), roles: ['agent'] });
      const s = await anon.login(u.username, PASSWORD);
      const t = await admin.post('/api/v1/tokens', { name: tag('back'), user_id: u.id, scopes: ['*'] });
      assert.equal(t.status, 201, t.text);
      assert.equal((await admin.patch(`${USERS}/${u.id}`, { disabled: true })).status, 200);
      const e = await admin.patch(`${USERS}/${u.id}`, { disabled: false });
      assert.equal(e.status, 200, e.text);
      assert.equal(e.body.disabled, false);
      const again = await anon.login(u.username, PASSWORD);
      assert.equal((await again.get('/api/v1/auth/me')).status, 200);
      assertUnauthorized(await s.get('/api/v1/auth/me'), 'a session ended by disabling');
      assertUnauthorized(await client(server.url, { token: t.body.token }).get('/api/v1/auth/me'),
        'a token ended by disabling');
    });
  });

  describe('list', () => {
    it('filters by role', async () => {
      const eng = await addUser({ username: uname('eng'), roles: ['engineer', 'warehouse'] });
      const r = await admin.get(`${USERS}?role=engineer&limit=200`);
      assert.equal(r.status, 200, r.text);
      assert.ok('next_cursor' in r.body);
      const names = r.body.items.map((x) => x.username);
      assert.ok(names.includes('engineer'), `the demo engineer: ${names}`);
      assert.ok(names.includes(eng.username), `the new engineer: ${names}`);
      assert.ok(r.body.items.every((x) => x.roles.includes('engineer')), `only engineers: ${JSON.stringify(r.body.items)}`);
      const w = await admin.get(`${USERS}?role=warehouse&limit=200`);
      assert.ok(w.body.items.some((x) => x.id === eng.id), 'a user with two roles is found by either');
      const c = await admin.get(`${USERS}?role=customer&limit=200`);
      assert.ok(c.body.items.length > 0 && c.body.items.every((x) => x.roles.includes('customer')));
      assert.ok(!c.body.items.some((x) => x.username === 'admin'));
    });

    it('filters by disabled', async () => {
      const off = await addUser({ username: uname('off'), roles: ['finance'] });
      assert.equal((await admin.patch(`${USERS}/${off.id}`, { disabled: true })).status, 200);
      const d = await admin.get(`${USERS}?disabled=true&limit=200`);
      assert.equal(d.status, 200, d.text);
      assert.ok(d.body.items.some((x) => x.id === off.id));
      assert.ok(d.body.items.every((x) => x.disabled === true));
      const e = await admin.get(`${USERS}?disabled=false&limit=200`);
      assert.ok(!e.body.items.some((x) => x.id === off.id));
      assert.ok(e.body.items.every((x) => x.disabled === false));
      assert.ok(e.body.items.some((x) => x.username === 'admin'));
      const both = await admin.get(`${USERS}?role=finance&disabled=true&limit=200`);
      assert.deepEqual(both.body.items.filter((x) => !x.roles.includes('finance') || !x.disabled), []);
      assert.ok(both.body.items.some((x) => x.id === off.id));
    });

    it('pages with limit and cursor without duplicates', async () => {
      const all = (await admin.get(`${USERS}?limit=200`)).body.items.map((x) => x.id);
      const seen = [];
      let cursor = null;
      for (let i = 0; i < 100; i++) {
        const q = new URLSearchParams({ limit: '3' });
        if (cursor) q.set('cursor', cursor);
        const r = await admin.get(`${USERS}?${q}`);
        assert.equal(r.status, 200, r.text);
        assert.ok(r.body.items.length <= 3);
        seen.push(...r.body.items.map((x) => x.id));
        cursor = r.body.next_cursor;
        if (cursor === null) break;
      }
      assert.equal(new Set(seen).size, seen.length, 'no duplicates');
      assert.deepEqual(sorted(seen), sorted(all), 'every user once');
    });

    it('bad query parameters are 400 naming the parameter', async () => {
      for (const [q, field] of [['role=wizard', 'role'], ['disabled=maybe', 'disabled'], ['limit=0', 'limit'],
        ['limit=201', 'limit'], ['cursor=not-a-cursor!', 'cursor']]) {
        assertProblem(await admin.get(`${USERS}?${q}`), 400, field, `?${q}`);
      }
    });
  });

  describe('groups', () => {
    let a, b, c;
    before(async () => {
      a = await addUser({ username: uname('ga'), display_name: 'Group A', roles: ['engineer'] });
      b = await addUser({ username: uname('gb'), display_name: 'Group B', roles: ['engineer'] });
      c = await addUser({ username: uname('gc'), display_name: 'Group C', roles: ['agent'] });
    });
    const find = async (id) => {
      const r = await admin.get(GROUPS);
      assert.equal(r.status, 200, r.text);
      assert.ok(Array.isArray(r.body.items));
      return r.body.items.find((g) => g.id === id);
    };
    const memberIds = (g) => sorted(g.members.map((m) => m.id));

    it('create with members: 201, listed with {id, username, display_name} members', async () => {
      const name = tag('Field team North');
      const r = await admin.post(GROUPS, { name, description: 'Engineers north of the river', members: [a.id, b.id] });
      assert.equal(r.status, 201, r.text);
      assert.equal(r.body.name, name);
      assert.equal(r.body.description, 'Engineers north of the river');
      assert.ok(Number.isInteger(r.body.id));
      assert.deepEqual(memberIds(r.body), sorted([a.id, b.id]));
      const g = await find(r.body.id);
      assert.ok(g, 'listed');
      assert.deepEqual(memberIds(g), sorted([a.id, b.id]));
      const ma = g.members.find((m) => m.id === a.id);
      assert.equal(ma.username, a.username);
      assert.equal(ma.display_name, 'Group A');
      assert.doesNotMatch(JSON.stringify(g), /password|hash/i, 'no secrets in members');
    });

    it('PATCH members replaces the list; other fields leave it alone', async () => {
      const r = await admin.post(GROUPS, { name: tag('replace'), members: [a.id, b.id] });
      assert.equal(r.status, 201, r.text);
      const id = r.body.id;
      const p1 = await admin.patch(`${GROUPS}/${id}`, { members: [c.id] });
      assert.equal(p1.status, 200, p1.text);
      assert.deepEqual(memberIds(p1.body), [c.id]);
      assert.deepEqual(memberIds(await find(id)), [c.id]);
      const p2 = await admin.patch(`${GROUPS}/${id}`, { description: 'renamed', name: tag('renamed') });
      assert.equal(p2.status, 200, p2.text);
      assert.equal(p2.body.description, 'renamed');
      assert.deepEqual(memberIds(await find(id)), [c.id], 'members unchanged by a PATCH without members');
      const p3 = await admin.patch(`${GROUPS}/${id}`, { members: [] });
      assert.equal(p3.status, 200, p3.text);
      assert.deepEqual((await find(id)).members, []);
    });

    it('a group without members, and a group created without the members key', async () => {
      const r = await admin.post(GROUPS, { name: tag('empty') });
      assert.equal(r.status, 201, r.text);
      assert.deepEqual(r.body.members, []);
    });

    it('an unknown user id in members is 422 naming members and changes nothing', async () => {
      const name = tag('bad-members');
      assertProblem(await admin.post(GROUPS, { name, members: [a.id, 987654321] }), 422, 'members', 'create');
      assert.ok(!(await admin.get(GROUPS)).body.items.some((g) => g.name === name), 'no group created');
      const r = await admin.post(GROUPS, { name: tag('keep'), members: [a.id] });
      assert.equal(r.status, 201, r.text);
      assertProblem(await admin.patch(`${GROUPS}/${r.body.id}`, { members: [b.id, 987654321] }), 422, 'members', 'patch');
      assertProblem(await admin.patch(`${GROUPS}/${r.body.id}`, { members: ['x'] }), 422, 'members', 'a non-integer id');
      assert.deepEqual(memberIds(await find(r.body.id)), [a.id], 'the old list stands');
    });

    it('bad groups: no name 422, duplicate name 409 or 422, unknown group 404', async () => {
      assertProblem(await admin.post(GROUPS, { description: 'nameless' }), 422, 'name');
      assertProblem(await admin.post(GROUPS, { name: '' }), 422, 'name');
      const name = tag('twice');
      assert.equal((await admin.post(GROUPS, { name })).status, 201);
      assertProblem(await admin.post(GROUPS, { name }), [409, 422], 'name', 'duplicate name');
      assertProblem(await admin.patch(`${GROUPS}/987654321`, { description: 'x' }), 404);
    });
  });
});
