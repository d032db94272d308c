// Browser suite for the ticket pages: a person (the demo `agent`, signed in)
// opens the console in headless Chromium against a real `tend serve`, creates
// a ticket, meets a validation error, moves one along its workflow, hits an edit conflict
// and switches the language.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import {
  useSuite, openPage as open, signInWithForm, api, isApi, choose, waitForCount, sel, SHOTS,
} from './browser.mjs';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

const suite = useSuite({ demo: true });

/** A fresh browser context signed in as the demo agent (through the API). */
const openPage = (t, locale = 'en-US') => open(suite, t, { locale, as: 'agent' });

/** Create a ticket straight through the API (test setup, not what is under test). */
async function apiCreate(body) {
  return (await api(suite, 'POST', '/api/v1/tickets', body, 201)).body;
}

test('an agent creates a ticket from the list and sees it at the top', async (t) => {
  const page = await openPage(t);
  await apiCreate({ subject: 'Older ticket already in the queue' });
  await page.goto('/tickets');
  await page.locator(sel('ticket-row'), { hasText: 'Older ticket' }).waitFor();

  await page.locator(sel('new-ticket')).click();
  const subject = `Printer jams on tray 2 (${Date.now()})`;
  await page.locator(sel('ticket-subject')).fill(subject);
  await page.locator(sel('ticket-description')).fill('Since Monday the printer jams on every second sheet.');
  await choose(page, 'ticket-priority', 'create-priority-option-high');
  await page.locator(sel('ticket-customer-ref')).fill('ACME-001');

  const [response] = await Promise.all([
    page.waitForResponse(isApi('POST', '/api/v1/tickets')),
    page.locator(sel('create-submit')).click(),
  ]);
  assert.equal(response.status(), 201);
  assert.match(response.request().headers()['idempotency-key'] || '', UUID);
  assert.ok(response.request().headers()['x-csrf-token'], 'the session\'s CSRF token goes with the POST');
  const created = await response.json();
  assert.equal(created.subject, subject);
  assert.equal(created.priority, 'high');
  assert.equal(created.customer_ref, 'ACME-001');

  await page.locator(sel('create-form')).waitFor({ state: 'hidden' });
  const first = page.locator(sel('ticket-row')).first();
  await first.filter({ hasText: subject }).waitFor();
  assert.equal(await first.getAttribute('data-id'), String(created.id));
  assert.match(await first.innerText(), new RegExp(created.number));
  assert.equal(await first.locator(sel('priority-tag')).getAttribute('data-value'), 'high');
  assert.equal(await first.locator(sel('status-tag')).getAttribute('data-value'), 'new');
  await page.screenshot({ path: join(SHOTS, 'tickets-created.png'), fullPage: true });

  // It was stored: a reload (history-mode route served by the server) still lists it first.
  await page.reload();
  await page.locator(sel('ticket-row')).first().filter({ hasText: subject }).waitFor();
});

test('an empty subject shows the server\'s field error next to the subject', async (t) => {
  const page = await openPage(t);
  await page.goto('/tickets');
  await page.locator(sel('ticket-table')).waitFor();
  await page.locator(sel('new-ticket')).click();
  await page.locator(sel('ticket-subject')).waitFor();

  const [response] = await Promise.all([
    page.waitForResponse(isApi('POST', '/api/v1/tickets')),
    page.locator(sel('create-submit')).click(),
  ]);
  assert.equal(response.status(), 422);
  const problem = await response.json();
  const err = (problem.errors || []).find((e) => e.field === 'subject');
  assert.ok(err, `422 names the subject field: ${JSON.stringify(problem)}`);

  const shown = page.locator(`${sel('field-subject')} .el-form-item__error`);
  await shown.waitFor();
  assert.equal((await shown.innerText()).trim(), err.message);
  assert.ok(await page.locator(sel('create-form')).isVisible(), 'the dialog stays open');

  // Typing a subject and submitting again clears the error and creates the ticket.
  await page.locator(sel('ticket-subject')).fill('Display flickers after update');
  const [again] = await Promise.all([
    page.waitForResponse(isApi('POST', '/api/v1/tickets')),
    page.locator(sel('create-submit')).click(),
  ]);
  assert.equal(again.status(), 201);
  await page.locator(sel('ticket-row')).first().filter({ hasText: 'Display flickers' }).waitFor();
});

