// Disk full, then space returns: the database lives on a 4 MiB tmpfs that a
// filler file fills up. While it is full every write is 503 problem+json with
// Retry-After (never 500), reads go on, the server stays up; once the filler
// is gone writes succeed again, and the database is intact and holds exactly
// the creates that were acknowledged. Linux and root only (it mounts).
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, rmdirSync, existsSync, statfsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, tendBin, run, onPostgres } from '../lib/server.mjs';
import { client, assertProblem, tag } from './client.mjs';

const TICKETS = '/api/v1/tickets';
const FULL_TRIES = 20; // creates attempted while the disk is full
const BACK_TRIES = 20; // tries allowed for writes to come back

function sh(cmd, args) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 20000 });
  return { code: r.status, out: `${r.stdout || ''}${r.stderr || ''}${r.error ? r.error.message : ''}`.trim() };
}

/** Why this suite cannot run here, or null. */
function cannotRun() {
  if (onPostgres) return "fills the SQLite file's disk (on PostgreSQL the server's disk is the server's concern)";
  if (process.platform !== 'linux') return 'needs Linux (tmpfs)';
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return 'needs root to mount a tmpfs';
  if (sh('sqlite3', ['-version']).code !== 0) return 'needs the sqlite3 CLI for the integrity check';
  if (sh('dd', ['--version']).code !== 0) return 'needs dd';
  return null;
}

const reason = cannotRun();

