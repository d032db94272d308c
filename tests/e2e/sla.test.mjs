// Browser suite for the SLA engine in the console: countdowns in the queue
// (neutral, amber, red) with the SLA sort and the "breaching within" filter,
// the ticket's SLA panel and the arrival on site, the calendar and policy
// pages (a calendar with a holiday, a policy, moving it up), the report, and
// what a user without sla:manage sees. Tickets are put into known SLA states
// through the API: a group and three policies of our own decide their targets.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import {
  useSuite, openPage as open, api, isApi, choose, waitForCount, sel, SHOTS,
} from './browser.mjs';

const suite = useSuite({ demo: true });
const T = '/api/v1/tickets';
const P = '/api/v1/sla-policies';
const sleep = (n) => new Promise((r) => setTimeout(r, n));
const tag = `sla-e2e-${Date.now().toString(36)}`;
const made = {}; // group, policies and tickets of the setup

/** A ticket read back until its SLA summary is in `state` (the summary is computed when answering). */
async function untilState(id, state, ms = 8000) {
  const end = Date.now() + ms;
  for (;;) {
    const tk = (await api(suite, 'GET', `${T}/${id}`, undefined, 200)).body;
    if (tk.sla?.state === state) return tk;
    assert.ok(Date.now() < end, `ticket ${id} reaches ${state}: ${JSON.stringify(tk.sla)}`);
    await sleep(200);
  }
}

/** The setup, made once by the first test that needs it (the suite's own hooks start the server first). */
let setupDone = null;
const setup = () => { setupDone ||= makeSetup(); return setupDone; };
async function makeSetup() {
  const group = (await api(suite, 'POST', '/api/v1/groups', { name: `SLA desk ${tag}` }, 201)).body;
  const policy = async (name, priority, rest) => (await api(suite, 'POST', P, {
    name: `${name} ${tag}`, calendar_id: 1, position: 1, conditions: { group_id: [group.id], priority: [priority] }, ...rest,
  }, 201)).body;
  made.group = group;
  // low: a 3-minute response warned at 1% (amber within 2 s); high: a 1-minute resolution
  // (a ticket open for days has used it up: red at once); normal: hours left and an on-site visit
  made.warn = await policy('Tiny response', 'low', { targets: { first_response: 3 }, warning_percent: 1 });
  made.breach = await policy('Tiny resolution', 'high', { targets: { resolution: 1 } });
  made.calm = await policy('Field visit', 'normal', { targets: { resolution: 600, on_site: 480 } });

  const create = async (priority) => (await api(suite, 'POST', T, {
    subject: `SLA ${priority} ${tag}`, priority, group_id: group.id, tags: [tag],
  }, 201)).body;
  made.running = await create('normal');
  made.warning = await create('low');
  // the oldest open demo ticket, moved onto the 1-minute policy
  const open = (await api(suite, 'GET', `${T}?status_category=new&sort=id&limit=1`, undefined, 200)).body.items[0];
  const moved = await api(suite, 'PATCH', `${T}/${open.id}`, {
    priority: 'high', group_id: group.id, tags: [...(open.tags || []), tag], version: open.version,
  }, 200);
  made.breached = moved.body;
  assert.equal(made.breached.sla.policy_id, made.breach.id);
  assert.equal((await untilState(made.breached.id, 'breached')).sla.breached, true);
  await untilState(made.warning.id, 'warning');
  assert.equal((await untilState(made.running.id, 'running')).sla.policy_id, made.calm.id);
}

