// An integrator retries a create after a timeout: with the same
// Idempotency-Key it must get the first result back, never a second ticket.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../lib/server.mjs';
import { client, raw, fromRaw, assertProblem, tag } from './client.mjs';

const TICKETS = '/api/v1/tickets';

describe('Idempotency-Key', { timeout: 30000 }, () => {
  let server, api;
  before(async () => {
    server = await startServer();
    api = client(server.url, { token: server.token });
  });
  after(async () => { await server?.close(); });

  const withKey = (key, body) => api.post(TICKETS, body, { headers: { 'idempotency-key': key } });
  const countRef = async (ref) => (await api.listAll(`customer_ref=${encodeURIComponent(ref)}`)).length;

  it('the first request creates (201); a retry with the same body replays it (200, same ticket)', async () => {
    const key = tag('key');
    const body = { subject: 'Boiler leaks', priority: 'high', customer_ref: tag('ref') };
    const first = await withKey(key, body);
    assert.equal(first.status, 201, first.text);
    assert.notEqual(first.headers.get('idempotent-replayed'), 'true', 'the first answer is not a replay');
    assert.equal(first.headers.get('location'), `/api/v1/tickets/${first.body.id}`);

    for (let i = 0; i < 2; i++) {
      const again = await withKey(key, body);
      assert.equal(again.status, 200, `retry ${i}: ${again.status} ${again.text}`);
      assert.equal(again.headers.get('idempotent-replayed'), 'true');
      assert.equal(again.body.id, first.body.id);
      assert.equal(again.body.number, first.body.number);
      assert.equal(again.body.subject, 'Boiler leaks');
    }
    assert.equal(await countRef(body.customer_ref), 1, 'one ticket');
  });

  it('the same key with a different body is 422 naming Idempotency-Key', async () => {
    const key = tag('key');
    const ref = tag('ref');
    const first = await withKey(key, { subject: 'original', customer_ref: ref });
    assert.equal(first.status, 201);
    for (const changed of [{ subject: 'changed', customer_ref: ref }, { subject: 'original', customer_ref: ref, priority: 'low' },
      { subject: 'original' }]) {
      const r = await withKey(key, changed);
      assertProblem(r, 422, 'Idempotency-Key', `reuse with ${JSON.stringify(changed)}`);
    }
    assert.equal(await countRef(ref), 1, 'no second ticket');
    assert.equal((await api.get(`${TICKETS}/${first.body.id}`)).body.subject, 'original');
  });

  it('without a key, or with different keys, identical bodies create separate tickets', async () => {
    const ref = tag('ref');
    const body = { subject: 'twice', customer_ref: ref };
    assert.equal((await api.post(TICKETS, body)).status, 201);
    assert.equal((await api.post(TICKETS, body)).status, 201);
    assert.equal((await withKey(tag('k1'), body)).status, 201);
    assert.equal((await withKey(tag('k2'), body)).status, 201);
    assert.equal(await countRef(ref), 4);
  });

  it('20 concurrent requests with one key create exactly one ticket', async () => {
    const key = tag('race');
    const ref = tag('ref');
    const body = { subject: 'concurrent retry', customer_ref: ref };
    const rs = await Promise.all(Array.from({ length: 20 }, () => withKey(key, body)));
    const statuses = rs.map((r) => r.status);
    assert.equal(statuses.filter((s) => s === 201).length, 1, `exactly one 201: ${statuses}`);
    assert.ok(statuses.every((s) => s === 201 || s === 200), `all 200 or 201: ${statuses}`);
    const ids = new Set(rs.map((r) => r.body?.id));
    assert.equal(ids.size, 1, `one id for all: ${[...ids]}`);
    for (const r of rs.filter((x) => x.status === 200)) assert.equal(r.headers.get('idempotent-replayed'), 'true');
    assert.equal(await countRef(ref), 1, 'one ticket in the list');
  });

  it('a key of 255 visible ASCII characters is accepted', async () => {
    const visible = Array.from({ length: 94 }, (_, i) => String.fromCharCode(33 + i)).join('');
    const key = (visible + visible + visible).slice(0, 255);
    const body = { subject: 'long key', customer_ref: tag('ref') };
    assert.equal((await withKey(key, body)).status, 201);
    const again = await withKey(key, body);
    assert.equal(again.status, 200);
    assert.equal(again.headers.get('idempotent-replayed'), 'true');
  });

  describe('an invalid key is 400 or 422 naming Idempotency-Key and creates nothing', () => {
    const cases = [
      ['empty', ''],
      ['256 characters', 'k'.repeat(256)],
      ['1000 characters', 'k'.repeat(1000)],
      ['with a space inside', 'two words'],
      ['with a tab inside', 'tab\there'],
    ];
    for (const [name, key] of cases) {
      it(name, async () => {
        const ref = tag('ref');
        const r = await withKey(key, { subject: 'bad key', customer_ref: ref });
        assertProblem(r, [400, 422], 'Idempotency-Key', `key ${name}`);
        assert.equal(await countRef(ref), 0);
      });
    }
    it('non-ASCII bytes', async () => {
      const ref = tag('ref');
      const r = await raw(server.url, {
        method: 'POST', path: TICKETS,
        headers: { ...api.auth('POST'), 'content-type': 'application/json', 'idempotency-key': 'cl\u00e9' },
        body: JSON.stringify({ subject: 'bad key', customer_ref: ref }),
      });
      assertProblem(fromRaw(r), [400, 422], 'Idempotency-Key', 'non-ASCII key');
      assert.equal(await countRef(ref), 0);
    });
  });
});
