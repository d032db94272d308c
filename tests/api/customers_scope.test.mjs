// What a customer sees of customers and assets: their own organisation, its
// contacts, sites and assets (and their 360 views), nothing of another
// organisation (404, as if it did not exist), no contracts; the demo data's
// assets, contracts and tickets against assets. docs/api-customers.md.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../lib/server.mjs';
import { client, assertProblem } from './client.mjs';

describe('customers and assets by organisation', { timeout: 60000 }, () => {
  let server, admin, customer;
  let own, other;
  before(async () => {
    server = await startServer({ demo: true });
    admin = client(server.url, { token: server.token });
    customer = await client(server.url).login('customer', 'tend-demo-2026');
    const assets = (await admin.get('/api/v1/assets?limit=200')).body.items;
    own = assets.find((a) => a.organisation_id === 1);
    other = assets.find((a) => a.organisation_id === 2);
    assert.ok(own && other, 'the demo has assets in organisations 1 and 2');
  });
  after(async () => { await server?.close(); });

  it('the customer reads its own organisation, its 360 view and its assets', async () => {
    assert.equal((await customer.get('/api/v1/organisations/1')).status, 200);
    const v = await customer.get('/api/v1/organisations/1/overview');
    assert.equal(v.status, 200, v.text);
    assert.ok(v.body.assets.every((a) => a.organisation_id === 1));
    assert.ok(v.body.contracts.length > 0, 'contract summaries of its own organisation');
    const a = await customer.get(`/api/v1/assets/${own.id}/overview`);
    assert.equal(a.status, 200, a.text);
  });

  it('another organisation and its assets, contacts and sites are 404 for the customer', async () => {
    assertProblem(await customer.get('/api/v1/organisations/2'), 404);
    assertProblem(await customer.get('/api/v1/organisations/2/overview'), 404);
    assertProblem(await customer.get(`/api/v1/assets/${other.id}`), 404);
    assertProblem(await customer.get(`/api/v1/assets/${other.id}/overview`), 404);
    assertProblem(await customer.get(`/api/v1/assets/${other.id}/entitlement`), 404);
    assertProblem(await customer.get(`/api/v1/assets/${other.id}/meters`), 404);
    const contacts = (await admin.get('/api/v1/contacts?organisation_id=2')).body.items;
    assertProblem(await customer.get(`/api/v1/contacts/${contacts[0].id}`), 404);
  });

  it('lists and look-ups show only the customer\'s organisation', async () => {
    for (const path of ['/api/v1/organisations', '/api/v1/contacts', '/api/v1/sites', '/api/v1/assets']) {
      const r = await customer.get(`${path}?limit=200`);
      assert.equal(r.status, 200, r.text);
      assert.ok(r.body.items.length > 0, path);
      for (const item of r.body.items) assert.equal(item.organisation_id ?? item.id, 1, `${path}: ${JSON.stringify(item)}`);
    }
    assert.deepEqual((await customer.get('/api/v1/organisations?organisation_id=2')).status, 400);
    assert.deepEqual((await customer.get(`/api/v1/assets/lookup?serial=${other.serial}`)).body.items, []);
    assert.deepEqual((await customer.get('/api/v1/contacts/lookup?email=a.moreau%40northwind.example')).body.items, []);
    assert.equal((await customer.get('/api/v1/contacts/lookup?wechat_openid=oWx-demo-wangwei')).body.items.length, 1);
    assertProblem(await customer.get('/api/v1/contracts'), 403);
  });

  it('a customer files a ticket about its own asset, not another organisation\'s', async () => {
    const r = await customer.post('/api/v1/tickets', { subject: 'Our rooftop unit trips again', asset_id: own.id });
    assert.equal(r.status, 201, r.text);
    assert.equal(r.body.organisation_id, 1);
    assert.equal(r.body.asset.id, own.id);
    assertProblem(await customer.post('/api/v1/tickets', { subject: 'not ours', asset_id: other.id }), 422, 'asset_id');
  });

  it('the demo has tickets against assets, with their entitlement', async () => {
    const tickets = await admin.listAll();
    const about = tickets.filter((t) => t.asset_id);
    assert.ok(about.length >= 4, `demo tickets with an asset: ${about.length}`);
    const t = await admin.get(`/api/v1/tickets/${about[0].id}`);
    assert.ok(t.body.entitlement && t.body.asset, t.text);
    const hvac = (await admin.get('/api/v1/assets/lookup?serial=HV9-2024-00817')).body.items[0];
    const e = await admin.get(`/api/v1/assets/${hvac.id}/entitlement?date=2026-06-01`);
    assert.equal(e.body.contract.number, 'SC-2026-001');
    assert.deepEqual(e.body.covered, { parts: true, labour: true, travel: true });
  });
});
