// Browser suite for notifications: the unread badge in the console header
// follows an assignment, the list opens the ticket and marks it read; an admin
// retries a failed webhook delivery from the Deliveries page.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { useSuite, openPage, api, isApi, sel, SHOTS } from './browser.mjs';
import { dbQuery } from '../lib/server.mjs';
import { startReceiver } from '../lib/http-receiver.mjs';

const FAST = { TEND_NOTIFY_POLL_MS: '50', TEND_NOTIFY_RETRY_MS: '100', TEND_NOTIFY_TIMEOUT_MS: '1500' };
const suite = useSuite({ demo: true, env: FAST, args: ['--notify-max-attempts', '2'] });
let rx;
before(async () => { rx = await startReceiver(); });
after(async () => { await rx?.close(); });

async function until(fn, ms = 10000, what = 'condition') {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const unreadOf = (username) => Number(dbQuery(suite.server.db, 'SELECT COUNT(*) FROM notifications n JOIN users u '
  + `ON u.id = n.user_id WHERE u.username = '${username}' AND n.read_at IS NULL`).trim());

test('the bell shows unread notifications; opening one goes to the ticket and marks it read', async (t) => {
  const users = (await api(suite, 'GET', '/api/v1/users?limit=200', undefined, 200)).body.items;
  const agent = users.find((u) => u.username === 'agent');
  const before = unreadOf('agent');
  const ticket = (await api(suite, 'POST', '/api/v1/tickets', { subject: 'Compressor will not start / 压缩机不启动',
    assignee_id: agent.id }, 201)).body;
  await until(() => unreadOf('agent') > before, 10000, 'the fan-out');

  const page = await openPage(suite, t, { as: 'agent' });
  await page.goto('/tickets');
  const badge = page.locator(sel('notify-badge'));
  await page.waitForFunction((s) => Number(document.querySelector(s)?.dataset.count) > 0, sel('notify-badge'));
  const count = Number(await badge.getAttribute('data-count'));
  assert.equal(count, before + 1);
  assert.equal((await page.locator(`${sel('notify-badge')} .el-badge__content`).innerText()).trim(), String(count));

  await page.locator(sel('notify-bell')).click();
  const item = page.locator(`${sel('notify-item')}[data-read="false"]`).first();
  await item.waitFor();
  assert.match(await item.innerText(), /Assigned to me/);
  assert.match(await item.innerText(), new RegExp(ticket.number));
  await page.screenshot({ path: join(SHOTS, 'notifications-bell.png') });
  await Promise.all([
    page.waitForResponse((r) => r.request().method() === 'POST' && /\/api\/v1\/notifications\/\d+\/read$/.test(r.url())),
    item.click(),
  ]);
  await page.waitForURL(`**/tickets/${ticket.id}`);
  await page.waitForFunction((s) => Number(document.querySelector(s)?.dataset.count) === 0, sel('notify-badge'));
  assert.equal(unreadOf('agent'), 0);
  assert.equal(await page.locator(`${sel('notify-badge')} .el-badge__content`).isVisible(), false, 'no badge at 0');
});

test('an admin sees a failed webhook delivery with its error and retries it', async (t) => {
  rx.setMode('fail');
  await api(suite, 'POST', '/api/v1/webhooks', { name: 'e2e receiver', url: rx.url, event_types: ['ticket.created'] }, 201);
  const ticket = (await api(suite, 'POST', '/api/v1/tickets', { subject: 'Webhook retry e2e' }, 201)).body;
  const failed = await until(async () => (await api(suite, 'GET', '/api/v1/deliveries?status=failed&channel=webhook')).body
    .items.find((d) => d.event_type === 'ticket.created'), 15000, 'a parked delivery');

  const page = await openPage(suite, t, { as: 'admin' });
  await page.goto('/tickets');
  await page.locator(sel('nav-admin-deliveries')).click();
  const row = page.locator(`${sel('delivery-row')}[data-id="${failed.id}"]`);
  await row.waitFor();
  assert.match(await row.locator(sel('delivery-error')).innerText(), /HTTP 500/);
  await page.screenshot({ path: join(SHOTS, 'notifications-failed-deliveries.png'), fullPage: true });
  rx.setMode('ok');
  const [answer] = await Promise.all([
    page.waitForResponse(isApi('POST', `/api/v1/deliveries/${failed.id}/retry`)),
    row.locator(sel('delivery-retry')).click(),
  ]);
  assert.equal(answer.status(), 200);
  await page.waitForFunction((s) => document.querySelector(s)?.dataset.value === 'pending',
    `${sel('delivery-row')}[data-id="${failed.id}"] ${sel('delivery-status')}`);
  await rx.waitFor(() => rx.ok().some((r) => JSON.parse(r.body).entity_id === ticket.id), 10000, 'the retried webhook');
  const after = await until(async () => {
    const d = (await api(suite, 'GET', `/api/v1/deliveries/${failed.id}`, undefined, 200)).body;
    return d.status === 'sent' && d;
  }, 10000, 'the delivery recorded as sent');
  assert.deepEqual(after.attempt_log.map((a) => a.ok), [false, false, true]);
});
