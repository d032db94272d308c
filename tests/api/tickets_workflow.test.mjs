// Ticket workflows at work (docs/api-tickets.md "Transitions"): the default
// repair workflow step by step, the fields a transition requires (set in the
// same request), reopen, cancel restricted by role, GET transitions per role,
// PATCH status only along a transition, ticket.status_changed events, and the
// other ticket types walking their own workflows (consultation -> simple, rma).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../lib/server.mjs';
import { client, assertProblem, tag } from './client.mjs';
import {
  T, demoSessions, userId, transition, walkRepair, events, getTicket, REPAIR, REPAIR_CATEGORY,
} from './tickets_lib.mjs';

describe('ticket workflows', { timeout: 60000 }, () => {
  let server, admin, s, engineerId, agentId;
  const MARK = tag('wf');
  before(async () => {
    server = await startServer({ demo: true });
    admin = client(server.url, { token: server.token });
    s = await demoSessions(server, ['admin', 'manager', 'agent', 'engineer', 'customer', 'dispatcher']);
    engineerId = await userId(admin, 'engineer');
    agentId = await userId(admin, 'agent');
  });
  after(async () => { await server?.close(); });

  // the status_changed data the contract names (the server may add more, e.g. the transition's name)
  const fromTo = (d) => ({ from: d.from, to: d.to, category: d.category });
  const tos = (items) => items.map((x) => x.to).sort();
  const listTransitions = async (c, id) => {
    const r = await c.get(`${T}/${id}/transitions`);
    assert.equal(r.status, 200, `GET transitions of ${id}: ${r.status} ${r.text.slice(0, 300)}`);
    assert.ok(Array.isArray(r.body.items), 'items is an array');
    for (const x of r.body.items) {
      assert.equal(typeof x.to, 'string');
      assert.equal(typeof x.name, 'string');
      assert.ok(Array.isArray(x.requires), `requires is an array: ${JSON.stringify(x)}`);
      assert.ok(['new', 'open', 'pending', 'resolved', 'closed'].includes(x.category), `category: ${JSON.stringify(x)}`);
    }
    return r.body.items;
  };

  describe('the repair workflow (the default type)', () => {
    it('a ticket without a type is a repair in status new, category new', async () => {
      const t = await admin.create({ subject: `${MARK} default type` });
      assert.equal(t.type, 'repair');
      assert.equal(t.status, 'new');
      assert.equal(t.status_category, 'new');
      assert.equal(t.merged_into_id, null);
      assert.equal(t.resolution_code, null);
      assert.equal(t.resolution, null);
    });

    it('GET transitions from new: assign (requires assignee_id) and start; cancel only for admin/manager', async () => {
      const t = await admin.create({ subject: `${MARK} transitions from new` });
      const a = await listTransitions(s.agent, t.id);
      assert.deepEqual(tos(a), ['assigned', 'in_progress']);
      const assign = a.find((x) => x.to === 'assigned');
      assert.equal(assign.name, 'Assign');
      assert.deepEqual(assign.requires, ['assignee_id']);
      assert.equal(assign.category, 'open');
      assert.deepEqual(a.find((x) => x.to === 'in_progress').requires, []);
      for (const who of ['admin', 'manager']) {
        const m = await listTransitions(s[who], t.id);
        assert.deepEqual(tos(m), ['assigned', 'closed', 'in_progress'], `${who} may also cancel`);
        const cancel = m.find((x) => x.to === 'closed');
        assert.equal(cancel.name, 'Cancel');
        assert.deepEqual(cancel.requires, ['resolution_code']);
        assert.equal(cancel.category, 'closed');
      }
      assert.deepEqual(tos(await listTransitions(s.dispatcher, t.id)), ['assigned', 'in_progress']);
    });

    it('new -> assigned without an assignee is 422 naming assignee_id and changes nothing', async () => {
      const t = await admin.create({ subject: `${MARK} assign without assignee` });
      assertProblem(await admin.post(`${T}/${t.id}/transitions`, { to: 'assigned' }), 422, 'assignee_id');
      const g = await getTicket(admin, t.id);
      assert.equal(g.status, 'new');
      assert.equal(g.version, 1);
      assert.deepEqual((await events(admin, t.id)).map((e) => e.type), ['ticket.created']);
    });

    it('new -> assigned with assignee_id in the same request: 200, assigned, category open, both events', async () => {
      const t = await admin.create({ subject: `${MARK} assign` });
      const u = await transition(s.agent, t.id, 'assigned', { assignee_id: engineerId });
      assert.equal(u.status, 'assigned');
      assert.equal(u.status_category, 'open');
      assert.equal(u.assignee_id, engineerId);
      assert.equal(u.version, 2, 'one change, one version');
      assert.deepEqual(await getTicket(admin, t.id), u);
      const ev = await events(admin, t.id);
      const sc = ev.filter((e) => e.type === 'ticket.status_changed');
      assert.equal(sc.length, 1, JSON.stringify(ev));
      assert.deepEqual(fromTo(sc[0].data), { from: 'new', to: 'assigned', category: 'open' });
      assert.equal(sc[0].actor, 'agent');
      const up = ev.filter((e) => e.type === 'ticket.updated');
      assert.ok(up.some((e) => e.data.assignee_id && e.data.assignee_id.from === null
        && e.data.assignee_id.to === engineerId), `ticket.updated records the assignee: ${JSON.stringify(ev)}`);
    });

    it('a ticket that already has an assignee may be assigned without sending one', async () => {
      const t = await admin.create({ subject: `${MARK} pre-assigned`, assignee_id: engineerId });
      const u = await transition(admin, t.id, 'assigned');
      assert.equal(u.status, 'assigned');
      assert.equal(u.assignee_id, engineerId);
    });

    it('resolve requires resolution_code: missing or empty is 422; set in the same request it resolves', async () => {
      const t = await walkRepair(admin, await admin.create({ subject: `${MARK} resolve` }), 'in_progress');
      assertProblem(await admin.post(`${T}/${t.id}/transitions`, { to: 'resolved' }), 422, 'resolution_code');
      assertProblem(await admin.post(`${T}/${t.id}/transitions`, { to: 'resolved', resolution_code: '' }), 422,
        'resolution_code', 'an empty resolution_code');
      assertProblem(await admin.post(`${T}/${t.id}/transitions`, { to: 'resolved', resolution_code: 'x'.repeat(65) }),
        422, 'resolution_code', '65 characters');
      const still = await getTicket(admin, t.id);
      assert.equal(still.status, 'in_progress');
      assert.equal(still.version, t.version, 'refused transitions changed nothing');
      const u = await transition(s.agent, t.id, 'resolved',
        { resolution_code: 'part_replaced', resolution: 'Replaced the pickup roller of tray 2.' });
      assert.equal(u.status, 'resolved');
      assert.equal(u.status_category, 'resolved');
      assert.equal(u.resolution_code, 'part_replaced');
      assert.equal(u.resolution, 'Replaced the pickup roller of tray 2.');
      const sc = (await events(admin, t.id)).filter((e) => e.type === 'ticket.status_changed').at(-1);
      assert.deepEqual(fromTo(sc.data), { from: 'in_progress', to: 'resolved', category: 'resolved' });
    });

    it('a resolution_code already on the ticket satisfies the requirement', async () => {
      let t = await walkRepair(admin, await admin.create({ subject: `${MARK} code first` }), 'in_progress');
      t = await admin.update(t.id, { version: t.version, resolution_code: 'remote_fix' });
      const u = await transition(admin, t.id, 'resolved');
      assert.equal(u.status, 'resolved');
      assert.equal(u.resolution_code, 'remote_fix');
    });

    it('the whole path: new, assigned, in_progress, pending_customer, in_progress, resolved, pending_followup, closed', async () => {
      let t = await admin.create({ subject: `${MARK} the whole path` });
      const steps = [['assigned', { assignee_id: engineerId }], ['in_progress'], ['pending_customer'], ['in_progress'],
        ['resolved', { resolution_code: 'fixed' }], ['pending_followup'], ['closed']];
      for (const [to, extra] of steps) {
        const before = t;
        t = await transition(admin, t.id, to, extra || {});
        assert.equal(t.status, to);
        assert.equal(t.status_category, REPAIR_CATEGORY[to]);
        assert.equal(t.version, before.version + 1);
      }
      const sc = (await events(admin, t.id)).filter((e) => e.type === 'ticket.status_changed').map((e) => e.data);
      assert.deepEqual(sc.map((d) => [d.from, d.to, d.category]), [
        ['new', 'assigned', 'open'], ['assigned', 'in_progress', 'open'], ['in_progress', 'pending_customer', 'pending'],
        ['pending_customer', 'in_progress', 'open'], ['in_progress', 'resolved', 'resolved'],
        ['resolved', 'pending_followup', 'resolved'], ['pending_followup', 'closed', 'closed']]);
    });

    it('reopen: resolved and pending_followup go back to in_progress; closed only for admin/manager/agent', async () => {
      const r1 = await walkRepair(admin, await admin.create({ subject: `${MARK} reopen resolved` }), 'resolved');
      assert.equal((await transition(s.agent, r1.id, 'in_progress')).status, 'in_progress');
      const r2 = await walkRepair(admin, await admin.create({ subject: `${MARK} reopen followup` }), 'pending_followup');
      assert.equal((await transition(s.agent, r2.id, 'in_progress')).status, 'in_progress');

      // a closed ticket assigned to the engineer: the engineer may see it but not reopen it
      const c = await walkRepair(admin, await admin.create({ subject: `${MARK} reopen closed`,
        assignee_id: engineerId }), 'closed');
      assert.deepEqual(tos(await listTransitions(s.engineer, c.id)), [], 'nothing for the engineer on a closed ticket');
      assert.deepEqual(tos(await listTransitions(s.agent, c.id)), ['in_progress']);
      assert.deepEqual(tos(await listTransitions(s.manager, c.id)), ['in_progress'],
        'cancel (from *) is not offered from closed itself');
      assertProblem(await s.engineer.post(`${T}/${c.id}/transitions`, { to: 'in_progress' }), 422, 'to',
        'the engineer reopens a closed ticket');
      assert.equal((await getTicket(admin, c.id)).status, 'closed');
      const u = await transition(s.agent, c.id, 'in_progress');
      assert.equal(u.status, 'in_progress');
      assert.equal(u.status_category, 'open');
    });

    it('cancel (* -> closed) is for admin and manager only, and needs a resolution_code', async () => {
      const t = await admin.create({ subject: `${MARK} cancel`, assignee_id: engineerId });
      for (const who of ['agent', 'dispatcher', 'engineer']) {
        assertProblem(await s[who].post(`${T}/${t.id}/transitions`, { to: 'closed', resolution_code: 'cancelled' }),
          422, 'to', `${who} cancels`);
      }
      assert.equal((await getTicket(admin, t.id)).status, 'new');
      assertProblem(await s.manager.post(`${T}/${t.id}/transitions`, { to: 'closed' }), 422, 'resolution_code',
        'cancel without a resolution_code');
      const u = await transition(s.manager, t.id, 'closed', { resolution_code: 'cancelled' });
      assert.equal(u.status, 'closed');
      assert.equal(u.status_category, 'closed');
      // from any other status too
      const p = await walkRepair(admin, await admin.create({ subject: `${MARK} cancel pending` }), 'pending_customer');
      assert.equal((await transition(s.admin, p.id, 'closed', { resolution_code: 'customer_gone' })).status, 'closed');
    });

    it('a transition that does not exist from the current status is 422 naming "to"', async () => {
      const t = await admin.create({ subject: `${MARK} no such transition` });
      for (const body of [{ to: 'resolved', resolution_code: 'x' }, { to: 'pending_followup' }, { to: 'new' },
        { to: 'open' }, { to: 'bogus' }, { to: '' }, { to: 5 }, { to: null }, {}]) {
        assertProblem(await admin.post(`${T}/${t.id}/transitions`, body), 422, 'to', JSON.stringify(body));
      }
      const g = await getTicket(admin, t.id);
      assert.equal(g.status, 'new');
      assert.equal(g.version, 1);
      assert.equal(g.resolution_code, null, 'a refused transition sets none of its fields');
    });

    it('invalid optional fields of a transition are 422 naming them, nothing is written', async () => {
      const t = await admin.create({ subject: `${MARK} bad extras` });
      assertProblem(await admin.post(`${T}/${t.id}/transitions`, { to: 'assigned', assignee_id: 987654 }), 422,
        'assignee_id');
      assertProblem(await admin.post(`${T}/${t.id}/transitions`, { to: 'assigned', assignee_id: engineerId,
        group_id: 987654 }), 422, 'group_id');
      assertProblem(await admin.post(`${T}/${t.id}/transitions`, { to: 'in_progress', custom: { nope: 1 } }), 422,
        'custom.nope');
      assertProblem(await admin.post(`${T}/${t.id}/transitions`, { to: 'in_progress', colour: 'red' }), 422, 'colour');
      const g = await getTicket(admin, t.id);
      assert.equal(g.status, 'new');
      assert.equal(g.assignee_id, null);
      assert.equal(g.version, 1);
    });

    it('version is optional; a stale one is 409 with current_version', async () => {
      const t = await admin.create({ subject: `${MARK} transition versions` });
      const u = await transition(admin, t.id, 'in_progress', { version: 1 });
      assert.equal(u.version, 2);
      const r = await admin.post(`${T}/${t.id}/transitions`, { to: 'pending_customer', version: 1 });
      assert.equal(assertProblem(r, 409).current_version, 2);
      assert.equal((await getTicket(admin, t.id)).status, 'in_progress');
    });

    it('the customer reads the transitions of their ticket but may not use them (403)', async () => {
      const t = await s.customer.create({ subject: `${MARK} customer ticket` });
      const r = await s.customer.get(`${T}/${t.id}/transitions`);
      assert.equal(r.status, 200, r.text);
      assertProblem(await s.customer.post(`${T}/${t.id}/transitions`, { to: 'in_progress' }), 403);
      assert.equal((await getTicket(admin, t.id)).status, 'new');
    });

    it('transitions of a ticket the caller cannot see, or that does not exist, are 404', async () => {
      const other = await admin.create({ subject: `${MARK} org 2`, organisation_id: 2 });
      assertProblem(await s.customer.get(`${T}/${other.id}/transitions`), 404);
      assertProblem(await s.engineer.get(`${T}/${other.id}/transitions`), 404, undefined, 'not assigned');
      assertProblem(await s.engineer.post(`${T}/${other.id}/transitions`, { to: 'in_progress' }), 404);
      assertProblem(await admin.get(`${T}/987654321/transitions`), 404);
      assertProblem(await admin.post(`${T}/987654321/transitions`, { to: 'in_progress' }), 404);
      assert.equal((await getTicket(admin, other.id)).status, 'new');
    });
  });

  describe('PATCH status follows the workflow', () => {
    it('along a transition: 200, ticket.updated with status and a ticket.status_changed event', async () => {
      const t = await admin.create({ subject: `${MARK} patch along` });
      const u = await admin.update(t.id, { version: 1, status: 'in_progress' });
      assert.equal(u.status, 'in_progress');
      assert.equal(u.status_category, 'open');
      const ev = await events(admin, t.id);
      // "Every changed field is recorded in one ticket.updated event" (PATCH)
      const up = ev.filter((e) => e.type === 'ticket.updated');
      assert.equal(up.length, 1, `one ticket.updated for the PATCH: ${JSON.stringify(ev)}`);
      assert.deepEqual(up[0].data.status, { from: 'new', to: 'in_progress' });
      // assumption: a status change through PATCH is a status change like any
      // other, so the timeline (and everything listening) gets status_changed
      const sc = ev.filter((e) => e.type === 'ticket.status_changed');
      assert.deepEqual(sc.map((e) => fromTo(e.data)), [{ from: 'new', to: 'in_progress', category: 'open' }]);
    });

    it('not along a transition: 422 naming status, nothing changes', async () => {
      const t = await admin.create({ subject: `${MARK} patch across` });
      // (sending the current status unchanged is no change, and not checked here)
      for (const status of ['resolved', 'pending_customer', 'pending_followup', 'open', 'pending', 'bogus']) {
        assertProblem(await s.agent.patch(`${T}/${t.id}`, { version: 1, status, resolution_code: 'x' }), 422,
          'status', `new -> ${status}`);
      }
      // cancel is a transition only admin and manager may use
      assertProblem(await s.agent.patch(`${T}/${t.id}`, { version: 1, status: 'closed', resolution_code: 'x' }), 422,
        'status', 'the agent cancels through PATCH');
      const g = await getTicket(admin, t.id);
      assert.equal(g.status, 'new');
      assert.equal(g.version, 1);
      assert.equal(g.resolution_code, null);
    });

    it('sending the current status unchanged is no status change (assumption: forms send every field)', async () => {
      const t = await admin.create({ subject: `${MARK} patch same status` });
      const u = await admin.update(t.id, { version: 1, status: 'new', priority: 'high' });
      assert.equal(u.status, 'new');
      assert.equal(u.priority, 'high');
      assert.ok(!(await events(admin, t.id)).some((e) => e.type === 'ticket.status_changed'));
    });

    it('the transition\'s requirements apply to PATCH too, with fields from the same body', async () => {
      const t = await admin.create({ subject: `${MARK} patch requires` });
      assertProblem(await admin.patch(`${T}/${t.id}`, { version: 1, status: 'assigned' }), 422, 'assignee_id');
      assert.equal((await getTicket(admin, t.id)).status, 'new');
      const u = await admin.update(t.id, { version: 1, status: 'assigned', assignee_id: agentId });
      assert.equal(u.status, 'assigned');
      assert.equal(u.assignee_id, agentId);
      const w = await admin.update(t.id, { version: 2, status: 'in_progress' });
      assertProblem(await admin.patch(`${T}/${t.id}`, { version: w.version, status: 'resolved' }), 422,
        'resolution_code');
      const r = await admin.update(t.id, { version: w.version, status: 'resolved', resolution_code: 'fixed' });
      assert.equal(r.status_category, 'resolved');
    });

    it('the manager cancels through PATCH (admin/manager transition)', async () => {
      const t = await admin.create({ subject: `${MARK} patch cancel` });
      const u = await s.manager.patch(`${T}/${t.id}`, { version: 1, status: 'closed', resolution_code: 'dup' });
      assert.equal(u.status, 200, u.text);
      assert.equal(u.body.status, 'closed');
    });
  });

  describe('other ticket types use their own workflows', () => {
    it('GET /ticket-types maps consultation and complaint to simple, installation/maintenance to repair, rma to rma', async () => {
      const r = await admin.get('/api/v1/ticket-types');
      assert.equal(r.status, 200, r.text);
      const wf = Object.fromEntries(r.body.items.map((x) => [x.key, x.workflow_key]));
      assert.deepEqual(wf, { ...wf, repair: 'repair', installation: 'repair', maintenance: 'repair',
        consultation: 'simple', complaint: 'simple', rma: 'rma' });
    });

    it('consultation walks the simple workflow: new, open, pending, resolved, closed', async () => {
      let t = await admin.create({ subject: `${MARK} consultation`, type: 'consultation' });
      assert.equal(t.type, 'consultation');
      assert.equal(t.status, 'new');
      assert.deepEqual(tos(await listTransitions(s.agent, t.id)), ['open', 'resolved']);
      assertProblem(await admin.post(`${T}/${t.id}/transitions`, { to: 'in_progress' }), 422, 'to',
        'a repair status on a consultation');
      assertProblem(await admin.post(`${T}/${t.id}/transitions`, { to: 'assigned', assignee_id: engineerId }), 422,
        'to');
      const cats = [];
      for (const to of ['open', 'pending', 'open', 'resolved', 'closed']) {
        t = await transition(s.agent, t.id, to);
        cats.push([t.status, t.status_category]);
      }
      assert.deepEqual(cats, [['open', 'open'], ['pending', 'pending'], ['open', 'open'], ['resolved', 'resolved'],
        ['closed', 'closed']]);
      // resolving a consultation needs no resolution_code (simple requires nothing)
      const q = await admin.create({ subject: `${MARK} quick answer`, type: 'consultation' });
      assert.equal((await transition(s.agent, q.id, 'resolved')).status, 'resolved');
      // simple's reopen from closed is for admin, manager and agent
      assert.equal((await transition(s.agent, t.id, 'open')).status, 'open');
    });

    it('a complaint PATCHed to open (simple) works; to in_progress (repair) is 422', async () => {
      const t = await admin.create({ subject: `${MARK} complaint`, type: 'complaint' });
      assertProblem(await admin.patch(`${T}/${t.id}`, { version: 1, status: 'in_progress' }), 422, 'status');
      assert.equal((await admin.update(t.id, { version: 1, status: 'open' })).status, 'open');
    });

    it('rma walks new, authorised, awaiting_return (pending), received, inspecting, resolved (code), closed', async () => {
      let t = await admin.create({ subject: `${MARK} rma`, type: 'rma' });
      assert.equal(t.type, 'rma');
      assert.equal(t.status, 'new');
      const want = [['authorised', 'open'], ['awaiting_return', 'pending'], ['received', 'open'],
        ['inspecting', 'open']];
      for (const [to, cat] of want) {
        t = await transition(s.agent, t.id, to);
        assert.equal(t.status, to);
        assert.equal(t.status_category, cat);
      }
      assertProblem(await s.agent.post(`${T}/${t.id}/transitions`, { to: 'resolved' }), 422, 'resolution_code');
      t = await transition(s.agent, t.id, 'resolved', { resolution_code: 'refunded' });
      assert.equal(t.status_category, 'resolved');
      t = await transition(s.agent, t.id, 'closed');
      assert.equal(t.status_category, 'closed');
      const sc = (await events(admin, t.id)).filter((e) => e.type === 'ticket.status_changed').map((e) => e.data.to);
      assert.deepEqual(sc, ['authorised', 'awaiting_return', 'received', 'inspecting', 'resolved', 'closed']);
    });

    it('type is fixed after creation; an unknown type is 422', async () => {
      assertProblem(await admin.post(T, { subject: `${MARK} bad type`, type: 'bogus' }), 422, 'type');
      assertProblem(await admin.post(T, { subject: `${MARK} bad type`, type: 7 }), 422, 'type');
      const t = await admin.create({ subject: `${MARK} fixed type`, type: 'rma' });
      assertProblem(await admin.patch(`${T}/${t.id}`, { version: 1, type: 'repair' }), 422, 'type');
      assert.equal((await getTicket(admin, t.id)).type, 'rma');
    });

    it('the list filters by status_category across workflows', async () => {
      const ref = tag('cat');
      const a = await admin.create({ subject: `${MARK} a`, customer_ref: ref });
      await transition(admin, a.id, 'in_progress');
      const b = await admin.create({ subject: `${MARK} b`, customer_ref: ref, type: 'consultation' });
      await transition(admin, b.id, 'open');
      const c = await admin.create({ subject: `${MARK} c`, customer_ref: ref, type: 'rma' });
      await transition(admin, c.id, 'authorised');
      await admin.create({ subject: `${MARK} d`, customer_ref: ref });
      const r = await admin.get(`${T}?customer_ref=${ref}&status_category=open`);
      assert.equal(r.status, 200, r.text);
      assert.deepEqual(r.body.items.map((x) => x.id), [c.id, b.id, a.id]);
      assert.deepEqual(r.body.items.map((x) => x.status), ['authorised', 'open', 'in_progress']);
      assert.ok(REPAIR.includes('in_progress'));
    });
  });
});
