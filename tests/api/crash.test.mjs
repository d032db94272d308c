// Nothing acknowledged is lost: kill -9 the server while clients are creating
// tickets, restart it on the same database, and find every ticket that was
// answered 201, in a database that passes an integrity check.
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { startServer } from '../lib/server.mjs';
import { tag } from './client.mjs';

const CLIENTS = 8;
const KILL_AFTER_MS = 1000; // or once KILL_AFTER_ACKS creates are acknowledged
const KILL_AFTER_ACKS = 2000;
const MAX_MS = 1500; // the client loops' own bounds, never reached before the kill
const MAX_REQUESTS = 3000;

describe('durability under kill -9', { timeout: 30000 }, () => {
  let first, second;
  after(async () => {
    await second?.stop('SIGKILL');
    await first?.close();
  });

  it('every acknowledged create survives kill -9 and the database is intact', async (t) => {
    first = await startServer({ threads: 2 });
    const url = `${first.url}/api/v1/tickets`;
    const run = tag('crash');
    const acked = new Map(); // id -> subject
    const refused = []; // non-201 answers before the kill
    let sent = 0;
    let inflight = 0;
    let killed = false;
    const t0 = Date.now();
    let hot;
    const enough = new Promise((ok) => { hot = ok; });

    const loop = async (n) => {
      for (let i = 0; sent < MAX_REQUESTS && Date.now() - t0 < MAX_MS; i++) {
        sent++;
        const subject = `${run} client ${n} #${i}`;
        inflight++;
        try {
          const r = await fetch(url, {
            method: 'POST',
            headers: { authorization: `Bearer ${first.token}`, 'content-type': 'application/json' },
            body: JSON.stringify({ subject, customer_ref: run }),
          });
          const text = await r.text();
          if (r.status === 201) {
            const t = JSON.parse(text);
            assert.equal(t.subject, subject, 'the 201 echoes the subject sent');
            acked.set(t.id, subject);
            if (acked.size >= KILL_AFTER_ACKS) hot();
          } else if (!killed) {
            refused.push(`${r.status} ${text.slice(0, 200)}`);
          }
        } catch (e) {
          if (e instanceof assert.AssertionError) throw e;
          if (!killed) refused.push(`network error before the kill: ${e.cause?.code || e.message}`);
          return; // the server is gone (reset / refused): this client stops
        } finally {
          inflight--;
        }
      }
    };
    const loops = Array.from({ length: CLIENTS }, (_, n) => loop(n));

    await Promise.race([enough, new Promise((ok) => setTimeout(ok, KILL_AFTER_MS))]);
    const inflightAtKill = inflight;
    killed = true;
    await first.stop('SIGKILL');
    await Promise.all(loops);

    assert.deepEqual(refused, [], 'every create before the kill was answered 201');
    assert.ok(acked.size > 0, 'some creates were acknowledged before the kill');
    assert.ok(inflightAtKill > 0, `requests were in flight at the kill (${inflightAtKill})`);
    t.diagnostic(`${sent} sent, ${acked.size} acknowledged, ${inflightAtKill} in flight at the kill`);

    second = await startServer({ dir: first.dir, db: first.db, token: first.token, threads: 2 });
    const auth = { authorization: `Bearer ${first.token}` };
    const ids = [...acked.keys()];
    const lost = [];
    let next = 0;
    await Promise.all(Array.from({ length: CLIENTS }, async () => {
      while (next < ids.length) {
        const id = ids[next++];
        const r = await fetch(`${second.url}/api/v1/tickets/${id}`, { headers: auth });
        const body = await r.text();
        if (r.status !== 200) lost.push(`${id}: ${r.status}`);
        else if (JSON.parse(body).subject !== acked.get(id)) lost.push(`${id}: subject ${JSON.parse(body).subject}`);
      }
    }));
    assert.deepEqual(lost.slice(0, 20), [], `${lost.length} of ${ids.length} acknowledged tickets lost or wrong`);

    const r = await fetch(`${second.url}/api/v1/tickets`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ subject: 'after restart' }),
    });
    assert.equal(r.status, 201, 'creates work after the restart');
    const fresh = await r.json();
    assert.ok(!acked.has(fresh.id), `a new ticket does not reuse an acknowledged id (${fresh.id})`);

    await second.stop('SIGTERM');
    if (!first.db.startsWith('sqlite:')) return; // e.g. PostgreSQL via TEND_TEST_DB
    const file = first.db.slice('sqlite:'.length);
    const check = execFileSync('sqlite3', [file, 'PRAGMA integrity_check'], { encoding: 'utf8' }).trim();
    assert.equal(check, 'ok', `integrity_check of ${file}`);
  });
});
