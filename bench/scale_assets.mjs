#!/usr/bin/env node
// bench/scale_assets.mjs: the customer side at scale. Generates (once,
// cached) BENCH_ASSETS assets over BENCH_ORGS organisations with
// `tend gen assets`, serves the database, and times what intake and the
// service desk do all day: an asset look-up by serial and an asset's 360 view
// (plus, for information, an organisation's 360 view and a contact look-up).
// Prints p50 and p99 over BENCH_RUNS requests with random keys, and the ratio
// to the 20 ms target (ratio = target / p99: above 1 passes).
//
// Environment: TEND_BIN (default build/tend), BENCH_ASSETS (1000000),
// BENCH_ORGS (200000), BENCH_DB_DIR (/tmp/tend-bench-assets-<N>-<M>),
// BENCH_RUNS (2000). Exits 0 whatever the results; FAIL lines say it.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createServer } from 'node:net';

const ROOT = resolve(new URL('..', import.meta.url).pathname);
const bin = resolve(ROOT, process.env.TEND_BIN || 'build/tend');
const assets = Number(process.env.BENCH_ASSETS || 1_000_000);
const orgs = Number(process.env.BENCH_ORGS || 200_000);
const runs = Number(process.env.BENCH_RUNS || 2000);
const dir = process.env.BENCH_DB_DIR || `/tmp/tend-bench-assets-${assets}-${orgs}`;
const TARGET_MS = 20;

if (!existsSync(bin)) throw new Error(`no tend binary at ${bin}: run make build`);
mkdirSync(dir, { recursive: true });
const db = `sqlite:${join(dir, 'tend.db')}`;

function run(args) {
  const r = spawnSync(bin, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  if (r.status !== 0) throw new Error(`tend ${args.join(' ')} failed (${r.status})`);
  return r.stdout.trim();
}

if (!existsSync(join(dir, 'generated'))) {
  console.log(`generating ${assets} assets over ${orgs} organisations into ${dir} (once; later runs reuse it)...`);
  const t0 = Date.now();
  run(['gen', 'assets', '--count', String(assets), '--organisations', String(orgs), '--db', db]);
  console.log(`generated in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  spawnSync('touch', [join(dir, 'generated')]);
}
spawnSync(bin, ['user', 'add', '--db', db, '--username', 'bench-admin', '--name', 'Bench', '--role', 'admin',
  '--password', 'bench-admin-password-1'], { stdio: 'ignore' });
const token = run(['token', 'add', '--db', db, '--username', 'bench-admin', '--name', `bench-${Date.now()}`,
  '--scopes', '*']);

const port = await new Promise((ok) => {
  const s = createServer();
  s.listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => ok(p)); });
});
const server = spawn(bin, ['serve', '--listen', `127.0.0.1:${port}`, '--db', db, '--data-dir', dir,
  '--threads', '2', '--access-log', 'off'], { stdio: ['ignore', 'ignore', 'inherit'] });
const base = `http://127.0.0.1:${port}/api/v1`;
for (let i = 0; ; i++) {
  try { if ((await fetch(`http://127.0.0.1:${port}/readyz`)).ok) break; } catch { /* starting */ }
  if (i > 300 || server.exitCode !== null) throw new Error('tend did not become ready (see above)');
  await new Promise((ok) => setTimeout(ok, 100));
}
const headers = { authorization: `Bearer ${token}` };

// the generated rows' ids: the first asset and organisation of the benchmark data
const first = (await (await fetch(`${base}/assets/lookup?serial=BA-000000001`, { headers })).json()).items[0];
if (!first) throw new Error('the generated assets are missing');
const rnd = (n) => 1 + Math.floor(Math.random() * n);
const queries = [
  ['look-up by serial', () => `/assets/lookup?serial=BA-${String(rnd(assets)).padStart(9, '0')}`, true],
  ['asset 360 view', () => `/assets/${first.id - 1 + rnd(assets)}/overview`, true],
  ['(info) organisation 360 view', () => `/organisations/${first.organisation_id - (first.organisation_id % orgs) + rnd(orgs - 1)}/overview`, false],
  ['(info) contact look-up by phone', () => `/contacts/lookup?phone=86138${String(rnd(orgs)).padStart(8, '0')}`, false],
];

const pct = (xs, p) => xs[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];
const rows = [];
let failed = false;
for (const [name, path, held] of queries) {
  for (let i = 0; i < 50; i++) await fetch(base + path(), { headers }).then((r) => r.arrayBuffer()); // warm-up
  const times = [];
  for (let i = 0; i < runs; i++) {
    const t0 = process.hrtime.bigint();
    const r = await fetch(base + path(), { headers });
    await r.arrayBuffer();
    if (r.status !== 200) throw new Error(`${name}: ${r.status}`);
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  times.sort((a, b) => a - b);
  const p50 = pct(times, 50), p99 = pct(times, 99), ratio = TARGET_MS / p99;
  rows.push({ name, p50, p99, ratio, held });
  if (held && ratio < 1) failed = true;
}
server.kill('SIGTERM');
console.log(`\n${assets} assets, ${orgs} organisations, ${runs} requests each, one client, SQLite\n`);
console.log('| query | p50 ms | p99 ms | 20 ms / p99 |');
console.log('|---|---|---|---|');
for (const r of rows) console.log(`| ${r.name} | ${r.p50.toFixed(2)} | ${r.p99.toFixed(2)} | ${r.ratio.toFixed(1)}${!r.held ? ' (info)' : r.ratio < 1 ? ' FAIL' : ''} |`);
for (const r of rows) if (r.held && r.ratio < 1) console.log(`FAIL: ${r.name} p99 ${r.p99.toFixed(2)} ms > ${TARGET_MS} ms`);
process.exitCode = 0;
if (failed) console.log('some targets missed (see FAIL lines)');
