// Browser suite for the agents' queue (/tickets): tabs per status category with
// counts, filters and sorting, saved views, bulk changes, the header search
// and the queue in Chinese. The demo `agent` works against a real `tend serve`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import {
  useSuite, openPage as open, api, isApi, choose, waitForCount, sel, SHOTS,
} from './browser.mjs';

const suite = useSuite({ demo: true });
const openPage = (t, locale = 'en-US') => open(suite, t, { locale, as: 'agent' });
const apiCreate = async (body) => (await api(suite, 'POST', '/api/v1/tickets', body, 201)).body;
const rowIds = (page) => page.locator(sel('ticket-row')).evaluateAll((rows) => rows.map((r) => Number(r.dataset.id)));
const tabCount = async (page, tab) => Number((await page.locator(`${sel(`tab-${tab}`)} ${sel('tab-count')}`).innerText()).trim());
const listed = (param, value) => (r) => isApi('GET', '/api/v1/tickets')(r)
  && (value === null ? !new URL(r.url()).searchParams.has(param) : new URL(r.url()).searchParams.get(param) === value);

test('queue tabs show the counts per status category and list that category', async (t) => {
  const page = await openPage(t);
  const [counts] = await Promise.all([
    page.waitForResponse(isApi('GET', '/api/v1/tickets/counts')).then((r) => r.json()),
    page.goto('/tickets'),
  ]);
  await page.locator(sel('ticket-row')).first().waitFor();
  for (const c of ['new', 'open', 'pending', 'resolved', 'closed']) {
    assert.equal(await tabCount(page, c), counts.by_category[c] ?? 0, `count on the ${c} tab`);
  }
  assert.equal(await tabCount(page, 'all'), counts.total);

  const [response] = await Promise.all([
    page.waitForResponse(listed('status_category', 'open')),
    page.locator(sel('tab-open')).click(),
  ]);
  const body = await response.json();
  assert.ok(body.items.length > 0, 'the demo has open tickets');
  await page.waitForURL(/[?&]tab=open\b/);
  await waitForCount(page, sel('ticket-row'), Math.min(body.items.length, 50));
  const cats = await page.locator(`${sel('ticket-row')} ${sel('status-tag')}`).evaluateAll((tags) => tags.map((x) => x.dataset.category));
  assert.ok(cats.every((c) => c === 'open'), `only open tickets: ${cats}`);
  assert.equal(await page.locator(sel('tab-open')).getAttribute('aria-selected'), 'true');
  await page.screenshot({ path: join(SHOTS, 'queue-tabs.png'), fullPage: true });

  // A new ticket raises the New count after a reload.
  const before = await tabCount(page, 'new');
  await apiCreate({ subject: 'Fresh ticket for the counters' });
  await Promise.all([page.waitForResponse(isApi('GET', '/api/v1/tickets/counts')), page.locator(sel('reload')).click()]);
  await page.waitForFunction(([s, n]) => Number(document.querySelector(s)?.textContent) === n,
    [`${sel('tab-new')} ${sel('tab-count')}`, before + 1]);
});

test('filters narrow the queue and a click on a column header sorts it', async (t) => {
  const page = await openPage(t);
  const tag = `pump-${Date.now()}`;
  const made = [];
  for (const priority of ['low', 'urgent', 'normal', 'high']) {
    made.push(await apiCreate({ subject: `Pump check (${priority})`, priority, tags: [tag] }));
  }
  await page.goto('/tickets');
  await page.locator(sel('ticket-row')).first().waitFor();

  // tag filter: exactly these four, newest first
  await Promise.all([
    page.waitForResponse(listed('tag', tag)),
    page.locator(sel('filter-tag')).fill(tag).then(() => page.locator(sel('filter-tag')).press('Enter')),
  ]);
  await waitForCount(page, sel('ticket-row'), 4);
  assert.deepEqual(await rowIds(page), made.map((x) => x.id).reverse());

  // priority filter on top: high and urgent only
  await Promise.all([
    page.waitForResponse(listed('priority', 'urgent')),
    choose(page, 'filter-priority', 'filter-priority-option-urgent', { multiple: true }),
  ]);
  await waitForCount(page, sel('ticket-row'), 1);
  await Promise.all([
    page.waitForResponse((r) => isApi('GET', '/api/v1/tickets')(r)
      && (new URL(r.url()).searchParams.get('priority') || '').split(',').sort().join() === 'high,urgent'),
    choose(page, 'filter-priority', 'filter-priority-option-high', { multiple: true }),
  ]);
  await waitForCount(page, sel('ticket-row'), 2);
  assert.match(page.url(), /priority=(urgent(%2C|,)high|high(%2C|,)urgent)/);

  // clear the priority filter, then sort by priority (first click: descending)
  await page.goto(`/tickets?tag=${tag}`);
  await waitForCount(page, sel('ticket-row'), 4);
  const [sorted] = await Promise.all([
    page.waitForResponse(listed('sort', '-priority')),
    page.locator('.el-table__header .col-priority').click(),
  ]);
  assert.equal(sorted.status(), 200);
  await page.waitForURL(/[?&]sort=-priority\b/);
  const order = () => page.locator(`${sel('ticket-row')} ${sel('priority-tag')}`).evaluateAll((x) => x.map((e) => e.dataset.value));
  await page.waitForFunction((s) => document.querySelector(s)?.dataset.value === 'urgent', `${sel('ticket-row')} ${sel('priority-tag')}`);
  assert.deepEqual(await order(), ['urgent', 'high', 'normal', 'low']);
  await page.screenshot({ path: join(SHOTS, 'queue-filter-sort.png'), fullPage: true });

  // second click: ascending
  await Promise.all([page.waitForResponse(listed('sort', 'priority')), page.locator('.el-table__header .col-priority').click()]);
  await page.waitForFunction((s) => document.querySelector(s)?.dataset.value === 'low', `${sel('ticket-row')} ${sel('priority-tag')}`);
  assert.deepEqual(await order(), ['low', 'normal', 'high', 'urgent']);
});