test('the queue shows countdowns, sorts by due time and filters what breaches within the hour', async (t) => {
  await setup();
  const page = await open(suite, t, { as: 'agent' });
  await page.goto(`/tickets?tag=${tag}`);
  await waitForCount(page, sel('ticket-row'), 3);
  const stateOf = async (id) => page.locator(`${sel('ticket-row')}[data-id="${id}"] ${sel('sla-countdown')}`).getAttribute('data-state');
  assert.equal(await stateOf(made.running.id), 'running');
  assert.equal(await stateOf(made.warning.id), 'warning');
  assert.equal(await stateOf(made.breached.id), 'breached');
  const text = async (id) => (await page.locator(`${sel('ticket-row')}[data-id="${id}"] ${sel('sla-countdown-text')}`).innerText()).trim();
  assert.match(await text(made.running.id), /^(7h 59m|8h) left$/);
  assert.match(await text(made.warning.id), /^[23]m left$/);
  assert.match(await text(made.breached.id), /^overdue \d/);
  const amber = await page.locator(`${sel('ticket-row')}[data-id="${made.warning.id}"] ${sel('sla-countdown')}`)
    .evaluate((el) => getComputedStyle(el).backgroundColor);
  const red = await page.locator(`${sel('ticket-row')}[data-id="${made.breached.id}"] ${sel('sla-countdown')}`)
    .evaluate((el) => getComputedStyle(el).backgroundColor);
  assert.notEqual(amber, red);

  // the SLA header sorts by due time, soonest first
  const [sorted] = await Promise.all([
    page.waitForResponse((r) => isApi('GET', T)(r) && new URL(r.url()).searchParams.get('sort') === 'sla_due_at'),
    page.locator('.el-table__header .col-sla').click(),
  ]);
  assert.equal(sorted.status(), 200);
  await page.waitForURL(/[?&]sort=sla_due_at\b/);
  await page.waitForFunction(([s, id]) => document.querySelector(s)?.dataset.id === String(id), [sel('ticket-row'), made.breached.id]);
  const ids = await page.locator(sel('ticket-row')).evaluateAll((rows) => rows.map((r) => Number(r.dataset.id)));
  assert.deepEqual(ids, [made.breached.id, made.warning.id, made.running.id]);
  await page.screenshot({ path: join(SHOTS, 'sla-queue.png'), fullPage: true });

  // "breaching within 1 hour": only the amber one (breached ones have breached already)
  const [within] = await Promise.all([
    page.waitForResponse((r) => isApi('GET', T)(r) && new URL(r.url()).searchParams.get('sla_due_within') === '60'),
    choose(page, 'filter-sla-due', 'filter-sla-due-option-60'),
  ]);
  assert.equal(within.status(), 200);
  await waitForCount(page, sel('ticket-row'), 1);
  assert.equal(await page.locator(sel('ticket-row')).getAttribute('data-id'), String(made.warning.id));
  assert.match(page.url(), /sla_due_within=60/);

  // the state filter, and both survive a reload from the URL
  await page.goto(`/tickets?tag=${tag}&sla=breached`);
  await waitForCount(page, sel('ticket-row'), 1);
  assert.equal(await page.locator(sel('ticket-row')).getAttribute('data-id'), String(made.breached.id));
  await page.locator(sel('filter-sla'), { hasText: 'Breached' }).waitFor();
});

