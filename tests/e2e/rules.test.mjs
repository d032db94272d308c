// Browser suite for the rules engine's console (issue #7): the list shows the
// demo rules; a manager writes a rule in the editor (a bad condition is
// refused with its place first), dry-runs it unsaved, saves it, and a ticket
// created through the API shows the rule.fired event and the new priority;
// a dry run of a sample ticket shows the trace; a rule moves up; switched off
// it no longer fires; an administrator edits an agent's skills.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { useSuite, openPage, api, isApi, sel, SHOTS } from './browser.mjs';

const suite = useSuite({ demo: true });
const RULE = 'E2E paper jams';
const row = (id) => `${sel('rule-row')}[data-id="${id}"]`;
const rulesNow = async () => (await api(suite, 'GET', '/api/v1/rules', undefined, 200)).body.items;
const eventsOf = async (id) => (await api(suite, 'GET', `/api/v1/tickets/${id}/events`, undefined, 200)).body.items;

/** Type `text` into the allow-create select `select` (a locator) and take it as a new item. */
async function addItem(page, select, text) {
  await select.click();
  await page.keyboard.type(text);
  await page.locator('.el-select-dropdown__item:visible', { hasText: text }).first().waitFor();
  await page.keyboard.press('Enter');
  await select.locator('.el-tag', { hasText: text }).waitFor();
}

/** Pick the visible option `text` (exact) of the Element Plus select `select` (a locator). */
async function pick(page, select, text) {
  await select.click();
  const item = page.locator('.el-select-dropdown__item:visible', { hasText: text }).first();
  await item.click();
}

test('the rules page lists the demo rules in order', async (t) => {
  const page = await openPage(suite, t, { as: 'manager' });
  await page.goto('/tickets');
  await page.locator(sel('nav-admin-rules')).click();
  await page.waitForURL('**/admin/rules');
  const rules = await rulesNow();
  assert.ok(rules.length >= 3, `demo rules: ${rules.map((r) => r.name)}`);
  await page.waitForFunction(([s, n]) => document.querySelectorAll(s).length === n, [sel('rule-row'), rules.length]);
  const names = await page.locator(sel('rule-name')).allInnerTexts();
  assert.deepEqual(names, rules.map((r) => r.name), 'in evaluation order');
  assert.ok(rules.some((r) => /refund|退款/i.test(`${r.name} ${r.condition}`)), 'a refund rule');
  assert.ok(rules.some((r) => /vip/i.test(`${r.name} ${r.condition}`)), 'a VIP rule');
  await page.screenshot({ path: join(SHOTS, 'rules-list.png'), fullPage: true });

  // a dispatcher may read the rules but not change them
  const reader = await openPage(suite, t, { as: 'dispatcher' });
  await reader.goto('/admin/rules');
  await reader.locator(sel('rule-row')).first().waitFor();
  assert.equal(await reader.locator(sel('rule-new')).count(), 0);
  assert.equal(await reader.locator(sel('rule-up')).count(), 0);
  await reader.locator(sel('rule-name')).first().click();
  await reader.locator(sel('rule-cancel')).waitFor();
  assert.equal(await reader.locator(sel('rule-save')).count(), 0);
  assert.ok(await reader.locator(sel('rule-condition')).isDisabled());
});