test('an agent opens a ticket, moves it along the workflow and sees it on the timeline', async (t) => {
  const page = await openPage(t);
  const ticket = await apiCreate({ subject: 'Boiler pressure drops overnight', customer_ref: 'HEAT-7' });
  await page.goto('/tickets');
  await page.locator(sel('ticket-row'), { hasText: 'Boiler pressure' }).click();
  await page.waitForURL(`**/tickets/${ticket.id}`);
  await page.locator(sel('detail-subject'), { hasText: 'Boiler pressure drops overnight' }).waitFor();
  assert.equal((await page.locator(sel('detail-customer-ref')).innerText()).trim(), 'HEAT-7');
  await waitForCount(page, sel('timeline-event'), 1);
  assert.equal(await page.locator(sel('timeline-event')).first().getAttribute('data-type'), 'ticket.created');

  // "Start work" (new → in_progress) needs no fields: the dialog only confirms.
  await page.locator(`${sel('transition')}[data-to="in_progress"]`).click();
  await page.locator(sel('transition-dialog')).waitFor();
  const [response] = await Promise.all([
    page.waitForResponse(isApi('POST', `/api/v1/tickets/${ticket.id}/transitions`)),
    page.locator(sel('transition-submit')).click(),
  ]);
  assert.equal(response.status(), 200);
  const sent = JSON.parse(response.request().postData());
  assert.equal(sent.to, 'in_progress');

  await page.locator(`${sel('detail-status')} ${sel('status-tag')}[data-value="in_progress"]`).waitFor();
  await waitForCount(page, sel('timeline-event'), 2);
  const last = page.locator(sel('timeline-event')).last();
  assert.equal(await last.getAttribute('data-type'), 'ticket.status_changed');
  assert.match(await last.innerText(), /New\s*→\s*In progress/);
  await page.screenshot({ path: join(SHOTS, 'ticket-detail.png'), fullPage: true });
});

test('a stale edit is refused with a clear message and the ticket reloads', async (t) => {
  const page = await openPage(t);
  const ticket = await apiCreate({ subject: 'Conveyor belt squeaks' });
  await page.goto(`/tickets/${ticket.id}`);
  await page.locator(sel('detail-subject'), { hasText: 'Conveyor belt squeaks' }).waitFor();

  // Someone else raises the priority meanwhile.
  await api(suite, 'PATCH', `/api/v1/tickets/${ticket.id}`, { priority: 'urgent', version: ticket.version }, 200);

  await choose(page, 'edit-priority', 'priority-option-low');
  const [response] = await Promise.all([
    page.waitForResponse(isApi('PATCH', `/api/v1/tickets/${ticket.id}`)),
    page.locator(sel('edit-save')).click(),
  ]);
  assert.equal(response.status(), 409);
  await page.locator(sel('conflict-alert')).waitFor();
  await page.locator(`${sel('detail-priority')} ${sel('priority-tag')}[data-value="urgent"]`).waitFor();
  // The other person's change is in the reloaded history (other events, such
  // as the SLA policy following the new priority, may sit beside it).
  await page.locator(`${sel('timeline-event')}[data-type="ticket.updated"] ${sel('timeline-change')}[data-field="priority"]`).waitFor();

  // Applying the change again on the fresh version works.
  await choose(page, 'edit-priority', 'priority-option-low');
  const [retry] = await Promise.all([
    page.waitForResponse(isApi('PATCH', `/api/v1/tickets/${ticket.id}`)),
    page.locator(sel('edit-save')).click(),
  ]);
  assert.equal(retry.status(), 200);
  assert.deepEqual(JSON.parse(retry.request().postData()), { priority: 'low', version: ticket.version + 1 });
  await page.locator(`${sel('detail-priority')} ${sel('priority-tag')}[data-value="low"]`).waitFor();
});

