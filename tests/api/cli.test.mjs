// The `tend` command line as an operator meets it: help, clear refusals of
// bad flags, migrations, demo data, users, and TEND_DB.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, existsSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, run, tendBin, freePort } from '../lib/server.mjs';
import { client, STATUSES } from './client.mjs';

// A command that should refuse to start might instead serve forever:
// coreutils `timeout` bounds it and exits 124 if it did.
const LIMIT = '10';
const tend = (args, env) => run(tendBin(), args, env);
const bounded = (args, env) => run('timeout', [LIMIT, tendBin(), ...args], env);
const show = (r) => `exit ${r.code}\nstdout: ${r.stdout.slice(0, 500)}\nstderr: ${r.stderr.slice(0, 500)}`;

/** Assert a clean refusal: non-zero exit (not a timeout or a crash) and `re` on stderr. */
function refused(r, re, what) {
  assert.notEqual(r.code, 0, `${what} must fail; ${show(r)}`);
  assert.notEqual(r.code, 124, `${what} must fail at once, not run; ${show(r)}`);
  assert.ok(r.code !== null && r.code < 128, `${what} exits, not killed by a signal; ${show(r)}`);
  assert.match(r.stderr, re, `${what}: stderr explains; ${show(r)}`);
}

describe('tend command line', { timeout: 30000 }, () => {
  let dir;
  const db = (name) => `sqlite:${join(dir, name)}`;
  before(() => { dir = mkdtempSync(join(tmpdir(), 'tend-cli-')); });
  after(() => { rmSync(dir, { recursive: true, force: true }); });

  it('tend import: all or nothing with the row errors on stderr, --partial imports the valid rows', async () => {
    const file = join(dir, 'orgs.csv');
    writeFileSync(file, 'name,tier,external_id\nCLI one,vip,CLI-1\nCLI two,diamond,CLI-2\n');
    const first = await tend(['import', 'organisations', file, '--db', db('import.db')]);
    refused(first, /row 3, tier: must be one of vip, gold, standard/, 'an import with a bad row');
    assert.match(first.stdout, /0 created.*nothing imported/, show(first));
    const partial = await tend(['import', 'organisations', file, '--db', db('import.db'), '--partial']);
    assert.match(partial.stdout, /1 created, 0 updated, 1 failed/, show(partial));
    refused(await tend(['import', 'widgets', file, '--db', db('import.db')]), /organisations\|contacts\|sites\|assets/, 'an unknown kind');
    refused(await tend(['import', 'organisations', join(dir, 'missing.csv'), '--db', db('import.db')]), /missing\.csv/, 'a missing file');
  });

  it('tend --help lists the subcommands and exits 0', async () => {
    const r = await tend(['--help']);
    assert.equal(r.code, 0, show(r));
    for (const sub of ['serve', 'migrate', 'demo', 'user']) assert.match(r.stdout, new RegExp(`\\b${sub}\\b`), show(r));
  });

  it('tend serve --help describes --listen and exits 0', async () => {
    const r = await bounded(['serve', '--help']);
    assert.equal(r.code, 0, show(r));
    assert.match(r.stdout, /--listen\b/, show(r));
    assert.match(r.stdout, /--db\b/, show(r));
  });

  it('an unknown subcommand is refused by name', async () => {
    refused(await bounded(['frobnicate']), /frobnicate/, 'tend frobnicate');
  });

  it('an unknown flag is refused by name', async () => {
    refused(await bounded(['serve', '--frobnicate']), /--frobnicate/, 'tend serve --frobnicate');
    refused(await bounded(['migrate', '--db', db('f.db'), '--frobnicate']), /--frobnicate/, 'tend migrate --frobnicate');
  });

  it('a flag without its value is refused', async () => {
    refused(await bounded(['serve', '--db', db('v.db'), '--listen']), /listen/, 'tend serve --listen');
  });

  it('serve refuses a database in a directory that does not exist, naming the path', async () => {
    const port = await freePort();
    const r = await bounded(['serve', '--listen', `127.0.0.1:${port}`, '--db', 'sqlite:/nonexistent-dir/x.db',
      '--data-dir', join(dir, 'data-missing')]);
    refused(r, /\/nonexistent-dir\/x\.db/, 'serve --db sqlite:/nonexistent-dir/x.db');
  });

  it('serve refuses --threads 0 and other bad thread counts', async () => {
    for (const n of ['0', '-1', 'abc', '2x']) {
      const port = await freePort();
      const r = await bounded(['serve', '--listen', `127.0.0.1:${port}`, '--db', db('threads.db'),
        '--data-dir', join(dir, 'data-threads'), '--threads', n]);
      refused(r, /threads/, `--threads ${n}`);
    }
  });

  it('serve refuses a nonsense --listen address', async () => {
    for (const addr of ['nonsense', '127.0.0.1:99999', '127.0.0.1:']) {
      const r = await bounded(['serve', '--listen', addr, '--db', db('listen.db'),
        '--data-dir', join(dir, 'data-listen')]);
      refused(r, /listen|address|port/i, `--listen ${addr}`);
    }
  });

  it('migrate creates the schema and running it again is harmless', async () => {
    const d = db('migrate.db');
    const a = await tend(['migrate', '--db', d]);
    assert.equal(a.code, 0, show(a));
    assert.ok(existsSync(join(dir, 'migrate.db')), 'the database file exists');
    const b = await tend(['migrate', '--db', d]);
    assert.equal(b.code, 0, `second migrate: ${show(b)}`);
    // the harness signs in with a token for the user "admin": an operator adds it first
    const u = await tend(['user', 'add', '--db', d, '--username', 'admin', '--role', 'admin',
      '--password', 'migrate admin password']);
    assert.equal(u.code, 0, show(u));
    const server = await startServer({ dir, db: d });
    try {
      const r = await client(server.url, { token: server.token }).get('/api/v1/tickets');
      assert.equal(r.status, 200);
    } finally {
      await server.stop();
    }
  });

  it('demo loads tickets in every status category', async () => {
    const d = db('demo.db');
    const r = await tend(['demo', '--db', d]);
    assert.equal(r.code, 0, show(r));
    const server = await startServer({ dir, db: d });
    try {
      const api = client(server.url, { token: server.token });
      // statuses belong to each type's workflow; the categories are common to all
      for (const s of STATUSES) {
        const l = await api.get(`/api/v1/tickets?status_category=${s}&limit=1`);
        assert.equal(l.status, 200);
        assert.equal(l.body.items.length, 1, `demo has a ticket in category ${s}`);
      }
      for (const s of ['new', 'in_progress', 'pending_customer', 'resolved', 'closed']) {
        const l = await api.get(`/api/v1/tickets?type=repair&status=${s}&limit=1`);
        assert.equal(l.status, 200);
        assert.equal(l.body.items.length, 1, `demo has a repair in ${s}`);
      }
    } finally {
      await server.stop();
    }
  });

  it('user add creates a user once; a duplicate username is refused', async () => {
    const d = db('users.db');
    assert.equal((await tend(['migrate', '--db', d])).code, 0);
    const password = 'correct horse battery';
    const args = ['user', 'add', '--db', d, '--username', 'alice', '--role', 'agent', '--password', password];
    const a = await tend(args);
    assert.equal(a.code, 0, show(a));
    assert.ok(!(a.stdout + a.stderr).includes(password), 'the password is not echoed');
    refused(await tend(args), /alice|exists|taken|duplicate/i, 'a second alice');
    const dump = execFileSync('sqlite3', [join(dir, 'users.db'), '.dump'], { encoding: 'utf8' });
    assert.ok(dump.includes('alice'), 'alice is stored');
    assert.ok(!dump.includes(password), 'the password is not stored in clear');
  });

  it('user add refuses an unknown role', async () => {
    const d = db('roles.db');
    assert.equal((await tend(['migrate', '--db', d])).code, 0);
    refused(await tend(['user', 'add', '--db', d, '--username', 'bob', '--role', 'wizard', '--password', 'long enough pass']),
      /role|wizard/i, '--role wizard');
  });

  it('user add --password-stdin and token add: the printed secret acts as that user within its scopes', async () => {
    const d = db('tokens.db');
    assert.equal((await tend(['migrate', '--db', d])).code, 0);
    const password = 'piped in password 42';
    const u = await run('sh', ['-c', `printf '%s\\n' "$PW" | "$TEND" user add --db "$DB" --username carol --role agent --password-stdin`],
      { ...process.env, PW: password, TEND: tendBin(), DB: d });
    assert.equal(u.code, 0, show(u));
    assert.ok(!(u.stdout + u.stderr).includes(password), 'the password is not echoed');
    const a = await tend(['user', 'add', '--db', d, '--username', 'admin', '--role', 'admin', '--password', 'cli admin password']);
    assert.equal(a.code, 0, show(a));
    const t = await tend(['token', 'add', '--db', d, '--username', 'carol', '--name', 'ci', '--scopes', 'tickets:read']);
    assert.equal(t.code, 0, show(t));
    const secret = t.stdout.trim();
    assert.match(secret, /^tend_\S+$/, `token add prints the secret alone: ${show(t)}`);
    const dump = execFileSync('sqlite3', [join(dir, 'tokens.db'), '.dump'], { encoding: 'utf8' });
    assert.ok(!dump.includes(secret), 'the secret is not stored in clear');
    const server = await startServer({ dir, db: d });
    try {
      const api = client(server.url, { token: secret });
      const me = await api.get('/api/v1/auth/me');
      assert.equal(me.status, 200, me.text);
      assert.equal(me.body.user.username, 'carol');
      assert.equal((await api.get('/api/v1/tickets')).status, 200, 'tickets:read is in scope');
      assert.equal((await api.post('/api/v1/tickets', { subject: 'out of scope' })).status, 403, 'tickets:create is not');
      await client(server.url).login('carol', password);
    } finally {
      await server.stop();
    }
  });

  it('token add for an unknown user is refused', async () => {
    const d = db('tokens2.db');
    assert.equal((await tend(['migrate', '--db', d])).code, 0);
    refused(await tend(['token', 'add', '--db', d, '--username', 'ghost', '--name', 'x']), /ghost|user|not found|unknown/i,
      'token add --username ghost');
  });

  it('TEND_DB stands in for --db, and --db wins over it', async () => {
    const viaEnv = join(dir, 'env.db');
    const r = await tend(['migrate'], { ...process.env, TEND_DB: `sqlite:${viaEnv}` });
    assert.equal(r.code, 0, show(r));
    assert.ok(existsSync(viaEnv), 'migrate used TEND_DB');
    const tables = execFileSync('sqlite3', [viaEnv, '.tables'], { encoding: 'utf8' });
    assert.match(tables, /\w/, 'TEND_DB database has tables');

    const ignored = join(dir, 'ignored.db');
    const flag = join(dir, 'flag.db');
    const f = await tend(['migrate', '--db', `sqlite:${flag}`], { ...process.env, TEND_DB: `sqlite:${ignored}` });
    assert.equal(f.code, 0, show(f));
    assert.ok(existsSync(flag), '--db used');
    assert.ok(!existsSync(ignored), 'TEND_DB ignored when --db is given');
  });
});
