// Browser suite for customers and assets: a person opens an organisation's
// 360 view and follows it to an asset's, creates an asset, and imports a CSV
// with one bad row and sees that row's error (nothing imported).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { useSuite, openPage as open, isApi, choose, sel, SHOTS } from './browser.mjs';

const suite = useSuite({ demo: true });

test('an agent opens an organisation\'s 360 view and an asset\'s', async (t) => {
  const page = await open(suite, t, { as: 'agent' });
  await page.goto('/organisations');
  await page.locator(sel('link-name'), { hasText: '华东精密制造有限公司' }).click();
  const view = page.locator(sel('organisation-overview'));
  await view.locator(sel('overview-title'), { hasText: '华东精密制造有限公司' }).waitFor();
  assert.match(await view.locator(sel('overview-tier')).innerText(), /VIP/);
  await view.locator(sel('card-contacts'), { hasText: '王伟' }).waitFor();
  await view.locator(sel('card-sites'), { hasText: '张江工厂' }).waitFor();
  await view.locator(sel('card-contracts'), { hasText: 'SC-2026-001' }).waitFor();
  await view.locator(sel('tickets-open')).locator('a').first().waitFor();
  await page.screenshot({ path: join(SHOTS, 'organisation-360.png'), fullPage: true });

  await view.locator(sel('asset-link'), { hasText: 'HV9-2024-00817' }).click();
  const asset = page.locator(sel('asset-overview'));
  await asset.locator(sel('overview-title'), { hasText: 'HV9-2024-00817' }).waitFor();
  await asset.locator(sel('card-components'), { hasText: 'CMP22-88213' }).waitFor();
  await asset.locator(sel('meter-latest')).first().waitFor();
  assert.ok(await asset.locator(sel('card-entitlement')).getAttribute('data-basis'));
  await page.screenshot({ path: join(SHOTS, 'asset-360.png'), fullPage: true });
});

test('an agent creates an asset and it is listed', async (t) => {
  const page = await open(suite, t, { as: 'agent' });
  await page.goto('/assets');
  await page.locator(sel('record-row')).first().waitFor();
  await page.locator(sel('records-new')).click();
  await choose(page, 'field-model_id', 'model-option-EVC-22-7');
  const serial = `EVC22-E2E-${Date.now()}`;
  await page.locator(sel('field-serial')).fill(serial);
  await choose(page, 'field-organisation_id', 'org-option-3');
  const [response] = await Promise.all([
    page.waitForResponse(isApi('POST', '/api/v1/assets')),
    page.locator(sel('record-save')).click(),
  ]);
  assert.equal(response.status(), 201);
  const created = await response.json();
  assert.equal(created.serial, serial);
  assert.equal(created.organisation_id, 3);
  await page.locator(sel('record-row'), { hasText: serial }).waitFor();
  // a serial the model already has: the reason appears under the field
  await page.locator(sel('records-new')).click();
  await choose(page, 'field-model_id', 'model-option-EVC-22-7');
  await page.locator(sel('field-serial')).fill(serial);
  await page.locator(sel('record-save')).click();
  await page.locator(sel('record-create')).locator('.el-form-item__error', { hasText: 'already has this serial' }).waitFor();
  await page.screenshot({ path: join(SHOTS, 'asset-created.png'), fullPage: true });
});

test('a manager imports a CSV with one bad row and sees that row\'s error', async (t) => {
  const page = await open(suite, t, { as: 'manager' });
  await page.goto('/organisations');
  await page.locator(sel('record-row')).first().waitFor();
  await page.locator(sel('records-import')).click();
  const stamp = Date.now();
  const csv = `name,tier,region\nImported ${stamp} A,vip,east\nImported ${stamp} B,platinum,west\n`;
  await page.locator(sel('import-file')).setInputFiles({ name: 'orgs.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
  await page.locator(sel('import-submit')).click();
  await page.locator(`${sel('import-job')}[data-status="failed"]`).waitFor();
  const errors = page.locator(sel('import-errors'));
  await errors.locator('tr', { hasText: 'tier' }).waitFor();
  assert.match(await errors.innerText(), /3\s+tier\s+must be one of vip, gold, standard/);
  await page.screenshot({ path: join(SHOTS, 'import-row-error.png'), fullPage: true });
  const r = await page.request.get(`/api/v1/organisations?q=Imported%20${stamp}`);
  assert.deepEqual((await r.json()).items, [], 'all or nothing: the good row was not imported either');
});
