// Starts a real `tend serve` on a free loopback port with a fresh database,
// waits for /readyz, and stops it. Shared by the API and browser suites.
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The tend binary under test: $TEND_BIN, else build-san/tend, else build/tend. */
export function tendBin() {
  if (process.env.TEND_BIN) return resolve(process.env.TEND_BIN);
  for (const p of ['build-san/tend', 'build/tend']) {
    const f = join(ROOT, p);
    if (existsSync(f)) return f;
  }
  throw new Error('no tend binary: run `make build` first or set TEND_BIN');
}

/** A free TCP port on 127.0.0.1. */
export function freePort() {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.on('error', fail);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => ok(port));
    });
  });
}

/** Whether the suites run on PostgreSQL (make test-api-pg sets TEND_TEST_PG). */
export const onPostgres = Boolean(process.env.TEND_TEST_PG);

/**
 * Database URL for a server: with $TEND_TEST_PG (the admin URL of the
 * throwaway server scripts/pg-temp started) a fresh PostgreSQL database, else
 * $TEND_TEST_DB, else a fresh SQLite file in `dir`.
 */
export function freshDb(dir) {
  if (process.env.TEND_TEST_PG) {
    const admin = process.env.TEND_TEST_PG;
    const name = `t_${process.pid}_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
    execFileSync('psql', ['-q', '-v', 'ON_ERROR_STOP=1', admin, '-c', `CREATE DATABASE ${name}`]);
    return admin.replace(/\/[^/]*$/, `/${name}`);
  }
  return process.env.TEND_TEST_DB || `sqlite:${join(dir, 'tend.db')}`;
}

/** Run SQL against a server's database (sqlite3 or psql CLI); returns stdout
 * (rows one per line, columns separated by '|'). */
export function dbQuery(db, sql) {
  if (db.startsWith('sqlite:')) {
    return execFileSync('sqlite3', ['-cmd', '.timeout 5000', db.slice('sqlite:'.length), sql],
      { encoding: 'utf8', maxBuffer: 1 << 28 });
  }
  return execFileSync('psql', ['-qAt', '-v', 'ON_ERROR_STOP=1', db, '-c', sql],
    { encoding: 'utf8', maxBuffer: 1 << 28 });
}

/** Everything stored in a server's database, as text (sqlite3 .dump or pg_dump). */
export function dbDump(db) {
  if (db.startsWith('sqlite:')) {
    return execFileSync('sqlite3', [db.slice('sqlite:'.length), '.dump'], { encoding: 'utf8', maxBuffer: 1 << 28 });
  }
  return execFileSync('pg_dump', ['--data-only', db], { encoding: 'utf8', maxBuffer: 1 << 28 });
}

/**
 * Start a server. Options: { demo: bool, threads: n, dir: existing dir to reuse
 * (for restart tests; pass token: the first server's token), env: extra
 * environment, args: extra flags }.
 * Returns { url, port, dir, db, proc, token (an admin API token, scopes *),
 * adminPassword, stop(signal), output() }.
 */
export async function startServer(opts = {}) {
  const dir = opts.dir || mkdtempSync(join(tmpdir(), 'tend-test-'));
  const db = opts.db || freshDb(dir);
  const bin = tendBin();
  const env = { ...process.env, ...(opts.env || {}) };
  // every server gets an admin and an admin API token, made with the CLI as an
  // operator would: the demo's admin when demo data is loaded, else a fresh one
  const adminPassword = opts.demo ? 'tend-demo-2026' : `admin-${Math.random().toString(36).slice(2)}-pw`;
  if (opts.demo) {
    await mustRun(bin, ['demo', '--db', db, '--quiet'], env);
  } else if (!opts.dir) {
    await mustRun(bin, ['user', 'add', '--db', db, '--username', 'admin', '--name', 'Test Admin',
      '--role', 'admin', '--password', adminPassword], env);
  }
  const token = opts.dir && opts.token ? opts.token
    : (await mustRun(bin, ['token', 'add', '--db', db, '--username', 'admin', '--name',
      'test-suite', '--scopes', '*'], env)).stdout.trim();
  const port = await freePort();
  const args = ['serve', '--listen', `127.0.0.1:${port}`, '--db', db,
    '--data-dir', join(dir, 'data'), '--threads', String(opts.threads || 2),
    '--web-root', opts.webRoot || join(ROOT, 'web', 'dist'), ...(opts.args || [])];
  const proc = spawn(bin, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout.on('data', (d) => { out += d; if (out.length > 1e6) out = out.slice(-5e5); });
  proc.stderr.on('data', (d) => { out += d; if (out.length > 1e6) out = out.slice(-5e5); });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 20000;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`tend exited ${proc.exitCode}:\n${out}`);
    try {
      const r = await fetch(`${url}/readyz`);
      if (r.status === 200) break;
    } catch { /* not listening yet */ }
    if (Date.now() > deadline) { proc.kill('SIGKILL'); throw new Error(`tend not ready:\n${out}`); }
    await new Promise((r) => setTimeout(r, 50));
  }
  const server = {
    url, port, dir, db, proc, token, adminPassword,
    output: () => out,
    /** Stop with SIGTERM (clean) or SIGKILL; resolves when the process is gone. */
    stop(signal = 'SIGTERM') {
      if (proc.exitCode !== null || proc.signalCode !== null) return Promise.resolve();
      return new Promise((ok) => { proc.once('exit', () => ok()); proc.kill(signal); });
    },
    /** Stop and remove the temporary directory (unless it was given). */
    async close() {
      await server.stop();
      if (!opts.dir) rmSync(dir, { recursive: true, force: true });
    },
  };
  return server;
}

async function mustRun(bin, args, env) {
  const r = await run(bin, args, env);
  if (r.code !== 0) throw new Error(`tend ${args.slice(0, 2).join(' ')} failed (${r.code}): ${r.stderr}`);
  return r;
}

/** Run a tend subcommand to completion; resolves {code, stdout, stderr}. */
export function run(bin, args, env = process.env) {
  return new Promise((ok) => {
    const p = spawn(bin, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '', stderr = '';
    p.stdout.on('data', (d) => { stdout += d; });
    p.stderr.on('data', (d) => { stderr += d; });
    p.on('exit', (code) => ok({ code, stdout, stderr }));
  });
}
