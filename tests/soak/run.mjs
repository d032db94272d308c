#!/usr/bin/env node
// tests/soak/run.mjs (`make soak`): a bounded soak of one `tend serve`.
//
//   1. start the server (release build by default, 2 threads) on a fresh
//      SQLite database in a temp dir, seed tickets (the ids read by id);
//   2. warm-up: creates only, until the server's RSS stops growing (less than
//      256 KB in 5 s; at most SOAK_WARM_SECONDS, 120). The writer's SQLite page
//      cache (cache_size 32 MiB) fills as the file grows: RSS climbs until it
//      is full by design, and after that only a leak makes it grow. Without
//      this the RSS check would measure the cache filling up;
//   3. capacity: SOAK_CAPACITY_SECONDS (5) of max-rate mixed load with wrk
//      (reads by id / list pages / creates, ~80/15/5, bearer token);
//   4. steady: the same mix at HALF that rate for SOAK_SECONDS (180), sampling
//      the server's RSS (/proc/PID/status VmRSS) and open fds (/proc/PID/fd)
//      every 5 s;
//   5. checks, printed as a table: no errors (every answer 2xx, no socket
//      errors); RSS at the end within +10% (or +8 MB, whichever is larger) of
//      RSS after the first 20% of the run; fds flat (+-5) under load and back
//      to their idle count after it; the server alive and stopping cleanly;
//      tickets stored >= creates acknowledged; p99 latency reported.
//
// Prints `soak: PASS` or `soak: FAIL <reason>` last and exits non-zero on
// failure. Everything runs on 127.0.0.1 and is bounded in time; the only
// processes stopped are the ones started here, by their pid.
//
// Environment: TEND_BIN (default build/tend), SOAK_SECONDS (180),
// SOAK_CAPACITY_SECONDS (5), SOAK_SEED_TICKETS (1000), SOAK_WARM_SECONDS (120;
// 0: no warm-up), SOAK_CONNECTIONS (64), SOAK_MIX (80/15/5: % reads by id / list
// pages / creates), SOAK_KEEP=1 (keep the temp dir: server stderr, wrk
// scripts and output).
import { spawn, spawnSync } from 'node:child_process';
import http from 'node:http';
import { mkdtempSync, rmSync, writeFileSync, readFileSync, readdirSync, openSync, closeSync, existsSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ROOT, freePort, run } from '../lib/server.mjs';

const HOST = '127.0.0.1';
const num = (name, def, min) => {
  const v = process.env[name] === undefined || process.env[name] === '' ? def : Number(process.env[name]);
  if (!Number.isInteger(v) || v < min) {
    console.log(`soak: FAIL ${name} must be a whole number >= ${min}, got '${process.env[name]}'`);
    process.exit(2);
  }
  return v;
};
const SECONDS = num('SOAK_SECONDS', 180, 10);
const CAPACITY_SECONDS = num('SOAK_CAPACITY_SECONDS', 5, 1);
const SEED = num('SOAK_SEED_TICKETS', 1000, 1);
const CONNECTIONS = num('SOAK_CONNECTIONS', 64, 2);
const WARM_SECONDS = num('SOAK_WARM_SECONDS', 120, 0);
const WARM_FLAT_KB = 256; // the warm-up ends when RSS grew less than this ...
const WARM_FLAT_MS = 5000; // ... over this long
const THREADS = 2; // wrk threads, and the server's
const SAMPLE_MS = 5000;
const RSS_PCT = 0.10;
const RSS_MIN_KB = 8 * 1024;
const FD_SLACK = 5;
const MIX = (process.env.SOAK_MIX || '80/15/5').split('/').map(Number); // reads by id / list pages / creates, in %
if (MIX.length !== 3 || MIX.some((x) => !Number.isInteger(x) || x < 0) || MIX[0] + MIX[1] + MIX[2] !== 100) {
  console.log(`soak: FAIL SOAK_MIX must be R/L/C percentages summing to 100, got '${process.env.SOAK_MIX}'`);
  process.exit(2);
}
const BIN = resolve(process.env.TEND_BIN || join(ROOT, 'build', 'tend'));
const KEEP = process.env.SOAK_KEEP === '1';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const log = (...a) => console.log('soak:', ...a);
const t0 = Date.now();
const elapsed = () => `${((Date.now() - t0) / 1000).toFixed(0)}s`;

