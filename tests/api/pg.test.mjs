// PostgreSQL only (make test-api-pg): several nodes behind nginx on one
// database, a database restart in the middle of a load, and migrations that
// are safe to run while nodes serve. The restart test starts a PostgreSQL
// server of its own, so it never disturbs the suites running beside it.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, freshDb, dbQuery, freePort, run, tendBin, onPostgres, ROOT } from '../lib/server.mjs';
import { client, tag } from './client.mjs';

const skip = onPostgres ? false : 'PostgreSQL only: make test-api-pg';
const PG_TEMP = join(ROOT, 'scripts', 'pg-temp');
const sleep = (ms) => new Promise((ok) => setTimeout(ok, ms));

/** nginx on a free loopback port in front of `ports`; resolves { url, stop }. */
async function startNginx(ports) {
  const dir = mkdtempSync(join(tmpdir(), 'tend-nginx-'));
  const port = await freePort();
  writeFileSync(join(dir, 'nginx.conf'), `
user root;
worker_processes 1;
daemon off;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 256; }
http {
  access_log off;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  upstream tend { ${ports.map((p) => `server 127.0.0.1:${p};`).join(' ')} keepalive 16; }
  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_pass http://tend;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_next_upstream error timeout http_502 http_503;
    }
  }
}`);
  const proc = spawn('nginx', ['-p', dir, '-c', join(dir, 'nginx.conf')], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stderr.on('data', (d) => { out += d; });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    try { if ((await fetch(`${url}/healthz`)).status === 200) break; } catch { /* starting */ }
    if (i > 100 || proc.exitCode !== null) throw new Error(`nginx did not start: ${out}`);
    await sleep(50);
  }
  return {
    url,
    stop: () => new Promise((ok) => {
      if (proc.exitCode !== null) { rmSync(dir, { recursive: true, force: true }); ok(); return; }
      proc.once('exit', () => { rmSync(dir, { recursive: true, force: true }); ok(); });
      proc.kill('SIGTERM');
    }),
  };
}

describe('two nodes behind nginx on one PostgreSQL database', { skip, timeout: 60000 }, () => {
  const EVERY_MS = 250;
  let a, b, lb;
  before(async () => {
    const env = { TEND_JOBS_EVERY_MS: String(EVERY_MS) };
    a = await startServer({ env, args: ['--node', 'node-a'] });
    b = await startServer({ dir: a.dir, db: a.db, token: a.token, env, args: ['--node', 'node-b'] });
    lb = await startNginx([a.port, b.port]);
  });
  after(async () => {
    await lb?.stop();
    await b?.stop();
    await a?.close();
  });

  it('requests through the balancer succeed on both nodes, and each sees the other\'s writes', async () => {
    const api = client(lb.url, { token: a.token });
    const nodes = new Map();
    const run = tag('lb');
    const made = [];
    for (let i = 0; i < 30; i++) {
      const c = await api.post('/api/v1/tickets', { subject: `${run} #${i}` });
      assert.equal(c.status, 201, c.text);
      made.push(c.body.id);
      const node = c.headers.get('x-tend-node');
      nodes.set(node, (nodes.get(node) || 0) + 1);
      const g = await api.get(`/api/v1/tickets/${made[Math.floor(i / 2)]}`);
      assert.equal(g.status, 200, g.text);
      const read = g.headers.get('x-tend-node');
      nodes.set(read, (nodes.get(read) || 0) + 1);
    }
    assert.deepEqual([...nodes.keys()].sort(), ['node-a', 'node-b'], `answered by ${[...nodes]}`);
    // straight to each node: every ticket is there
    for (const s of [a, b]) {
      const list = await client(s.url, { token: a.token }).get(`/api/v1/tickets/search?q=${run}&limit=50`);
      assert.equal(list.status, 200, list.text);
      assert.equal(list.body.items.length, made.length, `${s.url} sees all ${made.length}`);
    }
  });

  it('each job runs once per slot across the two nodes', async () => {
    await sleep(12 * EVERY_MS);
    const rows = dbQuery(a.db, 'SELECT name, slot, node, outcome FROM job_runs ORDER BY name, slot')
      .trim().split('\n').map((l) => l.split('|'));
    const perJob = new Map();
    for (const [name, slot, node, outcome] of rows) {
      if (!perJob.has(name)) perJob.set(name, []);
      perJob.get(name).push({ slot: Number(slot), node, outcome });
    }
    assert.deepEqual([...perJob.keys()].sort(), ['idempotency.purge', 'rules.sweep', 'sessions.purge', 'sla.sweep']);
    const byNode = new Set();
    for (const [name, runs] of perJob) {
      assert.ok(runs.length >= 6, `${name}: ${runs.length} runs`);
      const slots = runs.map((r) => r.slot);
      assert.equal(new Set(slots).size, slots.length, `${name}: a slot ran twice`);
      for (const r of runs) { assert.match(r.outcome, /^(ok|running)$/); byNode.add(r.node); }
    }
    for (const s of [a, b]) assert.doesNotMatch(s.output(), /job .* (failed|could not be claimed)/);
    assert.ok([...byNode].every((n) => n === 'node-a' || n === 'node-b'), [...byNode].join());
  });

  it('tend migrate while both nodes serve: nothing to apply, nodes unaffected', async () => {
    const r = await run(tendBin(), ['migrate', '--db', a.db]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout + r.stderr, /schema is at version \d+/);
    for (const s of [a, b]) assert.equal((await fetch(`${s.url}/readyz`)).status, 200);
  });
});

