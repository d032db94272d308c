// The SLA engine through the API: policies (validation, versions, order),
// clocks on tickets measured exactly (pause and resume, a priority change and
// a policy change from the change onward, replies, resolve and reopen, arrival
// on site), the queue's SLA filters and sort, the sweep's warnings, breaches
// and escalations raised exactly once (also across a restart), and the
// attainment report. Times are checked to the millisecond against the
// instants the ticket's own events record. docs/api-sla.md.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../lib/server.mjs';
import { client, assertProblem, tag } from './client.mjs';
import { T, DEMO_PASSWORD, transition, events, getTicket, userId } from './tickets_lib.mjs';

const P = '/api/v1/sla-policies';
const MIN = 60000;
const ms = (t) => Date.parse(t);
const sleep = (n) => new Promise((r) => setTimeout(r, n));

describe('SLA engine', { timeout: 240000 }, () => {
  let server, api, agent, customer, customerOrg;
  before(async () => {
    server = await startServer({ demo: true, env: { TEND_JOBS_EVERY_MS: '250' } });
    api = client(server.url, { token: server.token });
    agent = await client(server.url).login('agent', DEMO_PASSWORD);
    customer = await client(server.url).login('customer', DEMO_PASSWORD);
    customerOrg = (await customer.get('/api/v1/auth/me')).body.user.organisation_id;
    // demo policies would choose for the tickets below: start from none
    for (const p of (await api.get(P)).body.items) assert.equal((await api.del(`${P}/${p.id}`)).status, 204);
  });
  after(async () => { await server?.close(); });

  /** Create a policy (asserting 201) for the duration of `fn`, then delete it. */
  async function withPolicy(body, fn) {
    const r = await api.post(P, { calendar_id: 1, ...body, name: tag(body.name || 'policy') });
    assert.equal(r.status, 201, r.text);
    try {
      return await fn(r.body);
    } finally {
      assert.equal((await api.del(`${P}/${r.body.id}`)).status, 204);
    }
  }
  const newTicket = async (body, c = api) => {
    const r = await c.post(T, { subject: tag('sla'), ...body });
    assert.equal(r.status, 201, r.text);
    return r.body;
  };
  const clocks = async (id) => {
    const r = await api.get(`${T}/${id}/sla`);
    assert.equal(r.status, 200, r.text);
    return Object.fromEntries(r.body.clocks.map((c) => [c.metric + (c.cycle ? `#${c.cycle}` : ''), c]));
  };
  const eventAt = async (id, type, pred = () => true) => {
    const e = (await events(api, id)).filter((x) => x.type === type && pred(x));
    assert.ok(e.length, `ticket ${id} has a ${type} event`);
    return ms(e[e.length - 1].at);
  };

  it('validates policies and names the field', async () => {
    const cases = [
      [{ calendar_id: 1, targets: { resolution: 60 } }, 'name'],
      [{ name: 'x', targets: { resolution: 60 } }, 'calendar_id'],
      [{ name: 'x', calendar_id: 999999, targets: { resolution: 60 } }, 'calendar_id'],
      [{ name: 'x', calendar_id: 1 }, 'targets'],
      [{ name: 'x', calendar_id: 1, targets: {} }, 'targets'],
      [{ name: 'x', calendar_id: 1, targets: { resolution: 0 } }, 'targets.resolution'],
      [{ name: 'x', calendar_id: 1, targets: { resolution: 1.5 } }, 'targets.resolution'],
      [{ name: 'x', calendar_id: 1, targets: { fix: 10 } }, 'targets.fix'],
      [{ name: 'x', calendar_id: 1, targets: { resolution: 60 }, conditions: { priority: ['asap'] } }, 'conditions.priority[0]'],
      [{ name: 'x', calendar_id: 1, targets: { resolution: 60 }, conditions: { colour: ['red'] } }, 'conditions'],
      [{ name: 'x', calendar_id: 1, targets: { resolution: 60 }, conditions: { group_id: [999999] } }, 'conditions.group_id[0]'],
      [{ name: 'x', calendar_id: 1, targets: { resolution: 60 }, priority_targets: { urgent: { first_response: 5 } } },
        'priority_targets.urgent.first_response'],
      [{ name: 'x', calendar_id: 1, targets: { resolution: 60 }, warning_percent: 100 }, 'warning_percent'],
      [{ name: 'x', calendar_id: 1, targets: { resolution: 60 }, escalations: [{ percent: 120 }] }, 'escalations[0]'],
      [{ name: 'x', calendar_id: 1, targets: { resolution: 60 }, escalations: [{ percent: 120, notify: ['ceo'] }] },
        'escalations[0].notify[0]'],
      [{ name: 'x', calendar_id: 1, targets: { resolution: 60 },
        escalations: [{ percent: 120, notify: ['managers'] }, { percent: 110, notify: ['managers'] }] }, 'escalations[1].percent'],
      [{ name: 'x', calendar_id: 1, targets: { resolution: 60 }, escalations: [{ percent: 120, assign_user_id: 999999 }] },
        'escalations[0].assign_user_id'],
    ];
    for (const [body, field] of cases) assertProblem(await api.post(P, body), 422, field, JSON.stringify(body));
    assert.equal((await api.get(P)).body.items.length, 0, 'nothing half-written');
  });

  it('keeps policies in order, replaces with the version read, refuses a stale one', async () => {
    const a = (await api.post(P, { name: tag('A'), calendar_id: 1, targets: { resolution: 60 } })).body;
    const b = (await api.post(P, { name: tag('B'), calendar_id: 1, targets: { resolution: 60 } })).body;
    const c = (await api.post(P, { name: tag('C'), calendar_id: 1, targets: { resolution: 60 }, position: 1 })).body;
    assert.deepEqual((await api.get(P)).body.items.map((p) => p.id), [c.id, a.id, b.id]);
    const shifted = (await api.get(`${P}/${b.id}`)).body;
    assert.equal(shifted.version, 2, 'shifted by C: a new version');
    const moved = await api.put(`${P}/${b.id}`, { ...shifted, position: 1 });
    assert.equal(moved.status, 200, moved.text);
    assert.equal(moved.body.version, 3);
    assert.deepEqual((await api.get(P)).body.items.map((p) => [p.id, p.position]), [[b.id, 1], [c.id, 2], [a.id, 3]]);
    const stale = await api.put(`${P}/${b.id}`, { ...b, targets: { resolution: 30 } });
    assertProblem(stale, 409, 'version');
    assert.equal(stale.body.version, 3, 'the 409 carries the current policy');
    const a3 = (await api.get(`${P}/${a.id}`)).body;
    assertProblem(await api.put(`${P}/${a.id}`, { ...a3, version: undefined }), 422, 'version');
    assertProblem(await api.put(`${P}/${a.id}`, { ...a3, name: b.name }), 422, 'name');
    assert.equal((await api.get(`${P}/999999`)).status, 404);
    for (const p of [a, b, c]) assert.equal((await api.del(`${P}/${p.id}`)).status, 204);
    assert.equal((await api.del(`${P}/${a.id}`)).status, 404);
  });

  it('a calendar an SLA policy measures on cannot be deleted', async () => {
    const cal = (await api.post('/api/v1/calendars', { name: tag('cal'), time_zone: 'UTC',
      week: { mon: [['09:00', '17:00']] } })).body;
    await withPolicy({ calendar_id: cal.id, targets: { resolution: 60 } }, async () => {
      assertProblem(await api.del(`/api/v1/calendars/${cal.id}`), 409, 'id');
    });
    assert.equal((await api.del(`/api/v1/calendars/${cal.id}`)).status, 204);
  });

  it('pauses while pending the customer and resumes with the same business time left', async () => {
    await withPolicy({ conditions: { channel: ['phone'] }, targets: { first_response: 60, resolution: 240 } }, async (p) => {
      const t = await newTicket({ channel: 'phone' });
      const created = ms(t.created_at);
      assert.equal(t.sla.policy_id, p.id);
      assert.equal(t.sla.state, 'running');
      assert.equal(ms(t.sla.due_at), created + 60 * MIN, 'the earliest due: first response, 60 minutes on 24x7');
      assert.equal(ms(t.sla.warning_at), created + 45 * MIN, 'warned at 75%');
      let c = await clocks(t.id);
      assert.equal(ms(c.resolution.due_at), created + 240 * MIN);
      assert.equal(c.resolution.state, 'running');
      await transition(api, t.id, 'in_progress');
      const paused = await transition(api, t.id, 'pending_customer');
      assert.equal(paused.sla.state, 'paused');
      assert.equal(paused.sla.due_at, null);
      c = await clocks(t.id);
      assert.equal(c.resolution.state, 'paused');
      assert.equal(c.first_response.state, 'paused');
      await sleep(300);
      const resumed = await transition(api, t.id, 'in_progress');
      assert.equal(resumed.sla.state, 'running');
      const pausedAt = await eventAt(t.id, 'ticket.status_changed', (e) => e.data.to === 'pending_customer');
      const resumedAt = await eventAt(t.id, 'ticket.status_changed', (e) => e.data.from === 'pending_customer');
      assert.ok(resumedAt - pausedAt >= 300);
      c = await clocks(t.id);
      assert.equal(ms(c.resolution.due_at), created + 240 * MIN + (resumedAt - pausedAt), 'the pause is added exactly');
      assert.equal(ms(c.first_response.due_at), created + 60 * MIN + (resumedAt - pausedAt));
      assert.equal(c.resolution.breached, false);
    });
  });

  it('a priority change measures the new target from the change onward', async () => {
    await withPolicy({ conditions: { channel: ['email'] }, targets: { resolution: 240 },
      priority_targets: { urgent: { resolution: 30 } } }, async () => {
      const t = await newTicket({ channel: 'email', priority: 'normal' });
      const created = ms(t.created_at);
      assert.equal(ms(t.sla.due_at), created + 240 * MIN);
      await sleep(200);
      const r = await api.patch(`${T}/${t.id}`, { priority: 'urgent', version: t.version });
      assert.equal(r.status, 200, r.text);
      const changed = await eventAt(t.id, 'ticket.updated', (e) => e.data.priority);
      const elapsed = changed - created;
      assert.ok(elapsed >= 200);
      assert.equal(ms(r.body.sla.due_at), changed + (30 * MIN - elapsed), 'what was used stays used');
      const c = await clocks(t.id);
      assert.equal(c.resolution.target_minutes, 30);
      assert.equal(c.resolution.priority, 'urgent');
    });
  });

  it('a policy change keeps the time used and measures the rest on the new calendar', async () => {
    const cal = (await api.post('/api/v1/calendars', { name: tag('office'), time_zone: 'Asia/Shanghai',
      week: { mon: [['09:00', '12:00'], ['13:30', '18:00']], tue: [['09:00', '18:00']], wed: [['09:00', '18:00']],
        thu: [['09:00', '18:00']], fri: [['09:00', '18:00']] } })).body;
    await withPolicy({ name: 'normal', conditions: { channel: ['portal'], priority: ['normal'] },
      targets: { resolution: 480 } }, async (p1) => {
      await withPolicy({ name: 'high', conditions: { channel: ['portal'], priority: ['high'] }, calendar_id: cal.id,
        targets: { resolution: 120 } }, async (p2) => {
        const t = await newTicket({ channel: 'portal', priority: 'normal' });
        assert.equal(t.sla.policy_id, p1.id);
        await sleep(150);
        const r = await api.patch(`${T}/${t.id}`, { priority: 'high', version: t.version });
        assert.equal(r.body.sla.policy_id, p2.id);
        const changed = await eventAt(t.id, 'ticket.updated', (e) => e.data.priority);
        const evs = await events(api, t.id);
        const pc = evs.find((e) => e.type === 'sla.policy_changed');
        assert.deepEqual([pc.data.from, pc.data.to], [p1.id, p2.id]);
        const c = await clocks(t.id);
        const left = 120 * MIN - (changed - ms(t.created_at));
        const due = c.resolution.due_at;
        const bt = await api.get(`/api/v1/calendars/${cal.id}/business-time?from=${new Date(changed).toISOString()}&to=${due}`);
        assert.equal(bt.status, 200, bt.text);
        assert.equal(bt.body.business_ms, left, 'the rest of the new target, in the new calendar\'s business time');
      });
    });
    await api.del(`/api/v1/calendars/${cal.id}`);
  });

  it('replies: staff answer the first response; a customer reply owes a next response', async () => {
    await withPolicy({ conditions: { organisation_id: [customerOrg] },
      targets: { first_response: 30, next_response: 60, resolution: 480 } }, async () => {
      const t = await newTicket({}, customer);
      const staffView = await getTicket(api, t.id);
      assert.equal(staffView.sla.state, 'running');
      assert.equal(t.sla, null, 'customers do not see targets');
      assert.equal((await customer.get(`${T}/${t.id}/sla`)).status, 403);
      assert.equal((await customer.post(`${T}/${t.id}/comments`, { body: 'anyone?' })).status, 201);
      let c = await clocks(t.id);
      assert.equal(c.first_response.state, 'running', 'the customer\'s own reply answers nothing');
      assert.equal(c['next_response#1'], undefined);
      assert.equal((await agent.post(`${T}/${t.id}/comments`, { body: 'internal', internal: true })).status, 201);
      assert.equal((await clocks(t.id)).first_response.state, 'running', 'an internal note is no answer');
      assert.equal((await agent.post(`${T}/${t.id}/comments`, { body: 'On it.' })).status, 201);
      const answered = await eventAt(t.id, 'ticket.commented', (e) => !e.data.internal);
      c = await clocks(t.id);
      assert.equal(c.first_response.state, 'achieved');
      assert.equal(ms(c.first_response.achieved_at), answered);
      assert.equal(c.first_response.breached, false);
      assert.equal((await customer.post(`${T}/${t.id}/comments`, { body: 'still broken' })).status, 201);
      c = await clocks(t.id);
      assert.equal(c['next_response#1'].state, 'running');
      assert.equal(c['next_response#1'].target_minutes, 60);
      assert.equal((await agent.post(`${T}/${t.id}/comments`, { body: 'Sending an engineer.' })).status, 201);
      c = await clocks(t.id);
      assert.equal(c['next_response#1'].state, 'achieved');
      assert.equal(c.resolution.state, 'running');
    });
  });

  it('resolving meets the target; reopening resumes with the time used kept', async () => {
    await withPolicy({ conditions: { channel: ['api'] }, targets: { resolution: 120, on_site: 60 } }, async () => {
      const t = await newTicket({ channel: 'api' });
      await transition(api, t.id, 'in_progress');
      await sleep(100);
      const resolved = await transition(api, t.id, 'resolved', { resolution_code: 'fixed' });
      assert.equal(resolved.sla.state, 'achieved');
      let c = await clocks(t.id);
      assert.equal(c.resolution.state, 'achieved');
      assert.equal(c.on_site.state, 'cancelled', 'fixed without a visit: no visit is owed');
      const resolvedAt = await eventAt(t.id, 'ticket.status_changed', (e) => e.data.to === 'resolved');
      const used = resolvedAt - ms(t.created_at);
      await sleep(150);
      const reopened = await transition(api, t.id, 'in_progress');
      const reopenedAt = await eventAt(t.id, 'ticket.status_changed', (e) => e.data.to === 'in_progress' && e.data.from === 'resolved');
      c = await clocks(t.id);
      assert.equal(c.resolution.state, 'running');
      assert.equal(ms(c.resolution.due_at), reopenedAt + 120 * MIN - used);
      assert.equal(ms(reopened.sla.due_at), ms(c.resolution.due_at));
      assert.equal(c.on_site.state, 'cancelled');
    });
  });

  it('a service contract\'s SLA policy comes before the ordered conditions', async () => {
    const made = async (path, body) => {
      const r = await api.post(path, body);
      assert.equal(r.status, 201, `${path}: ${r.text}`);
      return r.body;
    };
    const org = await made('/api/v1/organisations', { name: tag('contract org'), tier: 'standard' });
    const product = await made('/api/v1/products', { name: tag('Chiller'), category: 'hvac' });
    const model = await made('/api/v1/models', { product_id: product.id, code: tag('CH-1'), name: 'Chiller 1' });
    const asset = await made('/api/v1/assets', { model_id: model.id, serial: tag('SN'), organisation_id: org.id });
    await withPolicy({ name: 'everyone', conditions: {}, targets: { resolution: 2400 } }, async (general) => {
      await withPolicy({ name: 'gold contract', conditions: { channel: ['iot'] }, targets: { resolution: 120 } }, async (gold) => {
        const before = await newTicket({ organisation_id: org.id, asset_id: asset.id });
        assert.equal(before.sla.policy_id, general.id, 'no contract yet: the first match');
        await made('/api/v1/contracts', { number: tag('SC'), organisation_id: org.id, starts_on: '2026-01-01',
          ends_on: '2027-12-31', covers_parts: true, sla_policy_id: gold.id, asset_ids: [asset.id] });
        const t = await newTicket({ organisation_id: org.id, asset_id: asset.id });
        assert.equal(t.sla.policy_id, gold.id, 'the contract\'s policy, though its conditions do not match');
        assert.equal(ms(t.sla.due_at), ms(t.created_at) + 120 * MIN);
        const plain = await newTicket({ organisation_id: org.id });
        assert.equal(plain.sla.policy_id, general.id, 'without the asset: the ordered conditions');
      });
    });
  });

  it('records the engineer\'s arrival on site', async () => {
    await withPolicy({ conditions: { channel: ['iot'] }, targets: { on_site: 240, resolution: 480 } }, async () => {
      const t = await newTicket({ channel: 'iot' });
      assertProblem(await api.post(`${T}/${t.id}/on-site`, { at: 'yesterday' }), 422, 'at');
      assertProblem(await api.post(`${T}/${t.id}/on-site`, { at: '2020-01-01T00:00:00Z' }), 422, 'at');
      assertProblem(await api.post(`${T}/${t.id}/on-site`, { when: 'now' }), 422, 'when');
      const r = await api.post(`${T}/${t.id}/on-site`, {});
      assert.equal(r.status, 200, r.text);
      const onSite = r.body.clocks.find((c) => c.metric === 'on_site');
      assert.equal(onSite.state, 'achieved');
      assert.equal(onSite.breached, false);
      assert.ok((await events(api, t.id)).some((e) => e.type === 'ticket.on_site'));
      assert.equal((await api.post(`${T}/999999/on-site`, {})).status, 404);
    });
  });

  it('filters and sorts the queue by SLA', async () => {
    await withPolicy({ conditions: { channel: ['wechat'] }, targets: { first_response: 50, resolution: 500 },
      priority_targets: { urgent: { first_response: 20 } } }, async () => {
      const ref = tag('queue');
      const slow = await newTicket({ channel: 'wechat', customer_ref: ref });
      const fast = await newTicket({ channel: 'wechat', priority: 'urgent', customer_ref: ref });
      const paused = await newTicket({ channel: 'wechat', customer_ref: ref });
      await transition(api, paused.id, 'in_progress');
      await transition(api, paused.id, 'pending_customer');
      const ids = async (q) => {
        const r = await api.get(`${T}?customer_ref=${ref}&limit=200&${q}`);
        assert.equal(r.status, 200, r.text);
        return r.body.items.map((x) => x.id);
      };
      assert.deepEqual((await ids('sla_due_within=30')), [fast.id]);
      assert.deepEqual((await ids('sla_due_within=55')).sort(), [slow.id, fast.id].sort());
      assert.deepEqual(await ids('sla=paused'), [paused.id]);
      assert.ok((await ids('sla=running')).includes(slow.id));
      assert.deepEqual(await ids('sla=breached'), []);
      const sorted = await ids('sort=sla_due_at');
      assert.deepEqual(sorted.slice(0, 2), [fast.id, slow.id], 'soonest due first');
      assert.equal(sorted.at(-1), paused.id, 'nothing running: last');
      const page = await api.get(`${T}?customer_ref=${ref}&sort=sla_due_at&limit=1`);
      const next = await api.get(`${T}?customer_ref=${ref}&sort=sla_due_at&limit=1&cursor=${page.body.next_cursor}`);
      assert.equal(next.status, 200, next.text);
      assert.deepEqual(next.body.items.map((x) => x.id), [slow.id], 'the cursor carries the due time');
      assertProblem(await api.get(`${T}?sla=late`), 400, 'sla');
      assertProblem(await api.get(`${T}?sla_due_within=0`), 400, 'sla_due_within');
    });
  });

  it('raises warnings and escalations once per clock and level, also across a restart', async () => {
    const manager = await userId(api, 'manager');
    const lead = await userId(api, 'dispatcher');
    const group = (await api.post('/api/v1/groups', { name: tag('escalation desk'), lead_id: lead })).body;
    assert.equal(group.lead_id, lead);
    assertProblem(await api.patch(`/api/v1/groups/${group.id}`, { lead_id: await userId(api, 'customer') }), 422, 'lead_id');
    await withPolicy({ conditions: { channel: ['internal'], priority: ['low', 'normal', 'urgent'] },
      targets: { first_response: 1 }, warning_percent: 1,
      escalations: [{ percent: 2, notify: ['managers'], set_priority: 'urgent' },
        { percent: 3, notify: ['assignee', 'group_lead'], assign_group_id: group.id }] }, async () => {
      const t = await newTicket({ channel: 'internal', priority: 'low' });
      const deadline = Date.now() + 15000;
      let evs;
      for (;;) {
        evs = (await events(api, t.id)).filter((e) => e.type.startsWith('sla.'));
        if (evs.filter((e) => e.type === 'sla.escalated').length >= 2 || Date.now() > deadline) break;
        await sleep(100);
      }
      const warning = evs.filter((e) => e.type === 'sla.warning');
      const escalated = evs.filter((e) => e.type === 'sla.escalated');
      assert.equal(warning.length, 1, JSON.stringify(evs));
      assert.equal(warning[0].data.metric, 'first_response');
      assert.deepEqual(escalated.map((e) => e.data.level), [1, 2]);
      assert.ok(escalated[0].data.notify_user_ids.includes(manager));
      const now = await getTicket(api, t.id);
      assert.equal(now.priority, 'urgent', 'level 1 raised the priority');
      assert.equal(now.group_id, group.id, 'level 2 reassigned to the group');
      assert.ok(escalated[1].data.notify_user_ids.includes(lead), 'the new group\'s lead is told');
      assert.ok((await events(api, t.id)).some((e) => e.type === 'ticket.updated' && e.actor === 'sla'));
      // restart the server on the same database: nothing is raised again
      const { dir, db, token } = server;
      await server.stop();
      server = await startServer({ dir, db, token, env: { TEND_JOBS_EVERY_MS: '250' } });
      api = client(server.url, { token });
      agent = client(server.url, { cookie: agent.cookie, csrf: agent.csrf }); // sessions outlive the restart
      await sleep(1500);
      const again = (await events(api, t.id)).filter((e) => e.type === 'sla.warning' || e.type === 'sla.escalated');
      assert.equal(again.length, 3, JSON.stringify(again.map((e) => e.type)));
      const runs = (await api.get('/api/v1/admin/jobs')).body.items.find((j) => j.name === 'sla.sweep');
      assert.ok(runs.runs.length > 0 && runs.runs.every((x) => x.outcome === 'ok'), JSON.stringify(runs));
    });
  });

  it('breaches once when a running clock passes its due time', { timeout: 120000 }, async () => {
    await withPolicy({ conditions: { channel: ['internal'], priority: ['high'] }, targets: { first_response: 1 } }, async () => {
      const t = await newTicket({ channel: 'internal', priority: 'high' });
      const due = ms(t.sla.due_at);
      const deadline = due + 20000;
      let breached = [];
      while (Date.now() < deadline && breached.length === 0) {
        await sleep(500);
        breached = (await events(api, t.id)).filter((e) => e.type === 'sla.breached');
      }
      assert.equal(breached.length, 1);
      assert.ok(ms(breached[0].at) >= due);
      assert.equal(breached[0].data.due_at, t.sla.due_at);
      await sleep(1000);
      assert.equal((await events(api, t.id)).filter((e) => e.type === 'sla.breached').length, 1, 'once');
      const now = await getTicket(api, t.id);
      assert.equal(now.sla.state, 'breached');
      assert.deepEqual((await api.get(`${T}?channel=internal&priority=high&sla=breached`)).body.items.map((x) => x.id), [t.id]);
      // answering late stops the clock as missed
      assert.equal((await agent.post(`${T}/${t.id}/comments`, { body: 'sorry for the wait' })).status, 201);
      const c = await clocks(t.id);
      assert.equal(c.first_response.state, 'achieved');
      assert.equal(c.first_response.breached, true);
      assert.equal(c.first_response.breached_at, t.sla.due_at);
      const report = await api.get(`/api/v1/sla/report?by=priority&metric=first_response&from=${new Date(due - 3600000).toISOString()}`);
      assert.equal(report.status, 200, report.text);
      const high = report.body.rows.find((r) => r.key === 'high');
      assert.ok(high && high.breached >= 1, JSON.stringify(report.body));
    });
  });

  it('reports attainment by policy, priority, group, organisation and period', async () => {
    const from = new Date(Date.now() - 3600000).toISOString();
    for (const by of ['policy', 'priority', 'group', 'organisation', 'period']) {
      const r = await api.get(`/api/v1/sla/report?by=${by}&from=${from}`);
      assert.equal(r.status, 200, r.text);
      assert.equal(r.body.by, by);
      const sum = r.body.rows.reduce((n, x) => n + x.total, 0);
      assert.equal(sum, r.body.total.total, `${by}: rows add up to the total`);
      for (const row of r.body.rows) {
        assert.equal(row.met + row.breached, row.total);
        assert.equal(row.attainment, row.met / row.total);
      }
      assert.ok(r.body.total.total >= 3, `${by}: the clocks decided above are counted`);
    }
    const week = await api.get(`/api/v1/sla/report?by=period&period=week&from=${from}`);
    assert.match(week.body.rows[0].key, /^\d{4}-W\d{2}$/);
    const month = await api.get(`/api/v1/sla/report?by=period&period=month&from=${from}`);
    assert.match(month.body.rows[0].key, /^\d{4}-\d{2}$/);
    assertProblem(await api.get('/api/v1/sla/report?by=colour'), 400, 'by');
    assertProblem(await api.get('/api/v1/sla/report?metric=speed'), 400, 'metric');
    assertProblem(await api.get('/api/v1/sla/report?from=2026-12-01T00:00:00Z&to=2026-11-01T00:00:00Z'), 400, 'from');
    assertProblem(await api.get('/api/v1/sla/report?since=yesterday'), 400, 'since');
  });
});
