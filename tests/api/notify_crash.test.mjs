// The outbox survives its own server dying: `kill -9` of tend while a webhook
// send hangs mid-way, then a restart on the same database: the claim's lease
// runs out and every email and webhook arrives at least once. And with no SMTP
// server configured, email deliveries wait instead of failing.
// docs/reliability.md "Notifications".
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../lib/server.mjs';
import { client, tag } from './client.mjs';
import { FAST, notifyRig, staff, until, deliveries } from './notify_lib.mjs';

const T = '/api/v1/tickets';

describe('notifications across a crash', { timeout: 90000 }, () => {
  const cleanup = [];
  after(async () => { for (const f of cleanup.reverse()) await f().catch(() => {}); });

  it('kill -9 while a webhook send hangs, restart: every delivery arrives at least once', async () => {
    const rig = await notifyRig();
    cleanup.push(() => rig.sink.close(), () => rig.rx.close());
    const wang = await staff(rig.server, rig.admin, '王伟', 'wang.wei');
    const li = await staff(rig.server, rig.admin, '李娜', 'li.na');
    const h = await rig.admin.post('/api/v1/webhooks', { name: 'crash', url: rig.rx.url, event_types: ['ticket.*'] });
    assert.equal(h.status, 201, h.text);
    rig.rx.setMode('hang');
    const ids = [];
    for (let i = 0; i < 5; i++) {
      const t = await li.c.post(T, { subject: tag(`crash-${i}`), assignee_id: wang.id });
      assert.equal(t.status, 201, t.text);
      ids.push(t.body.id);
    }
    await rig.rx.waitFor((r) => r.length >= 1, 10000, 'a send in flight');
    await rig.server.stop('SIGKILL');
    rig.rx.setMode('ok');
    const again = await startServer({ dir: rig.server.dir, db: rig.server.db, token: rig.server.token,
      env: FAST, args: ['--smtp-url', rig.sink.url, '--smtp-from', 'service@tend.test'] });
    cleanup.push(() => again.close());
    const admin = client(again.url, { token: again.token });
    const okIds = () => new Set(rig.rx.ok().map((r) => JSON.parse(r.body)).filter((b) => b.type === 'ticket.created')
      .map((b) => b.entity_id));
    await rig.rx.waitFor(() => ids.every((id) => okIds().has(id)), 20000, 'every webhook after the restart');
    const mailed = () => new Set(rig.sink.messages.filter((m) => m.rcpt.includes(`<${wang.username}@example.test>`))
      .map((m) => Number(/tend\.ticket-(\d+)\./.exec(m.raw)[1])));
    await rig.sink.waitFor(() => ids.every((id) => mailed().has(id)), 20000, 'every email after the restart');
    await until(async () => (await deliveries(admin, 'status=pending')).length === 0, 10000, 'nothing left pending');
    assert.equal((await deliveries(admin, 'status=failed')).length, 0);
    // the fan-out did not run twice for any event: one email delivery per ticket
    const emails = (await deliveries(admin, 'channel=email&limit=200')).filter((d) => d.user_id === wang.id);
    assert.equal(emails.length, ids.length, 'one email delivery per assignment');
  });

  it('with no SMTP server configured, email deliveries wait instead of failing', async () => {
    const server = await startServer({ env: FAST });
    cleanup.push(() => server.close());
    const admin = client(server.url, { token: server.token });
    const wang = await staff(server, admin, '王伟', 'wang.wei');
    const li = await staff(server, admin, '李娜', 'li.na');
    const t = await li.c.post(T, { subject: tag('no-smtp'), assignee_id: wang.id });
    await until(async () => (await wang.c.get('/api/v1/notifications')).body.items.find((n) => n.entity_id === t.body.id),
      10000, 'the in-app notification');
    await new Promise((r) => setTimeout(r, 400)); // several notifier rounds
    const d = (await deliveries(admin, 'channel=email')).find((x) => x.user_id === wang.id);
    assert.equal(d.status, 'pending');
    assert.equal(d.attempts, 0);
    assert.equal(d.last_error, null);
  });
});
