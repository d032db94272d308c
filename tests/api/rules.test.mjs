// The rules engine through the API (docs/api-rules.md): rules as data (CRUD,
// versions, order, validation with positions), every trigger (created,
// updated, commented, status changed, SLA warning, time) and every action,
// stop_processing and the loop guard, round robin / least open / skill match
// with unavailable agents skipped, rule.fired events in the timeline, a dry
// run that writes nothing, and who may do what.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { client, assertProblem, tag } from './client.mjs';
import { T, DEMO_PASSWORD, transition, events, getTicket, userId, withoutDemoRules } from './tickets_lib.mjs';
import { notifyRig, staff, until } from './notify_lib.mjs';

const R = '/api/v1/rules';
const sleep = (n) => new Promise((r) => setTimeout(r, n));

describe('rules engine', { timeout: 240000 }, () => {
  let rig, api, agents, group;
  const made = [];

  before(async () => {
    rig = await notifyRig({ demo: true, env: { TEND_JOBS_EVERY_MS: '250' } });
    api = rig.admin;
    await withoutDemoRules(api); // the demo's routing would route the tickets below too
    // the demo SLA policies would warn at their own pace: none here unless a test adds one
    for (const p of (await api.get('/api/v1/sla-policies')).body.items) {
      assert.equal((await api.del(`/api/v1/sla-policies/${p.id}`)).status, 204);
    }
    agents = [];
    for (const n of ['甲', '乙', '丙']) agents.push(await staff(rig.server, api, `Agent ${n}`, 'rr'));
    const g = await api.post('/api/v1/groups', { name: tag('rules desk'), members: agents.map((a) => a.id),
      lead_id: agents[2].id });
    assert.equal(g.status, 201, g.text);
    group = g.body;
  });
  after(async () => {
    await rig?.server?.close();
    await rig?.rx?.close();
    await rig?.sink?.close();
  });

  /** Create a rule (201) that only matches tickets whose subject has `mark`. */
  async function rule(mark, body) {
    const r = await api.post(R, { name: tag('rule'), triggers: ['ticket.created'], ...body,
      condition: body.condition ? `subject contains '${mark}' and (${body.condition})` : `subject contains '${mark}'` });
    assert.equal(r.status, 201, r.text);
    made.push(r.body.id);
    return r.body;
  }
  const newTicket = async (body) => {
    const r = await api.post(T, { subject: tag('t'), ...body });
    assert.equal(r.status, 201, r.text);
    return r.body;
  };
  const fired = async (id) => (await events(api, id)).filter((e) => e.type === 'rule.fired');

  it('creates, reads, lists in order, changes with versions and deletes rules', async () => {
    const a = await api.post(R, { name: tag('first'), triggers: ['ticket.created'], condition: "priority = 'urgent'",
      actions: [{ type: 'add_tags', tags: ['Hot'] }] });
    assert.equal(a.status, 201, a.text);
    assert.equal(a.body.version, 1);
    assert.equal(a.body.active, true);
    assert.equal(a.body.stop_processing, false);
    assert.deepEqual(a.body.actions, [{ type: 'add_tags', tags: ['hot'] }]);
    assert.equal(a.body.fired_count, 0);
    assert.equal(a.body.last_fired_at, null);
    const b = await api.post(R, { name: tag('second'), triggers: ['time'], position: 0 });
    assert.equal(b.status, 201, b.text);
    assert.equal(b.body.condition, '');
    assert.equal((await api.patch(`${R}/${b.body.id}`, { condition: "subject = 'never'" })).status, 200);
    const list = (await api.get(R)).body.items.map((r) => r.id);
    assert.ok(list.indexOf(b.body.id) < list.indexOf(a.body.id), 'position 0 comes first');
    assertProblem(await api.post(R, { name: a.body.name, triggers: ['time'] }), 409, 'name');
    const p = await api.patch(`${R}/${a.body.id}`, { version: 1, active: false, description: '说明' });
    assert.equal(p.status, 200, p.text);
    assert.equal(p.body.version, 2);
    assert.equal(p.body.active, false);
    assert.equal(p.body.condition, "priority = 'urgent'", 'what the PATCH leaves out stays');
    assert.deepEqual(p.body.actions, a.body.actions);
    const stale = await api.patch(`${R}/${a.body.id}`, { version: 1, active: true });
    assertProblem(stale, 409, 'version');
    assert.equal(stale.body.current.version, 2);
    assert.equal((await api.get(`${R}/${a.body.id}`)).body.description, '说明');
    assert.equal((await api.del(`${R}/${a.body.id}`)).status, 204);
    assert.equal((await api.del(`${R}/${b.body.id}`)).status, 204);
    assertProblem(await api.get(`${R}/${a.body.id}`), 404);
    assertProblem(await api.patch(`${R}/${a.body.id}`, { active: true }), 404);
    assertProblem(await api.get(`${R}/abc`), 404);
  });

  it('refuses bad rules naming the field, with the position of a condition error', async () => {
    const cases = [
      [{ triggers: ['time'] }, 'name'],
      [{ name: 'x' }, 'triggers'],
      [{ name: 'x', triggers: ['ticket.deleted'] }, 'triggers[0]'],
      [{ name: 'x', triggers: ['time'], colour: 'red' }, 'colour'],
      [{ name: 'x', triggers: ['time'], actions: [{ type: 'teleport' }] }, 'actions[0].type'],
      [{ name: 'x', triggers: ['time'], actions: [{ type: 'add_tags', tags: ['a'] }, { type: 'assign_group', group_id: 999999 }] },
        'actions[1].group_id'],
      [{ name: 'x', triggers: ['time'], actions: [{ type: 'notify', to: ['everyone'], message: 'hi' }] }, 'actions[0].to[0]'],
      [{ name: 'x', triggers: ['time'], actions: [{ type: 'webhook', webhook_id: 999999 }] }, 'actions[0].webhook_id'],
      [{ name: 'x', triggers: ['time'], actions: [{ type: 'transition', to: 'nowhere' }] }, 'actions[0].to'],
      [{ name: 'x', triggers: ['time'], actions: [{ type: 'set_field', field: 'type', value: 'install' }] }, 'actions[0].field'],
      [{ name: 'x', triggers: ['time'], stop_processing: 'yes' }, 'stop_processing'],
    ];
    for (const [body, field] of cases) assertProblem(await api.post(R, body), 422, field, JSON.stringify(body));
    const r = await api.post(R, { name: 'x', triggers: ['time'], condition: "subject = 'a' and colour = 'red'" });
    const p = assertProblem(r, 422, 'condition');
    assert.match(p.errors[0].message, /unknown field 'colour'/);
    assert.equal(p.errors[0].position, 18);
    const q = assertProblem(await api.post(R, { name: 'x', triggers: ['time'], condition: "subject matches '(a'" }), 422, 'condition');
    assert.match(q.errors[0].message, /bad regular expression/);
    assert.equal(q.errors[0].position, 16);
    assertProblem(await api.patch(`${R}/${(await rule(tag('p'), {})).id}`, { condition: '(group = 1' }), 422, 'condition');
  });

  it('validates a condition and actions without saving', async () => {
    const ok = await api.post(`${R}/validate`, { condition: "group = '" + group.name + "' and tags contains_any ('vip', '重要')",
      actions: [{ type: 'escalate' }] });
    assert.equal(ok.status, 200, ok.text);
    assert.deepEqual(ok.body, { ok: true });
    const bad = assertProblem(await api.post(`${R}/validate`, { condition: 'priority >' }), 422, 'condition');
    assert.equal(bad.errors[0].position, 10);
    const g = assertProblem(await api.post(`${R}/validate`, { condition: "group = 'No such group'" }), 422, 'condition');
    assert.match(g.errors[0].message, /no group named/);
    assertProblem(await api.post(`${R}/validate`, { condition: '', actions: [{ type: 'set_priority' }] }), 422,
      'actions[0].value');
    assertProblem(await api.post(`${R}/validate`, {}), 422, 'condition');
  });

  it('a rule whose group was renamed can still be switched off, and not on again until fixed', async () => {
    const g = await api.post('/api/v1/groups', { name: tag('renamed desk') });
    assert.equal(g.status, 201, g.text);
    const r = await api.post(R, { name: tag('by group name'), triggers: ['ticket.updated'],
      condition: `group = '${g.body.name}'`, actions: [{ type: 'add_tags', tags: ['desk'] }] });
    assert.equal(r.status, 201, r.text);
    made.push(r.body.id);
    const renamed = await api.patch(`/api/v1/groups/${g.body.id}`, { name: `${g.body.name} (old)` });
    assert.equal(renamed.status, 200, renamed.text);

    const off = await api.patch(`${R}/${r.body.id}`, { active: false, version: r.body.version });
    assert.equal(off.status, 200, off.text);
    assert.equal(off.body.active, false);
    const on = await api.patch(`${R}/${r.body.id}`, { active: true, version: off.body.version });
    assertProblem(on, 422, 'condition');
    const fixed = await api.patch(`${R}/${r.body.id}`, { active: true, version: off.body.version,
      condition: `group = '${g.body.name} (old)'` });
    assert.equal(fixed.status, 200, fixed.text);
    assert.equal(fixed.body.active, true);
  });

  it('reorders every rule and refuses partial or repeated lists', async () => {
    const all = (await api.get(R)).body.items.map((r) => r.id);
    const reversed = [...all].reverse();
    const r = await api.post(`${R}/reorder`, { ids: reversed });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.body.items.map((x) => x.id), reversed);
    assert.deepEqual(r.body.items.map((x) => x.position), reversed.map((_, i) => i + 1));
    assertProblem(await api.post(`${R}/reorder`, { ids: reversed.slice(1) }), 422, 'ids');
    assertProblem(await api.post(`${R}/reorder`, { ids: [reversed[0], ...reversed.slice(0, -1)] }), 422, 'ids[1]');
    assertProblem(await api.post(`${R}/reorder`, { ids: [...reversed.slice(1), 999999] }), 422);
    assert.equal((await api.post(`${R}/reorder`, { ids: all })).status, 200);
  });

  it('offers the builder its fields, operators, values, triggers and actions', async () => {
    const f = await api.get(`${R}/fields`);
    assert.equal(f.status, 200, f.text);
    const by = Object.fromEntries(f.body.fields.map((x) => [x.name, x]));
    assert.deepEqual(by.priority.values, ['low', 'normal', 'high', 'urgent']);
    assert.ok(by.priority.ops.includes('>='));
    assert.ok(!by.subject.ops.includes('<'));
    assert.ok(by.group.values.some((g) => g.id === group.id && g.name === group.name));
    assert.ok(by['custom.site_access'], 'custom fields appear');
    assert.ok(f.body.functions.some((x) => x.name === 'within_business_hours' && x.args[0] === 'calendar_id'));
    assert.deepEqual(f.body.triggers, ['ticket.created', 'ticket.updated', 'ticket.commented', 'ticket.status_changed',
      'sla.warning', 'sla.breached', 'time']);
    assert.equal(f.body.actions.length, 11);
  });

  it('fires on creation, records what it changed, counts, and stops the pass when told', async () => {
    const m = tag('refund');
    const first = await rule(m, { condition: "description contains_any ('退款', 'refund')",
      actions: [{ type: 'set_priority', value: 'high' }, { type: 'add_tags', tags: ['refund'] },
        { type: 'assign_group', group_id: group.id }] });
    const second = await rule(m, { condition: "priority = 'high'", stop_processing: true,
      actions: [{ type: 'add_tags', tags: ['seen-high'] }] });
    const third = await rule(m, { actions: [{ type: 'set_priority', value: 'low' }] });
    const t = await newTicket({ subject: `${m} duplicate charge`, description: '请退款' });
    assert.equal(t.priority, 'high');
    assert.equal(t.group_id, group.id);
    assert.deepEqual(t.tags, ['refund', 'seen-high'], 'the second rule saw the first one\'s priority');
    assert.equal(t.version, 1, 'a new ticket is version 1 whatever rules did');
    const f = await fired(t.id);
    assert.deepEqual(f.map((e) => e.data.rule_id), [first.id, second.id], 'the third never ran: stop_processing');
    assert.equal(f[0].actor, `rule:${first.name}`);
    assert.equal(f[0].data.trigger, 'ticket.created');
    assert.deepEqual(f[0].data.changes.priority, { from: 'normal', to: 'high' });
    assert.deepEqual(f[0].data.changes.group_id, { from: null, to: group.id });
    const upd = (await events(api, t.id)).find((e) => e.type === 'ticket.updated');
    assert.equal(upd.actor, 'rules', 'two rules changed it');
    const again = (await api.get(`${R}/${first.id}`)).body;
    assert.equal(again.fired_count, 1);
    assert.ok(again.last_fired_at);
    assert.equal((await api.get(`${R}/${third.id}`)).body.fired_count, 0);
    const other = await newTicket({ subject: 'nothing to see', description: 'refund' });
    assert.equal((await fired(other.id)).length, 0, 'the condition ties it to its mark');
  });

  it('fires on updates, comments and status changes; a rule\'s own change starts no new pass', async () => {
    const m = tag('upd');
    const onUpdate = await rule(m, { triggers: ['ticket.updated'], condition: "priority >= 'high'",
      actions: [{ type: 'escalate' }] });
    const onComment = await rule(m, { triggers: ['ticket.commented'], actions: [{ type: 'add_tags', tags: ['replied'] }] });
    const onStatus = await rule(m, { triggers: ['ticket.status_changed'], condition: "status = 'in_progress'",
      actions: [{ type: 'add_tags', tags: ['working'] }] });
    const t = await newTicket({ subject: `${m} loop`, group_id: group.id });
    assert.equal((await fired(t.id)).length, 0, 'created is not among their triggers');
    const u = await api.patch(`${T}/${t.id}`, { version: 1, priority: 'high' });
    assert.equal(u.status, 200, u.text);
    assert.equal(u.body.priority, 'urgent', 'escalated one step');
    let f = await fired(t.id);
    assert.deepEqual(f.map((e) => e.data.rule_id), [onUpdate.id], 'escalation fired once: its own change did not re-trigger it');
    const notes = (await events(api, t.id)).filter((e) => e.type === 'rule.notify');
    assert.equal(notes.length, 1);
    assert.deepEqual(notes[0].data.notify_user_ids, [agents[2].id], 'escalate tells the group lead');
    await until(async () => (await agents[2].c.get('/api/v1/notifications?limit=100')).body.items
      .some((n) => n.entity_id === t.id && n.kind === 'rule.notify'), 10000, 'the lead\'s notification');
    const c = await api.post(`${T}/${t.id}/comments`, { body: 'on it' });
    assert.equal(c.status, 201, c.text);
    assert.ok((await getTicket(api, t.id)).tags.includes('replied'));
    await transition(api, t.id, 'in_progress');
    const after = await getTicket(api, t.id);
    assert.ok(after.tags.includes('working'));
    f = await fired(t.id);
    assert.deepEqual(f.map((e) => e.data.rule_id), [onUpdate.id, onComment.id, onStatus.id]);
    assert.equal(f[2].data.trigger, 'ticket.status_changed');
  });

  it('runs every action: fields, tags, agents, skills, notify, webhook, transition', async () => {
    const m = tag('act');
    const hook = await api.post('/api/v1/webhooks', { name: tag('rules hook'), url: rig.rx.url, event_types: ['sla.breached'] });
    assert.equal(hook.status, 201, hook.text);
    const cat = (await api.get('/api/v1/categories')).body.items.find((x) => x.kind === 'category');
    await rule(m, { actions: [
      { type: 'set_field', field: 'category', value: cat.id },
      { type: 'set_field', field: 'custom.site_access', value: 'permit' },
      { type: 'add_tags', tags: ['a', 'b'] }, { type: 'remove_tags', tags: ['a'] },
      { type: 'assign_agent', user_id: agents[1].id },
      { type: 'set_required_skills', skills: ['HVAC', 'electrical'] },
      { type: 'notify', to: ['assignee', agents[0].id], message: '请尽快处理 {{x}}' },
      { type: 'webhook', webhook_id: hook.body.id },
      { type: 'transition', to: 'assigned' },
    ] });
    const t = await newTicket({ subject: `${m} all`, tags: ['keep'] });
    assert.equal(t.category_id, cat.id);
    assert.equal(t.custom.site_access, 'permit');
    assert.deepEqual(t.tags, ['keep', 'b']);
    assert.equal(t.assignee_id, agents[1].id);
    assert.deepEqual(t.required_skills, ['hvac', 'electrical']);
    assert.equal(t.status, 'assigned', 'moved along its workflow');
    const notify = (await events(api, t.id)).find((e) => e.type === 'rule.notify');
    assert.deepEqual(notify.data.notify_user_ids.sort(), [agents[0].id, agents[1].id].sort());
    assert.equal(notify.data.message, '请尽快处理 {{x}}');
    for (const who of [agents[0], agents[1]]) {
      await until(async () => (await who.c.get('/api/v1/notifications?limit=100')).body.items
        .some((n) => n.entity_id === t.id && n.kind === 'rule.notify'), 10000, `${who.username}'s notification`);
    }
    const got = await rig.rx.waitFor((rs) => rs.some((x) => x.body.includes(`"type":"rule.webhook"`)
      && JSON.parse(x.body).entity_id === t.id), 10000, 'the rule\'s webhook');
    const body = JSON.parse(got.find((x) => x.body.includes('"type":"rule.webhook"') && JSON.parse(x.body).entity_id === t.id).body);
    assert.equal(body.data.webhook_id, hook.body.id);
    assert.equal(body.data.ticket.assignee_id, agents[1].id);
    // a transition the workflow lacks is refused without failing the creation
    const m2 = tag('bad');
    await rule(m2, { actions: [{ type: 'transition', to: 'closed' }, { type: 'add_tags', tags: ['x'] }] });
    const t2 = await newTicket({ subject: `${m2} stays new` });
    assert.equal(t2.status, 'new');
    assert.deepEqual(t2.tags, []);
    const failed = (await events(api, t2.id)).find((e) => e.type === 'rule.failed');
    assert.ok(failed, 'rule.failed says why');
    assert.match(failed.data.message, /closed/);
  });

  it('assigns by round robin, least open and skill match, skipping unavailable agents', async () => {
    const [a, b, c] = agents;
    // round robin: a, b, c, a... with b away: a, c, a
    assert.equal((await api.patch(`/api/v1/users/${b.id}`, { available: false })).status, 200);
    const u = (await api.get(`/api/v1/users/${b.id}`)).body;
    assert.equal(u.available, false);
    const m = tag('rr');
    await rule(m, { actions: [{ type: 'assign_group', group_id: group.id, strategy: 'round_robin' }] });
    const got = [];
    for (let i = 0; i < 3; i++) got.push((await newTicket({ subject: `${m} ${i}` })).assignee_id);
    const start = got[0] === a.id ? 0 : 1;
    const ring = [a.id, c.id];
    assert.deepEqual(got, [ring[start], ring[(start + 1) % 2], ring[start]], JSON.stringify(got));
    // least open: the one with the fewest open tickets
    const m2 = tag('lo');
    await rule(m2, { actions: [{ type: 'assign_group', group_id: group.id, strategy: 'least_open' }] });
    const counts = {};
    for (const x of [a, c]) counts[x.id] = (await api.get(`${T}/counts?assignee_id=${x.id}`)).body;
    const open = (cnt) => ['new', 'open', 'pending'].reduce((s, k) => s + (cnt.by_category?.[k] || 0), 0);
    const expect = open(counts[a.id]) < open(counts[c.id]) || (open(counts[a.id]) === open(counts[c.id]) && a.id < c.id) ? a.id : c.id;
    assert.equal((await newTicket({ subject: `${m2} one` })).assignee_id, expect);
    // skill match: only members with every required skill; none: left empty, and said so
    await api.patch(`/api/v1/users/${a.id}`, { skills: ['hvac'] });
    await api.patch(`/api/v1/users/${b.id}`, { skills: ['hvac', 'electrical'] });
    await api.patch(`/api/v1/users/${c.id}`, { skills: ['Electrical', 'HVAC', 'medical'] });
    const m3 = tag('sk');
    await rule(m3, { actions: [{ type: 'assign_group', group_id: group.id, strategy: 'skill_match' }] });
    const s1 = await newTicket({ subject: `${m3} both`, required_skills: ['hvac', 'electrical'] });
    assert.equal(s1.assignee_id, c.id, 'b has the skills but is away');
    const s2 = await newTicket({ subject: `${m3} none`, required_skills: ['nuclear'] });
    assert.equal(s2.assignee_id, null);
    const note = (await fired(s2.id))[0].data.notes.join(' ');
    assert.match(note, /no available member .* has skills \["nuclear"\]/);
    // categories carry required skills to the tickets in them
    const cat = await api.post('/api/v1/categories', { kind: 'category', name: tag('skilled'), skills: ['Medical'] });
    assert.equal(cat.status, 201, cat.text);
    assert.deepEqual(cat.body.skills, ['medical']);
    const s3 = await newTicket({ subject: `${m3} by category`, category_id: cat.body.id });
    assert.deepEqual(s3.required_skills, ['medical']);
    assert.equal(s3.assignee_id, c.id);
    assert.equal((await api.patch(`/api/v1/users/${b.id}`, { available: true })).status, 200);
    assertProblem(await api.patch(`/api/v1/users/${b.id}`, { available: 'no' }), 422, 'available');
  });

  it('raises sla.warning rules when the SLA engine warns', async () => {
    const m = tag('slaw');
    const p = await api.post('/api/v1/sla-policies', { name: tag('fast'), calendar_id: 1,
      conditions: { channel: ['iot'] }, targets: { first_response: 1 }, warning_percent: 1 });
    assert.equal(p.status, 201, p.text);
    try {
      await rule(m, { triggers: ['sla.warning'], actions: [{ type: 'add_tags', tags: ['sla-warned'] }] });
      const t = await newTicket({ subject: `${m} device alarm`, channel: 'iot' });
      await until(async () => (await getTicket(api, t.id)).tags.includes('sla-warned'), 15000, 'the warning rule');
      const f = await fired(t.id);
      assert.equal(f.length, 1);
      assert.equal(f[0].data.trigger, 'sla.warning');
    } finally {
      assert.equal((await api.del(`/api/v1/sla-policies/${p.body.id}`)).status, 204);
    }
  });

  it('fires time rules once per ticket per status entry, however often the sweep runs', async () => {
    const m = tag('time');
    const r = await rule(m, { triggers: ['time'], condition: 'hours_in_status >= 0 and age_hours < 1',
      actions: [{ type: 'add_tags', tags: ['reminded'] }] });
    const t = await newTicket({ subject: `${m} waiting` });
    await until(async () => (await fired(t.id)).length > 0, 15000, 'the time rule');
    await sleep(1500); // several more sweeps
    assert.equal((await fired(t.id)).length, 1, 'once for this stay in the status');
    assert.ok((await getTicket(api, t.id)).tags.includes('reminded'));
    await transition(api, t.id, 'assigned', { assignee_id: agents[0].id });
    await until(async () => (await fired(t.id)).length > 1, 15000, 'again after a new status entry');
    await sleep(1000);
    assert.equal((await fired(t.id)).length, 2);
    assert.equal((await api.get(`${R}/${r.id}`)).body.fired_count, 2);
    const jobs = (await api.get('/api/v1/admin/jobs')).body.items.find((j) => j.name === 'rules.sweep');
    assert.ok(jobs && jobs.runs.every((x) => x.outcome === 'ok'), JSON.stringify(jobs));
  });

  it('dry-runs saved or unsaved rules on a stored or sample ticket, writing nothing', async () => {
    const m = tag('dry');
    const t = await newTicket({ subject: `${m} stored` }); // before the rule: nothing fired on it
    const saved = await rule(m, { actions: [{ type: 'assign_group', group_id: group.id, strategy: 'round_robin' },
      { type: 'set_priority', value: 'urgent' }] });
    const rr = (await newTicket({ subject: `${m} turn` })).assignee_id; // takes a turn for real
    const before = { ev: (await events(api, t.id)).length, t: await getTicket(api, t.id),
      count: (await api.get(`${R}/${saved.id}`)).body.fired_count };
    assert.equal(before.count, 1);
    const d = await api.post(`${R}/dry-run`, { ticket_id: t.id });
    assert.equal(d.status, 200, d.text);
    const mine = d.body.trace.find((x) => x.rule_id === saved.id);
    assert.equal(mine.fired, true);
    assert.deepEqual(d.body.changes.priority, { from: before.t.priority, to: 'urgent' });
    assert.equal(d.body.ticket.priority, 'urgent');
    const d2 = await api.post(`${R}/dry-run`, { ticket_id: t.id });
    assert.equal(d2.body.ticket.assignee_id, d.body.ticket.assignee_id, 'the round-robin turn was not taken');
    assert.notEqual(d.body.ticket.assignee_id, rr);
    assert.equal((await events(api, t.id)).length, before.ev, 'no events');
    assert.deepEqual(await getTicket(api, t.id), before.t, 'no change');
    assert.equal((await api.get(`${R}/${saved.id}`)).body.fired_count, before.count, 'not counted');
    // a sample ticket and unsaved rules, even inactive ones
    const s = await api.post(`${R}/dry-run`, { trigger: 'ticket.created', ticket: { subject: '我要退款', priority: 'low',
      tags: ['VIP'] }, rules: [
      { name: 'refund', active: false, triggers: ['ticket.created'], condition: "subject contains_any ('refund', '退款')",
        actions: [{ type: 'escalate' }], stop_processing: true },
      { name: 'never', triggers: ['ticket.created'], actions: [{ type: 'add_tags', tags: ['no'] }] },
    ] });
    assert.equal(s.status, 200, s.text);
    assert.deepEqual(s.body.trace.map((x) => [x.rule_id, x.name, x.matched, x.fired, x.stopped]),
      [[null, 'refund', true, true, true], [null, 'never', false, false, false]]);
    assert.equal(s.body.ticket.priority, 'normal');
    assert.deepEqual(s.body.ticket.tags, ['vip']);
    assertProblem(await api.post(`${R}/dry-run`, { ticket: { subject: 'x' }, rules: [{ name: 'b', triggers: ['time'],
      condition: 'nope = 1' }] }), 422, 'rules[0].condition');
    assertProblem(await api.post(`${R}/dry-run`, { ticket_id: 99999999 }), 422, 'ticket_id');
    assertProblem(await api.post(`${R}/dry-run`, {}), 422, 'ticket_id');
    assertProblem(await api.post(`${R}/dry-run`, { ticket: { subject: 'x', priority: 'asap' } }), 422, 'ticket.priority');
    assertProblem(await api.post(`${R}/dry-run`, { ticket: { colour: 1 } }), 422, 'ticket.colour');
    assertProblem(await api.post(`${R}/dry-run`, { ticket: {}, trigger: 'ticket.deleted' }), 422, 'trigger');
  });

  it('lets managers manage, dispatchers read, and nobody else near rules', async () => {
    const manager = await client(rig.server.url).login('manager', DEMO_PASSWORD);
    const dispatcher = await client(rig.server.url).login('dispatcher', DEMO_PASSWORD);
    const agent = await client(rig.server.url).login('agent', DEMO_PASSWORD);
    const m = await manager.post(R, { name: tag('by manager'), triggers: ['time'] });
    assert.equal(m.status, 201, m.text);
    made.push(m.body.id);
    assert.equal((await dispatcher.get(R)).status, 200);
    assert.equal((await dispatcher.post(`${R}/dry-run`, { ticket: { subject: 'x' } })).status, 200);
    assertProblem(await dispatcher.post(R, { name: tag('no'), triggers: ['time'] }), 403);
    assertProblem(await dispatcher.patch(`${R}/${m.body.id}`, { active: false }), 403);
    assertProblem(await agent.get(R), 403);
    assertProblem(await agent.post(`${R}/validate`, { condition: '' }), 403);
    assert.equal((await client(rig.server.url).get(R)).status, 401);
    const uid = await userId(api, 'manager');
    assert.ok(uid > 0);
  });
});
