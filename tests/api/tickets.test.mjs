// The ticket resource as an agent and an integrator use it: create, read,
// list with filters and keyset pagination, update with optimistic
// concurrency, and the timeline. Every route of docs/api.md "Tickets".
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../lib/server.mjs';
import { client, assertProblem, tag, TIME_RE, NUMBER_RE } from './client.mjs';

describe('tickets', { timeout: 30000 }, () => {
  let server, api;
  before(async () => {
    server = await startServer();
    api = client(server.url, { token: server.token });
  });
  after(async () => { await server?.close(); });

  describe('create and read', () => {
    it('a ticket with only a subject gets 201, a Location and the defaults', async () => {
      const r = await api.post('/api/v1/tickets', { subject: 'Printer jams on tray 2' });
      assert.equal(r.status, 201, r.text);
      assert.match(r.headers.get('content-type') || '', /^application\/json/);
      const t = r.body;
      assert.equal(typeof t.id, 'number');
      assert.ok(Number.isInteger(t.id) && t.id > 0, `id is a positive integer: ${t.id}`);
      assert.equal(r.headers.get('location'), `/api/v1/tickets/${t.id}`);
      assert.equal(t.subject, 'Printer jams on tray 2');
      assert.equal(t.status, 'new');
      assert.equal(t.priority, 'normal');
      assert.equal(t.version, 1);
      assert.equal(t.customer_ref, null, 'customer_ref defaults to null');
      assert.ok(t.description === null || t.description === '',
        `description defaults to null or "": ${JSON.stringify(t.description)}`);
      assert.match(t.created_at, TIME_RE);
      assert.match(t.updated_at, TIME_RE);
      assert.equal(t.created_at, t.updated_at);
      assert.ok(Math.abs(Date.parse(t.created_at) - Date.now()) < 60000, `created_at is now: ${t.created_at}`);
      const m = NUMBER_RE.exec(t.number);
      assert.ok(m, `number is SR-YYYY-NNNNNN: ${t.number}`);
      assert.equal(m[1], t.created_at.slice(0, 4), 'number carries the year of creation');
      for (const k of ['id', 'number', 'subject', 'description', 'status', 'priority', 'customer_ref',
        'version', 'created_at', 'updated_at']) {
        assert.ok(k in t, `ticket has "${k}"`);
      }
    });

    it('GET by id answers the same ticket with ETag "v{version}"', async () => {
      const created = await api.create({ subject: 'Read me back', priority: 'high', customer_ref: 'ACME-001',
        description: 'Since Monday the tray jams.\nTwice a day.' });
      const r = await api.get(`/api/v1/tickets/${created.id}`);
      assert.equal(r.status, 200);
      assert.deepEqual(r.body, created);
      assert.equal(r.headers.get('etag'), '"v1"');
    });

    it('text round-trips exactly: CJK, emoji, RTL, quotes, backslashes, control escapes', async () => {
      const fields = {
        subject: '打印机卡纸 🖨️ «тест» עברית "q" \\ / <b>&amp;</b>',
        description: '第一行\n第二行\r\n\u2028 \u00e9\u0301 \ud83d\ude00',
        customer_ref: '客户-ÄÖÜ-001',
        priority: 'urgent',
      };
      const t = await api.create(fields);
      const r = await api.get(`/api/v1/tickets/${t.id}`);
      for (const [k, v] of Object.entries(fields)) assert.equal(r.body[k], v, `${k} round-trips`);
    });

    it('numbers are unique and ids increase', async () => {
      const ts = [];
      for (let i = 0; i < 5; i++) ts.push(await api.create({ subject: `numbering ${i}` }));
      assert.equal(new Set(ts.map((t) => t.number)).size, 5, 'distinct numbers');
      for (let i = 1; i < ts.length; i++) assert.ok(ts[i].id > ts[i - 1].id, 'ids increase');
    });

    it('a missing or non-numeric id is 404 problem+json', async () => {
      for (const id of ['999999999', '0', '-1', 'abc', '1.5', '12abc', '99999999999999999999999', '%00']) {
        assertProblem(await api.get(`/api/v1/tickets/${id}`), 404, undefined, `GET /api/v1/tickets/${id}`);
      }
      assertProblem(await api.patch('/api/v1/tickets/999999999', { version: 1, subject: 'x' }), 404,
        undefined, 'PATCH a missing ticket');
      assertProblem(await api.get('/api/v1/tickets/999999999/events'), 404, undefined, 'events of a missing ticket');
      assertProblem(await api.get('/api/v1/tickets/abc/events'), 404, undefined, 'events of a non-numeric id');
      await api.healthy();
    });
  });

  describe('list filters', () => {
    // One repair ticket in each of five statuses, each walked by PATCH along the
    // repair workflow new -> in_progress -> pending_customer -> resolved -> closed
    // (resolving needs a resolution_code, sent in the same PATCH).
    const ref = tag('filters');
    const prios = ['low', 'normal', 'high', 'urgent', 'high'];
    const walk = [{ status: 'in_progress' }, { status: 'pending_customer' },
      { status: 'resolved', resolution_code: 'fixed' }, { status: 'closed' }];
    let t; // t[i] ends in status WALKED[i]
    before(async () => {
      t = [];
      for (let i = 0; i < 5; i++) {
        let cur = await api.create({ subject: `filter ${i}`, priority: prios[i], customer_ref: ref });
        for (const step of walk.slice(0, i)) cur = await api.update(cur.id, { ...step, version: cur.version });
        t.push(cur);
      }
    });
    const ids = async (q) => {
      const r = await api.get(`/api/v1/tickets?${q}`);
      assert.equal(r.status, 200, `?${q}: ${r.text}`);
      assert.ok(Array.isArray(r.body.items), 'items is an array');
      assert.ok('next_cursor' in r.body, 'next_cursor is present');
      return r.body.items.map((x) => x.id);
    };
    const R = () => `customer_ref=${encodeURIComponent(ref)}`;

    it('customer_ref selects exactly its tickets, newest first', async () => {
      assert.deepEqual(await ids(R()), t.map((x) => x.id).reverse());
    });

    it('status: one value', async () => {
      assert.deepEqual(await ids(`${R()}&status=in_progress`), [t[1].id]);
      assert.deepEqual(await ids(`${R()}&status=closed`), [t[4].id]);
    });

    it('status: a comma-separated list', async () => {
      assert.deepEqual(await ids(`${R()}&status=in_progress,pending_customer`), [t[2].id, t[1].id]);
      assert.deepEqual(await ids(`${R()}&status=new,resolved,closed`), [t[4].id, t[3].id, t[0].id]);
      assert.deepEqual(await ids(`${R()}&status=${encodeURIComponent('new,in_progress')}`), [t[1].id, t[0].id],
        'an encoded comma works too');
    });

    it('priority: one value and a list', async () => {
      assert.deepEqual(await ids(`${R()}&priority=high`), [t[4].id, t[2].id]);
      assert.deepEqual(await ids(`${R()}&priority=low,urgent`), [t[3].id, t[0].id]);
    });

    it('filters combine', async () => {
      assert.deepEqual(await ids(`${R()}&status=new,closed&priority=high`), [t[4].id]);
      assert.deepEqual(await ids(`${R()}&status=in_progress&priority=low`), []);
      assert.deepEqual(await ids(`${R()}&status=open`), [], 'open is a status of the simple workflow, not of repairs');
    });

    it('a status filter alone returns only that status', async () => {
      const r = await api.get('/api/v1/tickets?status=pending_customer&limit=200');
      assert.equal(r.status, 200);
      assert.ok(r.body.items.length > 0);
      assert.ok(r.body.items.every((x) => x.status === 'pending_customer'), 'all pending_customer');
      assert.ok(r.body.items.some((x) => x.id === t[2].id), 'includes ours');
    });

    it('an unknown customer_ref gives an empty page with next_cursor null', async () => {
      const r = await api.get(`/api/v1/tickets?customer_ref=${tag('none')}`);
      assert.equal(r.status, 200);
      assert.deepEqual(r.body, { items: [], next_cursor: null });
    });
  });

  describe('keyset pagination', () => {
    const ref = tag('pages');
    let made;
    before(async () => {
      made = [];
      for (let i = 0; i < 25; i++) made.push(await api.create({ subject: `page ${i}`, customer_ref: ref }));
    });

    it('limit=10 pages through 25 tickets: 10, 10, 5, no duplicates, no gaps, newest first', async () => {
      const seen = [];
      const sizes = [];
      let cursor = null;
      let inserted;
      for (let page = 0; page < 10; page++) {
        const q = new URLSearchParams({ customer_ref: ref, limit: '10' });
        if (cursor) q.set('cursor', cursor);
        const r = await api.get(`/api/v1/tickets?${q}`);
        assert.equal(r.status, 200, r.text);
        sizes.push(r.body.items.length);
        seen.push(...r.body.items.map((x) => x.id));
        cursor = r.body.next_cursor;
        if (page === 0) {
          assert.equal(typeof cursor, 'string', 'first page has a cursor');
          // A ticket created mid-walk is newer than the cursor: it must not
          // shift the later pages (keyset, not offset).
          inserted = await api.create({ subject: 'inserted mid-walk', customer_ref: ref });
        }
        if (cursor === null) break;
      }
      assert.deepEqual(sizes, [10, 10, 5]);
      assert.equal(new Set(seen).size, seen.length, 'no duplicates');
      assert.deepEqual(seen, made.map((x) => x.id).reverse(), 'every ticket once, newest first');
      assert.ok(!seen.includes(inserted.id));
    });

    it('default limit is 50; limit 1 and 200 are accepted', async () => {
      const many = tag('many');
      for (let i = 0; i < 51; i += 17) {
        await Promise.all(Array.from({ length: Math.min(17, 51 - i) }, (_, j) =>
          api.create({ subject: `many ${i + j}`, customer_ref: many })));
      }
      const d = await api.get(`/api/v1/tickets?customer_ref=${many}`);
      assert.equal(d.status, 200);
      assert.equal(d.body.items.length, 50, 'default limit 50');
      assert.equal(typeof d.body.next_cursor, 'string');
      const rest = await api.get(`/api/v1/tickets?customer_ref=${many}&cursor=${encodeURIComponent(d.body.next_cursor)}`);
      assert.equal(rest.status, 200);
      assert.equal(rest.body.items.length, 1);
      assert.equal(rest.body.next_cursor, null);
      const one = await api.get(`/api/v1/tickets?customer_ref=${ref}&limit=1`);
      assert.equal(one.status, 200);
      assert.equal(one.body.items.length, 1);
      assert.equal(typeof one.body.next_cursor, 'string');
      const max = await api.get(`/api/v1/tickets?customer_ref=${many}&limit=200`);
      assert.equal(max.status, 200);
      assert.equal(max.body.items.length, 51);
      assert.equal(max.body.next_cursor, null);
    });

    it('the whole table pages without duplicates', async () => {
      const all = await api.listAll('', 7);
      const ids = all.map((x) => x.id);
      assert.equal(new Set(ids).size, ids.length, 'no duplicates');
      for (let i = 1; i < all.length; i++) {
        assert.ok(all[i].created_at <= all[i - 1].created_at, `newest first at ${i}`);
      }
      for (const m of made) assert.ok(ids.includes(m.id), `ticket ${m.id} listed`);
    });
  });

  describe('bad list parameters are 400 naming the parameter', () => {
    const cases = [
      ['limit=0', 'limit'], ['limit=201', 'limit'], ['limit=-1', 'limit'], ['limit=abc', 'limit'],
      ['limit=1.5', 'limit'], ['limit=99999999999999999999', 'limit'],
      ['cursor=not-a-cursor!', 'cursor'], ['cursor=%00%ff', 'cursor'],
      ['status=bogus', 'status'], ['status=in_progress,bogus', 'status'], ['status=in_progress,', 'status'], ['status=', 'status'], ['status=OPEN%27--', 'status'],
      ['priority=critical', 'priority'], ['priority=low,', 'priority'],
    ];
    for (const [q, field] of cases) {
      it(`?${q}`, async () => {
        assertProblem(await api.get(`/api/v1/tickets?${q}`), 400, field, `?${q}`);
      });
    }
  });

  describe('update with optimistic concurrency', () => {
    it('PATCH with the version read answers 200 with version + 1', async () => {
      const t = await api.create({ subject: 'before', customer_ref: 'C-1' });
      const r = await api.patch(`/api/v1/tickets/${t.id}`,
        { version: 1, subject: 'after', priority: 'high', status: 'in_progress', description: 'more', customer_ref: null });
      assert.equal(r.status, 200, r.text);
      const u = r.body;
      assert.equal(u.id, t.id);
      assert.equal(u.number, t.number);
      assert.equal(u.version, 2);
      assert.equal(u.subject, 'after');
      assert.equal(u.priority, 'high');
      assert.equal(u.status, 'in_progress');
      assert.equal(u.status_category, 'open');
      assert.equal(u.description, 'more');
      assert.equal(u.customer_ref, null);
      assert.equal(u.created_at, t.created_at);
      assert.match(u.updated_at, /Z$/);
      assert.ok(u.updated_at >= t.updated_at, 'updated_at moves forward');
      const g = await api.get(`/api/v1/tickets/${t.id}`);
      assert.deepEqual(g.body, u);
      assert.equal(g.headers.get('etag'), '"v2"');
    });

    it('If-Match: "v{version}" stands in for the version field', async () => {
      const t = await api.create({ subject: 'if-match' });
      const r = await api.patch(`/api/v1/tickets/${t.id}`, { priority: 'low' }, { headers: { 'if-match': '"v1"' } });
      assert.equal(r.status, 200, r.text);
      assert.equal(r.body.version, 2);
      assert.equal(r.body.priority, 'low');
      const stale = await api.patch(`/api/v1/tickets/${t.id}`, { priority: 'high' }, { headers: { 'if-match': '"v1"' } });
      const p = assertProblem(stale, 409, undefined, 'stale If-Match');
      assert.equal(p.current_version, 2);
    });

    it('a stale version is 409 with current_version and changes nothing', async () => {
      const t = await api.create({ subject: 'contended' });
      await api.update(t.id, { version: 1, subject: 'first writer wins' });
      const r = await api.patch(`/api/v1/tickets/${t.id}`, { version: 1, subject: 'second writer' });
      const p = assertProblem(r, 409, undefined, 'stale version');
      assert.equal(p.current_version, 2);
      const g = await api.get(`/api/v1/tickets/${t.id}`);
      assert.equal(g.body.subject, 'first writer wins');
      assert.equal(g.body.version, 2);
      const ahead = await api.patch(`/api/v1/tickets/${t.id}`, { version: 7, subject: 'from the future' });
      assert.equal(assertProblem(ahead, 409, undefined, 'version ahead').current_version, 2);
    });

    it('concurrent PATCHes with the same version: exactly one wins', async () => {
      const t = await api.create({ subject: 'race' });
      const rs = await Promise.all(Array.from({ length: 10 }, (_, i) =>
        api.patch(`/api/v1/tickets/${t.id}`, { version: 1, subject: `racer ${i}` })));
      const wins = rs.filter((r) => r.status === 200);
      assert.equal(wins.length, 1, `statuses: ${rs.map((r) => r.status)}`);
      for (const r of rs.filter((x) => x.status !== 200)) assertProblem(r, 409);
      const g = await api.get(`/api/v1/tickets/${t.id}`);
      assert.equal(g.body.version, 2);
      assert.equal(g.body.subject, wins[0].body.subject);
    });

    it('a PATCH without version or If-Match is 422 naming "version"', async () => {
      const t = await api.create({ subject: 'no version' });
      assertProblem(await api.patch(`/api/v1/tickets/${t.id}`, { subject: 'x' }), 422, 'version');
      assertProblem(await api.patch(`/api/v1/tickets/${t.id}`, { subject: 'x', version: '1' }), 422, 'version',
        'version as a string');
      assert.equal((await api.get(`/api/v1/tickets/${t.id}`)).body.subject, 'no version');
    });

    it('invalid fields are 422 naming the field and change nothing', async () => {
      const t = await api.create({ subject: 'valid' });
      const bad = [
        [{ status: 'done' }, 'status'], [{ status: 3 }, 'status'], [{ status: null }, 'status'],
        [{ status: 'resolved', resolution_code: 'x' }, 'status'], [{ status: 'pending_customer' }, 'status'],
        [{ status: 'open' }, 'status'], [{ type: 'rma' }, 'type'], [{ channel: 'email' }, 'channel'],
        [{ status_category: 'closed' }, 'status_category'],
        [{ priority: 'critical' }, 'priority'], [{ subject: '' }, 'subject'], [{ subject: '   ' }, 'subject'],
        [{ subject: 'x'.repeat(201) }, 'subject'], [{ subject: null }, 'subject'],
        [{ customer_ref: 'c'.repeat(101) }, 'customer_ref'], [{ number: 'SR-1999-000001' }, 'number'],
        [{ id: 1 }, 'id'], [{ colour: 'red' }, 'colour'],
      ];
      for (const [fields, field] of bad) {
        const r = await api.patch(`/api/v1/tickets/${t.id}`, { version: 1, ...fields });
        assertProblem(r, 422, field, `PATCH ${JSON.stringify(fields).slice(0, 60)}`);
      }
      const g = await api.get(`/api/v1/tickets/${t.id}`);
      assert.equal(g.body.version, 1, 'no failed PATCH bumped the version');
      assert.equal(g.body.subject, 'valid');
    });
  });

  describe('timeline', () => {
    it('a new ticket has one ticket.created event', async () => {
      const t = await api.create({ subject: 'timeline' });
      const r = await api.get(`/api/v1/tickets/${t.id}/events`);
      assert.equal(r.status, 200, r.text);
      assert.equal(r.body.items.length, 1, JSON.stringify(r.body));
      const e = r.body.items[0];
      assert.equal(e.type, 'ticket.created');
      assert.equal(typeof e.id, 'number');
      assert.match(e.at, TIME_RE);
      assert.ok('actor' in e, 'event has an actor (may be null)');
      assert.ok('data' in e, 'event has data');
    });

    it('each PATCH appends ticket.updated with {field: {from, to}} of the changed fields, oldest first', async () => {
      const t = await api.create({ subject: 'walk me', priority: 'normal' });
      await api.update(t.id, { version: 1, status: 'in_progress', priority: 'high' });
      await api.update(t.id, { version: 2, subject: 'walked' });
      const r = await api.get(`/api/v1/tickets/${t.id}/events`);
      assert.equal(r.status, 200);
      // a status change also records ticket.status_changed (tickets_workflow.test.mjs); here the updates
      const items = r.body.items.filter((e) => e.type !== 'ticket.status_changed');
      assert.deepEqual(items.map((e) => e.type), ['ticket.created', 'ticket.updated', 'ticket.updated']);
      for (let i = 1; i < items.length; i++) {
        assert.ok(items[i].id > items[i - 1].id, 'ids increase');
        assert.ok(items[i].at >= items[i - 1].at, 'oldest first');
      }
      assert.deepEqual(items[1].data.status, { from: 'new', to: 'in_progress' });
      assert.deepEqual(items[1].data.priority, { from: 'normal', to: 'high' });
      assert.ok(!('subject' in items[1].data), `unchanged subject not in data: ${JSON.stringify(items[1].data)}`);
      assert.deepEqual(items[2].data.subject, { from: 'walk me', to: 'walked' });
      assert.ok(!('status' in items[2].data), `unchanged status not in data: ${JSON.stringify(items[2].data)}`);
    });

    it('a rejected PATCH appends no event', async () => {
      const t = await api.create({ subject: 'quiet' });
      await api.patch(`/api/v1/tickets/${t.id}`, { version: 5, subject: 'stale' });
      await api.patch(`/api/v1/tickets/${t.id}`, { version: 1, status: 'nope' });
      const r = await api.get(`/api/v1/tickets/${t.id}/events`);
      assert.deepEqual(r.body.items.map((e) => e.type), ['ticket.created']);
    });
  });
});
