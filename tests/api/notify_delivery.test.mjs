// Delivery through the outbox when the far side misbehaves: a webhook receiver
// that fails (500), hangs, or recovers; an SMTP server that goes down and comes
// back; retries with back-off, parking as failed with the last error, an
// admin's retry; webhook ordering per subscription and the HMAC signature.
// docs/api-notify.md "Delivery".
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { signatureValid } from '../lib/http-receiver.mjs';
import { parseMail } from '../lib/smtp-sink.mjs';
import { assertProblem, tag } from './client.mjs';
import { notifyRig, staff, until, deliveries } from './notify_lib.mjs';

const T = '/api/v1/tickets';

describe('webhook and email delivery', { timeout: 90000 }, () => {
  let rig, li, hook;
  before(async () => {
    rig = await notifyRig({ args: ['--notify-max-attempts', '3'] });
    li = await staff(rig.server, rig.admin, '李娜', 'li.na');
    const r = await rig.admin.post('/api/v1/webhooks', { name: 'ERP sync', url: rig.rx.url, event_types: ['ticket.created'],
      secret: 'a-shared-secret-of-some-length' });
    assert.equal(r.status, 201, r.text);
    hook = r.body;
  });
  after(async () => {
    await rig?.server.close();
    await rig?.sink.close();
    await rig?.rx.close();
  });

  const bodies = (list) => list.map((x) => JSON.parse(x.body));
  const ticketIdsOk = () => bodies(rig.rx.ok()).map((b) => b.entity_id);

  it('subscribes with a secret shown once, and validates what it is given', async () => {
    assert.equal(hook.secret, 'a-shared-secret-of-some-length');
    assert.equal(hook.active, true);
    const list = await rig.admin.get('/api/v1/webhooks');
    const shown = list.body.items.find((w) => w.id === hook.id);
    assert.equal(shown.secret, undefined, 'the secret is never listed');
    const gen = await rig.admin.post('/api/v1/webhooks', { name: 'spare', url: 'https://example.test/x', active: false });
    assert.equal(gen.status, 201, gen.text);
    assert.match(gen.body.secret, /^[0-9a-f]{64}$/, 'a secret is generated when none is given');
    assert.deepEqual(gen.body.event_types, ['*']);
    assertProblem(await rig.admin.post('/api/v1/webhooks', { name: 'x', url: 'ftp://example.test/' }), 422, 'url');
    assertProblem(await rig.admin.post('/api/v1/webhooks', { url: 'https://example.test/' }), 422, 'name');
    assertProblem(await rig.admin.post('/api/v1/webhooks', { name: 'x', url: 'https://example.test/', secret: 'short' }), 422, 'secret');
    assertProblem(await rig.admin.post('/api/v1/webhooks', { name: 'x', url: 'https://example.test/', event_types: ['ticket*'] }),
      422, 'event_types[0]');
    assertProblem(await rig.admin.post('/api/v1/webhooks', { name: 'x', url: 'https://example.test/', event_types: [] }),
      422, 'event_types');
    assertProblem(await rig.admin.post('/api/v1/webhooks', { name: 'x', url: 'https://example.test/', colour: 1 }), 422, 'colour');
    assertProblem(await rig.admin.patch(`/api/v1/webhooks/${gen.body.id}`, { version: 99, name: 'y' }), 409, 'version');
    assertProblem(await rig.admin.patch('/api/v1/webhooks/999999', { name: 'y' }), 404);
    const off = await rig.admin.patch(`/api/v1/webhooks/${gen.body.id}`, { version: 1, name: 'spare (off)' });
    assert.equal(off.status, 200, off.text);
    assert.equal(off.body.version, 2);
    assertProblem(await li.c.get('/api/v1/webhooks'), 403);
  });

  it('posts the event signed with HMAC-SHA256 over timestamp and body', async () => {
    const t = await li.c.post(T, { subject: tag('hook') });
    await rig.rx.waitFor(() => ticketIdsOk().includes(t.body.id), 10000, 'the webhook');
    const req = rig.rx.ok().find((x) => JSON.parse(x.body).entity_id === t.body.id);
    const body = JSON.parse(req.body);
    assert.equal(body.type, 'ticket.created');
    assert.equal(body.entity, 'ticket');
    assert.equal(body.actor, li.username);
    assert.equal(body.data.subject, t.body.subject);
    assert.equal(req.headers['x-tend-event'], 'ticket.created');
    assert.match(req.headers['x-tend-delivery'], /^\d+$/);
    assert.equal(req.headers['content-type'], 'application/json');
    assert.ok(signatureValid(req.headers['x-tend-signature'], req.body, 'a-shared-secret-of-some-length'),
      req.headers['x-tend-signature']);
    assert.ok(!signatureValid(req.headers['x-tend-signature'], req.body, 'another-secret-entirely'));
    const ts = Number(/t=(\d+)/.exec(req.headers['x-tend-signature'])[1]);
    assert.ok(Math.abs(ts - Date.now() / 1000) < 60);
    // the delivery log shows it sent, with one attempt
    // the outcome is recorded just after the receiver answered
    const d = await until(async () => (await deliveries(rig.admin, `webhook_id=${hook.id}`))
      .find((x) => x.event_id === body.id && x.status === 'sent'), 10000, 'the delivery recorded as sent');
    const one = await rig.admin.get(`/api/v1/deliveries/${d.id}`);
    assert.equal(one.status, 200);
    assert.equal(one.body.attempt_log.length, 1);
    assert.equal(one.body.attempt_log[0].ok, true);
    assert.equal(one.body.attempt_log[0].code, 200);
  });

  it('a failing receiver: retried with back-off, parked as failed, later ones wait their turn, an admin retries', async () => {
    rig.rx.setMode('fail');
    const seen = rig.rx.received.length;
    const a = await li.c.post(T, { subject: tag('fail-a') });
    const b = await li.c.post(T, { subject: tag('fail-b') });
    const failedA = await until(async () => (await deliveries(rig.admin, `status=failed&webhook_id=${hook.id}`))
      .find((d) => d.event_type === 'ticket.created' && JSON.stringify(d).length && d.recipient === rig.rx.url
        && d.attempts === 3), 20000, 'the first delivery parked');
    assert.equal(failedA.last_code, 500);
    assert.match(failedA.last_error, /HTTP 500/);
    // while A was pending, B was never sent: every request up to A's parking was A's
    const during = bodies(rig.rx.received.slice(seen, seen + 3)).map((x) => x.entity_id);
    assert.deepEqual(during, [a.body.id, a.body.id, a.body.id], 'three tries of A before anything of B');
    const times = rig.rx.received.slice(seen, seen + 3).map((x) => x.at);
    // back-off with TEND_NOTIFY_RETRY_MS=150: the 1st wait is 75-150 ms, the 2nd 150-300 ms
    assert.ok(times[1] - times[0] >= 70 && times[2] - times[1] >= 145, `back-off grows: ${times}`);
    // B gets its three tries after A is parked, then is parked too
    await until(async () => (await deliveries(rig.admin, `status=failed&webhook_id=${hook.id}`)).length >= 2, 20000, 'B parked');
    const failed = await deliveries(rig.admin, `status=failed&webhook_id=${hook.id}`);
    assert.equal(failed.length, 2);
    const one = await rig.admin.get(`/api/v1/deliveries/${failed[1].id}`);
    assert.deepEqual(one.body.attempt_log.map((x) => x.ok), [false, false, false]);
    // the receiver recovers; an admin retries A, then B: B waits behind A (a parked
    // delivery holds nothing up, so retrying B first could send it at once)
    rig.rx.setMode('ok');
    for (const d of [...failed].sort((x, y) => x.id - y.id)) {
      const r = await rig.admin.post(`/api/v1/deliveries/${d.id}/retry`);
      assert.equal(r.status, 200, r.text);
      assert.equal(r.body.status, 'pending');
    }
    await rig.rx.waitFor(() => ticketIdsOk().includes(a.body.id) && ticketIdsOk().includes(b.body.id), 10000, 'both after retry');
    const order = ticketIdsOk().filter((id) => id === a.body.id || id === b.body.id);
    assert.deepEqual(order, [a.body.id, b.body.id], 'per-subscription order by event id');
    assertProblem(await rig.admin.post(`/api/v1/deliveries/${failed[0].id}/retry`), 409, 'status', 'a sent delivery');
    assertProblem(await rig.admin.post('/api/v1/deliveries/999999/retry'), 404);
    assertProblem(await rig.admin.get('/api/v1/deliveries?status=lost'), 400, 'status');
  });

  it('a hanging receiver: the send times out, the error is recorded, the next try succeeds', async () => {
    rig.rx.setMode('hang');
    const t = await li.c.post(T, { subject: tag('hang') });
    const d = await until(async () => (await deliveries(rig.admin, `webhook_id=${hook.id}&status=pending`))
      .find((x) => x.attempts === 1 && x.last_error), 15000, 'a timed-out attempt');
    assert.match(d.last_error, /[Tt]imeout|timed out/);
    rig.rx.setMode('ok');
    await rig.rx.waitFor(() => ticketIdsOk().includes(t.body.id), 15000, 'delivery after the hang');
  });

  it('an SMTP server that goes down: email waits, is retried, arrives once it is back', async () => {
    const wang = await staff(rig.server, rig.admin, '王伟', 'wang.wei');
    await rig.sink.down();
    const t = await li.c.post(T, { subject: tag('smtp-down'), assignee_id: wang.id });
    const d = await until(async () => (await deliveries(rig.admin, 'channel=email'))
      .find((x) => x.user_id === wang.id && x.last_error), 15000, 'a failed SMTP attempt');
    assert.match(d.last_error, /connect|refused/i);
    await rig.sink.up();
    await rig.sink.waitFor((m) => m.some((x) => x.rcpt.includes(`<${wang.username}@example.test>`)), 15000, 'the email');
    const mail = rig.sink.messages.find((x) => x.rcpt.includes(`<${wang.username}@example.test>`));
    assert.match(parseMail(mail.raw).headers['message-id'][0], new RegExp(`tend\\.ticket-${t.body.id}\\.`));
    const sent = await until(async () => (await deliveries(rig.admin, 'channel=email'))
      .find((x) => x.id === d.id && x.status === 'sent'), 10000, 'the delivery recorded as sent');
    assert.ok(sent.attempts >= 2);
  });

  it('an SMTP server that refuses for a while (451): the email is retried until it is taken', async () => {
    const zhao = await staff(rig.server, rig.admin, 'Zhao Lei', 'zhao.lei');
    rig.sink.refuseNext(1);
    await li.c.post(T, { subject: tag('smtp-451'), assignee_id: zhao.id });
    await rig.sink.waitFor((m) => m.some((x) => x.rcpt.includes(`<${zhao.username}@example.test>`)), 15000, 'the email');
    const d = await until(async () => (await deliveries(rig.admin, 'channel=email'))
      .find((x) => x.user_id === zhao.id && x.status === 'sent'), 10000, 'the delivery recorded as sent');
    assert.equal(d.attempts, 2);
  });
});