test('filters narrow the list and "Load more" pages through it', async (t) => {
  const page = await openPage(t);
  const already = (await api(suite, 'GET', '/api/v1/tickets?priority=low&limit=200', undefined, 200)).body.items.length;
  const made = await Promise.all(Array.from({ length: 52 }, (_, i) =>
    apiCreate({ subject: `Low-priority batch item ${i + 1}`, priority: 'low' })));
  const lowIds = new Set(made.map((x) => String(x.id)));
  const total = already + made.length;

  await page.goto('/tickets');
  await page.locator(sel('ticket-table')).waitFor();
  await Promise.all([
    page.waitForResponse((r) => isApi('GET', '/api/v1/tickets')(r)
      && new URL(r.url()).searchParams.get('priority') === 'low'),
    choose(page, 'filter-priority', 'filter-priority-option-low', { multiple: true }),
  ]);
  await waitForCount(page, sel('ticket-row'), 50);
  assert.match(page.url(), /[?&]priority=low\b/);
  const firstPage = await page.locator(sel('ticket-row')).evaluateAll((rows) => rows.map((r) => r.dataset.id));
  assert.ok(firstPage.every((id) => lowIds.has(id)), 'only low-priority tickets are listed');

  await page.locator(sel('load-more')).click();
  await waitForCount(page, sel('ticket-row'), total);
  await page.locator(sel('list-end')).waitFor();
  const all = await page.locator(sel('ticket-row')).evaluateAll((rows) => rows.map((r) => Number(r.dataset.id)));
  assert.deepEqual(all, [...all].sort((a, b) => b - a), 'newest first, no duplicates across pages');
  assert.equal(new Set(all).size, total);
});

test('switching to 中文 shows Chinese labels and is remembered', async (t) => {
  const page = await openPage(t, 'en-US');
  await page.goto('/tickets');
  await page.locator(sel('page-title'), { hasText: 'Tickets' }).waitFor();
  assert.equal((await page.locator(sel('new-ticket')).innerText()).trim(), 'New ticket');

  await page.locator(sel('lang-zh-CN')).click();
  await page.locator(sel('page-title'), { hasText: '工单' }).waitFor();
  assert.equal((await page.locator(sel('new-ticket')).innerText()).trim(), '新建工单');
  assert.equal(await page.evaluate(() => document.documentElement.lang), 'zh-CN');
  await page.locator(sel('new-ticket')).click();
  await page.locator(sel('field-subject'), { hasText: '主题' }).waitFor();
  await page.locator(sel('create-cancel')).click();
  await page.screenshot({ path: join(SHOTS, 'tickets-zh-CN.png') });

  await page.reload();
  await page.locator(sel('page-title'), { hasText: '工单' }).waitFor();
  assert.equal(await page.evaluate(() => localStorage.getItem('tend.locale')), 'zh-CN');
});

test('a Chinese browser starts in Chinese and signs in through the form', async (t) => {
  const page = await open(suite, t, { locale: 'zh-CN' });
  await page.goto('/tickets');
  await page.waitForURL((u) => u.pathname === '/login' && u.searchParams.get('next') === '/tickets');
  await page.locator(sel('login-needed'), { hasText: '请先登录' }).waitFor();
  assert.match(await page.locator(sel('login-submit')).innerText(), /登录/);
  const response = await signInWithForm(page, 'agent');
  assert.equal(response.status(), 200);
  await page.waitForURL('**/tickets');
  await page.locator(sel('page-title'), { hasText: '工单' }).waitFor();
  await page.locator(`${sel('user-role')}[data-value="agent"]`, { hasText: '客服' }).waitFor();
  assert.equal((await page.locator(sel('new-ticket')).innerText()).trim(), '新建工单');
});
