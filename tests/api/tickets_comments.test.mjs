// Comments (docs/api-tickets.md "Comments"): public replies and internal
// notes; a customer can neither write nor see internal ones (in the list, the
// timeline or search); body limits; other organisations' tickets are 404.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../lib/server.mjs';
import { client, assertProblem, tag, TIME_RE } from './client.mjs';
import { T, demoSessions, userId, events } from './tickets_lib.mjs';

describe('ticket comments', { timeout: 60000 }, () => {
  let server, admin, s, ids, own, other;
  const MARK = tag('cm');
  before(async () => {
    server = await startServer({ demo: true });
    admin = client(server.url, { token: server.token });
    s = await demoSessions(server, ['agent', 'customer', 'engineer', 'warehouse']);
    ids = { agent: await userId(admin, 'agent'), customer: await userId(admin, 'customer'),
      engineer: await userId(admin, 'engineer') };
    own = await admin.create({ subject: `${MARK} org 1`, organisation_id: 1, assignee_id: ids.engineer });
    other = await admin.create({ subject: `${MARK} org 2`, organisation_id: 2 });
  });
  after(async () => { await server?.close(); });

  const comments = async (c, id) => {
    const r = await c.get(`${T}/${id}/comments`);
    assert.equal(r.status, 200, `comments of ${id}: ${r.status} ${r.text.slice(0, 300)}`);
    return r.body.items;
  };
  const post = async (c, id, body) => {
    const r = await c.post(`${T}/${id}/comments`, body);
    assert.equal(r.status, 201, `comment on ${id}: ${r.status} ${r.text.slice(0, 300)}`);
    return r.body;
  };

  it('a reply: 201 with the comment; the list has it, oldest first', async () => {
    const t = await admin.create({ subject: `${MARK} reply` });
    const c = await post(s.agent, t.id, { body: '您好，工程师明天上午到场。\nRegards' });
    for (const k of ['id', 'ticket_id', 'author_id', 'author', 'body', 'internal', 'attachments', 'created_at']) {
      assert.ok(k in c, `comment has ${k}`);
    }
    assert.equal(c.ticket_id, t.id);
    assert.equal(c.author_id, ids.agent);
    assert.equal(typeof c.author, 'string');
    assert.ok(c.author.length > 0);
    assert.equal(c.body, '您好，工程师明天上午到场。\nRegards');
    assert.equal(c.internal, false, 'internal defaults to false');
    assert.deepEqual(c.attachments, []);
    assert.match(c.created_at, TIME_RE);
    const d = await post(admin, t.id, { body: 'second', internal: false });
    assert.deepEqual((await comments(admin, t.id)).map((x) => x.id), [c.id, d.id]);
    assert.deepEqual((await comments(admin, t.id))[0], c);
  });

  it('events: ticket.commented {comment_id, internal}', async () => {
    const t = await admin.create({ subject: `${MARK} events` });
    const c = await post(s.agent, t.id, { body: 'public' });
    const n = await post(s.agent, t.id, { body: 'private', internal: true });
    const ev = (await events(admin, t.id)).filter((e) => e.type === 'ticket.commented');
    // {comment_id, internal} as the contract names them (the server may add more, e.g. an attachment count)
    assert.deepEqual(ev.map((e) => ({ comment_id: e.data.comment_id, internal: e.data.internal })),
      [{ comment_id: c.id, internal: false }, { comment_id: n.id, internal: true }]);
    assert.equal(ev[0].actor, 'agent');
  });

  it('the customer replies on their organisation\'s ticket', async () => {
    const c = await post(s.customer, own.id, { body: 'Still broken this morning.' });
    assert.equal(c.author_id, ids.customer);
    assert.equal(c.internal, false);
    assert.ok((await comments(admin, own.id)).some((x) => x.id === c.id));
  });

  it('the customer may not write an internal note: 422 naming internal, nothing written', async () => {
    const before = (await comments(admin, own.id)).length;
    const evBefore = (await events(admin, own.id)).length;
    assertProblem(await s.customer.post(`${T}/${own.id}/comments`, { body: 'sneaky', internal: true }), 422, 'internal');
    assert.equal((await comments(admin, own.id)).length, before);
    assert.equal((await events(admin, own.id)).length, evBefore);
  });

  it('internal notes are hidden from the customer: list, timeline, search', async () => {
    const word = `note${Date.now().toString(36)}`;
    const t = await admin.create({ subject: `${MARK} hidden notes`, organisation_id: 1 });
    const pub = await post(s.agent, t.id, { body: 'We ordered the part.' });
    const note = await post(s.agent, t.id, { body: `Supplier ${word} overcharges us`, internal: true });
    const staff = await comments(s.agent, t.id);
    assert.deepEqual(staff.map((x) => [x.id, x.internal]), [[pub.id, false], [note.id, true]]);
    const cust = await s.customer.get(`${T}/${t.id}/comments`);
    assert.equal(cust.status, 200, cust.text);
    assert.deepEqual(cust.body.items.map((x) => x.id), [pub.id]);
    assert.doesNotMatch(cust.text, new RegExp(word));
    const ev = await s.customer.get(`${T}/${t.id}/events`);
    assert.equal(ev.status, 200, ev.text);
    const commented = ev.body.items.filter((e) => e.type === 'ticket.commented');
    assert.deepEqual(commented.map((e) => e.data.comment_id), [pub.id], 'no event of the internal note');
    assert.doesNotMatch(ev.text, new RegExp(word));
    const sr = await s.customer.get(`${T}/search?q=${word}`);
    assert.equal(sr.status, 200, sr.text);
    assert.deepEqual(sr.body.items, []);
    // staff see both events
    assert.equal((await events(s.agent, t.id)).filter((e) => e.type === 'ticket.commented').length, 2);
  });

  it('the engineer comments on an assigned ticket (internal allowed); others are 404', async () => {
    const n = await post(s.engineer, own.id, { body: 'On site, replaced the valve.', internal: true });
    assert.equal(n.internal, true);
    assertProblem(await s.engineer.post(`${T}/${other.id}/comments`, { body: 'x' }), 404);
    assertProblem(await s.engineer.get(`${T}/${other.id}/comments`), 404);
  });

  it('another organisation\'s ticket is 404 for the customer, to read and to write; nothing written', async () => {
    const before = (await comments(admin, other.id)).length;
    const g = await s.customer.get(`${T}/${other.id}/comments`);
    assertProblem(g, 404);
    assert.doesNotMatch(g.text, new RegExp(MARK));
    assertProblem(await s.customer.post(`${T}/${other.id}/comments`, { body: 'hello?' }), 404);
    assert.equal((await comments(admin, other.id)).length, before);
    assertProblem(await admin.get(`${T}/987654321/comments`), 404);
    assertProblem(await admin.post(`${T}/987654321/comments`, { body: 'x' }), 404);
  });

  it('body: 1 to 65536 bytes; other bad input is 422 naming the field', async () => {
    const t = await admin.create({ subject: `${MARK} limits` });
    const max = await post(admin, t.id, { body: 'x'.repeat(65536) });
    assert.equal(max.body.length, 65536);
    const cjk = await post(admin, t.id, { body: '字'.repeat(21845) + 'x' });
    assert.equal(Buffer.byteLength(cjk.body), 65536);
    const before = (await comments(admin, t.id)).length;
    for (const [body, field] of [
      [{ body: 'x'.repeat(65537) }, 'body'], [{ body: '字'.repeat(21846) }, 'body'], [{ body: '' }, 'body'],
      [{}, 'body'], [{ body: null }, 'body'], [{ body: 5 }, 'body'], [{ body: ['x'] }, 'body'],
      [{ body: 'x', internal: 'yes' }, 'internal'], [{ body: 'x', internal: 1 }, 'internal'],
      [{ body: 'x', attachment_ids: [987654] }, 'attachment_ids'], [{ body: 'x', attachment_ids: 'a' }, 'attachment_ids'],
      [{ body: 'x', colour: 'red' }, 'colour'],
    ]) {
      assertProblem(await admin.post(`${T}/${t.id}/comments`, body), 422, field, JSON.stringify(body).slice(0, 50));
    }
    assert.equal((await comments(admin, t.id)).length, before, 'nothing written');
    assertProblem(await admin.call('POST', `${T}/${t.id}/comments`, { body: '{"body":', headers: {
      'content-type': 'application/json' } }), 400);
  });

  it('a whitespace-only body is refused like an empty one', async () => {
    // assumption: as for subjects, a comment of only spaces/newlines is empty
    const t = await admin.create({ subject: `${MARK} blank` });
    assertProblem(await admin.post(`${T}/${t.id}/comments`, { body: ' \n\t ' }), 422, 'body');
  });

  it('roles without tickets:comment get 403; every role with it may comment on what it sees', async () => {
    // warehouse has tickets:read but the migration grants tickets:comment to
    // admin, manager, dispatcher, agent, engineer and customer only
    assertProblem(await s.warehouse.post(`${T}/${own.id}/comments`, { body: 'x' }), 403);
    assert.equal((await s.warehouse.get(`${T}/${own.id}/comments`)).status, 200);
  });
});
