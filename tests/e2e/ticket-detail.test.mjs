// Browser suite for creating and working one ticket: the create dialog with a
// type's required custom field, a transition that needs a resolution code,
// replies and internal notes with an attachment, links, and editing fields.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import {
  useSuite, openPage as open, api, isApi, choose, waitForCount, sel, SHOTS,
} from './browser.mjs';

const suite = useSuite({ demo: true });
const openPage = async (t, locale = 'en-US') => {
  await customFields();
  return open(suite, t, { locale, as: 'agent' });
};
const apiCreate = async (body) => (await api(suite, 'POST', '/api/v1/tickets', body, 201)).body;

// The demo's optional serial number (text, ^[A-Z0-9-]{4,40}$, on repairs and
// other field work) becomes required for this suite, once, by the first test.
let fieldsMade = null;
function customFields() {
  fieldsMade ??= (async () => {
    const { items } = (await api(suite, 'GET', '/api/v1/custom-fields', undefined, 200)).body;
    const serial = items.find((f) => f.key === 'serial_no');
    assert.ok(serial && items.some((f) => f.key === 'site_access'), 'demo custom fields');
    await api(suite, 'PATCH', `/api/v1/custom-fields/${serial.id}`, { required: true }, 200);
  })();
  return fieldsMade;
}

test('creating a repair needs its serial number: the server\'s error shows at the field, then it is created', async (t) => {
  const page = await openPage(t);
  await page.goto('/tickets');
  await page.locator(sel('ticket-table')).waitFor();
  await page.locator(sel('new-ticket')).click();
  await page.locator(sel('field-custom.serial_no')).waitFor();
  assert.equal(await page.locator(`${sel('field-custom.serial_no')}.is-required`).count(), 1, 'marked as required');
  await page.locator(sel('field-custom.site_access')).waitFor();

  // a consultation does not have the serial number
  await choose(page, 'ticket-type', 'create-type-option-consultation');
  await waitForCount(page, sel('field-custom.serial_no'), 0);
  await choose(page, 'ticket-type', 'create-type-option-repair');
  await page.locator(sel('field-custom.serial_no')).waitFor();

  await page.locator(sel('ticket-subject')).fill('Label printer feeds crooked');
  const [response] = await Promise.all([
    page.waitForResponse(isApi('POST', '/api/v1/tickets')),
    page.locator(sel('create-submit')).click(),
  ]);
  assert.equal(response.status(), 422);
  const problem = await response.json();
  const err = problem.errors.find((e) => e.field === 'custom.serial_no');
  assert.ok(err, JSON.stringify(problem));
  const shown = page.locator(`${sel('field-custom.serial_no')} .el-form-item__error`);
  await shown.waitFor();
  assert.equal((await shown.innerText()).trim(), err.message);
  await page.screenshot({ path: join(SHOTS, 'create-custom-field-error.png') });

  await page.locator(sel('custom-serial_no')).fill('LP-2000-0042');
  await choose(page, 'custom-site_access', 'custom-site_access-option-escort');
  const [again] = await Promise.all([
    page.waitForResponse(isApi('POST', '/api/v1/tickets')),
    page.locator(sel('create-submit')).click(),
  ]);
  assert.equal(again.status(), 201);
  const created = await again.json();
  assert.equal(created.type, 'repair');
  assert.equal(created.custom.serial_no, 'LP-2000-0042');
  assert.equal(created.custom.site_access, 'escort');
  await page.locator(sel('create-form')).waitFor({ state: 'hidden' });
  await page.locator(`${sel('ticket-row')}[data-id="${created.id}"]`).waitFor();
});