test('the ticket shows its clocks, and recording the arrival on site stops that clock', async (t) => {
  await setup();
  const page = await open(suite, t, { as: 'agent' });
  await page.goto(`/tickets/${made.running.id}`);
  await page.locator(`${sel('detail-sla')} ${sel('sla-countdown')}[data-state="running"]`).waitFor();
  await page.locator(`${sel('sla-clock')}[data-metric="resolution"]`).waitFor();
  assert.match(await page.locator(sel('sla-policy')).innerText(), new RegExp(`Field visit ${tag}`));
  assert.equal(await page.locator(`${sel('sla-clock')}[data-metric="on_site"]`).getAttribute('data-state'), 'running');
  assert.equal((await page.locator(`${sel('sla-clock')}[data-metric="on_site"] ${sel('sla-clock-target')}`).innerText()).trim(), '8h');
  await page.screenshot({ path: join(SHOTS, 'sla-detail.png'), fullPage: true });

  const [arrived] = await Promise.all([
    page.waitForResponse(isApi('POST', `${T}/${made.running.id}/on-site`)),
    page.locator(sel('sla-on-site')).click(),
  ]);
  assert.equal(arrived.status(), 200);
  await page.locator(`${sel('sla-clock')}[data-metric="on_site"][data-state="met"]`).waitFor();
  await page.locator(`${sel('sla-clock')}[data-metric="on_site"] ${sel('sla-clock-achieved')}`).waitFor();
  await waitForCount(page, sel('sla-on-site'), 0);
  await page.locator(`${sel('timeline-event')}[data-type="ticket.on_site"]`, { hasText: 'arrived on site' }).waitFor();
  const clocks = (await api(suite, 'GET', `${T}/${made.running.id}/sla`, undefined, 200)).body.clocks;
  assert.equal(clocks.find((c) => c.metric === 'on_site').state, 'achieved');

  // the breached ticket: red in the header, the missed clock and the policy change in the history
  await page.goto(`/tickets/${made.breached.id}`);
  await page.locator(`${sel('detail-sla')} ${sel('sla-countdown')}[data-state="breached"]`).waitFor();
  await page.locator(`${sel('sla-clock')}[data-metric="resolution"][data-state="overdue"]`).waitFor();
  await page.locator(`${sel('timeline-event')}[data-type="sla.policy_changed"]`, { hasText: `Tiny resolution ${tag}` }).waitFor();
  assert.equal(await page.locator(sel('sla-on-site')).count(), 0, 'no on-site clock: no button');
});

test('a manager creates a calendar with a holiday and a policy, and moves the policy up', async (t) => {
  await setup();
  const page = await open(suite, t, { as: 'manager' });
  await page.goto('/tickets');
  await page.locator(sel('nav-admin-calendars')).click();
  await page.locator(sel('calendar-table')).waitFor();
  await page.locator(sel('calendar-new')).click();
  const name = `Plant hours ${tag}`;
  await page.locator(sel('calendar-name')).fill(name);
  // a bad interval first: the server's error shows at Monday's hours
  await page.locator(`${sel('intervals-week.mon')} ${sel('interval-to')}`).first().fill('25:00');
  await page.locator(sel('holiday-add')).click();
  await page.locator(sel('holiday-date')).fill('2026-10-01');
  await page.locator(sel('holiday-name')).fill('国庆节');
  const [refused] = await Promise.all([
    page.waitForResponse(isApi('POST', '/api/v1/calendars')),
    page.locator(sel('calendar-save')).click(),
  ]);
  assert.equal(refused.status(), 422);
  const problem = await refused.json();
  assert.ok(problem.errors.some((e) => e.field.startsWith('week.mon[0]')), JSON.stringify(problem));
  await page.locator(`${sel('field-error')}[data-field="week.mon[0]"]`).waitFor();
  await page.locator(`${sel('intervals-week.mon')} ${sel('interval-to')}`).first().fill('12:00');
  const [created] = await Promise.all([
    page.waitForResponse(isApi('POST', '/api/v1/calendars')),
    page.locator(sel('calendar-save')).click(),
  ]);
  assert.equal(created.status(), 201, await created.text());
  const cal = await created.json();
  assert.deepEqual(cal.holidays, [{ date: '2026-10-01', name: '国庆节' }]);
  assert.equal(cal.time_zone, 'Asia/Shanghai', 'the browser\'s time zone by default');
  const row = page.locator(`${sel('calendar-row')}[data-id="${cal.id}"]`);
  await row.waitFor();
  assert.equal((await row.locator(sel('calendar-holidays')).innerText()).trim(), '1');

  // a policy on it, listed last; moving it up puts it one place higher
  await page.locator(sel('nav-admin-sla-policies')).click();
  await page.locator(sel('policy-row')).first().waitFor();
  await page.locator(sel('policy-new')).click();
  await page.locator(sel('policy-name')).fill(`Plant ${tag}`);
  await choose(page, 'policy-calendar', `policy-calendar-option-${cal.id}`);
  await choose(page, 'policy-cond-channel', 'policy-cond-channel-option-iot', { multiple: true, closeOn: 'policy-name' });
  const [pc] = await Promise.all([
    page.waitForResponse(isApi('POST', P)),
    page.locator(sel('policy-save')).click(),
  ]);
  assert.equal(pc.status(), 201, await pc.text());
  const policy = await pc.json();
  assert.equal(policy.calendar_id, cal.id);
  assert.deepEqual(policy.conditions, { channel: ['iot'] });
  assert.deepEqual([policy.targets.first_response, policy.targets.resolution], [240, 2400]);
  const prow = page.locator(`${sel('policy-row')}[data-id="${policy.id}"]`);
  await prow.waitFor();
  const before = Number(await prow.locator(sel('policy-position')).innerText());
  const [moved] = await Promise.all([
    page.waitForResponse(isApi('PUT', `${P}/${policy.id}`)),
    prow.locator(sel('policy-up')).click(),
  ]);
  assert.equal(moved.status(), 200, await moved.text());
  assert.equal(JSON.parse(moved.request().postData()).position, before - 1);
  await page.waitForFunction(([s, n]) => document.querySelector(s)?.textContent.trim() === String(n),
    [`${sel('policy-row')}[data-id="${policy.id}"] ${sel('policy-position')}`, before - 1]);
  const order = (await api(suite, 'GET', P, undefined, 200)).body.items.map((p) => p.id);
  assert.equal(order.indexOf(policy.id), before - 2, 'the API has the new order');
  await page.screenshot({ path: join(SHOTS, 'sla-policies.png'), fullPage: true });
});