test('the column chooser adds a column and remembers it for the user', async (t) => {
  const page = await openPage(t);
  await page.goto('/tickets');
  await page.locator(sel('ticket-row')).first().waitFor();
  assert.equal(await page.locator('.el-table__header .col-channel').count(), 0);
  await page.locator(sel('column-chooser')).click();
  await page.locator(`${sel('column-option-channel')}`).click();
  await page.locator('.el-table__header .col-channel').waitFor();
  await page.keyboard.press('Escape');
  await page.reload();
  await page.locator(sel('ticket-row')).first().waitFor();
  await page.locator('.el-table__header .col-channel').waitFor();
});

test('a saved view keeps filters, sort and columns and applies them from its tab', async (t) => {
  const page = await openPage(t);
  await page.goto('/tickets?priority=urgent&sort=-priority');
  await page.locator(sel('ticket-row')).first().waitFor();
  await page.locator(sel('save-view')).click();
  await page.locator(sel('view-name')).fill('Urgent first');
  const [created] = await Promise.all([
    page.waitForResponse(isApi('POST', '/api/v1/views')),
    page.locator(sel('view-submit')).click(),
  ]);
  assert.equal(created.status(), 201);
  const sent = JSON.parse(created.request().postData());
  assert.equal(sent.name, 'Urgent first');
  assert.deepEqual(Object.fromEntries(new URLSearchParams(sent.query)), { priority: 'urgent', sort: '-priority' });
  assert.ok(sent.columns.includes('number'));
  const view = await created.json();
  await page.locator(`${sel('saved-view')}[data-id="${view.id}"]`).waitFor();

  // from an unfiltered queue, the view's tab brings the filter back
  await page.goto('/tickets');
  await page.locator(sel('ticket-row')).first().waitFor();
  const [response] = await Promise.all([
    page.waitForResponse(listed('priority', 'urgent')),
    page.locator(`${sel('saved-view')}[data-id="${view.id}"]`).click(),
  ]);
  assert.equal(new URL(response.url()).searchParams.get('sort'), '-priority');
  await page.waitForURL(new RegExp(`[?&]view=${view.id}\\b`));
  const prios = await page.locator(`${sel('ticket-row')} ${sel('priority-tag')}`).evaluateAll((x) => x.map((e) => e.dataset.value));
  assert.ok(prios.length > 0 && prios.every((p) => p === 'urgent'));
  await page.screenshot({ path: join(SHOTS, 'queue-saved-view.png'), fullPage: true });

  // and it can be deleted
  await page.locator(`${sel('saved-view')}[data-id="${view.id}"] .el-tag__close`).click();
  const [deleted] = await Promise.all([
    page.waitForResponse(isApi('DELETE', `/api/v1/views/${view.id}`)),
    page.locator('.confirm-delete-view').click(),
  ]);
  assert.equal(deleted.status(), 204);
  await waitForCount(page, sel('saved-view'), 0);
});