let dir = null, server = null, wrk = null;

/** Stop a child we started: SIGTERM, then SIGKILL after `graceMs`. Resolves its exit code or signal. */
function stopChild(p, graceMs = 10000) {
  if (!p || p.exitCode !== null || p.signalCode !== null) {
    return Promise.resolve(p ? (p.exitCode ?? p.signalCode) : null);
  }
  return new Promise((ok) => {
    const k = setTimeout(() => { try { p.kill('SIGKILL'); } catch { /* gone */ } }, graceMs);
    p.once('exit', (code, sig) => { clearTimeout(k); ok(code ?? sig); });
    try { p.kill('SIGTERM'); } catch { /* gone */ }
  });
}

async function cleanup() {
  await stopChild(wrk, 2000);
  await stopChild(server, 10000);
  if (dir && !KEEP) rmSync(dir, { recursive: true, force: true });
  else if (dir) log(`kept ${dir}`);
}

let failing = false;
async function fail(reason) {
  if (failing) return new Promise(() => {}); // the first failure reports and exits
  failing = true;
  await cleanup();
  console.log(`soak: FAIL ${reason}`);
  process.exit(1);
}

for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => { fail(`interrupted (${sig})`); });

// ---------------------------------------------------------------------------
// /proc sampling

function procSample(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (k) => { const m = new RegExp(`^${k}:\\s+(\\d+)\\s+kB`, 'm').exec(status); return m ? Number(m[1]) : NaN; };
  return { rssKb: kb('VmRSS'), anonKb: kb('RssAnon'), fileKb: kb('RssFile'), shmemKb: kb('RssShmem'),
    fds: readdirSync(`/proc/${pid}/fd`).length };
}
const mb = (kb) => `${(kb / 1024).toFixed(1)} MB`;

// ---------------------------------------------------------------------------
// wrk

/** The wrk Lua script: the mix, counters per thread, a JSON summary line from done(). */
function wrkScript({ token, maxId, delayMs, mix = MIX }) {
  return `-- generated by tests/soak/run.mjs
local token = ${JSON.stringify(token)}
local max_id = ${maxId}
local get_headers = { ["Authorization"] = "Bearer " .. token }
local post_headers = { ["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json" }
local lists = {
  "/api/v1/tickets?limit=20",
  "/api/v1/tickets?status=new&limit=20",
  "/api/v1/tickets?priority=normal,high&limit=50",
  "/api/v1/tickets?customer_ref=SOAK-7&limit=20",
}
local bodies = {}
for i = 1, 8 do
  bodies[i] = '{"subject":"Soak ticket ' .. i .. ': printer jams on tray 2",' ..
    '"description":"' .. string.rep("Since Monday the printer jams every twenty pages. ", i * 3) .. '",' ..
    '"priority":"' .. ({ "low", "normal", "high", "urgent" })[(i % 4) + 1] .. '",' ..
    '"customer_ref":"SOAK-' .. i .. '"}'
end
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  math.randomseed(os.time() + tonumber(tostring({}):match("0x(%x+)") or "0", 16) % 100000)
  ok = 0; bad = 0; created = 0; reads = 0; pages = 0; creates = 0
  statuses = {}
end

function request()
  local r = math.random(100)
  if r <= ${mix[0]} then
    reads = reads + 1
    return wrk.format("GET", "/api/v1/tickets/" .. math.random(max_id), get_headers)
  elseif r <= ${mix[0] + mix[1]} then
    pages = pages + 1
    return wrk.format("GET", lists[math.random(#lists)], get_headers)
  else
    creates = creates + 1
    return wrk.format("POST", "/api/v1/tickets", post_headers, bodies[math.random(#bodies)])
  end
end

function response(status, headers, body)
  if status >= 200 and status < 300 then
    ok = ok + 1
    if status == 201 then created = created + 1 end
  else
    bad = bad + 1
    statuses[status] = (statuses[status] or 0) + 1
  end
end
${delayMs > 0 ? `
local delay_ms = ${delayMs.toFixed(3)}
function delay()
  local d = math.floor(delay_ms)
  if math.random() < delay_ms - d then d = d + 1 end
  return d
end
` : ''}
function done(summary, latency, requests)
  local t = { ok = 0, bad = 0, created = 0, reads = 0, pages = 0, creates = 0 }
  local st = {}
  for _, th in ipairs(threads) do
    for k, _ in pairs(t) do t[k] = t[k] + (th:get(k) or 0) end
    local s = th:get("statuses") or {}
    for code, n in pairs(s) do st[#st + 1] = string.format('"%d":%d', code, n) end
  end
  local e = summary.errors
  io.write(string.format('SOAKJSON {"requests":%d,"duration_us":%d,"ok":%d,"bad":%d,"created":%d,' ..
    '"sent_reads":%d,"sent_pages":%d,"sent_creates":%d,"connect":%d,"read":%d,"write":%d,"status":%d,' ..
    '"timeout":%d,"p50_us":%d,"p90_us":%d,"p99_us":%d,"max_us":%d,"bad_statuses":{%s}}\\n',
    summary.requests, summary.duration, t.ok, t.bad, t.created, t.reads, t.pages, t.creates,
    e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
    table.concat(st, ",")))
end
`;
}

