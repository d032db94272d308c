// Saved views (docs/api-tickets.md "Saved views"): each signed-in user has
// their own; another user's view is 404 to read, change or delete; the query
// is checked like a list request (its errors become 422 on field `query`).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../lib/server.mjs';
import { client, assertProblem, tag, TIME_RE } from './client.mjs';
import { demoSessions } from './tickets_lib.mjs';

const V = '/api/v1/views';

describe('saved views', { timeout: 60000 }, () => {
  let server, admin, s;
  const MARK = tag('vw');
  before(async () => {
    server = await startServer({ demo: true });
    admin = client(server.url, { token: server.token });
    s = await demoSessions(server, ['agent', 'dispatcher', 'customer', 'engineer', 'warehouse']);
  });
  after(async () => { await server?.close(); });

  const list = async (c) => {
    const r = await c.get(V);
    assert.equal(r.status, 200, `GET views: ${r.status} ${r.text.slice(0, 300)}`);
    return r.body.items;
  };
  const create = async (c, body) => {
    const r = await c.post(V, body);
    assert.equal(r.status, 201, `POST view ${JSON.stringify(body)}: ${r.status} ${r.text.slice(0, 300)}`);
    return r.body;
  };

  it('create, list, update, delete my own view', async () => {
    const v = await create(s.agent, { name: `${MARK} my urgent open`, query: 'status_category=open&priority=high,urgent',
      columns: ['number', 'subject', 'priority'] });
    for (const k of ['id', 'name', 'query', 'columns', 'position', 'created_at', 'updated_at']) assert.ok(k in v, k);
    assert.equal(v.query, 'status_category=open&priority=high,urgent');
    assert.deepEqual(v.columns, ['number', 'subject', 'priority']);
    assert.match(v.created_at, TIME_RE);
    assert.deepEqual((await list(s.agent)).find((x) => x.id === v.id), v);
    const r = await s.agent.patch(`${V}/${v.id}`, { name: `${MARK} renamed`, query: 'assignee_id=me&sort=-priority',
      position: 2 });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.name, `${MARK} renamed`);
    assert.equal(r.body.query, 'assignee_id=me&sort=-priority');
    assert.equal(r.body.position, 2);
    assert.deepEqual(r.body.columns, ['number', 'subject', 'priority'], 'columns not sent are kept');
    assert.ok(r.body.updated_at >= v.updated_at);
    const d = await s.agent.del(`${V}/${v.id}`);
    assert.equal(d.status, 204, d.text);
    assert.ok(!(await list(s.agent)).some((x) => x.id === v.id));
    assertProblem(await s.agent.del(`${V}/${v.id}`), 404);
  });

  it('columns default to a list when not given', async () => {
    const v = await create(s.agent, { name: `${MARK} defaults`, query: '' });
    assert.ok(Array.isArray(v.columns));
    assert.equal(typeof v.position, 'number');
  });

  it('another user can neither see, change nor delete my view (404)', async () => {
    const v = await create(s.agent, { name: `${MARK} private`, query: 'tag=vip' });
    assert.ok(!(await list(s.dispatcher)).some((x) => x.id === v.id), 'not in another user\'s list');
    assert.ok(!(await list(admin)).some((x) => x.id === v.id), 'not even for the admin');
    for (const c of [s.dispatcher, s.customer, admin]) {
      assertProblem(await c.patch(`${V}/${v.id}`, { name: 'stolen' }), 404);
      assertProblem(await c.del(`${V}/${v.id}`), 404);
    }
    assert.deepEqual((await list(s.agent)).find((x) => x.id === v.id), v, 'unchanged');
  });

  it('every signed-in user may keep views, customers included; anonymous callers get 401', async () => {
    for (const who of ['customer', 'engineer', 'warehouse']) {
      const v = await create(s[who], { name: `${MARK} ${who}`, query: 'status_category=open' });
      assert.ok((await list(s[who])).some((x) => x.id === v.id));
    }
    const anon = client(server.url);
    assertProblem(await anon.get(V), 401);
    assertProblem(await anon.post(V, { name: 'x', query: '' }), 401);
  });

  it('the query is checked like a list request: bad ones are 422 on field query', async () => {
    const before = (await list(s.agent)).length;
    for (const query of ['status=bogus', 'colour=red', 'limit=0', 'priority=critical', 'created_after=yesterday',
      'sort=colour', 'custom.nope=1', 'assignee_id=abc', 'cursor=%%%']) {
      assertProblem(await s.agent.post(V, { name: `${MARK} bad ${query}`, query }), 422, 'query', query);
    }
    const v = await create(s.agent, { name: `${MARK} valid`, query: 'status=new' });
    assertProblem(await s.agent.patch(`${V}/${v.id}`, { query: 'status=bogus' }), 422, 'query', 'on PATCH');
    assert.equal((await list(s.agent)).find((x) => x.id === v.id).query, 'status=new');
    assert.equal((await list(s.agent)).length, before + 1);
  });

  it('names: required, unique per user (another user may reuse one), bounded', async () => {
    const name = `${MARK} same name`;
    await create(s.agent, { name, query: '' });
    assertProblem(await s.agent.post(V, { name, query: 'priority=low' }), [409, 422], 'name', 'my duplicate name');
    await create(s.dispatcher, { name, query: '' });
    for (const body of [{ query: '' }, { name: '', query: '' }, { name: '   ', query: '' }, { name: 5, query: '' },
      { name: 'x'.repeat(201), query: '' }]) {
      assertProblem(await s.agent.post(V, body), 422, 'name', JSON.stringify(body).slice(0, 40));
    }
  });

  it('other bad bodies: query missing or not a string, columns not a list of known columns, unknown members', async () => {
    for (const [body, field] of [
      [{ name: `${MARK} q1` }, 'query'], [{ name: `${MARK} q2`, query: 5 }, 'query'],
      [{ name: `${MARK} c1`, query: '', columns: 'number' }, 'columns'],
      [{ name: `${MARK} c2`, query: '', columns: [1] }, 'columns'],
      // assumption: columns name ticket fields (or custom.<key>), so a typo is caught like a bad query
      [{ name: `${MARK} c3`, query: '', columns: ['number', 'colour'] }, 'columns'],
      [{ name: `${MARK} u`, query: '', owner: 1 }, 'owner'],
    ]) {
      assertProblem(await s.agent.post(V, body), 422, field, JSON.stringify(body).slice(0, 60));
    }
    assertProblem(await s.agent.patch(`${V}/987654`, { name: 'x' }), 404);
    assertProblem(await s.agent.patch(`${V}/abc`, { name: 'x' }), 404);
  });
});