test('the report shows attainment by policy and by priority', async (t) => {
  await setup();
  const page = await open(suite, t, { as: 'manager' });
  const [first] = await Promise.all([
    page.waitForResponse(isApi('GET', '/api/v1/sla/report')),
    page.goto('/sla/report'),
  ]);
  const body = await first.json();
  assert.ok(body.total.total > 0, 'the demo has decided clocks');
  await waitForCount(page, `${sel('report-table')} tbody tr.report-row`, body.rows.length);
  const totals = await page.locator(sel('report-total')).evaluateAll((x) => x.map((e) => Number(e.textContent)));
  assert.equal(totals.reduce((a, b) => a + b, 0), body.total.total);
  assert.match(await page.locator(`${sel('report-table')} .el-table__footer`).innerText(), new RegExp(`Total\\s+${body.total.total}`));

  const [byPriority] = await Promise.all([
    page.waitForResponse((r) => isApi('GET', '/api/v1/sla/report')(r) && new URL(r.url()).searchParams.get('by') === 'priority'),
    page.locator(sel('report-by-priority')).click(),
  ]);
  const pb = await byPriority.json();
  await waitForCount(page, `${sel('report-table')} tbody tr.report-row`, pb.rows.length);
  const labels = await page.locator(sel('report-label')).allInnerTexts();
  assert.ok(labels.every((l) => ['Low', 'Normal', 'High', 'Urgent'].includes(l.trim())), labels.join());
  await page.screenshot({ path: join(SHOTS, 'sla-report.png'), fullPage: true });
});

test('without sla:manage the SLA pages are read-only and not in the menu', async (t) => {
  await setup();
  const page = await open(suite, t, { as: 'agent', locale: 'zh-CN' });
  await page.goto('/tickets');
  await page.locator(sel('nav-tickets')).waitFor();
  assert.equal(await page.locator(sel('nav-admin-calendars')).count(), 0);
  await page.goto('/admin/sla-policies');
  await page.locator(sel('policy-row')).first().waitFor();
  await page.locator(sel('read-only')).waitFor();
  assert.equal(await page.locator(sel('policy-new')).count(), 0);
  assert.equal(await page.locator(sel('policy-up')).count(), 0);
  assert.equal((await page.locator(sel('page-title')).innerText()).trim(), 'SLA 策略');
  // the countdown in Chinese
  await page.goto(`/tickets?tag=${tag}&sla=warning`);
  await waitForCount(page, sel('ticket-row'), 1);
  assert.match(await page.locator(sel('sla-countdown-text')).innerText(), /^剩余 \d分$/);
});
