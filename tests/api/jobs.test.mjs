// Periodic background jobs on one node (either backend): each slot runs once,
// the runs are visible to admins with the node that ran them, and the
// housekeeping jobs really delete what they are meant to and nothing else.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, dbQuery } from '../lib/server.mjs';
import { client } from './client.mjs';

const EVERY_MS = 300;
const DAY = 24 * 3600 * 1000;

describe('background jobs', { timeout: 30000 }, () => {
  let server, api;
  before(async () => {
    server = await startServer({ env: { TEND_JOBS_EVERY_MS: String(EVERY_MS) }, args: ['--node', 'node-a'] });
    api = client(server.url, { token: server.token });
  });
  after(async () => { await server?.close(); });

  it('answers carry the node name', async () => {
    const r = await api.get('/api/v1/tickets?limit=1');
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('x-tend-node'), 'node-a');
  });

  it('purges old idempotency keys and ended sessions, keeping recent ones', async () => {
    const now = Date.now();
    dbQuery(server.db, `INSERT INTO idempotency_keys (scope, key, request_hash, resource_id, created_at) VALUES
      ('test', 'old-key', 'h', 1, ${now - 2 * DAY}), ('test', 'new-key', 'h', 1, ${now})`);
    const uid = dbQuery(server.db, "SELECT id FROM users WHERE username = 'admin'").trim().split('\n').pop();
    dbQuery(server.db, `INSERT INTO sessions (secret_hash, user_id, csrf_token, created_at, expires_at) VALUES
      ('old-session', ${uid}, 'c', ${now - 30 * DAY}, ${now - 10 * DAY}),
      ('live-session', ${uid}, 'c', ${now}, ${now + DAY})`);
    const deadline = Date.now() + 10000;
    let keys, sessions;
    for (;;) {
      keys = dbQuery(server.db, "SELECT key FROM idempotency_keys WHERE scope = 'test' ORDER BY key").trim();
      sessions = dbQuery(server.db, "SELECT secret_hash FROM sessions WHERE secret_hash LIKE '%-session' ORDER BY 1").trim();
      if ((!keys.includes('old-key') && !sessions.includes('old-session')) || Date.now() > deadline) break;
      await new Promise((ok) => setTimeout(ok, 100));
    }
    assert.deepEqual(keys.split('\n').map((l) => l.split('|').pop()), ['new-key']);
    assert.deepEqual(sessions.split('\n').map((l) => l.split('|').pop()), ['live-session']);
  });

  it('lists every job with its runs: one per slot, by this node, ok', async () => {
    await new Promise((ok) => setTimeout(ok, 4 * EVERY_MS));
    const r = await api.get('/api/v1/admin/jobs');
    assert.equal(r.status, 200, r.text);
    const names = r.body.items.map((j) => j.name).sort();
    assert.deepEqual(names, ['idempotency.purge', 'rules.sweep', 'sessions.purge', 'sla.sweep']);
    for (const job of r.body.items) {
      assert.ok(job.runs.length >= 3, `${job.name} ran: ${JSON.stringify(job.runs)}`);
      const slots = job.runs.map((x) => Date.parse(x.slot));
      assert.equal(new Set(slots).size, slots.length, 'no slot twice');
      for (const s of slots) assert.equal(s % EVERY_MS, 0, 'slots are aligned to the interval');
      for (const run of job.runs) {
        assert.equal(run.node, 'node-a');
        assert.match(run.outcome, /^(ok|running)$/);
        if (run.outcome === 'ok') assert.match(run.detail, /^(deleted \d+ |raised \d+ alerts|no active time rules|time rules checked on \d+ open tickets)/);
      }
      assert.ok(Date.parse(job.next_run_at) > Date.parse(job.runs[0].slot), 'the next run is after the last');
    }
    assert.doesNotMatch(server.output(), /job .* (failed|could not be claimed)/);
  });

  it('is for admins: an agent token gets 403', async () => {
    const r = await api.get('/api/v1/permissions');
    const grants = r.body.grants.filter((g) => g.resource === 'jobs');
    assert.deepEqual(grants.map((g) => `${g.role}:${g.action}`), ['admin:read']);
  });
});
