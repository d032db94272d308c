// Notifications through the outbox, as a team lives them: an assignment and a
// mention reach the right people in the console (unread badge) and by email
// (a real SMTP conversation with a loopback sink: RFC 2047 Chinese subjects
// and names, threading headers, text + HTML), never the one who acted;
// preferences switch channels off; admins edit and preview templates; the SLA
// engine's events reach the users they name. docs/api-notify.md.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { dbQuery } from '../lib/server.mjs';
import { parseMail, decodeWords, mailParts } from '../lib/smtp-sink.mjs';
import { assertProblem, tag } from './client.mjs';
import { notifyRig, staff, until, deliveries } from './notify_lib.mjs';

const T = '/api/v1/tickets';

describe('notifications', { timeout: 60000 }, () => {
  let rig, li, wang, zhao;
  before(async () => {
    rig = await notifyRig();
    li = await staff(rig.server, rig.admin, '李娜', 'li.na');
    wang = await staff(rig.server, rig.admin, '王伟', 'wang.wei');
    zhao = await staff(rig.server, rig.admin, 'Zhao Lei', 'zhao.lei');
    const p = await wang.c.put('/api/v1/notification-preferences', { language: 'zh-CN' });
    assert.equal(p.status, 200, p.text);
  });
  after(async () => {
    await rig?.server.close();
    await rig?.sink.close();
    await rig?.rx.close();
  });

  const mailsTo = (u) => rig.sink.messages.filter((m) => m.rcpt.includes(`<${u.username}@example.test>`));
  const unread = async (u) => (await u.c.get('/api/v1/notifications/unread-count')).body.unread;

  it('an assignment reaches the assignee in the console and by a threaded, multipart, Chinese email', async () => {
    const subject = `空调不制冷 ${tag('a')}`;
    const t = await li.c.post(T, { subject, assignee_id: wang.id });
    assert.equal(t.status, 201, t.text);
    const items = await until(async () => {
      const r = await wang.c.get('/api/v1/notifications');
      return r.body.items.find((n) => n.entity_id === t.body.id) && r.body;
    }, 10000, 'the in-app notification');
    const n = items.items.find((x) => x.entity_id === t.body.id);
    assert.equal(n.kind, 'ticket.assigned');
    assert.equal(n.read, false);
    assert.match(n.title, /已指派给您/, 'the title comes from the zh-CN template');
    assert.ok(items.unread >= 1);
    await rig.sink.waitFor(() => mailsTo(wang).some((m) => m.raw.includes(`tend.ticket-${t.body.id}@`)), 10000, 'the email');
    const mail = mailsTo(wang).find((m) => m.raw.includes(`tend.ticket-${t.body.id}@`));
    const { headers } = parseMail(mail.raw);
    assert.match(headers.subject[0], /^=\?UTF-8\?B\?/, 'the subject travels as RFC 2047 encoded words');
    assert.ok(headers.subject[0].split(' ').every((w) => w.length <= 75), 'no encoded word is longer than 75');
    assert.equal(decodeWords(headers.subject[0]), `[${t.body.number}] 已指派给您：${subject}`);
    assert.equal(decodeWords(headers.from[0]), 'Tend 服务台 <service@tend.test>');
    assert.equal(decodeWords(headers.to[0]), `王伟 <${wang.username}@example.test>`);
    assert.equal(headers['message-id'][0], `<tend.ticket-${t.body.id}.e${n.event_id}.u${wang.id}@tend.test>`);
    assert.equal(headers['in-reply-to'][0], `<tend.ticket-${t.body.id}@tend.test>`);
    assert.equal(headers.references[0], `<tend.ticket-${t.body.id}@tend.test>`);
    assert.equal(headers['auto-submitted'][0], 'auto-generated');
    assert.match(headers['content-type'][0], /^multipart\/alternative; boundary=/);
    const parts = mailParts(mail.raw);
    assert.deepEqual(parts.map((p) => p.type), ['text/plain', 'text/html']);
    assert.ok(parts.every((p) => /charset=UTF-8/.test(p.contentType)));
    assert.match(parts[0].text, new RegExp(`李娜 将工单 ${t.body.number} 指派给您`));
    assert.match(parts[0].text, new RegExp(`http://console.test/tickets/${t.body.id}`));
    assert.match(parts[1].text, new RegExp(`<a href="http://console.test/tickets/${t.body.id}">`));
    assert.equal(mail.from, '<service@tend.test>');
    // the one who assigned hears nothing of it
    assert.equal(mailsTo(li).filter((m) => m.raw.includes(`tend.ticket-${t.body.id}`)).length, 0);
    assert.equal((await li.c.get('/api/v1/notifications')).body.items.filter((x) => x.entity_id === t.body.id).length, 0);
  });

  it('a mention in a reply reaches the person mentioned; the watchers hear of the reply; never the author', async () => {
    const t = await zhao.c.post(T, { subject: tag('mention'), assignee_id: zhao.id, watchers: [li.id] });
    assert.equal(t.status, 201, t.text);
    const c = await li.c.post(`${T}/${t.body.id}/comments`, { body: `@${wang.username} 请检查压缩机. Thanks @nobody.here` });
    assert.equal(c.status, 201, c.text);
    const got = async (u, kind) => (await u.c.get('/api/v1/notifications?limit=100')).body.items
      .find((n) => n.entity_id === t.body.id && n.kind === kind);
    await until(() => got(wang, 'ticket.mentioned'), 10000, 'the mention');
    await until(() => got(zhao, 'ticket.commented'), 10000, 'the assignee hears of the reply');
    assert.equal(await got(li, 'ticket.commented'), undefined, 'the author is not told of their own reply');
    await rig.sink.waitFor(() => mailsTo(wang).some((m) => decodeWords(parseMail(m.raw).headers.subject[0]).includes('提到了您')),
      10000, 'the mention email');
    const mail = mailsTo(wang).find((m) => decodeWords(parseMail(m.raw).headers.subject[0]).includes('提到了您'));
    assert.match(mailParts(mail.raw)[0].text, /请检查压缩机/);
    // a reply is not emailed by default, only shown in the console
    assert.equal(mailsTo(zhao).filter((m) => m.raw.includes(`tend.ticket-${t.body.id}.`)).length, 0);
  });

  it('a reassignment reaches the new assignee; a status change reaches the assignee and the watchers', async () => {
    const t = await li.c.post(T, { subject: tag('reassign'), watchers: [zhao.id] });
    assert.equal(t.status, 201, t.text);
    const p = await li.c.patch(`${T}/${t.body.id}`, { version: t.body.version, assignee_id: wang.id });
    assert.equal(p.status, 200, p.text);
    const got = async (u, kind) => (await u.c.get('/api/v1/notifications?limit=100')).body.items
      .find((n) => n.entity_id === t.body.id && n.kind === kind);
    await until(() => got(wang, 'ticket.assigned'), 10000, 'the reassignment');
    const tr = (await li.c.get(`${T}/${t.body.id}/transitions`)).body;
    const to = (tr.items || tr)[0].to;
    const moved = await li.c.post(`${T}/${t.body.id}/transitions`, { to });
    assert.equal(moved.status, 200, moved.text);
    await until(() => got(wang, 'ticket.status_changed'), 10000, 'the assignee hears of the move');
    await until(() => got(zhao, 'ticket.status_changed'), 10000, 'the watcher hears of the move');
    assert.equal(await got(li, 'ticket.status_changed'), undefined, 'not the one who moved it');
  });

  it('counts unread, marks one and then all as read', async () => {
    const before = await unread(wang);
    assert.ok(before >= 2, `unread ${before}`);
    const list = (await wang.c.get('/api/v1/notifications?unread=true&limit=1')).body;
    assert.equal(list.items.length, 1);
    assert.equal(typeof list.next_cursor, 'string');
    const next = await wang.c.get(`/api/v1/notifications?unread=true&limit=1&cursor=${list.next_cursor}`);
    assert.equal(next.status, 200);
    assert.ok(next.body.items[0].id < list.items[0].id, 'newest first, page by page');
    const r = await wang.c.post(`/api/v1/notifications/${list.items[0].id}/read`);
    assert.equal(r.status, 204, r.text);
    assert.equal(await unread(wang), before - 1);
    assertProblem(await li.c.post(`/api/v1/notifications/${list.items[0].id}/read`), 404, 'id', 'another user\'s notification');
    const all = await wang.c.post('/api/v1/notifications/read-all');
    assert.equal(all.status, 200, all.text);
    assert.equal(all.body.marked, before - 1);
    assert.equal(await unread(wang), 0);
    assertProblem(await wang.c.get('/api/v1/notifications?unread=maybe'), 400, 'unread');
    assertProblem(await wang.c.get('/api/v1/notifications?cursor=bogus'), 400, 'cursor');
    assertProblem(await wang.c.get('/api/v1/notifications?limit=0'), 400, 'limit');
    assertProblem(await wang.c.get('/api/v1/notifications?colour=red'), 400, 'colour');
  });

  it('preferences switch a channel off; bad preferences name the field', async () => {
    const p = await zhao.c.get('/api/v1/notification-preferences');
    assert.equal(p.status, 200);
    assert.equal(p.body.language, 'en');
    assert.deepEqual(p.body.channels['ticket.assigned'], { email: true, in_app: true });
    assert.deepEqual(p.body.channels['ticket.commented'], { email: false, in_app: true });
    const put = await zhao.c.put('/api/v1/notification-preferences', { channels: { 'ticket.assigned': { email: false } } });
    assert.equal(put.status, 200, put.text);
    assert.deepEqual(put.body.channels['ticket.assigned'], { email: false, in_app: true });
    const t = await li.c.post(T, { subject: tag('prefs'), assignee_id: zhao.id });
    await until(async () => (await zhao.c.get('/api/v1/notifications')).body.items.find((n) => n.entity_id === t.body.id),
      10000, 'the in-app notification');
    const emails = await deliveries(rig.admin, 'channel=email&limit=200');
    assert.equal(emails.filter((d) => d.user_id === zhao.id && d.event_type === 'ticket.created').length, 0,
      'no email delivery once email is off');
    assertProblem(await zhao.c.put('/api/v1/notification-preferences', { language: 'fr' }), 422, 'language');
    assertProblem(await zhao.c.put('/api/v1/notification-preferences', { channels: { 'ticket.eaten': { email: true } } }),
      422, 'channels.ticket.eaten');
    assertProblem(await zhao.c.put('/api/v1/notification-preferences', { channels: { 'ticket.assigned': { sms: true } } }),
      422, 'channels.ticket.assigned.sms');
    assertProblem(await zhao.c.put('/api/v1/notification-preferences', { channels: { 'ticket.assigned': { email: 1 } } }),
      422, 'channels.ticket.assigned.email');
    assertProblem(await zhao.c.put('/api/v1/notification-preferences', { volume: 11 }), 422, 'volume');
  });

  it('SLA events reach the users they name, or the assignee', async () => {
    const t = await li.c.post(T, { subject: tag('sla'), assignee_id: zhao.id });
    const data = JSON.stringify({ metric: 'resolution', policy_id: 1, due_at: '2026-11-23T18:00:00.000Z', level: 1,
      notify_user_ids: [wang.id, li.id] });
    dbQuery(rig.server.db, `INSERT INTO events (type, entity, entity_id, actor, at, data) VALUES ('sla.escalated', 'ticket', ${t.body.id}, NULL, ${Date.now()}, '${data}')`);
    dbQuery(rig.server.db, `INSERT INTO events (type, entity, entity_id, actor, at, data) VALUES ('sla.warning', 'ticket', ${t.body.id}, NULL, ${Date.now()}, '{"metric":"resolution","due_at":"2026-11-23T18:00:00.000Z"}')`);
    const got = async (u, kind) => (await u.c.get('/api/v1/notifications?limit=100')).body.items
      .find((n) => n.entity_id === t.body.id && n.kind === kind);
    const w = await until(() => got(wang, 'sla.escalated'), 10000, 'the escalation');
    assert.match(w.title, /已升级（第 1 级）/);
    assert.ok(await until(() => got(li, 'sla.escalated'), 10000, 'the escalation to li'));
    assert.ok(await until(() => got(zhao, 'sla.warning'), 10000, 'the warning to the assignee'));
    assert.equal(await got(zhao, 'sla.escalated'), undefined, 'notify_user_ids names the recipients');
  });

  it('admins edit and preview templates; placeholders are checked', async () => {
    const list = await rig.admin.get('/api/v1/email-templates');
    assert.equal(list.status, 200);
    assert.equal(list.body.items.length, 18, '9 kinds in 2 languages (rule.notify: docs/api-rules.md)');
    const pv = await rig.admin.post('/api/v1/email-templates/preview', { kind: 'ticket.assigned', language: 'zh-CN' });
    assert.equal(pv.status, 200, pv.text);
    assert.match(pv.body.subject, /SR-2026-000042/);
    assert.match(pv.body.body_html, /<a href="https:\/\/tend.example\/tickets\/42">/);
    const esc = await rig.admin.post('/api/v1/email-templates/preview', { kind: 'ticket.mentioned', language: 'en',
      body_html: '<p>{{ ticket.subject }}</p>' });
    assert.equal(esc.body.body_html, '<p>空调不制冷 / Air conditioner not cooling</p>');
    const put = await rig.admin.put('/api/v1/email-templates/ticket.assigned/en', {
      subject: '{{ticket.number}} is yours', body_text: 'Take it: {{link}}', body_html: '<p>{{link}}</p>' });
    assert.equal(put.status, 200, put.text);
    assert.equal(put.body.subject, '{{ticket.number}} is yours');
    const t = await li.c.post(T, { subject: tag('tpl'), assignee_id: zhao.id });
    await until(async () => (await zhao.c.get('/api/v1/notifications')).body.items
      .find((n) => n.entity_id === t.body.id && n.title === `${t.body.number} is yours`), 10000, 'the new template in use');
    assertProblem(await rig.admin.put('/api/v1/email-templates/ticket.assigned/en', { subject: '{{ticket.colour}}',
      body_text: '', body_html: '' }), 422, 'subject');
    assertProblem(await rig.admin.put('/api/v1/email-templates/ticket.assigned/en', { subject: 'x',
      body_text: 'unclosed {{link', body_html: '' }), 422, 'body_text');
    assertProblem(await rig.admin.put('/api/v1/email-templates/ticket.assigned/en', { subject: 'x' }), 422, 'body_text');
    assertProblem(await rig.admin.put('/api/v1/email-templates/ticket.eaten/en', { subject: 'x', body_text: '',
      body_html: '' }), 404, 'kind');
    assertProblem(await rig.admin.put('/api/v1/email-templates/ticket.assigned/fr', { subject: 'x', body_text: '',
      body_html: '' }), 404, 'language');
    assertProblem(await rig.admin.post('/api/v1/email-templates/preview', { kind: 'nope', language: 'en' }), 422, 'kind');
    assertProblem(await li.c.get('/api/v1/email-templates'), 403);
  });
});