/** Run wrk for `seconds` against the server; resolves the parsed summary. Bounded: killed at seconds + 30 s. */
function runWrk(url, script, seconds, connections, name, onStart = () => {}) {
  const u = new URL(url);
  if (u.hostname !== HOST) throw new Error(`refusing to load ${u.hostname}: only ${HOST}`);
  const scriptPath = join(dir, `${name}.lua`);
  writeFileSync(scriptPath, script);
  return new Promise((ok, no) => {
    let out = '';
    wrk = spawn('wrk', [`-t${THREADS}`, `-c${connections}`, `-d${seconds}s`, '--timeout', '5s', '-s', scriptPath, url],
      { stdio: ['ignore', 'pipe', 'pipe'] });
    onStart(wrk);
    const hard = setTimeout(() => { out += '\n(wrk overran its time bound: killed)'; stopChild(wrk, 2000); },
      (seconds + 30) * 1000);
    wrk.stdout.on('data', (d) => { out += d; });
    wrk.stderr.on('data', (d) => { out += d; });
    wrk.on('error', (e) => { clearTimeout(hard); no(new Error(`wrk: ${e.message}`)); });
    wrk.on('exit', (code) => {
      clearTimeout(hard);
      wrk = null;
      if (KEEP) writeFileSync(join(dir, `${name}.out`), out);
      const line = out.split('\n').find((l) => l.startsWith('SOAKJSON '));
      if (code !== 0 || !line) { no(new Error(`wrk ${name} exited ${code}:\n${out.slice(-2000)}`)); return; }
      ok(JSON.parse(line.slice(9)));
    });
  });
}

/** One request on its own connection (no keep-alive: no client socket outlives it). */
function req(url, { method = 'GET', headers = {}, body } = {}) {
  return new Promise((ok, no) => {
    const r = http.request(url, { method, headers: { ...headers, connection: 'close' }, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d) => { text += d; });
      res.on('end', () => ok({ status: res.statusCode, text }));
      res.on('error', no);
    });
    r.setTimeout(5000, () => r.destroy(new Error(`${method} ${url}: timeout`)));
    r.on('error', no);
    r.end(body);
  });
}

function dbBytes(path) {
  let n = 0;
  for (const f of [path, `${path}-wal`]) { try { n += statSync(f).size; } catch { /* none */ } }
  return n;
}

// ---------------------------------------------------------------------------