describe('disk full, then space returns', { timeout: 60000, skip: reason || false }, () => {
  let dir = null, mounted = false, server = null;
  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

  after(async () => {
    // the server first (it holds files open on the mount), then the mount, even on failure
    if (server) {
      await Promise.race([server.stop('SIGKILL'), sleep(5000)]);
    }
    if (mounted) {
      let r = sh('umount', [dir]);
      for (let i = 0; r.code !== 0 && i < 20; i++) { await sleep(100); r = sh('umount', [dir]); }
      if (r.code !== 0) r = sh('umount', ['-l', dir]);
      assert.equal(r.code, 0, `umount ${dir}: ${r.out}`);
    }
    if (dir) {
      try { rmdirSync(dir); } catch { rmSync(dir, { recursive: true, force: true }); }
    }
  });

  it('writes are 503 while the disk is full and work again after; nothing acknowledged is lost', async (t) => {
    dir = mkdtempSync(join(tmpdir(), 'tend-diskfull-'));
    const m = sh('mount', ['-t', 'tmpfs', '-o', 'size=4m', 'tmpfs', dir]);
    if (m.code !== 0) {
      t.skip(`mount -t tmpfs failed: ${m.out}`);
      return;
    }
    mounted = true;
    const dbPath = join(dir, 'tend.db');
    const db = `sqlite:${dbPath}`;
    // startServer({dir}) makes the token but not the user (it reuses a directory): make the admin here
    const u = await run(tendBin(), ['user', 'add', '--db', db, '--username', 'admin', '--name', 'Disk Admin',
      '--role', 'admin', '--password', `admin-${Math.random().toString(36).slice(2)}-pw`]);
    assert.equal(u.code, 0, `tend user add: ${u.stderr}`);
    server = await startServer({ dir, db, threads: 2 });
    const api = client(server.url, { token: server.token });
    const mark = tag('full');
    let created = 0;
    const acked = [];

    // one ticket before the disk fills: the target of a PATCH while full
    const first = await api.create({ subject: `${mark} before`, customer_ref: mark });
    created++;
    acked.push(first.id);

    // fill the file system
    const filler = join(dir, 'filler');
    const dd = sh('dd', ['if=/dev/zero', `of=${filler}`, 'bs=64k', 'status=none']);
    assert.notEqual(dd.code, 0, 'dd stops with ENOSPC');
    assert.match(dd.out, /No space left/i, `dd: ${dd.out}`);
    const fs0 = statfsSync(dir);
    assert.ok(fs0.bavail === 0 || fs0.bavail * fs0.bsize < 64 * 1024, `the tmpfs is full: ${fs0.bavail} blocks free`);

    // creates while full: 503 problem+json with Retry-After, never 500, never 201
    const statuses = [];
    for (let i = 0; i < FULL_TRIES; i++) {
      const r = await api.post(TICKETS, { subject: `${mark} full #${i}`, customer_ref: mark,
        description: 'x'.repeat(2000) });
      statuses.push(r.status);
      if (r.status === 201) { created++; acked.push(r.body.id); continue; }
      assert.notEqual(r.status, 500, `create #${i} while full: 500 ${r.text.slice(0, 300)}`);
      assertProblem(r, 503, undefined, `create #${i} while full`);
      const ra = r.headers.get('retry-after');
      assert.match(ra || '', /^\d+$/, `Retry-After on the 503: ${ra}`);
      assert.ok(Number(ra) >= 1 && Number(ra) <= 3600, `Retry-After is a sane delay: ${ra}`);
    }
    assert.deepEqual(statuses, statuses.map(() => 503), `every create while full is 503: ${statuses.join(' ')}`);

    // a PATCH and an idempotent create while full: 503 too, and they leave nothing behind
    const p = await api.patch(`${TICKETS}/${first.id}`, { version: 1, status: 'in_progress' });
    assert.notEqual(p.status, 500, `PATCH while full: ${p.text.slice(0, 300)}`);
    assertProblem(p, 503, undefined, 'PATCH while full');
    assert.ok(p.headers.get('retry-after'), 'Retry-After on the PATCH 503');
    const key = tag('idem');
    const ik = await api.post(TICKETS, { subject: `${mark} idem`, customer_ref: mark },
      { headers: { 'idempotency-key': key } });
    assertProblem(ik, 503, undefined, 'idempotent create while full');

    // reads go on, the service endpoints answer, the process runs
    const list = await api.get(`${TICKETS}?customer_ref=${encodeURIComponent(mark)}&limit=50`);
    assert.equal(list.status, 200, `list while full: ${list.status} ${list.text.slice(0, 300)}`);
    assert.deepEqual(list.body.items.map((x) => x.id), [first.id]);
    const g = await api.get(`${TICKETS}/${first.id}`);
    assert.equal(g.status, 200);
    assert.equal(g.body.version, 1, 'the failed PATCH changed nothing');
    assert.equal(g.body.status, 'new');
    await api.healthy('while the disk is full');
    assert.equal(server.proc.exitCode, null, 'the server still runs');

    // space returns: writes succeed again within a few tries
    rmSync(filler);
    let back = -1;
    for (let i = 0; i < BACK_TRIES; i++) {
      const r = await api.post(TICKETS, { subject: `${mark} back #${i}`, customer_ref: mark });
      assert.notEqual(r.status, 500, `create #${i} after space returned: 500 ${r.text.slice(0, 300)}`);
      if (r.status === 201) { created++; acked.push(r.body.id); back = i; break; }
      assertProblem(r, 503, undefined, `create #${i} after space returned`);
      await sleep(Math.min(50 * 2 ** i, 1000));
    }
    assert.ok(back >= 0, `a create succeeds within ${BACK_TRIES} tries once space returns`);
    assert.ok(back <= 5, `writes came back within a few tries (took ${back + 1})`);
    for (let i = 0; i < 5; i++) {
      const r = await api.create({ subject: `${mark} after #${i}`, customer_ref: mark });
      created++;
      acked.push(r.id);
    }
    const up = await api.update(first.id, { version: 1, status: 'in_progress' });
    assert.equal(up.version, 2, 'the PATCH refused while full works now');
    // the key of the refused idempotent create is free: the retry creates (201), it is no replay
    const again = await api.post(TICKETS, { subject: `${mark} idem`, customer_ref: mark },
      { headers: { 'idempotency-key': key } });
    assert.equal(again.status, 201, `retry of the refused idempotent create: ${again.status} ${again.text.slice(0, 300)}`);
    created++;
    acked.push(again.body.id);

    // every acknowledged create is listed, nothing else is
    const all = await api.listAll(`customer_ref=${encodeURIComponent(mark)}`);
    assert.deepEqual(all.map((x) => x.id).sort((a, b) => a - b), [...acked].sort((a, b) => a - b));

    // stop cleanly, then check the file itself
    await server.stop('SIGTERM');
    const exit = server.proc.exitCode;
    assert.equal(exit, 0, `tend exits 0 after SIGTERM (sanitizers clean):\n${server.output().slice(-4000)}`);
    assert.ok(existsSync(dbPath));
    const ic = sh('sqlite3', [dbPath, 'PRAGMA integrity_check;']);
    assert.equal(ic.code, 0, ic.out);
    assert.equal(ic.out, 'ok', `PRAGMA integrity_check: ${ic.out}`);
    const n = sh('sqlite3', [dbPath, 'SELECT count(*) FROM tickets;']);
    assert.equal(n.code, 0, n.out);
    assert.equal(Number(n.out), created, `tickets stored (${n.out}) = creates acknowledged (${created})`);
    assert.doesNotMatch(server.output(), /AddressSanitizer|LeakSanitizer|runtime error:/,
      'no sanitizer report in the server output');
  });
});