test('resolving needs a resolution code: the dialog asks for it and the status changes', async (t) => {
  const page = await openPage(t);
  const ticket = await apiCreate({ subject: 'Chiller trips on start', custom: { serial_no: 'CH-77' } });
  await api(suite, 'POST', `/api/v1/tickets/${ticket.id}/transitions`, { to: 'in_progress' }, 200);
  await page.goto(`/tickets/${ticket.id}`);
  await page.locator(`${sel('detail-status')} ${sel('status-tag')}[data-value="in_progress"]`).waitFor();
  assert.equal((await page.locator(sel('detail-number')).innerText()).trim(), ticket.number);
  assert.equal(await page.locator(sel('detail-type')).getAttribute('data-value'), 'repair');

  await page.locator(`${sel('transition')}[data-to="resolved"]`).click();
  await page.locator(sel('field-resolution_code')).waitFor();
  const [refused] = await Promise.all([
    page.waitForResponse(isApi('POST', `/api/v1/tickets/${ticket.id}/transitions`)),
    page.locator(sel('transition-submit')).click(),
  ]);
  assert.equal(refused.status(), 422);
  const problem = await refused.json();
  assert.ok(problem.errors.some((e) => e.field === 'resolution_code'), JSON.stringify(problem));
  await page.locator(`${sel('field-resolution_code')} .el-form-item__error`).waitFor();
  await page.screenshot({ path: join(SHOTS, 'transition-requires.png') });

  await page.locator(sel('transition-resolution-code')).fill('replaced-relay');
  const [done] = await Promise.all([
    page.waitForResponse(isApi('POST', `/api/v1/tickets/${ticket.id}/transitions`)),
    page.locator(sel('transition-submit')).click(),
  ]);
  assert.equal(done.status(), 200);
  assert.deepEqual(
    (({ to, resolution_code: rc }) => ({ to, rc }))(JSON.parse(done.request().postData())),
    { to: 'resolved', rc: 'replaced-relay' },
  );
  await page.locator(`${sel('detail-status')} ${sel('status-tag')}[data-value="resolved"]`).waitFor();
  await page.locator(sel('detail-resolution-code'), { hasText: 'replaced-relay' }).waitFor();
  await page.locator(`${sel('timeline-event')}[data-type="ticket.status_changed"]`, { hasText: 'Resolved' }).waitFor();
  // the buttons now offer the moves from "resolved"
  await page.locator(`${sel('transition')}[data-to="closed"]`).waitFor();
});

test('a reply and an internal note with an attachment appear on the timeline, the note set apart', async (t) => {
  const page = await openPage(t);
  const ticket = await apiCreate({ subject: 'Display shows vertical lines', custom: { serial_no: 'DS-1' } });
  await page.goto(`/tickets/${ticket.id}`);
  await page.locator(sel('comment-editor')).waitFor();

  // reply with a text attachment: upload first (raw body), then the comment with its id
  await page.locator(sel('comment-body-input')).fill('We have ordered a replacement panel.');
  await page.locator(sel('comment-file-input')).setInputFiles({
    name: 'panel-order.txt', mimeType: 'text/plain', buffer: Buffer.from('Order 4711: 1x LCD panel\n'),
  });
  await page.locator(sel('comment-file'), { hasText: 'panel-order.txt' }).waitFor();
  const [upload, posted] = await Promise.all([
    page.waitForResponse(isApi('POST', `/api/v1/tickets/${ticket.id}/attachments`)),
    page.waitForResponse(isApi('POST', `/api/v1/tickets/${ticket.id}/comments`)),
    page.locator(sel('comment-submit')).click(),
  ]);
  assert.equal(upload.status(), 201);
  assert.equal(new URL(upload.url()).searchParams.get('filename'), 'panel-order.txt');
  const file = await upload.json();
  assert.equal(posted.status(), 201);
  assert.deepEqual(JSON.parse(posted.request().postData()), {
    body: 'We have ordered a replacement panel.', internal: false, attachment_ids: [file.id],
  });
  const reply = page.locator(`${sel('timeline-comment')}[data-internal="false"]`);
  await reply.waitFor();
  assert.match(await reply.locator(sel('comment-body')).innerText(), /replacement panel/);
  const link = reply.locator(sel('attachment-link'));
  assert.equal(await link.innerText(), 'panel-order.txt');
  assert.equal(await link.getAttribute('href'), `/api/v1/attachments/${file.id}`);
  const bytes = await page.context().request.get(`/api/v1/attachments/${file.id}`);
  assert.equal(bytes.status(), 200);
  assert.equal(await bytes.text(), 'Order 4711: 1x LCD panel\n');

  // internal note: the editor turns yellow, the timeline marks it
  await page.locator(sel('mode-internal')).click();
  await page.locator(sel('internal-hint')).waitFor();
  assert.equal(await page.locator(sel('comment-editor')).getAttribute('data-mode'), 'internal');
  await page.locator(sel('comment-body-input')).fill('Customer was rude on the phone; handle with care.');
  const [note] = await Promise.all([
    page.waitForResponse(isApi('POST', `/api/v1/tickets/${ticket.id}/comments`)),
    page.locator(sel('comment-submit')).click(),
  ]);
  assert.equal(note.status(), 201);
  assert.equal(JSON.parse(note.request().postData()).internal, true);
  const noted = page.locator(`${sel('timeline-comment')}[data-internal="true"]`);
  await noted.waitFor();
  await noted.locator(sel('internal-badge')).waitFor();
  const bg = await noted.evaluate((el) => getComputedStyle(el).backgroundColor);
  const replyBg = await reply.evaluate((el) => getComputedStyle(el).backgroundColor);
  assert.notEqual(bg, replyBg, 'an internal note looks different from a reply');
  await waitForCount(page, sel('timeline-comment'), 2);
  await page.screenshot({ path: join(SHOTS, 'ticket-comments.png'), fullPage: true });

});