async function main() {
  if (process.platform !== 'linux') return fail('needs Linux (/proc for RSS and fds)');
  if (!existsSync(BIN)) return fail(`no tend binary at ${BIN}: run 'make build' or set TEND_BIN`);
  if (spawnSync('wrk', ['--version']).error) return fail('wrk not found (apt-get install wrk)');

  dir = mkdtempSync(join(tmpdir(), 'tend-soak-'));
  const db = `sqlite:${join(dir, 'tend.db')}`;
  const u = await run(BIN, ['user', 'add', '--db', db, '--username', 'admin', '--name', 'Soak Admin', '--role', 'admin',
    '--password', `soak-${Math.random().toString(36).slice(2)}-pw`]);
  if (u.code !== 0) return fail(`tend user add: ${u.stderr.trim()}`);
  const tk = await run(BIN, ['token', 'add', '--db', db, '--username', 'admin', '--name', 'soak', '--scopes', '*']);
  if (tk.code !== 0) return fail(`tend token add: ${tk.stderr.trim()}`);
  const token = tk.stdout.trim();

  const port = await freePort();
  const url = `http://${HOST}:${port}`;
  // the access log stays on (the default) and goes to /dev/null: its code runs, nothing fills a pipe or a disk
  const devnull = openSync('/dev/null', 'w');
  const errPath = join(dir, 'tend.stderr');
  const errFd = openSync(errPath, 'w');
  server = spawn(BIN, ['serve', '--listen', `${HOST}:${port}`, '--db', db, '--data-dir', join(dir, 'data'),
    '--threads', String(THREADS), '--web-root', join(ROOT, 'web', 'dist')],
  { stdio: ['ignore', devnull, errFd] });
  closeSync(devnull);
  closeSync(errFd);
  const serverLog = () => { try { return readFileSync(errPath, 'utf8').slice(-3000); } catch { return ''; } };
  for (const deadline = Date.now() + 20000; ;) {
    if (server.exitCode !== null) return fail(`tend exited ${server.exitCode} at start:\n${serverLog()}`);
    try { if ((await req(`${url}/readyz`)).status === 200) break; } catch { /* not yet */ }
    if (Date.now() > deadline) return fail(`tend not ready after 20 s:\n${serverLog()}`);
    await sleep(50);
  }
  const pid = server.pid;
  log(`${elapsed()} tend ${BIN} pid ${pid} on ${url}, ${THREADS} threads; soak ${SECONDS}s`);

  // seed
  let next = 0, seeded = 0;
  const seedOne = async () => {
    while (next < SEED) {
      const i = next++;
      const r = await req(`${url}/api/v1/tickets`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ subject: `Seed ticket ${i}`, description: 'seed '.repeat(i % 50),
          customer_ref: `SOAK-${i % 10}`, priority: ['low', 'normal', 'high', 'urgent'][i % 4] }),
      });
      if (r.status !== 201) throw new Error(`seed create ${i}: ${r.status} ${r.text.slice(0, 200)}`);
      seeded++;
    }
  };
  try {
    await Promise.all(Array.from({ length: 16 }, seedOne));
  } catch (e) {
    return fail(`seeding: ${e.message}`);
  }
  log(`${elapsed()} seeded ${seeded} tickets`);

  // warm-up: creates only until RSS is flat (see the top)
  const dbPath = join(dir, 'tend.db');
  let warm = { created: 0, bad: 0, connect: 0, read: 0, write: 0, timeout: 0, bad_statuses: {}, requests: 0 };
  if (WARM_SECONDS > 0) {
    let proc = null, flat = false;
    const hist = [];
    const watch = setInterval(() => {
      try { hist.push({ at: Date.now(), kb: procSample(pid).rssKb }); } catch { return; }
      const now = hist[hist.length - 1];
      const then = hist.find((h) => h.at >= now.at - WARM_FLAT_MS - 100);
      if (proc && now.at - hist[0].at >= WARM_FLAT_MS && now.at - then.at >= WARM_FLAT_MS - 600 &&
        now.kb - then.kb < WARM_FLAT_KB) {
        flat = true;
        clearInterval(watch);
        proc.kill('SIGINT'); // wrk stops and reports
      }
    }, 500);
    try {
      warm = await runWrk(url, wrkScript({ token, maxId: SEED, delayMs: 0, mix: [0, 0, 100] }), WARM_SECONDS,
        16, 'warm-up', (p) => { proc = p; });
    } catch (e) {
      return fail(`warm-up run: ${e.message}`);
    } finally {
      clearInterval(watch);
    }
    const s = procSample(pid);
    log(`${elapsed()} warm-up: ${warm.created} creates, database ${(dbBytes(dbPath) / 1048576).toFixed(1)} MB, ` +
      `rss ${mb(s.rssKb)} (anon ${mb(s.anonKb)})${flat ? ', flat' : `, still growing after ${WARM_SECONDS}s`}`);
  }

  // capacity
  let cap;
  try {
    cap = await runWrk(url, wrkScript({ token, maxId: SEED, delayMs: 0 }), CAPACITY_SECONDS, CONNECTIONS, 'capacity');
  } catch (e) {
    return fail(`capacity run: ${e.message}`);
  }
  const capRate = cap.requests / (cap.duration_us / 1e6);
  const target = capRate / 2;
  log(`${elapsed()} capacity ${capRate.toFixed(0)} req/s (${cap.requests} requests, p99 ${(cap.p99_us / 1000).toFixed(2)} ms, ` +
    `${cap.bad} non-2xx, ${cap.connect + cap.read + cap.write + cap.timeout} socket errors); steady target ${target.toFixed(0)} req/s`);
  if (!(capRate > 0)) return fail('capacity run made no requests');
  await sleep(1000); // wrk's connections are closed
  const idle0 = procSample(pid);

  // steady: each connection waits delay ms between requests so that the total is about `target`
  const delayMs = (CONNECTIONS * 1000) / target;
  const samples = [];
  let steadyDone = false;
  const steadyStart = Date.now();
  const steady = runWrk(url, wrkScript({ token, maxId: SEED, delayMs }), SECONDS, CONNECTIONS, 'steady')
    .finally(() => { steadyDone = true; });
  await sleep(300); // connections open
  const sampler = (async () => {
    for (let k = 0; !steadyDone; k++) {
      const at = steadyStart + 300 + k * SAMPLE_MS;
      if (at > steadyStart + SECONDS * 1000 - 500) break; // samples only while the load runs
      await sleep(Math.max(0, at - Date.now()));
      if (steadyDone) break;
      if (server.exitCode !== null || server.signalCode !== null) break;
      try {
        const s = { t: (Date.now() - steadyStart) / 1000, ...procSample(pid) };
        samples.push(s);
        log(`${elapsed()} t=${s.t.toFixed(0)}s rss ${mb(s.rssKb)} (anon ${mb(s.anonKb)}, file ${mb(s.fileKb)}, ` +
          `shmem ${mb(s.shmemKb)}) fds ${s.fds}`);
      } catch { break; }
    }
  })();
  let st;
  try {
    st = await steady;
  } catch (e) {
    await sampler;
    return fail(`steady run: ${e.message}\n${serverLog()}`);
  }
  await sampler;
  const steadyRate = st.requests / (st.duration_us / 1e6);

  // after the load: idle fds, health, clean stop, stored tickets
  await sleep(1500);
  const alive = server.exitCode === null && server.signalCode === null;
  let healthy = false;
  try { healthy = (await req(`${url}/healthz`)).status === 200; } catch { /* no */ }
  const idle1 = alive ? procSample(pid) : null;
  const exit = await stopChild(server, 15000);
  server = null;
  const q = spawnSync('sqlite3', [dbPath, 'SELECT count(*) FROM tickets;'], { encoding: 'utf8', timeout: 20000 });
  const stored = q.status === 0 ? Number(q.stdout.trim()) : NaN;
  const acked = seeded + warm.created + cap.created + st.created;

  // checks
  const rows = [];
  const check = (name, measured, limit, pass) => rows.push({ name, measured, limit, result: pass === null ? 'info' : pass ? 'PASS' : 'FAIL' });
  const sockErr = (s) => s.connect + s.read + s.write + s.timeout;
  const bad = st.bad + sockErr(st) + cap.bad + sockErr(cap) + warm.bad + sockErr(warm);
  const badDetail = [st, cap, warm].map((s) => Object.entries(s.bad_statuses).map(([c, n]) => `${n}x${c}`).join(' ')).join(' ').trim();
  check('errors (non-2xx, socket errors)', `${bad}${bad ? ` (${badDetail || 'socket'}; connect/read/write/timeout ` +
    `${st.connect}/${st.read}/${st.write}/${st.timeout})` : ''}`, '0', bad === 0);
  const baseAt = 0.2 * SECONDS;
  const base = samples.find((s) => s.t >= baseAt);
  const last = samples[samples.length - 1];
  if (base && last && last !== base) {
    const allowKb = Math.max(base.rssKb * RSS_PCT, RSS_MIN_KB);
    const growth = last.rssKb - base.rssKb;
    check('RSS end vs after 20% of the run', `${mb(base.rssKb)} at ${base.t.toFixed(0)}s -> ${mb(last.rssKb)} at ` +
      `${last.t.toFixed(0)}s (${growth >= 0 ? '+' : ''}${mb(growth)})`, `<= +${mb(allowKb)}`, growth <= allowKb);
    const later = samples.filter((s) => s.t >= base.t);
    const lo = Math.min(...later.map((s) => s.fds)), hi = Math.max(...later.map((s) => s.fds));
    check('open fds under load (from 20% on)', `${base.fds} at ${base.t.toFixed(0)}s, range ${lo}..${hi}`,
      `${base.fds}+-${FD_SLACK}`, lo >= base.fds - FD_SLACK && hi <= base.fds + FD_SLACK);
  } else {
    check('RSS and fd samples', `${samples.length} samples`, '>= 2 after 20% of the run', false);
  }
  check('open fds idle, before vs after the load', idle1 ? `${idle0.fds} -> ${idle1.fds}` : 'server gone',
    `+-${FD_SLACK}`, !!idle1 && Math.abs(idle1.fds - idle0.fds) <= FD_SLACK);
  check('server alive and /healthz 200 after the load', alive && healthy ? 'yes' : `alive ${alive}, healthz ${healthy}`,
    'yes', alive && healthy);
  check('clean exit on SIGTERM', String(exit), '0', exit === 0);
  check('tickets stored >= creates acknowledged', `${Number.isNaN(stored) ? `sqlite3 failed: ${q.stderr || q.error}` : stored} >= ${acked}`,
    'holds', stored >= acked);
  check('steady rate', `${steadyRate.toFixed(0)} req/s (${st.requests} requests; ${st.sent_reads}/${st.sent_pages}/${st.sent_creates} ` +
    'reads/pages/creates sent)', `~${target.toFixed(0)} (half of ${capRate.toFixed(0)})`, null);
  check('latency p50 / p90 / p99 / max', `${(st.p50_us / 1000).toFixed(2)} / ${(st.p90_us / 1000).toFixed(2)} / ` +
    `${(st.p99_us / 1000).toFixed(2)} / ${(st.max_us / 1000).toFixed(2)} ms`, 'reported', null);

  console.log('');
  console.log(`samples (t s: RSS MB / fds): ${samples.map((s) => `${s.t.toFixed(0)}: ${(s.rssKb / 1024).toFixed(1)}/${s.fds}`).join(', ')}`);
  console.log('');
  const w = [Math.max(5, ...rows.map((r) => r.name.length)), Math.max(8, ...rows.map((r) => r.measured.length)),
    Math.max(5, ...rows.map((r) => r.limit.length)), 6];
  const line = (c) => `| ${c.map((x, i) => String(x).padEnd(w[i])).join(' | ')} |`;
  console.log(line(['check', 'measured', 'limit', 'result']));
  console.log(`|${w.map((n) => '-'.repeat(n + 2)).join('|')}|`);
  for (const r of rows) console.log(line([r.name, r.measured, r.limit, r.result]));
  console.log('');

  const failed = rows.filter((r) => r.result === 'FAIL');
  if (failed.length && exit !== 0) console.log(`tend stderr (tail):\n${serverLog()}`);
  await cleanup();
  if (failed.length) {
    console.log(`soak: FAIL ${failed.map((r) => `${r.name}: ${r.measured}`).join('; ')}`);
    process.exit(1);
  }
  console.log('soak: PASS');
}

main().catch((e) => fail(`unexpected: ${e.stack || e.message}`));
