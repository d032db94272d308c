// Ticket fields beyond the basics (docs/api-tickets.md "The ticket", "Custom
// fields"): every custom field type valid and invalid on create and update
// (errors name custom.<key>), required fields, ticket_types scoping, defaults,
// null clearing; tags normalised and limited; watchers; category and fault
// code of the right kind; the channel each caller gets by default.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../lib/server.mjs';
import { client, assertProblem, tag } from './client.mjs';
import { T, demoSessions, userId, addField, addCategory, getTicket, assertProblemLike } from './tickets_lib.mjs';

describe('ticket fields', { timeout: 60000 }, () => {
  let server, admin, s, ids, cat, fault, sub;
  const MARK = tag('fld');
  // field keys of this suite (one per type), made in before()
  const F = {
    serial: 'our_serial', notes: 'site_notes', pages: 'pages', cost: 'repair_cost', installed: 'install_date',
    visit: 'visit_at', severity: 'severity', parts: 'parts', warranty: 'under_warranty', tech: 'technician',
    asset: 'asset_ref', rmaNo: 'rma_no', rmaReason: 'rma_reason',
  };
  before(async () => {
    server = await startServer({ demo: true });
    admin = client(server.url, { token: server.token });
    s = await demoSessions(server, ['agent', 'customer', 'engineer']);
    ids = {};
    for (const u of ['admin', 'agent', 'engineer', 'customer', 'manager', 'finance']) ids[u] = await userId(admin, u);
    await addField(admin, { key: F.serial, label: 'Serial number', type: 'text', pattern: '^[A-Z0-9-]+$' });
    await addField(admin, { key: F.notes, label: 'Site notes', type: 'long_text' });
    await addField(admin, { key: F.pages, label: 'Page count', type: 'number', min: 0, max: 1000000 });
    await addField(admin, { key: F.cost, label: 'Repair cost', type: 'money', min: 0, max: 10000000, currency: 'CNY' });
    await addField(admin, { key: F.installed, label: 'Installed on', type: 'date' });
    await addField(admin, { key: F.visit, label: 'Visit at', type: 'datetime' });
    await addField(admin, { key: F.severity, label: 'Severity', type: 'select', options: ['minor', 'major', 'critical'],
      default: 'minor' });
    await addField(admin, { key: F.parts, label: 'Parts', type: 'multi_select', options: ['roller', 'fuser', 'board'] });
    await addField(admin, { key: F.warranty, label: 'Under warranty', type: 'checkbox', default: false });
    await addField(admin, { key: F.tech, label: 'Technician', type: 'user' });
    await addField(admin, { key: F.asset, label: 'Asset', type: 'asset' });
    // only for returns, and required there
    await addField(admin, { key: F.rmaNo, label: 'RMA number', type: 'text', ticket_types: ['rma'], required: true });
    await addField(admin, { key: F.rmaReason, label: 'Reason', type: 'select', ticket_types: ['rma'], required: true,
      options: ['doa', 'defect'], default: 'defect' });
    cat = await addCategory(admin, { kind: 'category', name: 'Printers' });
    sub = await addCategory(admin, { kind: 'category', name: 'Laser printers', parent_id: cat.id });
    fault = await addCategory(admin, { kind: 'fault_code', name: 'Paper jam', code: 'PJ' });
  });
  after(async () => { await server?.close(); });

  // the defaults of this suite's fields plus those of the demo's own fields (GET
  // /custom-fields: active, with a default, for every type or for repairs)
  let demoDefaults = {};
  const DEFAULTS = () => ({ ...demoDefaults, [F.severity]: 'minor', [F.warranty]: false });
  before(async () => {
    const r = await admin.get('/api/v1/custom-fields');
    assert.equal(r.status, 200, r.text.slice(0, 300));
    for (const f of r.body.items) {
      if (Object.values(F).includes(f.key) || !f.active || f.default === null || f.default === undefined) continue;
      if (f.ticket_types.length === 0 || f.ticket_types.includes('repair')) demoDefaults[f.key] = f.default;
    }
  });

  describe('custom fields', () => {
    it('every type accepts a valid value on create and reads it back (datetime in UTC)', async () => {
      const custom = {
        [F.serial]: 'MFP4200-0099', [F.notes]: '第三层打印室\n钥匙在前台', [F.pages]: 120000.5, [F.cost]: 35000,
        [F.installed]: '2024-02-29', [F.visit]: '2026-11-24T09:30:00+08:00', [F.severity]: 'major',
        [F.parts]: ['roller', 'fuser'], [F.warranty]: true, [F.tech]: ids.engineer, [F.asset]: 77,
      };
      const t = await admin.create({ subject: `${MARK} every type`, custom });
      assert.deepEqual(t.custom, { ...demoDefaults, ...custom, [F.visit]: '2026-11-24T01:30:00.000Z' });
      assert.deepEqual((await getTicket(admin, t.id)).custom, t.custom);
    });

    it('defaults are applied on create when the field is absent, never over a given value', async () => {
      const t = await admin.create({ subject: `${MARK} defaults` });
      assert.deepEqual(t.custom, DEFAULTS());
      const u = await admin.create({ subject: `${MARK} no defaults`, custom: { [F.severity]: 'critical', [F.warranty]: true } });
      assert.deepEqual(u.custom, { ...demoDefaults, [F.severity]: 'critical', [F.warranty]: true });
    });

    const invalid = [
      [F.serial, 'lower-case'], [F.serial, 42], [F.serial, 'A'.repeat(501)], [F.serial, ''],
      [F.notes, 'x'.repeat(65537)], [F.notes, ['a']],
      [F.pages, -1], [F.pages, 1000001], [F.pages, '12'], [F.pages, true],
      [F.cost, 1.5], [F.cost, -1], [F.cost, '100'], [F.cost, 10000001],
      [F.installed, '2026-02-30'], [F.installed, '2026-13-01'], [F.installed, '23/11/2026'], [F.installed, 20261123],
      [F.installed, '2026-11-23T10:00:00Z'],
      [F.visit, '2026-11-24 09:30'], [F.visit, '2026-11-24'], [F.visit, 'tomorrow'], [F.visit, '2026-11-31T09:00:00Z'],
      [F.severity, 'Major'], [F.severity, 'blocker'], [F.severity, ['major']],
      [F.parts, ['roller', 'roller']], [F.parts, ['toner']], [F.parts, 'roller'], [F.parts, [1]],
      [F.warranty, 'true'], [F.warranty, 1],
      [F.tech, 987654], [F.tech, 'engineer'], [F.tech, 1.5],
      [F.asset, 0], [F.asset, -3], [F.asset, 'A-77'], [F.asset, 2.5],
    ];
    for (const [k, v] of invalid) {
      const shown = JSON.stringify(v).slice(0, 30);
      it(`custom.${k} = ${shown} is 422 naming custom.${k}, on create and on update`, async () => {
        assertProblem(await admin.post(T, { subject: `${MARK} bad ${k}`, custom: { [k]: v } }), 422, `custom.${k}`,
          'create');
        const t = await admin.create({ subject: `${MARK} target ${k}` });
        assertProblem(await admin.patch(`${T}/${t.id}`, { version: 1, custom: { [k]: v } }), 422, `custom.${k}`,
          'update');
        const g = await getTicket(admin, t.id);
        assert.equal(g.version, 1);
        assert.deepEqual(g.custom, DEFAULTS());
      });
    }

    it('unknown keys and a non-object custom are 422', async () => {
      assertProblem(await admin.post(T, { subject: `${MARK} unknown`, custom: { colour: 'red' } }), 422, 'custom.colour');
      assertProblem(await admin.post(T, { subject: `${MARK} array`, custom: ['a'] }), 422, 'custom');
      assertProblem(await admin.post(T, { subject: `${MARK} string`, custom: 'x' }), 422, 'custom');
    });

    it('every bad value is reported, each under its own key', async () => {
      const p = assertProblem(await admin.post(T, { subject: `${MARK} two bad`,
        custom: { [F.pages]: -5, [F.severity]: 'nope' } }), 422);
      const fields = p.errors.map((e) => e.field);
      assert.ok(fields.includes(`custom.${F.pages}`) && fields.includes(`custom.${F.severity}`), fields.join());
    });

    it('required fields: missing on create is 422 for the type that needs them (after defaults)', async () => {
      const p = assertProblem(await admin.post(T, { subject: `${MARK} rma without number`, type: 'rma' }), 422,
        `custom.${F.rmaNo}`);
      assert.ok(!p.errors.some((e) => e.field === `custom.${F.rmaReason}`), 'a required field with a default is satisfied');
      const t = await admin.create({ subject: `${MARK} rma`, type: 'rma', custom: { [F.rmaNo]: 'RMA-1' } });
      assert.deepEqual(t.custom, { ...DEFAULTS(), [F.rmaNo]: 'RMA-1', [F.rmaReason]: 'defect' });
      assertProblem(await admin.patch(`${T}/${t.id}`, { version: 1, custom: { [F.rmaNo]: null } }), 422,
        `custom.${F.rmaNo}`, 'a required field cannot be cleared');
      assertProblem(await admin.patch(`${T}/${t.id}`, { version: 1, custom: { [F.rmaNo]: '' } }), 422,
        `custom.${F.rmaNo}`, 'nor emptied');
      assert.equal((await getTicket(admin, t.id)).custom[F.rmaNo], 'RMA-1');
    });

    it('ticket_types scoping: a return-only field is not required on repairs and is refused there', async () => {
      const t = await admin.create({ subject: `${MARK} repair` });
      assert.ok(!(F.rmaNo in t.custom) && !(F.rmaReason in t.custom), `no rma defaults on a repair: ${JSON.stringify(t.custom)}`);
      assertProblem(await admin.post(T, { subject: `${MARK} repair with rma no`, custom: { [F.rmaNo]: 'RMA-2' } }), 422,
        `custom.${F.rmaNo}`);
      assertProblem(await admin.patch(`${T}/${t.id}`, { version: 1, custom: { [F.rmaNo]: 'RMA-2' } }), 422,
        `custom.${F.rmaNo}`);
    });

    it('PATCH custom merges into the stored values; null removes an optional value', async () => {
      const t = await admin.create({ subject: `${MARK} merge`,
        custom: { [F.serial]: 'SN-1', [F.pages]: 10, [F.parts]: ['board'] } });
      // assumption: PATCH is a merge patch for custom too, so keys not sent are kept
      const u = await admin.update(t.id, { version: 1, custom: { [F.pages]: 11 } });
      assert.deepEqual(u.custom, { ...DEFAULTS(), [F.serial]: 'SN-1', [F.pages]: 11, [F.parts]: ['board'] });
      const v = await admin.update(t.id, { version: 2, custom: { [F.serial]: null, [F.parts]: null } });
      // "null removes an optional value": the key is gone (or, at most, null)
      for (const k of [F.serial, F.parts]) assert.ok(v.custom[k] === undefined || v.custom[k] === null, `${k} removed`);
      assert.equal(v.custom[F.pages], 11);
      const ev = (await (await admin.get(`${T}/${t.id}/events`)).body.items).filter((e) => e.type === 'ticket.updated');
      assert.ok(JSON.stringify(ev.at(-1).data).includes('SN-1'), `the change is in the timeline: ${JSON.stringify(ev.at(-1))}`);
    });
  });

  describe('tags', () => {
    it('stored trimmed and lower-cased', async () => {
      const t = await admin.create({ subject: `${MARK} tags`, tags: ['  Jam ', 'TRAY-2', '卡纸'] });
      assert.deepEqual([...t.tags].sort(), ['jam', 'tray-2', '卡纸'].sort());
      const u = await admin.update(t.id, { version: 1, tags: ['Fuser'] });
      assert.deepEqual(u.tags, ['fuser'], 'PATCH tags replaces the list');
      const r = await admin.get(`${T}?tag=fuser&limit=200`);
      assert.ok(r.body.items.some((x) => x.id === t.id), 'the normalised tag is filterable');
    });

    it('20 tags of 40 characters are fine; more, longer, empty, commas, repeats and non-strings are 422', async () => {
      const twenty = Array.from({ length: 20 }, (_, i) => `t${String(i).padStart(2, '0')}${'x'.repeat(37)}`);
      assert.equal(twenty[0].length, 40);
      const t = await admin.create({ subject: `${MARK} twenty`, tags: twenty });
      assert.equal(t.tags.length, 20);
      const bad = [
        [...twenty, 'one-more'], ['x'.repeat(41)], [''], ['   '], ['a,b'], [5], [null], 'jam', { a: 1 },
      ];
      // the error names tags or the offending element, tags[i]
      for (const tags of bad) {
        assertProblemLike(await admin.post(T, { subject: `${MARK} bad tags`, tags }), 422, /^tags(\[\d+\])?$/,
          JSON.stringify(tags).slice(0, 60));
        assertProblemLike(await admin.patch(`${T}/${t.id}`, { version: 1, tags }), 422, /^tags(\[\d+\])?$/);
      }
      assert.equal((await getTicket(admin, t.id)).version, 1);
    });

    it('repeated tags, also ones that differ only in case or spaces, are one tag', async () => {
      // the contract asks for distinct tags and stores them normalised: either
      // they collapse to one or the list is refused, never two equal tags
      for (const tags of [['dup', 'dup'], ['Jam', ' jam']]) {
        const r = await admin.post(T, { subject: `${MARK} dup tags`, tags });
        if (r.status === 201) assert.deepEqual(r.body.tags, [tags[0].trim().toLowerCase()]);
        else assertProblemLike(r, 422, /^tags(\[\d+\])?$/);
      }
    });
  });

  describe('watchers', () => {
    it('a list of distinct active users; read back in the ticket', async () => {
      const t = await admin.create({ subject: `${MARK} watched`, watchers: [ids.agent, ids.manager] });
      assert.deepEqual([...t.watchers].sort((a, b) => a - b), [ids.agent, ids.manager].sort((a, b) => a - b));
      const u = await admin.update(t.id, { version: 1, watchers: [ids.finance] });
      assert.deepEqual(u.watchers, [ids.finance]);
      const none = await admin.update(t.id, { version: 2, watchers: [] });
      assert.deepEqual(none.watchers, []);
    });

    it('unknown, repeated, disabled, non-integer, or more than 50 watchers are 422', async () => {
      const r = await admin.post('/api/v1/users', { username: `gone${Date.now().toString(36)}`, roles: ['agent'],
        password: 'Tend-watch-Passw0rd!' });
      assert.equal(r.status, 201, r.text);
      assert.equal((await admin.patch(`/api/v1/users/${r.body.id}`, { disabled: true })).status, 200);
      const many = Array.from({ length: 51 }, (_, i) => i + 1);
      for (const watchers of [[987654], [ids.agent, ids.agent], [r.body.id], [1.5], ['agent'], many, ids.agent]) {
        assertProblemLike(await admin.post(T, { subject: `${MARK} bad watchers`, watchers }), 422, /^watchers(\[\d+\])?$/,
          JSON.stringify(watchers).slice(0, 40));
      }
    });

    it('a customer may not set watchers (422 or ignored) and sees no other user among them', async () => {
      const r = await s.customer.post(T, { subject: `${MARK} customer watchers`, watchers: [ids.agent] });
      if (r.status === 201) assert.deepEqual(r.body.watchers, [], 'the watchers are not set');
      else assertProblemLike(r, 422, /^watchers(\[\d+\])?$/);
      const t = await admin.create({ subject: `${MARK} watched org 1`, organisation_id: 1,
        watchers: [ids.agent, ids.customer] });
      const g = await s.customer.get(`${T}/${t.id}`);
      assert.equal(g.status, 200, g.text);
      assert.ok(!(g.body.watchers || []).includes(ids.agent), `the agent is hidden: ${JSON.stringify(g.body.watchers)}`);
      const list = await s.customer.get(`${T}?watcher_id=me`);
      assert.equal(list.status, 200, list.text);
      assert.ok(list.body.items.some((x) => x.id === t.id), 'the customer finds what they watch');
      assert.ok(list.body.items.every((x) => !(x.watchers || []).includes(ids.agent)), 'not in the list either');
    });
  });

  describe('category and fault code', () => {
    it('each must be of its own kind, active and existing', async () => {
      const t = await admin.create({ subject: `${MARK} categorised`, category_id: sub.id, fault_code_id: fault.id });
      assert.equal(t.category_id, sub.id);
      assert.equal(t.fault_code_id, fault.id);
      assertProblem(await admin.post(T, { subject: `${MARK} x`, category_id: fault.id }), 422, 'category_id');
      assertProblem(await admin.post(T, { subject: `${MARK} x`, fault_code_id: cat.id }), 422, 'fault_code_id');
      assertProblem(await admin.post(T, { subject: `${MARK} x`, category_id: 987654 }), 422, 'category_id');
      assertProblem(await admin.post(T, { subject: `${MARK} x`, fault_code_id: 'PJ' }), 422, 'fault_code_id');
      assertProblem(await admin.patch(`${T}/${t.id}`, { version: 1, category_id: fault.id }), 422, 'category_id');
      const u = await admin.update(t.id, { version: 1, category_id: null, fault_code_id: null });
      assert.equal(u.category_id, null);
      assert.equal(u.fault_code_id, null);
    });
  });

  describe('channel', () => {
    it('defaults: api for an API token, portal for a customer, internal for staff sessions', async () => {
      assert.equal((await admin.create({ subject: `${MARK} by token` })).channel, 'api');
      assert.equal((await s.customer.create({ subject: `${MARK} by customer` })).channel, 'portal');
      assert.equal((await s.agent.create({ subject: `${MARK} by agent` })).channel, 'internal');
    });

    it('a given channel is kept; unknown ones are 422; it is fixed after creation', async () => {
      for (const ch of ['portal', 'email', 'phone', 'wechat', 'api', 'iot', 'internal']) {
        assert.equal((await s.agent.create({ subject: `${MARK} via ${ch}`, channel: ch })).channel, ch);
      }
      assertProblem(await admin.post(T, { subject: `${MARK} fax`, channel: 'fax' }), 422, 'channel');
      assertProblem(await admin.post(T, { subject: `${MARK} upper`, channel: 'PHONE' }), 422, 'channel');
      const t = await admin.create({ subject: `${MARK} fixed channel`, channel: 'phone' });
      assertProblem(await admin.patch(`${T}/${t.id}`, { version: 1, channel: 'email' }), 422, 'channel');
      assert.equal((await getTicket(admin, t.id)).channel, 'phone');
    });
  });

  describe('other fields', () => {
    it('group_id, assignee rules, resolution and description limits', async () => {
      const g = await admin.post('/api/v1/groups', { name: `${MARK} desk`, members: [ids.agent] });
      assert.equal(g.status, 201, g.text);
      const t = await admin.create({ subject: `${MARK} grouped`, group_id: g.body.id });
      assert.equal(t.group_id, g.body.id);
      assertProblem(await admin.post(T, { subject: `${MARK} x`, group_id: 987654 }), 422, 'group_id');
      assertProblem(await admin.post(T, { subject: `${MARK} x`, assignee_id: ids.customer }), 422, 'assignee_id',
        'a customer as assignee');
      assertProblem(await admin.post(T, { subject: `${MARK} x`, description: 'x'.repeat(65537) }), 422, 'description');
      assert.equal((await admin.create({ subject: `${MARK} long`, description: '字'.repeat(21845) })).description.length,
        21845, '65535 bytes of CJK are fine');
      assertProblem(await admin.post(T, { subject: `${MARK} x`, description: '字'.repeat(21846) }), 422, 'description',
        '65538 bytes of CJK');
      assertProblem(await admin.patch(`${T}/${t.id}`, { version: 1, resolution_code: 'x'.repeat(65) }), 422,
        'resolution_code');
      assertProblem(await admin.patch(`${T}/${t.id}`, { version: 1, resolution: 'x'.repeat(65537) }), 422, 'resolution');
      for (const f of ['status_category', 'merged_into_id', 'created_at', 'updated_at']) {
        assertProblem(await admin.patch(`${T}/${t.id}`, { version: 1, [f]: null }), 422, f, `read-only ${f}`);
      }
    });

    it('customers may not set assignee_id or group_id (422 or ignored)', async () => {
      for (const [f, v] of [['assignee_id', ids.agent], ['group_id', 1]]) {
        const r = await s.customer.post(T, { subject: `${MARK} customer sets ${f}`, [f]: v });
        if (r.status === 201) assert.equal(r.body[f], null, `${f} is not set`);
        else assertProblem(r, 422, f);
      }
    });
  });
});