test('a manager writes a rule: a bad condition is marked, the unsaved rule dry-runs, and once saved it fires', async (t) => {
  const page = await openPage(suite, t, { as: 'manager' });
  await page.goto('/admin/rules');
  await page.locator(sel('rule-row')).first().waitFor();
  await page.locator(sel('rule-new')).click();
  const editor = page.locator(sel('rule-editor'));
  await editor.locator(sel('rule-name-input')).fill(RULE);

  // a misspelt operator: the server's message and a marker at its position
  const condition = editor.locator(`${sel('rule-condition')}`);
  await condition.fill("subject contain_any ('paper jam', '卡纸')");
  const error = editor.locator(sel('condition-error'));
  await error.waitFor();
  const position = Number(await error.getAttribute('data-position'));
  assert.ok(position >= 8 && position <= 20, `position ${position}`);
  assert.notEqual((await editor.locator(sel('condition-error-message')).innerText()).trim(), '');
  assert.ok(await editor.locator(sel('condition-error-at')).isVisible());

  await condition.fill("subject contains_any ('paper jam', '卡纸')");
  await editor.locator(sel('condition-ok')).waitFor();
  // the builder appends a second test
  await pick(page, editor.locator(sel('builder-field')), /^priority$/);
  await pick(page, editor.locator(sel('builder-op')), /^!=$/);
  await pick(page, editor.locator(sel('builder-value')), /^urgent$/);
  await editor.locator(sel('builder-add')).click();
  assert.equal(await condition.inputValue(), "subject contains_any ('paper jam', '卡纸') and priority != 'urgent'");
  await editor.locator(sel('condition-ok')).waitFor();

  // actions: the first row is "set priority"; add tags in a second one
  const first = editor.locator(`${sel('action-row')}[data-index="0"]`);
  assert.equal(await first.getAttribute('data-type'), 'set_priority');
  await pick(page, first.locator(sel('action-priority')), /^Urgent$/);
  await editor.locator(sel('action-add')).click();
  const second = editor.locator(`${sel('action-row')}[data-index="1"]`);
  assert.equal(await second.getAttribute('data-type'), 'add_tags');
  await addItem(page, second.locator(sel('action-tags')), 'paper-jam');
  await editor.locator('.el-dialog__header').click(); // closes the dropdown (Escape would close the dialog)
  await page.screenshot({ path: join(SHOTS, 'rules-editor.png'), fullPage: true });

  // dry run of the unsaved rule (rule_id null): writes nothing
  await editor.locator(sel('rule-dry-run')).click();
  const dry = page.locator(sel('dry-run-dialog')).filter({ visible: true });
  await dry.locator(sel('dry-subject')).fill('Paper jam in tray 2');
  const [dryAnswer] = await Promise.all([
    page.waitForResponse(isApi('POST', '/api/v1/rules/dry-run')),
    dry.locator(sel('dry-run-submit')).click(),
  ]);
  assert.equal(dryAnswer.status(), 200, await dryAnswer.text());
  assert.equal(JSON.parse(dryAnswer.request().postData()).rules.length, 1);
  await dry.locator(`${sel('trace-row')}[data-fired="true"]`).waitFor();
  assert.match(await dry.locator(sel('dry-run-changes')).innerText(), /Priority: Normal → Urgent/);
  await dry.locator('.el-dialog__headerbtn').click();
  assert.equal((await rulesNow()).some((r) => r.name === RULE), false, 'the dry run saved nothing');

  const [saved] = await Promise.all([
    page.waitForResponse(isApi('POST', '/api/v1/rules')),
    editor.locator(sel('rule-save')).click(),
  ]);
  assert.equal(saved.status(), 201, await saved.text());
  const rule = await saved.json();
  assert.deepEqual(rule.actions.map((a) => a.type), ['set_priority', 'add_tags']);
  await page.locator(row(rule.id)).waitFor();

  const ticket = (await api(suite, 'POST', '/api/v1/tickets', { subject: 'Paper jam again / 又卡纸了', priority: 'normal',
    required_skills: ['printers'] }, 201)).body;
  const after = (await api(suite, 'GET', `/api/v1/tickets/${ticket.id}`, undefined, 200)).body;
  assert.equal(after.priority, 'urgent');
  assert.ok(after.tags.includes('paper-jam'));
  await page.goto(`/tickets/${ticket.id}`);
  const fired = page.locator(`${sel('timeline-event')}[data-type="rule.fired"]`, { hasText: RULE });
  await fired.waitFor();
  assert.match(await fired.innerText(), new RegExp(`Rule ${RULE} set .*Priority: Normal → Urgent`));
  await fired.scrollIntoViewIfNeeded();
  await page.screenshot({ path: join(SHOTS, 'rules-timeline.png') });
  await page.locator(`${sel('detail-priority')} ${sel('priority-tag')}[data-value="urgent"]`).waitFor();
  assert.equal(await page.locator(sel('detail-required-skills')).getAttribute('data-value'), 'printers');
});

test('a dry run of a sample ticket shows which rules fired and what they would change', async (t) => {
  const page = await openPage(suite, t, { as: 'manager' });
  await page.goto('/admin/rules');
  await page.locator(sel('rule-row')).first().waitFor();
  const before = (await api(suite, 'GET', '/api/v1/tickets/counts', undefined, 200)).body.total;
  await page.locator(sel('rules-dry-run')).click();
  const dry = page.locator(sel('dry-run-dialog')).filter({ visible: true });
  await dry.locator(sel('dry-subject')).fill('Refund for a double charge / 申请退款');
  await dry.locator(sel('dry-description')).fill('We were charged twice for the March invoice.');
  const [answer] = await Promise.all([
    page.waitForResponse(isApi('POST', '/api/v1/rules/dry-run')),
    dry.locator(sel('dry-run-submit')).click(),
  ]);
  assert.equal(answer.status(), 200, await answer.text());
  const result = await answer.json();
  const firedRules = result.trace.filter((s) => s.fired);
  assert.ok(firedRules.length >= 1, 'the refund rule fires');
  await dry.locator(`${sel('trace-row')}[data-fired="true"]`).first().waitFor();
  assert.equal(await dry.locator(sel('trace-row')).count(), result.trace.length);
  assert.match(await dry.locator(sel('dry-run-changes')).innerText(), /Finance/);
  await dry.locator(sel('dry-run-result')).scrollIntoViewIfNeeded();
  await page.screenshot({ path: join(SHOTS, 'rules-dry-run.png'), fullPage: true });
  assert.equal((await api(suite, 'GET', '/api/v1/tickets/counts', undefined, 200)).body.total, before, 'nothing written');
});

