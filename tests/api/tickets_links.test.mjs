// Links, merge and bulk update (docs/api-tickets.md "Links and merge", "Bulk
// update"): each link kind and its reverse view, no self links or parent
// cycles, delete; merge closes the duplicate, links it, moves tags and
// watchers and keeps both histories; bulk is all or nothing.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../lib/server.mjs';
import { client, assertProblem, tag } from './client.mjs';
import { T, demoSessions, userId, events, getTicket, walkRepair } from './tickets_lib.mjs';

describe('ticket links, merge and bulk', { timeout: 90000 }, () => {
  let server, admin, s, ids;
  const MARK = tag('ln');
  before(async () => {
    server = await startServer({ demo: true });
    admin = client(server.url, { token: server.token });
    s = await demoSessions(server, ['agent', 'customer', 'engineer', 'manager']);
    ids = { agent: await userId(admin, 'agent'), engineer: await userId(admin, 'engineer'),
      manager: await userId(admin, 'manager'), finance: await userId(admin, 'finance') };
  });
  after(async () => { await server?.close(); });

  const mk = (extra = {}) => admin.create({ subject: `${MARK} ${Math.random().toString(36).slice(2, 7)}`, ...extra });
  const links = async (c, id) => {
    const r = await c.get(`${T}/${id}/links`);
    assert.equal(r.status, 200, `links of ${id}: ${r.status} ${r.text.slice(0, 300)}`);
    return r.body.items;
  };
  const view = (items) => items.map((x) => [x.kind, x.ticket.id]).sort((a, b) => a[1] - b[1] || (a[0] < b[0] ? -1 : 1));
  const link = async (id, kind, other) => {
    const r = await admin.post(`${T}/${id}/links`, { kind, ticket_id: other });
    assert.equal(r.status, 201, `link ${id} ${kind} ${other}: ${r.status} ${r.text.slice(0, 300)}`);
    return r;
  };

  describe('links', () => {
    it('each kind and its reverse view from the other ticket', async () => {
      const a = await mk();
      const [p, c, d, r] = [await mk(), await mk(), await mk(), await mk()];
      await link(a.id, 'parent', p.id); // p is the parent of a
      await link(a.id, 'child', c.id); // c is a child of a
      await link(a.id, 'duplicate_of', d.id);
      await link(a.id, 'related', r.id);
      assert.deepEqual(view(await links(admin, a.id)),
        view([{ kind: 'parent', ticket: p }, { kind: 'child', ticket: c }, { kind: 'duplicate_of', ticket: d },
          { kind: 'related', ticket: r }]));
      assert.deepEqual(view(await links(admin, p.id)), [['child', a.id]]);
      assert.deepEqual(view(await links(admin, c.id)), [['parent', a.id]]);
      assert.deepEqual(view(await links(admin, d.id)), [['duplicated_by', a.id]]);
      assert.deepEqual(view(await links(admin, r.id)), [['related', a.id]]);
      const item = (await links(admin, a.id)).find((x) => x.ticket.id === p.id);
      for (const k of ['id', 'number', 'subject', 'status', 'status_category']) assert.equal(item.ticket[k], p[k], k);
    });

    it('ticket.linked is on the timeline', async () => {
      const [a, b] = [await mk(), await mk()];
      await link(a.id, 'related', b.id);
      assert.ok((await events(admin, a.id)).some((e) => e.type === 'ticket.linked'));
    });

    it('one link per pair, in either direction; no self links; bad kinds and tickets are 422', async () => {
      const [a, b] = [await mk(), await mk()];
      await link(a.id, 'related', b.id);
      assertProblem(await admin.post(`${T}/${a.id}/links`, { kind: 'related', ticket_id: b.id }), [409, 422], undefined,
        'the same link again');
      assertProblem(await admin.post(`${T}/${a.id}/links`, { kind: 'parent', ticket_id: b.id }), [409, 422], undefined,
        'another kind for the same pair');
      assertProblem(await admin.post(`${T}/${b.id}/links`, { kind: 'duplicate_of', ticket_id: a.id }), [409, 422],
        undefined, 'the same pair from the other side');
      assertProblem(await admin.post(`${T}/${a.id}/links`, { kind: 'related', ticket_id: a.id }), 422, 'ticket_id', 'self');
      assertProblem(await admin.post(`${T}/${a.id}/links`, { kind: 'duplicated_by', ticket_id: b.id }), 422, 'kind',
        'duplicated_by is a view, not a kind to post');
      assertProblem(await admin.post(`${T}/${a.id}/links`, { kind: 'blocks', ticket_id: b.id }), 422, 'kind');
      assertProblem(await admin.post(`${T}/${a.id}/links`, { kind: 'related', ticket_id: 987654 }), 422, 'ticket_id');
      assertProblem(await admin.post(`${T}/${a.id}/links`, { kind: 'related', ticket_id: '5' }), 422, 'ticket_id');
      assertProblem(await admin.post(`${T}/${a.id}/links`, { kind: 'related' }), 422, 'ticket_id');
      assertProblem(await admin.post(`${T}/987654/links`, { kind: 'related', ticket_id: a.id }), 404);
      assert.deepEqual(view(await links(admin, a.id)), [['related', b.id]]);
    });

    it('no parent cycles, direct or through a chain, whichever side the link is posted from', async () => {
      const [a, b, c] = [await mk(), await mk(), await mk()];
      await link(a.id, 'parent', b.id); // b > a
      await link(b.id, 'parent', c.id); // c > b > a
      assertProblem(await admin.post(`${T}/${c.id}/links`, { kind: 'parent', ticket_id: a.id }), 422, undefined,
        'a as parent of c closes the cycle');
      assertProblem(await admin.post(`${T}/${a.id}/links`, { kind: 'child', ticket_id: c.id }), 422, undefined,
        'c as child of a closes the cycle');
      assert.deepEqual(view(await links(admin, c.id)), [['child', b.id]]);
      assert.deepEqual(view(await links(admin, a.id)), [['parent', b.id]]);
    });

    it('DELETE removes the link from both sides: 204, then 404; ticket.unlinked recorded', async () => {
      const [a, b] = [await mk(), await mk()];
      await link(a.id, 'child', b.id);
      const r = await admin.del(`${T}/${b.id}/links/${a.id}`); // from the other side
      assert.equal(r.status, 204, r.text);
      assert.deepEqual(await links(admin, a.id), []);
      assert.deepEqual(await links(admin, b.id), []);
      assertProblem(await admin.del(`${T}/${a.id}/links/${b.id}`), 404);
      assertProblem(await admin.del(`${T}/${a.id}/links/987654`), 404);
      assert.ok((await events(admin, b.id)).some((e) => e.type === 'ticket.unlinked'));
    });

    it('links are scoped: a customer sees no linked ticket of another organisation', async () => {
      const mine = await mk({ organisation_id: 1 });
      const theirs = await mk({ organisation_id: 2 });
      await link(mine.id, 'related', theirs.id);
      const r = await s.customer.get(`${T}/${mine.id}/links`);
      assert.equal(r.status, 200, r.text);
      // assumption: a link to a ticket the caller may not see is left out of their view
      assert.deepEqual(r.body.items, []);
      assertProblem(await s.customer.get(`${T}/${theirs.id}/links`), 404);
      assertProblem(await s.customer.post(`${T}/${mine.id}/links`, { kind: 'related', ticket_id: theirs.id }), 403);
    });
  });

  describe('merge', () => {
    it('closes the duplicate, sets merged_into_id, links it, moves tags and watchers, keeps both histories', async () => {
      const dup = await mk({ tags: ['dup-only', 'shared'], watchers: [ids.agent] });
      await admin.post(`${T}/${dup.id}/comments`, { body: 'a reply on the duplicate' });
      const surv = await mk({ tags: ['shared', 'keeper'], watchers: [ids.manager] });
      const dupEventsBefore = await events(admin, dup.id);
      const survEventsBefore = await events(admin, surv.id);
      const r = await s.agent.post(`${T}/${dup.id}/merge`, { into: surv.id });
      assert.equal(r.status, 200, r.text);
      assert.equal(r.body.id, surv.id, 'answers the survivor');
      assert.deepEqual([...r.body.tags].sort(), ['dup-only', 'keeper', 'shared']);
      assert.deepEqual([...r.body.watchers].sort((a, b) => a - b), [ids.agent, ids.manager].sort((a, b) => a - b));
      const g = await getTicket(admin, dup.id);
      assert.equal(g.status, 'closed', 'the workflow\'s first closed status');
      assert.equal(g.status_category, 'closed');
      assert.equal(g.merged_into_id, surv.id);
      assert.deepEqual(view(await links(admin, dup.id)), [['duplicate_of', surv.id]]);
      assert.deepEqual(view(await links(admin, surv.id)), [['duplicated_by', dup.id]]);
      const de = await events(admin, dup.id);
      const se = await events(admin, surv.id);
      assert.deepEqual(de.slice(0, dupEventsBefore.length), dupEventsBefore, 'the duplicate keeps its history');
      assert.deepEqual(se.slice(0, survEventsBefore.length), survEventsBefore, 'the survivor keeps its history');
      // the contract names {into} and {from}; more detail (numbers, statuses) is welcome
      assert.equal(de.find((e) => e.type === 'ticket.merged')?.data.into, surv.id);
      assert.equal(se.find((e) => e.type === 'ticket.merged_from')?.data.from, dup.id);
      assert.equal((await admin.get(`${T}/${dup.id}/comments`)).body.items.length, 1, 'comments stay on the duplicate');
      assert.equal((await getTicket(admin, surv.id)).merged_into_id, null);
    });

    it('a ticket in any status merges (closed without its workflow requirements); consultation too', async () => {
      const a = await walkRepair(admin, await mk(), 'pending_customer');
      const into = await mk();
      assert.equal((await admin.post(`${T}/${a.id}/merge`, { into: into.id })).status, 200);
      assert.equal((await getTicket(admin, a.id)).status, 'closed');
      const q = await mk({ type: 'consultation' });
      assert.equal((await admin.post(`${T}/${q.id}/merge`, { into: into.id })).status, 200);
      assert.equal((await getTicket(admin, q.id)).status, 'closed');
    });

    it('cannot merge twice, into itself, or into a merged ticket; nothing changes', async () => {
      const [a, b, c] = [await mk(), await mk(), await mk()];
      assert.equal((await admin.post(`${T}/${a.id}/merge`, { into: b.id })).status, 200);
      const snapB = await getTicket(admin, b.id);
      assertProblem(await admin.post(`${T}/${a.id}/merge`, { into: c.id }), 422, undefined, 'merged twice');
      assertProblem(await admin.post(`${T}/${c.id}/merge`, { into: c.id }), 422, 'into', 'into itself');
      assertProblem(await admin.post(`${T}/${c.id}/merge`, { into: a.id }), 422, 'into', 'into a merged ticket');
      assertProblem(await admin.post(`${T}/${c.id}/merge`, { into: 987654 }), 422, 'into');
      assertProblem(await admin.post(`${T}/${c.id}/merge`, {}), 422, 'into');
      assertProblem(await admin.post(`${T}/${c.id}/merge`, { into: String(b.id) }), 422, 'into');
      assertProblem(await admin.post(`${T}/987654/merge`, { into: b.id }), 404);
      const gc = await getTicket(admin, c.id);
      assert.equal(gc.status, 'new');
      assert.equal(gc.merged_into_id, null);
      assert.equal(gc.version, 1);
      assert.deepEqual(await getTicket(admin, b.id), snapB);
    });

    it('the engineer (no tickets:merge) gets 403; the customer too', async () => {
      const [a, b] = [await mk({ assignee_id: ids.engineer }), await mk({ assignee_id: ids.engineer })];
      assertProblem(await s.engineer.post(`${T}/${a.id}/merge`, { into: b.id }), 403);
      assertProblem(await s.customer.post(`${T}/${a.id}/merge`, { into: b.id }), 403);
      assert.equal((await getTicket(admin, a.id)).merged_into_id, null);
    });
  });

  describe('bulk', () => {
    const B = `${T}/bulk`;
    it('success: every ticket takes the change; one ticket.updated each; answers updated and the tickets', async () => {
      const ts = [await mk({ tags: ['old', 'keep'] }), await mk({ tags: ['keep'] }), await mk()];
      const r = await s.agent.post(B, { ids: ts.map((t) => t.id), set: { priority: 'high', assignee_id: ids.engineer,
        tags_add: ['Bulk', 'keep'], tags_remove: ['old'] } });
      assert.equal(r.status, 200, r.text);
      assert.equal(r.body.updated, 3);
      assert.deepEqual(r.body.items.map((t) => t.id).sort((a, b) => a - b), ts.map((t) => t.id).sort((a, b) => a - b));
      for (const t of ts) {
        const g = await getTicket(admin, t.id);
        assert.equal(g.priority, 'high');
        assert.equal(g.assignee_id, ids.engineer);
        assert.deepEqual([...g.tags].sort(), ['bulk', 'keep'], 'tags_add normalised, tags_remove applied');
        assert.equal(g.version, 2);
        const up = (await events(admin, t.id)).filter((e) => e.type === 'ticket.updated');
        assert.equal(up.length, 1);
        assert.deepEqual(up[0].data.priority, { from: 'normal', to: 'high' });
        assert.equal(up[0].actor, 'agent');
      }
      assert.deepEqual(r.body.items.find((x) => x.id === ts[0].id), await getTicket(admin, ts[0].id));
    });

    it('all or nothing: one missing id is 422 naming ids[i], and no ticket changes', async () => {
      const ts = [await mk(), await mk()];
      const r = await admin.post(B, { ids: [ts[0].id, ts[1].id, 987654], set: { priority: 'urgent' } });
      const p = assertProblem(r, 422, 'ids[2]');
      assert.ok(!p.errors.some((e) => e.field === 'ids[0]' || e.field === 'ids[1]'), 'only the failing one is named');
      for (const t of ts) assert.equal((await getTicket(admin, t.id)).priority, 'normal');
    });

    it('status through bulk follows each ticket\'s workflow; one that cannot take it fails the whole request', async () => {
      // the agent may close a resolved repair (Close) but not a new one (Cancel is admin/manager)
      const resolved = await walkRepair(admin, await mk(), 'resolved');
      const fresh = await mk();
      const r = await s.agent.post(B, { ids: [resolved.id, fresh.id], set: { status: 'closed' } });
      assertProblem(r, 422, 'ids[1]');
      assert.equal((await getTicket(admin, resolved.id)).status, 'resolved', 'nothing written');
      assert.equal((await getTicket(admin, fresh.id)).status, 'new');
      const ok = await s.agent.post(B, { ids: [resolved.id], set: { status: 'closed' } });
      assert.equal(ok.status, 200, ok.text);
      assert.equal((await getTicket(admin, resolved.id)).status, 'closed');
      // the manager cancels both with a resolution_code (the Cancel transition's requirement)
      const n2 = await mk();
      const m = await s.manager.post(B, { ids: [fresh.id, n2.id], set: { status: 'closed', resolution_code: 'dup' } });
      assert.equal(m.status, 200, m.text);
      for (const id of [fresh.id, n2.id]) {
        const g = await getTicket(admin, id);
        assert.equal(g.status, 'closed');
        assert.equal(g.resolution_code, 'dup');
      }
      assert.ok((await events(admin, n2.id)).some((e) => e.type === 'ticket.status_changed'));
    });

    it('a ticket the caller cannot see counts as a failure (engineer: bulk is 403 anyway)', async () => {
      const t = await mk();
      assertProblem(await s.engineer.post(B, { ids: [t.id], set: { priority: 'low' } }), 403);
      assertProblem(await s.customer.post(B, { ids: [t.id], set: { priority: 'low' } }), 403);
    });

    it('limits and bad bodies: 0 or 501 ids, bad ids, bad set values are 422; nothing changes', async () => {
      const t = await mk();
      const many = Array.from({ length: 501 }, () => t.id);
      const distinct = Array.from({ length: 501 }, (_, i) => i + 1);
      for (const [body, field] of [
        [{ ids: [], set: { priority: 'low' } }, 'ids'], [{ ids: distinct, set: { priority: 'low' } }, 'ids'],
        [{ ids: many, set: { priority: 'low' } }, 'ids'], [{ set: { priority: 'low' } }, 'ids'],
        [{ ids: 'all', set: { priority: 'low' } }, 'ids'], [{ ids: [t.id, 'x'], set: { priority: 'low' } }, 'ids[1]'],
        [{ ids: [t.id] }, 'set'], [{ ids: [t.id], set: {} }, 'set'],
        [{ ids: [t.id], set: { priority: 'critical' } }, 'set.priority'],
        [{ ids: [t.id], set: { assignee_id: 987654 } }, 'set.assignee_id'],
        [{ ids: [t.id], set: { subject: 'bulk subject' } }, 'set.subject'],
        [{ ids: [t.id], set: { tags_add: ['a,b'] } }, 'set.tags_add'],
      ]) {
        assertProblem(await admin.post(B, body), 422, field, JSON.stringify(body).slice(0, 60));
      }
      const g = await getTicket(admin, t.id);
      assert.equal(g.version, 1);
      assert.equal(g.priority, 'normal');
    });

    it('500 ids are accepted', async () => {
      const made = [];
      for (let i = 0; i < 500; i += 50) {
        made.push(...await Promise.all(Array.from({ length: 50 }, (_, j) =>
          admin.create({ subject: `${MARK} bulk500 ${i + j}` }))));
      }
      const r = await admin.post(B, { ids: made.map((t) => t.id), set: { priority: 'low' } });
      assert.equal(r.status, 200, r.text.slice(0, 300));
      assert.equal(r.body.updated, 500);
      for (const t of [made[0], made[250], made[499]]) assert.equal((await getTicket(admin, t.id)).priority, 'low');
    });
  });
});
