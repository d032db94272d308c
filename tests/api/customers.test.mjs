// Customers and assets through the API: an organisation with contacts and a
// site, a product, a model and assets with components and meter readings, a
// service contract; the look-ups intake uses, the entitlement decision, the
// 360 views, tickets against an asset, upsert by external id, keyset pages,
// and validation errors that name the field. docs/api-customers.md.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../lib/server.mjs';
import { client, assertProblem, tag } from './client.mjs';

describe('customers and assets', { timeout: 60000 }, () => {
  let server, api;
  const x = {};
  before(async () => {
    server = await startServer();
    api = client(server.url, { token: server.token });
  });
  after(async () => { await server?.close(); });

  const make = async (path, body) => {
    const r = await api.post(path, body);
    assert.equal(r.status, 201, `${path}: ${r.text}`);
    assert.equal(r.headers.get('location'), `${path}/${r.body.id}`);
    return r.body;
  };

  it('creates an organisation with defaults, custom fields and a version', async () => {
    const o = await make('/api/v1/organisations', { name: tag('华东精密制造'), tier: 'vip', region: 'east',
      external_id: tag('CRM'), custom: { industry: 'machining', employees: 1200 } });
    assert.equal(o.tier, 'vip');
    assert.equal(o.version, 1);
    assert.deepEqual(o.custom, { industry: 'machining', employees: 1200 });
    assert.equal(o.notes, '');
    x.org = o;
    const other = await make('/api/v1/organisations', { name: tag('Other org') });
    assert.equal(other.tier, 'standard');
    x.other = other;
  });

  it('refuses bad organisations with the field and the reason', async () => {
    assertProblem(await api.post('/api/v1/organisations', {}), 422, 'name');
    assertProblem(await api.post('/api/v1/organisations', { name: 'x', tier: 'platinum' }), 422, 'tier');
    assertProblem(await api.post('/api/v1/organisations', { name: 'x', colour: 'red' }), 422, 'colour');
    assertProblem(await api.post('/api/v1/organisations', { name: 'x', custom: { a: { b: 1 } } }), 422, 'custom.a');
    assertProblem(await api.post('/api/v1/organisations', { name: 'x', external_id: x.org.external_id }), 422, 'external_id');
    assertProblem(await api.post('/api/v1/organisations', { name: 'x'.repeat(201) }), 422, 'name');
  });

  it('changes an organisation with the version it read; a stale version is 409', async () => {
    const r = await api.patch(`/api/v1/organisations/${x.org.id}`, { version: 1, notes: 'Key account' });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.version, 2);
    assert.equal(r.body.notes, 'Key account');
    const stale = await api.patch(`/api/v1/organisations/${x.org.id}`, { version: 1, notes: 'again' });
    const p = assertProblem(stale, 409, 'version');
    assert.equal(p.current_version, 2);
    assertProblem(await api.patch(`/api/v1/organisations/${x.org.id}`, { notes: 'no version' }), 422, 'version');
    assertProblem(await api.get('/api/v1/organisations/987654321'), 404);
  });

  it('contacts carry e-mail, phone, WeChat OpenID; intake finds them by each', async () => {
    const openid = tag('oWx');
    const email = `${tag('wang')}@HD-precision.example`;
    const c = await make('/api/v1/contacts', { organisation_id: x.org.id, name: '王伟', email,
      phone: '+86 21 5555-0101', wechat_openid: openid });
    x.contact = c;
    assertProblem(await api.post('/api/v1/contacts', { organisation_id: x.org.id, name: 'x', email: 'nope' }), 422, 'email');
    assertProblem(await api.post('/api/v1/contacts', { organisation_id: 987654, name: 'x' }), 422, 'organisation_id');
    assertProblem(await api.post('/api/v1/contacts', { organisation_id: x.org.id, name: 'x', wechat_openid: openid }),
      422, 'wechat_openid');
    const byEmail = await api.get(`/api/v1/contacts/lookup?email=${encodeURIComponent(email.toLowerCase())}`);
    assert.equal(byEmail.status, 200, byEmail.text);
    assert.deepEqual(byEmail.body.items.map((i) => i.id), [c.id]);
    assert.equal(byEmail.body.items[0].organisation.name, x.org.name);
    const byPhone = await api.get(`/api/v1/contacts/lookup?phone=${encodeURIComponent('8621 55550101')}`);
    assert.deepEqual(byPhone.body.items.map((i) => i.id), [c.id]);
    const byOpenid = await api.get(`/api/v1/contacts/lookup?wechat_openid=${openid}`);
    assert.deepEqual(byOpenid.body.items.map((i) => i.id), [c.id]);
    assert.deepEqual((await api.get('/api/v1/contacts/lookup?email=nobody@example.com')).body.items, []);
    assertProblem(await api.get('/api/v1/contacts/lookup'), 400, 'email');
    assertProblem(await api.get('/api/v1/contacts/lookup?email=a@b.c&phone=1'), 400);
    assertProblem(await api.get('/api/v1/contacts/lookup?name=x'), 400, 'name');
  });

  it('sites carry an address, coordinates and access notes', async () => {
    const s = await make('/api/v1/sites', { organisation_id: x.org.id, name: 'Plant 3', address: '上海市浦东新区张江路 100 号',
      latitude: 31.2047, longitude: 121.5906, access_notes: 'Gate B, ask for security badge', region: 'east' });
    assert.equal(s.latitude, 31.2047);
    x.site = s;
    assertProblem(await api.post('/api/v1/sites', { organisation_id: x.org.id, name: 'x', latitude: 91 }), 422, 'latitude');
    x.otherSite = await make('/api/v1/sites', { organisation_id: x.other.id, name: 'Elsewhere' });
  });

  it('products and models: category, fault codes, spare parts', async () => {
    const p = await make('/api/v1/products', { name: tag('HVAC-900'), category: 'hvac', manufacturer: 'Tend Climate' });
    const m = await make('/api/v1/models', { product_id: p.id, code: tag('HVAC-900-R2'), name: 'HVAC-900 rev 2',
      warranty_months: 24, fault_codes: ['E01', 'E07-HP'], spare_parts: ['FLT-900', 'CMP-22'] });
    assert.deepEqual(m.fault_codes, ['E01', 'E07-HP']);
    x.product = p;
    x.model = m;
    x.model2 = await make('/api/v1/models', { product_id: p.id, code: tag('HVAC-900-R3'), name: 'HVAC-900 rev 3' });
    assertProblem(await api.post('/api/v1/models', { product_id: p.id, code: m.code, name: 'dup' }), 422, 'code');
    assertProblem(await api.post('/api/v1/models', { product_id: p.id, code: 'x', name: 'x', fault_codes: 'E01' }), 422, 'fault_codes');
  });

  it('assets: serial unique per model, site of the same organisation, components without cycles', async () => {
    x.serial = tag('SN');
    const a = await make('/api/v1/assets', { model_id: x.model.id, serial: x.serial, organisation_id: x.org.id,
      site_id: x.site.id, install_date: '2025-03-01', warranty_start: '2025-03-01', warranty_end: '2027-02-28',
      custom: { floor: 3 } });
    assert.equal(a.status, 'active');
    x.asset = a;
    // the same serial on another model is another asset
    x.twin = await make('/api/v1/assets', { model_id: x.model2.id, serial: x.serial, organisation_id: x.other.id });
    assertProblem(await api.post('/api/v1/assets', { model_id: x.model.id, serial: x.serial }), 422, 'serial');
    assertProblem(await api.post('/api/v1/assets', { model_id: x.model.id, serial: tag('SN'), organisation_id: x.org.id,
      site_id: x.otherSite.id }), 422, 'site_id');
    assertProblem(await api.post('/api/v1/assets', { model_id: x.model.id, serial: tag('SN'), warranty_start: '2026-01-01',
      warranty_end: '2025-01-01' }), 422, 'warranty_end');
    assertProblem(await api.post('/api/v1/assets', { model_id: x.model.id, serial: tag('SN'), install_date: '2026-02-30' }),
      422, 'install_date');
    assertProblem(await api.post('/api/v1/assets', { model_id: x.model.id, serial: tag('SN'), status: 'broken' }), 422, 'status');
    const part = await make('/api/v1/assets', { model_id: x.model2.id, serial: tag('CMP'), organisation_id: x.org.id,
      parent_id: a.id });
    x.component = part;
    const cyc = await api.patch(`/api/v1/assets/${a.id}`, { version: 1, parent_id: part.id });
    assertProblem(cyc, 422, 'parent_id');
  });

  it('look-up by serial finds the asset of each model', async () => {
    const r = await api.get(`/api/v1/assets/lookup?serial=${x.serial}`);
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.body.items.map((i) => i.id).sort(), [x.asset.id, x.twin.id].sort());
    const mine = r.body.items.find((i) => i.id === x.asset.id);
    assert.equal(mine.model.code, x.model.code);
    assert.equal(mine.organisation.name, x.org.name);
    assert.deepEqual((await api.get('/api/v1/assets/lookup?serial=NO-SUCH')).body.items, []);
    assertProblem(await api.get('/api/v1/assets/lookup'), 400, 'serial');
  });

  it('meter readings: history newest first, never counting down', async () => {
    const path = `/api/v1/assets/${x.asset.id}/meters`;
    for (const [value, at] of [[100, '2026-01-01T08:00:00Z'], [250, '2026-02-01T08:00:00Z']]) {
      const r = await api.post(path, { meter: 'hours', value, read_at: at });
      assert.equal(r.status, 201, r.text);
    }
    assert.equal((await api.post(path, { meter: 'pages', value: 5000 })).status, 201);
    assertProblem(await api.post(path, { meter: 'hours', value: 200 }), 422, 'value');
    assertProblem(await api.post(path, { meter: 'rpm', value: 1 }), 422, 'meter');
    assertProblem(await api.post(path, { meter: 'hours', value: -1 }), 422, 'value');
    const h = await api.get(`${path}?meter=hours`);
    assert.deepEqual(h.body.items.map((i) => i.value), [250, 100]);
    assertProblem(await api.get(`${path}?meter=rpm`), 400, 'meter');
  });

  it('contracts: coverage, SLA policy, covered assets of the same organisation', async () => {
    const c = await make('/api/v1/contracts', { number: tag('SC-2026'), organisation_id: x.org.id, starts_on: '2026-01-01',
      ends_on: '2026-12-31', covers_parts: true, covers_labour: true, covers_travel: true, sla_policy_id: 7,
      price: 12000000, currency: 'CNY', billing_period: 'quarterly', asset_ids: [x.asset.id] });
    assert.deepEqual(c.asset_ids, [x.asset.id]);
    assert.equal(c.auto_renew, false);
    x.contract = c;
    assertProblem(await api.post('/api/v1/contracts', { number: tag('SC'), organisation_id: x.org.id, starts_on: '2026-01-01',
      ends_on: '2025-12-31' }), 422, 'ends_on');
    assertProblem(await api.post('/api/v1/contracts', { number: tag('SC'), organisation_id: x.org.id, starts_on: '2026-01-01',
      ends_on: '2026-12-31', asset_ids: [x.twin.id] }), 422, 'asset_ids[0]');
    assertProblem(await api.post('/api/v1/contracts', { number: tag('SC'), organisation_id: x.org.id, starts_on: '2026-01-01',
      ends_on: '2026-12-31', currency: 'yuan' }), 422, 'currency');
  });

  it('entitlement: warranty, contract and SLA on a date', async () => {
    const on = async (date) => {
      const r = await api.get(`/api/v1/assets/${x.asset.id}/entitlement?date=${date}`);
      assert.equal(r.status, 200, r.text);
      return r.body;
    };
    const both = await on('2026-06-01');
    assert.equal(both.under_warranty, true);
    assert.equal(both.contract.id, x.contract.id);
    assert.equal(both.sla_policy_id, 7);
    assert.deepEqual(both.covered, { parts: true, labour: true, travel: true });
    assert.equal(both.basis, 'warranty+contract');
    const warrantyOnly = await on('2025-06-01');
    assert.equal(warrantyOnly.contract, null);
    assert.deepEqual(warrantyOnly.covered, { parts: true, labour: true, travel: false });
    const none = await on('2027-06-01');
    assert.equal(none.basis, 'none');
    assert.deepEqual(none.covered, { parts: false, labour: false, travel: false });
    assertProblem(await api.get(`/api/v1/assets/${x.asset.id}/entitlement?date=2026-13-01`), 400, 'date');
  });

  it('a ticket against an asset takes its organisation and shows asset and entitlement', async () => {
    const r = await api.post('/api/v1/tickets', { subject: 'Compressor high-pressure alarm', asset_id: x.asset.id });
    assert.equal(r.status, 201, r.text);
    assert.equal(r.body.asset_id, x.asset.id);
    assert.equal(r.body.organisation_id, x.org.id);
    const t = await api.get(`/api/v1/tickets/${r.body.id}`);
    assert.equal(t.body.asset.serial, x.serial);
    assert.equal(t.body.entitlement.contract.id, x.contract.id);
    x.ticket = t.body;
    assertProblem(await api.post('/api/v1/tickets', { subject: 'bad asset', asset_id: 987654 }), 422, 'asset_id');
    assertProblem(await api.post('/api/v1/tickets', { subject: 'wrong org', asset_id: x.asset.id, organisation_id: x.other.id }),
      422, 'asset_id');
    const plain = await api.post('/api/v1/tickets', { subject: 'later linked' });
    const u = await api.patch(`/api/v1/tickets/${plain.body.id}`, { version: 1, asset_id: x.twin.id });
    assert.equal(u.status, 200, u.text);
    assert.equal(u.body.organisation_id, x.other.id);
    assert.equal(u.body.asset.id, x.twin.id);
  });

  it('the asset 360 view: model, site, components, meters, contracts, entitlement, tickets', async () => {
    const r = await api.get(`/api/v1/assets/${x.asset.id}/overview`);
    assert.equal(r.status, 200, r.text);
    const v = r.body;
    assert.equal(v.asset.serial, x.serial);
    assert.equal(v.model.code, x.model.code);
    assert.equal(v.product.category, 'hvac');
    assert.equal(v.organisation.id, x.org.id);
    assert.equal(v.site.name, 'Plant 3');
    assert.deepEqual(v.components.map((c) => c.id), [x.component.id]);
    assert.equal(v.meters.latest.hours.value, 250);
    assert.equal(v.meters.latest.pages.value, 5000);
    assert.deepEqual(v.contracts.map((c) => c.id), [x.contract.id]);
    assert.ok(v.entitlement.date);
    assert.deepEqual(v.tickets.open.map((t) => t.id), [x.ticket.id]);
    assert.deepEqual(v.parts_replaced, []);
    assert.deepEqual(v.satisfaction, []);
  });

  it('the organisation 360 view: contacts, sites, assets, tickets, contracts, counts', async () => {
    const r = await api.get(`/api/v1/organisations/${x.org.id}/overview`);
    assert.equal(r.status, 200, r.text);
    const v = r.body;
    assert.equal(v.organisation.id, x.org.id);
    assert.deepEqual(v.contacts.map((c) => c.id), [x.contact.id]);
    assert.deepEqual(v.sites.map((s) => s.id), [x.site.id]);
    assert.deepEqual(v.assets.map((a) => a.id).sort(), [x.asset.id, x.component.id].sort());
    assert.deepEqual(v.tickets.open.map((t) => t.id), [x.ticket.id]);
    assert.equal(v.contracts[0].number, x.contract.number);
    assert.equal(v.contracts[0].price, undefined, 'no prices in the 360 view');
    assert.deepEqual(v.counts, { contacts: 1, sites: 1, assets: 2 });
    assert.deepEqual(v.parts_replaced, []);
    assert.deepEqual(v.satisfaction, []);
    assertProblem(await api.get('/api/v1/organisations/987654321/overview'), 404);
  });

  it('upsert by external id creates, then changes the same row', async () => {
    const ext = tag('ERP');
    const first = await api.put(`/api/v1/organisations/by-external-id/${ext}`, { name: 'Synced Ltd', tier: 'gold' });
    assert.equal(first.status, 201, first.text);
    assert.equal(first.body.external_id, ext);
    const again = await api.put(`/api/v1/organisations/by-external-id/${ext}`, { region: 'north' });
    assert.equal(again.status, 200, again.text);
    assert.equal(again.body.id, first.body.id);
    assert.equal(again.body.tier, 'gold');
    assert.equal(again.body.region, 'north');
    assertProblem(await api.put(`/api/v1/organisations/by-external-id/${tag('ERP')}`, { region: 'north' }), 422, 'name');
    assertProblem(await api.put(`/api/v1/organisations/by-external-id/${ext}`, { external_id: 'other' }), 422, 'external_id');
    const a = await api.put(`/api/v1/assets/by-external-id/${tag('ERP-A')}`, { model_id: x.model.id, serial: tag('SN'),
      organisation_id: first.body.id });
    assert.equal(a.status, 201, a.text);
  });

  it('lists filter, search and page with a cursor', async () => {
    const region = tag('r');
    for (let i = 0; i < 5; i++) await make('/api/v1/organisations', { name: `Paged ${region} ${i}`, region });
    const seen = [];
    let cursor = null;
    do {
      const r = await api.get(`/api/v1/organisations?region=${region}&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      assert.equal(r.status, 200, r.text);
      seen.push(...r.body.items.map((o) => o.name));
      cursor = r.body.next_cursor;
    } while (cursor);
    assert.deepEqual(seen, [0, 1, 2, 3, 4].map((i) => `Paged ${region} ${i}`));
    const q = await api.get(`/api/v1/organisations?q=${encodeURIComponent(region.toUpperCase())}`);
    assert.equal(q.body.items.length, 5);
    const assets = await api.get(`/api/v1/assets?organisation_id=${x.org.id}&status=active`);
    assert.deepEqual(assets.body.items.map((a) => a.id).sort(), [x.asset.id, x.component.id].sort());
    assertProblem(await api.get('/api/v1/organisations?colour=red'), 400, 'colour');
    assertProblem(await api.get('/api/v1/organisations?cursor=bogus'), 400, 'cursor');
    assertProblem(await api.get('/api/v1/assets?status=broken'), 400, 'status');
    assertProblem(await api.get('/api/v1/organisations?limit=0'), 400, 'limit');
  });
});
