// A catalogue of bad input against POST /api/v1/tickets: each answer must be
// the documented status as application/problem+json naming the field, the
// server must keep answering, and no bad request may create a ticket.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../lib/server.mjs';
import { client, raw, fromRaw, assertProblem, tag } from './client.mjs';

const TICKETS = '/api/v1/tickets';
const MARK = tag('bad'); // in every bad subject, to find strays on a shared database

describe('bad input', { timeout: 30000 }, () => {
  let server, api;
  before(async () => {
    server = await startServer();
    api = client(server.url, { token: server.token });
  });
  after(async () => { await server?.close(); });

  const newestId = async () => {
    const r = await api.get(`${TICKETS}?limit=1`);
    assert.equal(r.status, 200, r.text);
    return r.body.items.length ? r.body.items[0].id : 0;
  };
  // On a private SQLite database every new ticket is a stray; on a shared
  // TEND_TEST_DB only those carrying MARK can be ours.
  const strays = async (since) => {
    const r = await api.get(`${TICKETS}?limit=200`);
    return r.body.items.filter((t) => t.id > since
      && (!process.env.TEND_TEST_DB || String(t.subject).includes(MARK) || t.customer_ref === MARK));
  };
  const postRaw = (body, ct = 'application/json') =>
    api.call('POST', TICKETS, { body, headers: ct === null ? {} : { 'content-type': ct } });
  const postJson = (obj) => api.post(TICKETS, obj);

  /** A bad request: checked answer, server still healthy, nothing created. */
  function bad(name, send, status, field) {
    it(name, async () => {
      const since = await newestId();
      const r = await send();
      const p = assertProblem(r, status, field, name);
      await api.healthy(`after "${name}"`);
      assert.deepEqual(await strays(since), [], `"${name}" created no ticket`);
      return p;
    });
  }

  describe('malformed JSON is 400 with field ""', () => {
    const cases = {
      'truncated object': `{"subject": "${MARK}"`,
      'unquoted key': `{subject: "${MARK}"}`,
      'trailing comma': `{"subject": "${MARK}",}`,
      'single quotes': `{'subject': '${MARK}'}`,
      'empty body': '',
      'trailing garbage': `{"subject": "${MARK}"} trailing`,
      'two documents': `{"subject": "${MARK}"}{"subject": "${MARK}"}`,
      'bare word': 'subject',
      'unterminated string': `{"subject": "${MARK}`,
      'bad escape': `{"subject": "${MARK}\\q"}`,
      'raw newline in string': `{"subject": "${MARK}\nx"}`,
    };
    for (const [name, body] of Object.entries(cases)) bad(name, () => postRaw(body), 400, '');

    it('the message gives the line and column', async () => {
      const r = await postRaw(`{\n  "subject": "${MARK}",\n  oops\n}`);
      const p = assertProblem(r, 400, '');
      const msg = p.errors.find((e) => e.field === '').message;
      assert.match(msg, /\bline\b\D*3\b/i, `message names line 3: ${msg}`);
      assert.match(msg, /\bcol(umn)?\b\D*\d+/i, `message names a column: ${msg}`);
    });
  });

  describe('wrong types and values are 422 naming the field', () => {
    const cases = [
      ['subject as a number', { subject: 42 }, 'subject'],
      ['subject null', { subject: null }, 'subject'],
      ['subject as an array', { subject: [MARK] }, 'subject'],
      ['subject as an object', { subject: { text: MARK } }, 'subject'],
      ['subject true', { subject: true }, 'subject'],
      ['priority not in the enum', { subject: MARK, priority: 'critical' }, 'priority'],
      ['priority in upper case', { subject: MARK, priority: 'HIGH' }, 'priority'],
      ['priority empty', { subject: MARK, priority: '' }, 'priority'],
      ['priority as a number', { subject: MARK, priority: 1 }, 'priority'],
      ['description as a number', { subject: MARK, description: 5 }, 'description'],
      ['customer_ref as an object', { subject: MARK, customer_ref: {} }, 'customer_ref'],
      ['customer_ref as a number', { subject: MARK, customer_ref: 123 }, 'customer_ref'],
      ['missing subject', { description: MARK }, 'subject'],
      ['empty object', {}, 'subject'],
      ['unknown field', { subject: MARK, colour: 'red' }, 'colour'],
      ['status is not writable on create', { subject: MARK, status: 'closed' }, 'status'],
      ['version is not writable on create', { subject: MARK, version: 9 }, 'version'],
      ['field names are case-sensitive', { subject: MARK, Subject: MARK }, 'Subject'],
      ['subject of 201 characters', { subject: MARK + 'x'.repeat(201 - MARK.length) }, 'subject'],
      ['subject of 201 CJK characters', { subject: MARK + '字'.repeat(201 - MARK.length) }, 'subject'],
      ['empty subject', { subject: '', customer_ref: MARK }, 'subject'],
      ['whitespace subject', { subject: '   ', customer_ref: MARK }, 'subject'],
      ['tab and newline subject', { subject: '\t\n\r ', customer_ref: MARK }, 'subject'],
      ['description of 65537 bytes', { subject: MARK, description: 'd'.repeat(65537) }, 'description'],
      ['description of 65538 bytes in 32769 two-byte characters',
        { subject: MARK, description: 'é'.repeat(32769) }, 'description'],
      ['customer_ref of 101 characters', { subject: MARK, customer_ref: 'c'.repeat(101) }, 'customer_ref'],
    ];
    for (const [name, body, field] of cases) bad(name, () => postJson(body), 422, field);
  });

  describe('JSON that is not an object is 422', () => {
    for (const body of ['[]', `[{"subject":"${MARK}"}]`, '42', `"${MARK}"`, 'null', 'true']) {
      bad(`body ${body}`, () => postRaw(body), 422);
    }
  });

  describe('hostile encodings', () => {
    const nest = (n, open, close, inner = '') => open.repeat(n) + inner + close.repeat(n);
    bad('10000 nested arrays', () => postRaw(nest(10000, '[', ']')), [400, 422]);
    bad('10000 nested arrays as the subject', () => postRaw(`{"subject":${nest(10000, '[', ']')}}`), [400, 422]);
    bad('10000 nested objects', () => postRaw(nest(10000, '{"a":', '}', '1')), [400, 422]);

    const utf8 = (bytes) => Buffer.concat([Buffer.from(`{"subject":"${MARK}`), Buffer.from(bytes), Buffer.from('"}')]);
    bad('invalid UTF-8 byte 0xff', () => postRaw(utf8([0xff, 0xfe])), 400);
    bad('truncated UTF-8 sequence', () => postRaw(utf8([0xe5, 0xad])), 400);
    bad('overlong UTF-8 "/"', () => postRaw(utf8([0xc0, 0xaf])), 400);
    bad('UTF-8-encoded surrogate', () => postRaw(utf8([0xed, 0xa0, 0x80])), 400);
    bad('invalid UTF-8 in a key', () => postRaw(Buffer.concat([Buffer.from('{"'), Buffer.from([0xff]),
      Buffer.from(`":1,"subject":"${MARK}"}`)])), 400);
    bad('raw NUL byte inside a string', () => postRaw(utf8([0x00])), 400);
    bad('lone surrogate escape \\ud800', () => postRaw(`{"subject":"${MARK}\\ud800"}`), [400, 422], undefined);
    bad('duplicate keys', () => postRaw(`{"subject":"${MARK}","subject":"${MARK}-2"}`), [400, 422]);

    it('an escaped NUL (\\u0000) is rejected, or stored and read back whole (never truncated)', async () => {
      const r = await postRaw(`{"subject":"${MARK}\\u0000after"}`);
      if (r.status === 201) {
        const g = await api.get(`${TICKETS}/${r.body.id}`);
        assert.equal(g.body.subject, `${MARK}\u0000after`, 'NUL is not a terminator');
      } else {
        assertProblem(r, [400, 422]);
      }
      await api.healthy();
    });
  });

  describe('size limits', () => {
    const big = (n) => {
      const head = `{"subject":"${MARK}","description":"`;
      return head + 'a'.repeat(n - head.length - 2) + '"}';
    };
    const MiB = 1024 * 1024;
    bad('a body over 1 MiB is 413', () => raw(server.url, {
      method: 'POST', path: TICKETS, headers: { ...api.auth('POST'), 'content-type': 'application/json' }, body: big(MiB + 1),
    }).then(fromRaw), 413);
    bad('a chunked body over 1 MiB is 413', () => raw(server.url, {
      method: 'POST', path: TICKETS, headers: { ...api.auth('POST'), 'content-type': 'application/json' }, body: big(4 * MiB),
      chunked: true,
    }).then(fromRaw), 413);
    bad('a body of exactly 1 MiB is read (and its long description is 422)', () => raw(server.url, {
      method: 'POST', path: TICKETS, headers: { ...api.auth('POST'), 'content-type': 'application/json' }, body: big(MiB),
    }).then(fromRaw), 422, 'description');
    it('a 100 kB query string is answered without harm', async () => {
      const r = await raw(server.url, { path: `${TICKETS}?customer_ref=${'r'.repeat(100000)}`, headers: api.auth() })
        .catch((e) => ({ status: 0, error: e }));
      // Refused (4xx, or the connection closed), or an empty page: no ref is that long.
      if (r.status === 200) assert.deepEqual(JSON.parse(r.body.toString()).items, []);
      else assert.ok(r.status === 0 || (r.status >= 400 && r.status < 500), `status ${r.status}`);
      await api.healthy();
    });
  });

  describe('wrong content type is 415', () => {
    bad('text/plain', () => postRaw(JSON.stringify({ subject: MARK }), 'text/plain'), 415);
    bad('no Content-Type', () => postRaw(Buffer.from(JSON.stringify({ subject: MARK })), null), 415);
    bad('form-urlencoded', () => postRaw(`subject=${MARK}`, 'application/x-www-form-urlencoded'), 415);
    bad('application/jsonx', () => postRaw(JSON.stringify({ subject: MARK }), 'application/jsonx'), 415);
    it('PATCH with text/plain', async () => {
      const t = await api.create({ subject: 'patch target' });
      const r = await api.call('PATCH', `${TICKETS}/${t.id}`,
        { body: JSON.stringify({ version: 1, subject: 'changed' }), headers: { 'content-type': 'text/plain' } });
      assertProblem(r, 415);
      assert.equal((await api.get(`${TICKETS}/${t.id}`)).body.version, 1);
    });
  });

  describe('valid edge cases are accepted', () => {
    const ok = [
      ['subject of exactly 200 characters', { subject: 's'.repeat(200) }],
      ['subject of 200 CJK characters (600 bytes)', { subject: '字'.repeat(200) }],
      ['subject of 200 characters plus surrounding spaces', { subject: ` ${'t'.repeat(200)} ` }],
      ['description of exactly 65536 bytes', { subject: 'd', description: 'd'.repeat(65536) }],
      ['description of 32768 two-byte characters', { subject: 'd', description: 'é'.repeat(32768) }],
      ['customer_ref of 100 CJK characters', { subject: 'c', customer_ref: '客'.repeat(100) }],
      ['customer_ref null', { subject: 'c', customer_ref: null }],
      ['every priority', { subject: 'p', priority: 'urgent' }],
    ];
    for (const [name, body] of ok) {
      it(name, async () => {
        const t = await api.create(body);
        const g = await api.get(`${TICKETS}/${t.id}`);
        for (const k of ['description', 'customer_ref', 'priority']) {
          if (k in body) assert.equal(g.body[k], body[k], `${k} stored as sent`);
        }
        assert.equal(g.body.subject.trim(), body.subject.trim());
      });
    }
    it('Content-Type with charset and in another case', async () => {
      for (const ct of ['application/json; charset=utf-8', 'application/json;charset=UTF-8', 'Application/JSON']) {
        const r = await postRaw(JSON.stringify({ subject: `ct ${ct}` }), ct);
        assert.equal(r.status, 201, `${ct}: ${r.status} ${r.text}`);
      }
    });
  });

  describe('SQL-looking input is data', () => {
    const evil = [
      "Robert'); DROP TABLE tickets;--",
      "' OR '1'='1",
      '" OR ""="',
      '%_\\%\' ; SELECT * FROM sqlite_master; --',
      '1; DELETE FROM tickets WHERE 1=1',
    ];
    it('subjects and refs are stored verbatim and read back equal', async () => {
      const sentinel = await api.create({ subject: 'sentinel' });
      const before = (await api.listAll()).length;
      const made = [];
      for (const s of evil) made.push(await api.create({ subject: s, customer_ref: s.slice(0, 100), description: s }));
      for (const [i, t] of made.entries()) {
        const g = await api.get(`${TICKETS}/${t.id}`);
        assert.equal(g.body.subject, evil[i]);
        assert.equal(g.body.description, evil[i]);
        assert.equal(g.body.customer_ref, evil[i].slice(0, 100));
      }
      assert.equal((await api.get(`${TICKETS}/${sentinel.id}`)).status, 200, 'earlier tickets survive');
      if (!process.env.TEND_TEST_DB) {
        assert.equal((await api.listAll()).length, before + evil.length, 'nothing dropped or deleted');
      }
    });
    it('a customer_ref filter with SQL in it matches only that literal value', async () => {
      const ref = `x' OR '1'='1 ${MARK}`;
      await api.create({ subject: 'decoy' });
      const t = await api.create({ subject: 'literal ref', customer_ref: ref });
      const r = await api.get(`${TICKETS}?customer_ref=${encodeURIComponent(ref)}`);
      assert.equal(r.status, 200);
      assert.deepEqual(r.body.items.map((x) => x.id), [t.id]);
      const like = await api.get(`${TICKETS}?customer_ref=${encodeURIComponent('%')}`);
      assert.equal(like.status, 200);
      assert.deepEqual(like.body.items, [], '"%" is not a wildcard');
    });
  });
});
