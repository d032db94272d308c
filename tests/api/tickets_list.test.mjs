// The ticket list and the queue counts (docs/api-tickets.md "List", "Counts"):
// every filter against a fixture whose expected answers are computed from how
// it was built, sort options (priority, dates, custom fields), keyset
// pagination that neither skips nor repeats while tickets are inserted,
// unknown parameters and bad values (400 naming the parameter), and counts
// that match the list for every caller's scope.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../lib/server.mjs';
import { client, assertProblem, tag } from './client.mjs';
import {
  T, demoSessions, userId, meId, transition, addField, addCategory, CATEGORIES, PRIORITY_RANK, withoutDemoRules,
} from './tickets_lib.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const PRI = ['low', 'normal', 'high', 'urgent'];
const CHANNELS = ['phone', 'email', 'wechat', 'iot', 'portal'];
// the status each type's ticket is walked to, by i % 5, with the category and the steps
const WALKS = {
  repair: [['new', 'new', []], ['in_progress', 'open', [['in_progress']]],
    ['pending_customer', 'pending', [['in_progress'], ['pending_customer']]],
    ['resolved', 'resolved', [['in_progress'], ['resolved', { resolution_code: 'fixed' }]]],
    ['closed', 'closed', [['in_progress'], ['resolved', { resolution_code: 'fixed' }], ['closed']]]],
  consultation: [['new', 'new', []], ['open', 'open', [['open']]], ['pending', 'pending', [['open'], ['pending']]],
    ['resolved', 'resolved', [['resolved']]], ['closed', 'closed', [['resolved'], ['closed']]]],
  rma: [['new', 'new', []], ['authorised', 'open', [['authorised']]],
    ['awaiting_return', 'pending', [['authorised'], ['awaiting_return']]], ['new', 'new', []],
    ['authorised', 'open', [['authorised']]]],
};
const TYPES = ['repair', 'consultation', 'rma'];

