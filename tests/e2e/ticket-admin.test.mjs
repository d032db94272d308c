// Browser suite for the ticket configuration pages (ticket_config:manage):
// the menu follows the permission; workflows show the server's field-addressed
// errors; custom fields are created and deactivated; categories form a tree.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import {
  useSuite, openPage as open, api, isApi, choose, waitForCount, sel, SHOTS,
} from './browser.mjs';

const suite = useSuite({ demo: true });
const asAdmin = (t, locale = 'en-US') => open(suite, t, { locale, as: 'admin' });

test('only a user with ticket_config:manage sees the configuration pages', async (t) => {
  const agent = await open(suite, t, { as: 'agent' });
  await agent.goto('/tickets');
  await agent.locator(sel('nav-tickets')).waitFor();
  assert.equal(await agent.locator(sel('nav-admin-workflows')).count(), 0);
  await agent.goto('/admin/workflows');
  await agent.locator(sel('forbidden')).waitFor();

  const admin = await asAdmin(t);
  await admin.goto('/tickets');
  for (const n of ['admin-workflows', 'admin-ticket-types', 'admin-custom-fields', 'admin-categories']) {
    await admin.locator(sel(`nav-${n}`)).waitFor();
  }
});

test('a workflow with a broken transition is refused and the error names its place', async (t) => {
  const page = await asAdmin(t);
  await page.goto('/admin/workflows');
  await page.locator(`${sel('workflow-item')}[data-key="simple"]`).click();
  await page.locator(sel('workflow-name')).waitFor();
  await page.waitForFunction((s) => document.querySelector(s)?.value === 'Simple', sel('workflow-name'));

  // rename the status "open": the transitions still point at "open"
  const openKey = page.locator(sel('status-key')).nth(1);
  assert.equal(await openKey.inputValue(), 'open');
  await openKey.fill('opened');
  const [refused] = await Promise.all([
    page.waitForResponse(isApi('PUT', '/api/v1/workflows/2')),
    page.locator(sel('workflow-save')).click(),
  ]);
  assert.equal(refused.status(), 422);
  const problem = await refused.json();
  await page.locator(sel('workflow-errors')).waitFor();
  const fields = await page.locator(sel('workflow-error')).evaluateAll((x) => x.map((e) => e.dataset.field));
  assert.deepEqual(fields.sort(), problem.errors.map((e) => e.field).sort());
  assert.ok(fields.some((f) => /^transitions\[\d+\]\.(from|to)$/.test(f)), `field-addressed: ${fields}`);
  assert.ok(await page.locator('.bad').count() > 0, 'the offending cells are marked');
  await page.screenshot({ path: join(SHOTS, 'admin-workflow-errors.png'), fullPage: true });

  // back to "open", and a new transition: saved with the version
  await openKey.fill('open');
  await page.locator(sel('transition-add')).click();
  const rows = page.locator(`${sel('transition-table')} .el-table__body tr`);
  const last = rows.last();
  await last.locator(sel('transition-name')).fill('Escalate');
  await last.locator(sel('transition-to')).click();
  await page.locator('.el-select-dropdown__item:visible', { hasText: /^closed$/ }).click();
  const [saved] = await Promise.all([
    page.waitForResponse(isApi('PUT', '/api/v1/workflows/2')),
    page.locator(sel('workflow-save')).click(),
  ]);
  assert.equal(saved.status(), 200, await saved.text());
  const sent = JSON.parse(saved.request().postData());
  assert.equal(sent.version, 1);
  assert.ok(sent.transitions.some((x) => x.name === 'Escalate' && x.to === 'closed'));
  await waitForCount(page, sel('workflow-error'), 0);
});

test('an administrator defines a custom field and deactivates it', async (t) => {
  const page = await asAdmin(t);
  await page.goto('/admin/custom-fields');
  await page.locator(sel('cf-table')).waitFor();
  await page.locator(sel('cf-new')).click();
  await page.locator(sel('cf-key')).fill('warranty_until');
  await page.locator(sel('cf-label')).fill('Warranty until');
  await choose(page, 'cf-type', 'cf-type-option-date');
  const [created] = await Promise.all([
    page.waitForResponse(isApi('POST', '/api/v1/custom-fields')),
    page.locator(sel('cf-save')).click(),
  ]);
  assert.equal(created.status(), 201, await created.text());
  const field = await created.json();
  const row = page.locator(`${sel('field-row')}[data-id="${field.id}"]`);
  await row.waitFor();
  await page.screenshot({ path: join(SHOTS, 'admin-custom-fields.png'), fullPage: true });

  // a second field with the same key: the error shows at the key
  await page.locator(sel('cf-new')).click();
  await page.locator(sel('cf-key')).fill('warranty_until');
  await page.locator(sel('cf-label')).fill('Again');
  const [dup] = await Promise.all([
    page.waitForResponse(isApi('POST', '/api/v1/custom-fields')),
    page.locator(sel('cf-save')).click(),
  ]);
  assert.ok([409, 422].includes(dup.status()), `duplicate key: ${dup.status()}`);
  await page.locator(`${sel('cf-field-key')} .el-form-item__error`).waitFor();
  await page.keyboard.press('Escape');

  const [off] = await Promise.all([
    page.waitForResponse(isApi('PATCH', `/api/v1/custom-fields/${field.id}`)),
    row.locator(sel('cf-active')).click(),
  ]);
  assert.equal(off.status(), 200);
  assert.deepEqual(JSON.parse(off.request().postData()), { active: false });
  const list = (await api(suite, 'GET', '/api/v1/custom-fields', undefined, 200)).body.items;
  assert.equal(list.find((f) => f.id === field.id).active, false);
});

test('categories and fault codes form trees', async (t) => {
  const page = await asAdmin(t, 'zh-CN');
  await page.goto('/admin/categories');
  await page.locator(sel('page-title'), { hasText: '分类与故障代码' }).waitFor();
  await page.locator(sel('category-new')).click();
  await page.locator(sel('category-form-name')).fill('打印机');
  await page.locator(sel('category-form-code')).fill('PRN');
  const [root] = await Promise.all([
    page.waitForResponse(isApi('POST', '/api/v1/categories')),
    page.locator(sel('category-save')).click(),
  ]);
  assert.equal(root.status(), 201, await root.text());
  const parent = await root.json();
  const rootRow = page.locator(`${sel('category-tree')} tr`, { has: page.locator(sel('category-name'), { hasText: '打印机' }) });
  await rootRow.waitFor();
  await rootRow.locator(sel('category-add-child')).click();
  await page.locator(sel('category-form-name')).fill('激光打印机');
  const [child] = await Promise.all([
    page.waitForResponse(isApi('POST', '/api/v1/categories')),
    page.locator(sel('category-save')).click(),
  ]);
  assert.equal(child.status(), 201, await child.text());
  assert.deepEqual(JSON.parse(child.request().postData()), { kind: 'category', name: '激光打印机', parent_id: parent.id });
  await page.locator(sel('category-name'), { hasText: '激光打印机' }).waitFor();
  await page.screenshot({ path: join(SHOTS, 'admin-categories-zh-CN.png'), fullPage: true });

  await page.locator(sel('kind-fault_code')).click();
  await page.locator(sel('category-name'), { hasText: /^打印机$/ }).waitFor({ state: 'detached' });
});