test('fields are edited with the version read; a link to another ticket is added and removed', async (t) => {
  const page = await openPage(t);
  const ticket = await apiCreate({ subject: 'Forklift battery will not charge', custom: { serial_no: 'FL-9' } });
  const other = await apiCreate({ subject: 'Charging station breaker trips', custom: { serial_no: 'CS-3' } });
  await page.goto(`/tickets/${ticket.id}`);
  await page.locator(sel('edit-card')).waitFor();

  await choose(page, 'edit-priority', 'priority-option-high');
  await choose(page, 'custom-site_access', 'custom-site_access-option-permit');
  const [response] = await Promise.all([
    page.waitForResponse(isApi('PATCH', `/api/v1/tickets/${ticket.id}`)),
    page.locator(sel('edit-save')).click(),
  ]);
  assert.equal(response.status(), 200);
  assert.deepEqual(JSON.parse(response.request().postData()), {
    priority: 'high', custom: { site_access: 'permit' }, version: ticket.version,
  });
  await page.locator(`${sel('detail-priority')} ${sel('priority-tag')}[data-value="high"]`).waitFor();
  await page.locator(`${sel('timeline-change')}[data-field="priority"]`).waitFor();

  // link: pick the other ticket by its id
  await choose(page, 'link-kind', 'link-kind-option-related');
  await page.locator(`${sel('ticket-picker')} input`).first().fill(String(other.id));
  await page.locator(sel(`ticket-picker-option-${other.id}`)).click();
  const [linked] = await Promise.all([
    page.waitForResponse(isApi('POST', `/api/v1/tickets/${ticket.id}/links`)),
    page.locator(sel('link-add')).click(),
  ]);
  assert.equal(linked.status(), 201);
  assert.deepEqual(JSON.parse(linked.request().postData()), { kind: 'related', ticket_id: other.id });
  const row = page.locator(`${sel('link')}[data-id="${other.id}"]`);
  await row.waitFor();
  assert.equal(await row.getAttribute('data-kind'), 'related');
  await page.screenshot({ path: join(SHOTS, 'ticket-links.png'), fullPage: true });
  const [unlinked] = await Promise.all([
    page.waitForResponse(isApi('DELETE', `/api/v1/tickets/${ticket.id}/links/${other.id}`)),
    row.locator(sel('link-remove')).click(),
  ]);
  assert.equal(unlinked.status(), 204);
  await waitForCount(page, sel('link'), 0);
});

test('merging a duplicate closes it and opens the surviving ticket', async (t) => {
  const page = await openPage(t);
  const survivor = await apiCreate({ subject: 'Boiler leaks in room 12', custom: { serial_no: 'B-12' } });
  const dup = await apiCreate({ subject: 'Water under the boiler, room 12', custom: { serial_no: 'B-12' } });
  await page.goto(`/tickets/${dup.id}`);
  await page.locator(sel('merge-open')).click();
  await page.locator(`${sel('merge-dialog')} ${sel('ticket-picker')} input`).first().fill(String(survivor.id));
  await page.locator(sel(`ticket-picker-option-${survivor.id}`)).filter({ visible: true }).click();
  await page.locator(sel('merge-submit')).click();
  const [merged] = await Promise.all([
    page.waitForResponse(isApi('POST', `/api/v1/tickets/${dup.id}/merge`)),
    page.locator('.confirm-merge').click(),
  ]);
  assert.equal(merged.status(), 200);
  await page.waitForURL(`**/tickets/${survivor.id}`);
  await page.locator(sel('detail-subject'), { hasText: 'Boiler leaks in room 12' }).waitFor();
  const gone = (await api(suite, 'GET', `/api/v1/tickets/${dup.id}`, undefined, 200)).body;
  assert.equal(gone.merged_into_id, survivor.id);
  assert.equal(gone.status_category, 'closed');
});