test('a rule moves up, and switched off it no longer fires', async (t) => {
  const page = await openPage(suite, t, { as: 'manager' });
  await page.goto('/admin/rules');
  const rules = await rulesNow();
  const mine = rules.find((r) => r.name === RULE);
  assert.ok(mine, 'the rule of the earlier test');
  const index = rules.indexOf(mine);
  assert.ok(index > 0);
  const [reordered] = await Promise.all([
    page.waitForResponse(isApi('POST', '/api/v1/rules/reorder')),
    page.locator(`${row(mine.id)} ${sel('rule-up')}`).click(),
  ]);
  assert.equal(reordered.status(), 200, await reordered.text());
  const order = (await rulesNow()).map((r) => r.id);
  assert.equal(order.indexOf(mine.id), index - 1);
  await page.waitForFunction(([s, n]) => document.querySelector(s)?.innerText.trim() === String(n),
    [`${row(mine.id)} ${sel('rule-position')}`, index]);

  const [patched] = await Promise.all([
    page.waitForResponse((r) => r.request().method() === 'PATCH' && r.url().endsWith(`/api/v1/rules/${mine.id}`)),
    page.locator(`${row(mine.id)} ${sel('rule-active')}`).click(),
  ]);
  assert.equal(patched.status(), 200, await patched.text());
  await page.locator(`${row(mine.id)} ${sel('rule-active')}[data-value="off"]`).waitFor();
  const ticket = (await api(suite, 'POST', '/api/v1/tickets', { subject: 'Paper jam in the lobby printer' }, 201)).body;
  assert.equal((await api(suite, 'GET', `/api/v1/tickets/${ticket.id}`, undefined, 200)).body.priority, 'normal');
  const events = await eventsOf(ticket.id);
  assert.equal(events.some((e) => e.type === 'rule.fired' && e.data?.rule_id === mine.id), false);
});

test('an administrator edits an agent\'s skills and availability', async (t) => {
  const page = await openPage(suite, t, { as: 'admin' });
  await page.goto('/admin/users');
  const users = (await api(suite, 'GET', '/api/v1/users?limit=200', undefined, 200)).body.items;
  const agent = users.find((u) => u.username === 'agent');
  const agentRow = page.locator(`${sel('user-row')}[data-id="${agent.id}"]`);
  await agentRow.waitFor();
  assert.equal(await agentRow.locator(sel('row-skills')).getAttribute('data-value'), (agent.skills || []).join(','),
    'the list shows the skills the server has');
  await agentRow.locator(sel('edit-skills')).click();
  const dialog = page.locator(sel('skills-dialog')).filter({ visible: true });
  await addItem(page, dialog.locator(sel('skills-input')), 'e2e-laser');
  await addItem(page, dialog.locator(sel('skills-input')), '激光打印机');
  await dialog.locator('.el-dialog__header').click();
  const [saved] = await Promise.all([
    page.waitForResponse((r) => r.request().method() === 'PATCH' && r.url().endsWith(`/api/v1/users/${agent.id}`)),
    dialog.locator(sel('skills-save')).click(),
  ]);
  assert.equal(saved.status(), 200, await saved.text());
  await page.waitForFunction((s) => /e2e-laser/.test(document.querySelector(s)?.dataset.value || ''),
    `${sel('user-row')}[data-id="${agent.id}"] ${sel('row-skills')}`);
  let stored = (await api(suite, 'GET', `/api/v1/users/${agent.id}`, undefined, 200)).body;
  assert.ok(stored.skills.includes('e2e-laser') && stored.skills.includes('激光打印机'), JSON.stringify(stored.skills));

  await Promise.all([
    page.waitForResponse((r) => r.request().method() === 'PATCH' && r.url().endsWith(`/api/v1/users/${agent.id}`)),
    agentRow.locator(sel('user-available')).click(),
  ]);
  await agentRow.locator(`${sel('user-available')}[data-value="off"]`).waitFor();
  stored = (await api(suite, 'GET', `/api/v1/users/${agent.id}`, undefined, 200)).body;
  assert.equal(stored.available, false);
});
