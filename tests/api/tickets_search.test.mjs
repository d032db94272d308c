// Ticket search (docs/api-tickets.md "Search"): English and Chinese, 3+
// character queries through the trigram index and shorter ones over subjects,
// snippets with <mark> and everything else HTML-escaped, internal notes found
// by staff but never by (nor leaked to) a customer, ranking, limits, scope.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../lib/server.mjs';
import { client, assertProblem, tag } from './client.mjs';
import { T, demoSessions, userId } from './tickets_lib.mjs';

const S = `${T}/search`;

describe('ticket search', { timeout: 60000 }, () => {
  let server, admin, s, engineerId;
  // a made-up word per suite run so that only our tickets match
  const W = `zq${Date.now().toString(36)}`;
  before(async () => {
    server = await startServer({ demo: true });
    admin = client(server.url, { token: server.token });
    s = await demoSessions(server, ['agent', 'customer', 'engineer']);
    engineerId = await userId(admin, 'engineer');
  });
  after(async () => { await server?.close(); });

  const search = async (c, q, extra = '') => {
    const r = await c.get(`${S}?q=${encodeURIComponent(q)}${extra}`);
    assert.equal(r.status, 200, `search ${q}${extra}: ${r.status} ${r.text.slice(0, 300)}`);
    assert.ok(Array.isArray(r.body.items), 'items');
    for (const it of r.body.items) {
      assert.equal(typeof it.ticket?.id, 'number', `item has the ticket: ${JSON.stringify(it).slice(0, 200)}`);
      assert.equal(typeof it.snippet, 'string');
      assert.equal(typeof it.rank, 'number');
    }
    return r.body.items;
  };
  const ids = (items) => items.map((x) => x.ticket.id);

  it('Chinese: 空调机组 finds the demo ticket 空调机组高压报警, with a marked snippet', async () => {
    const items = await search(admin, '空调机组');
    assert.ok(items.length >= 1);
    assert.equal(items[0].ticket.subject, '空调机组高压报警');
    assert.match(items[0].snippet, /<mark>空调机组<\/mark>/);
    assert.equal(items[0].ticket.status_category, 'open', 'the ticket is the full resource');
  });

  it('Chinese in a description: 激光切割机 finds 设备安装预约', async () => {
    const items = await search(admin, '激光切割机');
    assert.ok(items.some((x) => x.ticket.subject === '设备安装预约'), JSON.stringify(items.map((x) => x.ticket.subject)));
  });

  it('a two-character Chinese query (退款) finds the subject that has it', async () => {
    const items = await search(admin, '退款');
    assert.ok(items.some((x) => x.ticket.subject === '退款申请：重复收费'), JSON.stringify(items.map((x) => x.ticket.subject)));
    assert.ok(items.every((x) => x.ticket.subject.includes('退款')), 'short queries look at subjects only');
  });

  it('English, case-insensitive: "PRINTER JAMS" finds "Printer jams on tray 2"', async () => {
    const items = await search(admin, 'PRINTER JAMS');
    assert.equal(items[0]?.ticket.subject, 'Printer jams on tray 2');
    assert.match(items[0].snippet, /<mark>/);
  });

  it('a one- and two-character query works (subjects only) and answers 200', async () => {
    const t = await admin.create({ subject: `QX ${W} two letters` });
    const items = await search(admin, 'QX');
    assert.ok(ids(items).includes(t.id));
    assert.equal((await admin.get(`${S}?q=x`)).status, 200);
  });

  it('snippets escape HTML: a <script> subject comes back as text, only <mark> is markup', async () => {
    const t = await admin.create({ subject: `<script>alert("${W}")</script> & <b>bold</b>`,
      description: `<img src=x onerror=alert(1)> ${W}` });
    const items = await search(admin, W);
    const hit = items.find((x) => x.ticket.id === t.id);
    assert.ok(hit, 'found');
    assert.doesNotMatch(hit.snippet, /<script|<img|<b>/i, `no markup but <mark>: ${hit.snippet}`);
    assert.match(hit.snippet, /&lt;(script|img)/, `escaped: ${hit.snippet}`);
    assert.match(hit.snippet, new RegExp(`<mark>${W}</mark>`, 'i'));
    const stripped = hit.snippet.replace(/<\/?mark>/g, '');
    assert.doesNotMatch(stripped, /</, `nothing unescaped: ${hit.snippet}`);
    assert.equal(hit.ticket.subject, `<script>alert("${W}")</script> & <b>bold</b>`, 'the ticket itself is JSON, not HTML');
  });

  it('ranking: a subject match comes before a description-only match', async () => {
    const word = `${W}rank`;
    const inDesc = await admin.create({ subject: 'Unrelated words here', description: `Some text mentioning ${word} once.` });
    const inSubject = await admin.create({ subject: `${word} in the subject`, description: 'nothing special' });
    const items = await search(admin, word);
    assert.deepEqual(ids(items).filter((id) => id === inDesc.id || id === inSubject.id), [inSubject.id, inDesc.id]);
    const ranks = items.map((x) => x.rank);
    for (let i = 1; i < ranks.length; i++) assert.ok(ranks[i - 1] <= ranks[i], `best (lowest rank) first: ${ranks}`);
  });

  it('public replies are searchable by everyone who sees the ticket; internal notes by staff only', async () => {
    const pub = `${W}reply`;
    const note = `${W}note`;
    const t = await admin.create({ subject: `searchable comments ${W}`, organisation_id: 1 });
    let r = await admin.post(`${T}/${t.id}/comments`, { body: `The customer says ${pub} again.` });
    assert.equal(r.status, 201, r.text);
    r = await s.agent.post(`${T}/${t.id}/comments`, { body: `Internal: supplier ${note} is late`, internal: true });
    assert.equal(r.status, 201, r.text);
    assert.deepEqual(ids(await search(s.agent, pub)), [t.id]);
    assert.deepEqual(ids(await search(s.agent, note)), [t.id], 'staff find internal notes');
    assert.deepEqual(ids(await search(s.customer, pub)), [t.id], 'the customer finds a public reply');
    const c = await s.customer.get(`${S}?q=${note}`);
    assert.equal(c.status, 200);
    assert.deepEqual(c.body.items, [], 'the internal note never matches for the customer');
    // a customer search that matches the ticket otherwise must not show the note in the snippet
    const other = await search(s.customer, `searchable comments ${W}`);
    assert.ok(ids(other).includes(t.id));
    assert.doesNotMatch(JSON.stringify(other), new RegExp(note), 'nothing of the note leaks');
    assert.doesNotMatch(JSON.stringify(other), /supplier/, 'nothing of the note leaks');
  });

  it('scope: the customer finds only their organisation\'s tickets, the engineer only assigned ones', async () => {
    const word = `${W}scope`;
    const own = await admin.create({ subject: `${word} org 1`, organisation_id: 1 });
    const other = await admin.create({ subject: `${word} org 2`, organisation_id: 2 });
    const mine = await admin.create({ subject: `${word} engineer`, organisation_id: 2, assignee_id: engineerId });
    assert.deepEqual(ids(await search(s.customer, word)), [own.id]);
    assert.deepEqual(ids(await search(s.engineer, word)), [mine.id]);
    assert.deepEqual(ids(await search(admin, word)).sort(), [own.id, other.id, mine.id].sort());
    // the demo's Chinese subjects of other organisations do not show for the customer either
    const cn = await search(s.customer, '充电桩');
    assert.ok(cn.every((x) => x.ticket.organisation_id === 1), 'other organisations never appear');
  });

  it('status_category filters; limit defaults to 20, max 50', async () => {
    const word = `${W}many`;
    const made = [];
    for (let i = 0; i < 25; i++) made.push(await admin.create({ subject: `${word} number ${i}` }));
    await admin.post(`${T}/${made[0].id}/transitions`, { to: 'in_progress' });
    assert.equal((await search(admin, word)).length, 20, 'default limit 20');
    assert.equal((await search(admin, word, '&limit=50')).length, 25);
    assert.equal((await search(admin, word, '&limit=3')).length, 3);
    assert.deepEqual(ids(await search(admin, word, '&status_category=open')), [made[0].id]);
    assert.equal((await search(admin, word, '&status_category=new,open&limit=50')).length, 25);
  });

  it('bad parameters are 400 naming them', async () => {
    for (const [q, f] of [['', 'q'], ['q=', 'q'], [`q=${'x'.repeat(201)}`, 'q'], ['q=abc&limit=0', 'limit'],
      ['q=abc&limit=51', 'limit'], ['q=abc&limit=x', 'limit'], ['q=abc&status_category=bogus', 'status_category'],
      ['q=abc&colour=red', 'colour'], ['q=abc&sort=id', 'sort']]) {
      assertProblem(await admin.get(`${S}?${q}`), 400, f, `search ?${q}`);
    }
    assert.equal((await admin.get(`${S}?q=${'字'.repeat(200)}`)).status, 200, '200 characters (not bytes) are fine');
    assert.equal((await admin.get(`${S}?q=${encodeURIComponent('"*(-:^ OR AND NEAR')}`)).status, 200,
      'FTS syntax in a query is text, not syntax');
    await admin.healthy();
  });
});