describe('ticket list and counts', { timeout: 120000 }, () => {
  let server, admin, s, u, group, cat, fault;
  const ref = tag('list');
  const N = 24;
  let specs; // what was built: [{id, ...expected fields}]
  let mid; // an instant between the first and the second half of the fixture
  let touched; // ids updated after `u0`
  let u0;

  before(async () => {
    server = await startServer({ demo: true });
    admin = client(server.url, { token: server.token });
    await withoutDemoRules(admin);
    s = await demoSessions(server, ['agent', 'customer', 'engineer']);
    u = { admin: await meId(admin), agent: await userId(admin, 'agent'), engineer: await userId(admin, 'engineer') };
    const g = await admin.post('/api/v1/groups', { name: `${ref} desk`, members: [u.agent] });
    assert.equal(g.status, 201, g.text);
    group = g.body.id;
    cat = (await addCategory(admin, { kind: 'category', name: `${ref} printers` })).id;
    fault = (await addCategory(admin, { kind: 'fault_code', name: `${ref} jam` })).id;
    await addField(admin, { key: 'site', label: 'Site', type: 'select', options: ['a', 'b', 'c'] });
    await addField(admin, { key: 'models', label: 'Models', type: 'multi_select', options: ['x', 'y', 'z'] });
    await addField(admin, { key: 'flag', label: 'Flag', type: 'checkbox', default: false });
    await addField(admin, { key: 'km', label: 'Distance', type: 'number', min: 0 });

    specs = [];
    for (let i = 0; i < N; i++) {
      if (i === N / 2) { await sleep(15); mid = new Date().toISOString(); await sleep(15); }
      const sp = {
        priority: PRI[i % 4], type: TYPES[i % 3], channel: CHANNELS[i % 5],
        assignee_id: [u.engineer, u.agent, u.admin, null][i % 4], group_id: i % 2 ? group : null,
        organisation_id: [1, 2, null][(i >> 1) % 3], category_id: i % 4 === 0 ? cat : null,
        fault_code_id: i % 3 === 1 ? fault : null,
        tags: [...(i % 2 === 0 ? ['alpha'] : []), ...(i % 3 === 0 ? ['beta'] : [])],
        watchers: i % 5 < 2 ? [u.admin] : [],
        custom: {
          ...(i % 7 === 0 ? {} : { site: ['a', 'b', 'c'][i % 3] }), models: i % 2 ? ['x'] : ['y', 'z'],
          flag: i % 4 === 0, ...(i % 6 === 5 ? {} : { km: (i * 7) % 11 }),
        },
      };
      const body = { subject: `${ref} #${i}`, customer_ref: ref, ...sp };
      let t = await admin.create(body);
      const [status, category, steps] = WALKS[sp.type][i % 5];
      for (const [to, extra] of steps) t = await transition(admin, t.id, to, extra || {});
      assert.equal(t.status, status);
      specs.push({ ...sp, id: t.id, status, status_category: category, created_at: t.created_at });
    }
    await sleep(15);
    u0 = new Date().toISOString();
    await sleep(15);
    touched = [specs[3].id, specs[10].id];
    for (const id of touched) {
      const cur = (await admin.get(`${T}/${id}`)).body;
      await admin.update(id, { version: cur.version, description: 'touched' });
    }
  });
  after(async () => { await server?.close(); });

  const page = async (c, q) => {
    const r = await c.get(`${T}?${q}`);
    assert.equal(r.status, 200, `?${q}: ${r.status} ${r.text.slice(0, 300)}`);
    return r.body;
  };
  const ids = async (q, c = admin) => (await page(c, `customer_ref=${ref}&limit=200&${q}`)).items.map((x) => x.id);
  const expect = (pred) => specs.filter(pred).map((x) => x.id).sort((a, b) => b - a);

  describe('filters', () => {
    const cases = [
      ['status=in_progress', (x) => x.status === 'in_progress'],
      ['status=new,closed', (x) => x.status === 'new' || x.status === 'closed'],
      ['status=pending,pending_customer', (x) => x.status === 'pending' || x.status === 'pending_customer'],
      ['status_category=open', (x) => x.status_category === 'open'],
      ['status_category=pending,resolved', (x) => ['pending', 'resolved'].includes(x.status_category)],
      ['priority=urgent', (x) => x.priority === 'urgent'],
      ['priority=low,high', (x) => ['low', 'high'].includes(x.priority)],
      ['type=consultation', (x) => x.type === 'consultation'],
      ['type=repair,rma', (x) => x.type !== 'consultation'],
      ['channel=wechat', (x) => x.channel === 'wechat'],
      ['channel=phone,iot', (x) => ['phone', 'iot'].includes(x.channel)],
      ['assignee_id=none', (x) => x.assignee_id === null],
      ['assignee_id=me', (x) => x.assignee_id === u.admin],
      [() => `assignee_id=${u.engineer}`, (x) => x.assignee_id === u.engineer],
      [() => `group_id=${group}`, (x) => x.group_id === group],
      ['group_id=none', (x) => x.group_id === null],
      ['organisation_id=2', (x) => x.organisation_id === 2],
      ['organisation_id=none', (x) => x.organisation_id === null],
      [() => `category_id=${cat}`, (x) => x.category_id === cat],
      ['category_id=none', (x) => x.category_id === null],
      [() => `fault_code_id=${fault}`, (x) => x.fault_code_id === fault],
      ['fault_code_id=none', (x) => x.fault_code_id === null],
      ['watcher_id=me', (x) => x.watchers.includes(u.admin)],
      [() => `watcher_id=${u.admin}`, (x) => x.watchers.includes(u.admin)],
      ['tag=alpha', (x) => x.tags.includes('alpha')],
      ['tag=ALPHA', (x) => x.tags.includes('alpha')],
      ['tag=beta', (x) => x.tags.includes('beta')],
      [() => `created_after=${encodeURIComponent(mid)}`, (x) => x.created_at > mid],
      [() => `created_before=${encodeURIComponent(mid)}`, (x) => x.created_at < mid],
      [() => `updated_after=${encodeURIComponent(u0)}`, (x) => touched.includes(x.id)],
      [() => `updated_before=${encodeURIComponent(u0)}`, (x) => !touched.includes(x.id)],
      ['created_after=2000-01-01T08:00:00%2B08:00', () => true],
      ['created_before=2000-01-01T00:00:00Z', () => false],
      ['custom.site=b', (x) => x.custom.site === 'b'],
      ['custom.models=x', (x) => x.custom.models.includes('x')],
      ['custom.models=z', (x) => x.custom.models.includes('z')],
      ['custom.flag=true', (x) => x.custom.flag === true],
      ['custom.flag=false', (x) => x.custom.flag === false],
      ['custom.km=3', (x) => x.custom.km === 3],
      ['priority=high&type=repair&status_category=open,resolved', (x) => x.priority === 'high'
        && x.type === 'repair' && ['open', 'resolved'].includes(x.status_category)],
      [() => `tag=alpha&custom.flag=true&assignee_id=${u.engineer}`,
        (x) => x.tags.includes('alpha') && x.custom.flag && x.assignee_id === u.engineer],
    ];
    for (const [q, pred] of cases) {
      it(`?${typeof q === 'function' ? q.toString().replace(/^\(\) => /, '') : q}`, async () => {
        const query = typeof q === 'function' ? q() : q;
        const want = expect(pred);
        assert.deepEqual(await ids(query), want, `?${query}`);
      });
    }

    it('every filter result is non-trivial (the fixture exercises each one)', () => {
      for (const [q, pred] of cases) {
        const n = specs.filter(pred).length;
        if (/^created_(after|before)=2000/.test(String(q))) continue; // all or nothing on purpose
        assert.ok(n > 0 && n < N, `?${q} selects some of the fixture, not all: ${n}`);
      }
    });

    it('the customer\'s filters stay inside their organisation', async () => {
      assert.deepEqual(await ids('', s.customer), expect((x) => x.organisation_id === 1));
      assert.deepEqual(await ids('organisation_id=2', s.customer), []);
      assert.deepEqual(await ids('priority=urgent', s.customer),
        expect((x) => x.organisation_id === 1 && x.priority === 'urgent'));
    });

    it('the engineer\'s list and assignee_id=me are the tickets assigned to them', async () => {
      assert.deepEqual(await ids('', s.engineer), expect((x) => x.assignee_id === u.engineer));
      assert.deepEqual(await ids('assignee_id=me', s.engineer), expect((x) => x.assignee_id === u.engineer));
      assert.deepEqual(await ids(`assignee_id=${u.agent}`, s.engineer), []);
      assert.deepEqual(await ids('assignee_id=me', s.agent), expect((x) => x.assignee_id === u.agent));
    });
  });

  describe('sort', () => {
    const all = async (q) => (await page(admin, `customer_ref=${ref}&limit=200&${q}`)).items;
    const rank = (p) => PRIORITY_RANK[p];
    it('default is newest first (-id); sort=id is oldest first', async () => {
      assert.deepEqual(await ids(''), expect(() => true));
      assert.deepEqual(await ids('sort=-id'), expect(() => true));
      assert.deepEqual(await ids('sort=id'), expect(() => true).reverse());
    });

    it('sort=created_at and -updated_at', async () => {
      const c = await all('sort=created_at');
      assert.equal(c.length, N);
      for (let i = 1; i < c.length; i++) assert.ok(c[i - 1].created_at <= c[i].created_at, `created_at ascending at ${i}`);
      assert.deepEqual(c.map((x) => x.id), expect(() => true).reverse(), 'created in id order');
      const d = await all('sort=-updated_at');
      for (let i = 1; i < d.length; i++) assert.ok(d[i - 1].updated_at >= d[i].updated_at, `updated_at descending at ${i}`);
      assert.deepEqual(d.slice(0, 2).map((x) => x.id).sort(), [...touched].sort(), 'the touched ones first');
    });

    it('sort=priority goes low to urgent (by rank, not alphabet); -priority urgent first', async () => {
      const a = await all('sort=priority');
      assert.equal(a.length, N);
      for (let i = 1; i < a.length; i++) assert.ok(rank(a[i - 1].priority) <= rank(a[i].priority), `ascending at ${i}`);
      assert.equal(a[0].priority, 'low');
      const d = await all('sort=-priority');
      for (let i = 1; i < d.length; i++) assert.ok(rank(d[i - 1].priority) >= rank(d[i].priority), `descending at ${i}`);
      assert.equal(d[0].priority, 'urgent');
    });

    it('sort=custom.<key> orders by the value; tickets without one are together at one end', async () => {
      for (const [q, dir] of [['sort=custom.km', 1], ['sort=-custom.km', -1], ['sort=custom.site', 1]]) {
        const key = q.split('.')[1];
        const items = await all(q);
        assert.equal(items.length, N, q);
        const vals = items.map((x) => (x.custom[key] === undefined ? null : x.custom[key]));
        const set = vals.filter((v) => v !== null);
        for (let i = 1; i < set.length; i++) {
          assert.ok(dir * (set[i] > set[i - 1] ? 1 : set[i] < set[i - 1] ? -1 : 0) >= 0, `${q}: ${JSON.stringify(vals)}`);
        }
        const firstNull = vals.indexOf(null);
        const nulls = vals.filter((v) => v === null).length;
        assert.ok(nulls > 0, 'the fixture has tickets without the value');
        assert.ok(firstNull === 0 || firstNull === vals.length - nulls, `${q}: missing values together: ${JSON.stringify(vals)}`);
        assert.ok(vals.slice(firstNull, firstNull + nulls).every((v) => v === null), `${q}: ${JSON.stringify(vals)}`);
      }
    });

    it('keyset pages neither skip nor repeat while tickets are inserted, for every sort', async () => {
      for (const sort of ['-id', 'id', 'created_at', 'priority', '-priority', 'custom.km', '-custom.site']) {
        const pref = tag('pg');
        const made = [];
        for (let i = 0; i < 11; i++) {
          made.push((await admin.create({ subject: `${pref} ${i}`, customer_ref: pref, priority: PRI[(i * 3) % 4],
            custom: i % 4 === 3 ? {} : { km: i % 3, site: ['a', 'b', 'c'][i % 3] } })).id);
        }
        const seen = [];
        let cursor = null;
        for (let p = 0; p < 50; p++) {
          const q = new URLSearchParams({ customer_ref: pref, limit: '3', sort });
          if (cursor) q.set('cursor', cursor);
          const body = await page(admin, q.toString());
          assert.ok(body.items.length <= 3);
          seen.push(...body.items.map((x) => x.id));
          cursor = body.next_cursor;
          // a new ticket between pages (it may land before or after the cursor)
          await admin.create({ subject: `${pref} inserted ${p}`, customer_ref: pref, priority: PRI[p % 4],
            custom: { km: p % 3, site: 'b' } });
          if (cursor === null) break;
        }
        assert.equal(new Set(seen).size, seen.length, `sort=${sort}: no ticket twice: ${seen}`);
        for (const id of made) assert.ok(seen.includes(id), `sort=${sort}: ticket ${id} not skipped`);
      }
    });

    it('a cursor from one sort is refused with another sort (400 cursor)', async () => {
      const first = await page(admin, `customer_ref=${ref}&limit=2&sort=priority`);
      const r = await admin.get(`${T}?customer_ref=${ref}&limit=2&sort=-created_at&cursor=${encodeURIComponent(first.next_cursor)}`);
      // assumption: a cursor carries its sort; using it with another sort is a bad cursor
      assertProblem(r, 400, 'cursor');
    });
  });

  describe('bad parameters are 400 naming the parameter', () => {
    const bad = [
      ['colour=red', 'colour'], ['Status=open', 'Status'], ['q=printer', 'q'], ['statuses=open', 'statuses'],
      ['custom.nope=1', 'custom.nope'], ['custom.=1', 'custom.'],
      ['status_category=waiting', 'status_category'], ['status_category=open,', 'status_category'],
      ['status=in_progress,bogus', 'status'], ['type=spaceship', 'type'], ['type=', 'type'], ['channel=fax', 'channel'],
      ['priority=Urgent', 'priority'],
      ['assignee_id=abc', 'assignee_id'], ['assignee_id=-1', 'assignee_id'], ['assignee_id=1.5', 'assignee_id'],
      ['group_id=me', 'group_id'], ['organisation_id=x', 'organisation_id'], ['category_id=', 'category_id'],
      ['fault_code_id=1e3', 'fault_code_id'], ['watcher_id=none', 'watcher_id'], ['watcher_id=x', 'watcher_id'],
      ['tag=', 'tag'], [`tag=${'t'.repeat(41)}`, 'tag'],
      ['created_after=yesterday', 'created_after'], ['created_after=2026-13-01T00:00:00Z', 'created_after'],
      ['created_before=2026-11-23', 'created_before'], ['updated_after=1700000000', 'updated_after'],
      ['updated_before=2026-11-23T25:00:00Z', 'updated_before'],
      ['custom.flag=yes', 'custom.flag'], ['custom.km=abc', 'custom.km'], ['custom.site=zzz', 'custom.site'],
      ['sort=colour', 'sort'], ['sort=--id', 'sort'], ['sort=custom.nope', 'sort'], ['sort=subject', 'sort'],
      ['sort=', 'sort'], ['limit=0', 'limit'], ['limit=201', 'limit'], ['cursor=%%%', 'cursor'],
    ];
    for (const [q, field] of bad) {
      it(`?${q.slice(0, 60)}`, async () => {
        assertProblem(await admin.get(`${T}?${q}`), 400, field, `?${q}`);
      });
    }
  });

  describe('counts', () => {
    const tally = (items) => {
      const byCat = Object.fromEntries(CATEGORIES.map((c) => [c, 0]));
      const byStatus = {};
      for (const t of items) {
        byCat[t.status_category]++;
        byStatus[t.status] = (byStatus[t.status] || 0) + 1;
      }
      return { total: items.length, by_category: byCat, by_status: byStatus };
    };
    const counts = async (c, q) => {
      const r = await c.get(`${T}/counts${q ? `?${q}` : ''}`);
      assert.equal(r.status, 200, `counts ?${q}: ${r.status} ${r.text.slice(0, 300)}`);
      assert.deepEqual(Object.keys(r.body.by_category).sort(), [...CATEGORIES].sort(), 'all five categories');
      const byStatus = Object.fromEntries(Object.entries(r.body.by_status).filter(([, n]) => n > 0));
      return { total: r.body.total, by_category: r.body.by_category, by_status: byStatus };
    };
    const same = async (c, q, what) => {
      assert.deepEqual(await counts(c, q), tally(await c.listAll(q)), `${what}: counts ?${q} match the list`);
    };

    it('the fixture: counts equal what was built', async () => {
      const want = tally(specs);
      assert.deepEqual(await counts(admin, `customer_ref=${ref}`), want);
    });

    it('the whole table and filtered views match counting the list pages', async () => {
      await same(admin, '', 'admin');
      for (const q of ['status_category=open', 'priority=urgent,high', 'type=rma', 'assignee_id=none',
        `group_id=${group}`, 'organisation_id=1', 'tag=alpha', 'custom.flag=true', 'watcher_id=me',
        `created_after=${encodeURIComponent(mid)}`, 'status=new,in_progress,open',
        `status_category=new,open,pending&group_id=${group}`, 'status_category=open,closed']) {
        await same(admin, q, 'admin');
      }
    });

    it('small pages over several statuses or categories neither skip nor repeat (merged index probes)', async () => {
      for (const q of ['status_category=new,open,pending', 'status=new,in_progress', `status_category=open,new&group_id=${group}`]) {
        const whole = (await admin.listAll(q, 200)).map((x) => x.id);
        const paged = (await admin.listAll(q, 3)).map((x) => x.id);
        assert.deepEqual(paged, whole, `?${q} in pages of 3`);
        assert.deepEqual([...whole].sort((x, y) => y - x), whole, `?${q} newest first`);
      }
    });

    it('counts follow changes at once (status, assignee, organisation)', async () => {
      const before = await counts(admin, 'organisation_id=3');
      const t = await admin.create({ subject: `${ref} moving`, organisation_id: 3 });
      let c = await counts(admin, 'organisation_id=3');
      assert.equal(c.total, before.total + 1);
      assert.equal(c.by_category.new, before.by_category.new + 1);
      await transition(admin, t.id, 'in_progress');
      c = await counts(admin, 'organisation_id=3');
      assert.equal(c.by_category.new, before.by_category.new);
      assert.equal(c.by_category.open, before.by_category.open + 1);
      await admin.update(t.id, { version: 2, organisation_id: 4 });
      assert.deepEqual(await counts(admin, 'organisation_id=3'), before);
      await same(admin, 'organisation_id=4', 'after the move');
    });

    it('the customer\'s and the engineer\'s counts are of what they may see', async () => {
      await same(s.customer, '', 'customer');
      await same(s.customer, 'status_category=open', 'customer');
      await same(s.customer, 'organisation_id=2', 'customer asking for another organisation');
      assert.equal((await counts(s.customer, 'organisation_id=2')).total, 0);
      await same(s.engineer, '', 'engineer');
      await same(s.engineer, 'priority=urgent', 'engineer');
      await same(s.agent, 'assignee_id=me', 'agent');
    });

    it('sort, limit, cursor and unknown parameters are 400 on counts', async () => {
      for (const [q, f] of [['sort=id', 'sort'], ['limit=5', 'limit'], ['cursor=abc', 'cursor'], ['colour=red', 'colour'],
        ['status=bogus', 'status'], ['custom.nope=1', 'custom.nope']]) {
        assertProblem(await admin.get(`${T}/counts?${q}`), 400, f, `counts ?${q}`);
      }
    });
  });
});