describe('migrations on PostgreSQL', { skip, timeout: 60000 }, () => {
  it('two tend migrate at once on an empty database apply each migration exactly once', async () => {
    const db = freshDb();
    const both = await Promise.all([run(tendBin(), ['migrate', '--db', db]), run(tendBin(), ['migrate', '--db', db])]);
    for (const r of both) assert.equal(r.code, 0, r.stderr);
    const versions = dbQuery(db, 'SELECT version FROM schema_migrations ORDER BY version').trim().split('\n');
    assert.equal(new Set(versions).size, versions.length);
    assert.ok(versions.length >= 4, versions.join());
    const applied = both.map((r) => /applied (\d+)/.exec(r.stdout + r.stderr)?.[1] ?? '0').map(Number);
    assert.equal(applied.reduce((x, y) => x + y, 0), versions.length, `applied ${applied}`);
  });

  it('a database newer than the binary is refused by migrate and by serve', async () => {
    const db = freshDb();
    assert.equal((await run(tendBin(), ['migrate', '--db', db])).code, 0);
    dbQuery(db, "INSERT INTO schema_migrations (version, name, applied_at) VALUES (9999, '9999_future', 0)");
    const m = await run(tendBin(), ['migrate', '--db', db]);
    assert.notEqual(m.code, 0);
    assert.match(m.stderr, /upgrade tend/);
    const port = await freePort();
    const dir = mkdtempSync(join(tmpdir(), 'tend-newer-'));
    const s = await run(tendBin(), ['serve', '--db', db, '--listen', `127.0.0.1:${port}`, '--data-dir', dir]);
    rmSync(dir, { recursive: true, force: true });
    assert.notEqual(s.code, 0);
    assert.match(s.stderr, /upgrade tend/);
  });

  it('a password in the database URL is never printed', async () => {
    const db = freshDb().replace('postgres://tend@', 'postgres://tend:s3cret-pw@');
    const r = await run(tendBin(), ['migrate', '--db', db]);
    assert.equal(r.code, 0, r.stderr); // trust auth ignores the password
    const s = await startServer({ db });
    await s.close();
    assert.doesNotMatch(r.stdout + r.stderr + s.output(), /s3cret-pw/);
    assert.match(s.output(), /tend:\*\*\*@/);
  });
});

describe('a PostgreSQL restart in the middle of a load', { skip, timeout: 90000 }, () => {
  let pgDir, server;
  after(async () => {
    await server?.close();
    if (pgDir) execFileSync(PG_TEMP, ['stop', pgDir]);
  });

  it('loses no acknowledged write, answers 503 meanwhile, and recovers without a restart', async () => {
    pgDir = mkdtempSync(join(tmpdir(), 'tend-pg-restart-'));
    const admin = execFileSync(PG_TEMP, ['start', pgDir], { encoding: 'utf8' }).trim();
    execFileSync('psql', ['-q', admin, '-c', 'CREATE DATABASE restart']);
    server = await startServer({ db: admin.replace(/\/[^/]*$/, '/restart'), threads: 2 });
    const url = `${server.url}/api/v1/tickets`;
    const headers = { authorization: `Bearer ${server.token}`, 'content-type': 'application/json' };
    const run = tag('restart');
    const acked = new Map();
    const other = new Map(); // status -> count
    const t0 = Date.now();
    let stop = false;
    const loop = async (n) => {
      for (let i = 0; !stop && Date.now() - t0 < 20000 && i < 5000; i++) {
        const subject = `${run} ${n} #${i}`;
        try {
          const r = await fetch(url, { method: 'POST', headers, body: JSON.stringify({ subject }) });
          const body = await r.json();
          if (r.status === 201) acked.set(body.id, subject);
          else {
            other.set(r.status, (other.get(r.status) || 0) + 1);
            assert.equal(r.status, 503, JSON.stringify(body));
            assert.ok(body.errors?.length, 'problem+json with errors');
            await sleep(20);
          }
        } catch (e) {
          if (e.code === 'ERR_ASSERTION') throw e;
          other.set('network', (other.get('network') || 0) + 1);
        }
      }
    };
    const loops = [0, 1, 2, 3].map(loop);
    await sleep(700);
    const before = acked.size;
    execFileSync(PG_TEMP, ['restart', pgDir]);
    // the node comes back by itself: ready again, and creates succeed again
    let ready = false;
    for (let i = 0; i < 200 && !ready; i++) {
      ready = (await fetch(`${server.url}/readyz`)).status === 200;
      if (!ready) await sleep(50);
    }
    assert.ok(ready, 'the node is ready again without a restart');
    const afterRestart = acked.size;
    await sleep(800);
    stop = true;
    await Promise.all(loops);
    assert.ok(before > 10, `creates before the restart: ${before}`);
    assert.ok(acked.size > afterRestart, `creates after the restart: ${acked.size - afterRestart}`);
    assert.equal(other.get('network') || 0, 0, 'the node never dropped a connection');
    // every acknowledged create is there
    const api = client(server.url, { token: server.token });
    const missing = [];
    for (const [id, subject] of acked) {
      const g = await api.get(`/api/v1/tickets/${id}`);
      if (g.status !== 200 || g.body.subject !== subject) missing.push(`${id}: ${g.status}`);
    }
    assert.deepEqual(missing, [], `acknowledged but missing after the restart (of ${acked.size})`);
    assert.match(server.output(), /serving/);
  });
});