test('bulk: selected tickets get a new priority in one request; a refused change lists each ticket', async (t) => {
  const page = await openPage(t);
  const tag = `bulk-${Date.now()}`;
  const made = [];
  for (let i = 1; i <= 3; i++) made.push(await apiCreate({ subject: `Bulk item ${i}`, priority: 'normal', tags: [tag] }));
  await page.goto(`/tickets?tag=${tag}`);
  await waitForCount(page, sel('ticket-row'), 3);

  await page.locator('.el-table__header .el-checkbox').click(); // select all
  await page.locator(sel('bulk-bar')).waitFor();
  assert.match(await page.locator(sel('bulk-count')).innerText(), /3/);
  await choose(page, 'bulk-value', 'bulk-value-option-urgent');
  const [response] = await Promise.all([
    page.waitForResponse(isApi('POST', '/api/v1/tickets/bulk')),
    page.locator(sel('bulk-apply')).click(),
  ]);
  assert.equal(response.status(), 200);
  const sent = JSON.parse(response.request().postData());
  assert.deepEqual([...sent.ids].sort(), made.map((x) => x.id).sort());
  assert.deepEqual(sent.set, { priority: 'urgent' });
  await page.waitForFunction((s) => [...document.querySelectorAll(s)].every((e) => e.dataset.value === 'urgent'),
    `${sel('ticket-row')} ${sel('priority-tag')}`);
  for (const x of made) {
    assert.equal((await api(suite, 'GET', `/api/v1/tickets/${x.id}`, undefined, 200)).body.priority, 'urgent');
  }
  await page.screenshot({ path: join(SHOTS, 'queue-bulk.png'), fullPage: true });

  // "Resolved" straight from "new" is no transition of the repair workflow: all refused, each named.
  await page.locator('.el-table__header .el-checkbox').click();
  await page.locator(sel('bulk-bar')).waitFor();
  await choose(page, 'bulk-action', 'bulk-action-option-status');
  await choose(page, 'bulk-value', 'bulk-value-option-resolved');
  const [refused] = await Promise.all([
    page.waitForResponse(isApi('POST', '/api/v1/tickets/bulk')),
    page.locator(sel('bulk-apply')).click(),
  ]);
  assert.equal(refused.status(), 422);
  const problem = await refused.json();
  await page.locator(sel('bulk-errors')).waitFor();
  const shown = await page.locator(sel('bulk-error')).allInnerTexts();
  assert.equal(shown.length, problem.errors.length);
  assert.ok(shown.some((s) => made.some((x) => s.includes(x.number))), `ticket numbers in ${shown}`);
});

test('the header search finds a ticket, highlights the match and opens it', async (t) => {
  const page = await openPage(t);
  const word = `zebrafish${Date.now() % 100000}`;
  const ticket = await apiCreate({ subject: `Label printer prints ${word} pattern`, description: 'Stripes <b>across</b> labels' });
  await page.goto('/tickets');
  await page.locator(sel('ticket-row')).first().waitFor();
  const [response] = await Promise.all([
    page.waitForResponse((r) => isApi('GET', '/api/v1/tickets/search')(r) && new URL(r.url()).searchParams.get('q') === word),
    page.locator(sel('search-input')).fill(word),
  ]);
  assert.equal(response.status(), 200);
  const result = page.locator(`${sel('search-result')}[data-id="${ticket.id}"]`);
  await result.waitFor();
  const marks = await result.locator(`${sel('search-snippet')} mark`).allInnerTexts();
  assert.ok(marks.length >= 1 && marks.every((m) => m.toLowerCase().includes(word.slice(0, 3).toLowerCase())), `marks: ${marks}`);
  assert.equal(await result.locator(`${sel('search-snippet')} b`).count(), 0, 'no HTML but <mark> from a snippet');
  await page.screenshot({ path: join(SHOTS, 'search.png') });
  await result.click();
  await page.waitForURL(`**/tickets/${ticket.id}`);
  await page.locator(sel('detail-subject'), { hasText: word }).waitFor();
});

test('the queue in Chinese: tabs, filters and statuses are translated', async (t) => {
  const page = await open(suite, t, { locale: 'zh-CN', as: 'agent' });
  await page.goto('/tickets');
  await page.locator(sel('ticket-row')).first().waitFor();
  assert.match(await page.locator(sel('tab-new')).innerText(), /新建/);
  assert.match(await page.locator(sel('tab-all')).innerText(), /全部/);
  assert.match(await page.locator(`${sel('tab-pending')}`).innerText(), /挂起/);
  assert.match(await page.locator(sel('filter-priority')).innerText(), /全部优先级/);
  await page.locator(sel('tab-open')).click();
  await page.locator(`${sel('ticket-row')} ${sel('status-tag')}[data-value="in_progress"]`, { hasText: '处理中' }).first().waitFor();
  assert.equal(await page.locator(sel('search-input')).getAttribute('placeholder'), '搜索工单…');
  await page.screenshot({ path: join(SHOTS, 'queue-zh-CN.png'), fullPage: true });
});
