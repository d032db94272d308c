// Export (docs/api-tickets.md "Export"): CSV with a BOM, a header row of the
// standard fields then one column per custom field, Chinese text intact,
// RFC 4180 quoting of commas, quotes and newlines, the list filters and sort
// respected; XLSX with the same content (read back with exceljs).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import ExcelJS from 'exceljs';
import { startServer } from '../lib/server.mjs';
import { client, assertProblem, tag } from './client.mjs';
import { T, demoSessions, addField } from './tickets_lib.mjs';

const X = `${T}/export`;

/** RFC 4180 CSV into rows of strings (CRLF or LF line ends, quoted fields). */
function parseCsv(text) {
  const rows = [];
  let row = [], field = '', quoted = false, i = 0;
  while (i < text.length) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') { field += '"'; i += 2; continue; }
      if (ch === '"') { quoted = false; i++; continue; }
      field += ch; i++; continue;
    }
    if (ch === '"' && field === '') { quoted = true; i++; continue; }
    if (ch === ',') { row.push(field); field = ''; i++; continue; }
    if (ch === '\r' && text[i + 1] === '\n') { i++; continue; }
    if (ch === '\n') { row.push(field); rows.push(row); row = []; field = ''; i++; continue; }
    field += ch; i++;
  }
  if (field !== '' || row.length) { row.push(field); rows.push(row); }
  return rows;
}

const today = () => new Date().toISOString().slice(0, 10).replace(/-/g, '');

describe('ticket export', { timeout: 60000 }, () => {
  let server, admin, s, made;
  const ref = tag('exp');
  before(async () => {
    server = await startServer({ demo: true });
    admin = client(server.url, { token: server.token });
    s = await demoSessions(server, ['finance', 'engineer', 'customer', 'agent']);
    await addField(admin, { key: 'exp_serial', label: 'Serial number (export)', type: 'text' });
    await addField(admin, { key: 'exp_pages', label: 'Pages (export)', type: 'number' });
    await addField(admin, { key: 'exp_parts', label: 'Parts (export)', type: 'multi_select', options: ['roller', 'fuser'] });
    made = [];
    made.push(await admin.create({ subject: '空调机组高压报警，已停机', customer_ref: ref, priority: 'urgent',
      description: '3号楼屋顶', custom: { exp_serial: 'HVAC-900', exp_pages: 12 }, tags: ['暖通'] }));
    made.push(await admin.create({ subject: 'Comma, "quotes" and\nnewline', customer_ref: ref, priority: 'high',
      description: 'line 1\r\nline 2, "quoted"', custom: { exp_parts: ['roller', 'fuser'] } }));
    made.push(await admin.create({ subject: '=HYPERLINK("http://evil.example")', customer_ref: ref, priority: 'low' }));
    made.push(await admin.create({ subject: 'plain', customer_ref: ref, priority: 'high' }));
  });
  after(async () => { await server?.close(); });

  const csv = async (q, c = admin) => {
    const r = await c.call('GET', `${X}?format=csv&${q}`);
    assert.equal(r.status, 200, `export ?${q}: ${r.status} ${r.text.slice(0, 300)}`);
    return r;
  };
  const bytes = async (path, c = admin) => {
    const r = await fetch(c.base + path, { headers: c.auth('GET') });
    return { status: r.status, headers: r.headers, buf: Buffer.from(await r.arrayBuffer()) };
  };
  /** Header row and data rows as objects keyed by header. */
  const table = (rows) => {
    const [head, ...data] = rows;
    return { head, data: data.map((r) => Object.fromEntries(head.map((h, i) => [h, r[i]]))) };
  };
  /** The column for a custom field: its key, custom.<key> or its label. */
  const col = (head, key, label) => head.find((h) => [key, `custom.${key}`, label].includes(h));

  it('CSV: text/csv, attachment tickets-YYYYMMDD.csv, UTF-8 with a BOM', async () => {
    const r = await bytes(`${X}?format=csv&customer_ref=${ref}`);
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type') || '', /^text\/csv/);
    assert.match(r.headers.get('content-type') || '', /charset=utf-8/i);
    assert.equal(r.headers.get('content-disposition'), `attachment; filename="tickets-${today()}.csv"`);
    assert.deepEqual([...r.buf.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'starts with the UTF-8 BOM');
    assert.ok(r.buf.subarray(3).toString('utf8').includes('空调机组高压报警'), 'Chinese intact after the BOM');
  });

  it('CSV: a header row, the standard fields first then one column per custom field; a row per ticket', async () => {
    const r = await csv(`customer_ref=${ref}`);
    const { head, data } = table(parseCsv(r.text.replace(/^\uFEFF/, '')));
    for (const f of ['id', 'number', 'type', 'subject', 'status', 'priority', 'created_at']) {
      assert.ok(head.includes(f), `header has ${f}: ${head}`);
    }
    const customCols = [col(head, 'exp_serial', 'Serial number (export)'), col(head, 'exp_pages', 'Pages (export)'), col(head, 'exp_parts', 'Parts (export)')];
    assert.ok(customCols.every(Boolean), `a column per custom field: ${head}`);
    const firstCustom = Math.min(...customCols.map((c) => head.indexOf(c)));
    assert.ok(head.indexOf('subject') < firstCustom && head.indexOf('number') < firstCustom,
      'standard fields come before custom fields');
    assert.equal(data.length, made.length, 'one row per matching ticket');
    assert.ok(data.every((row) => Object.keys(row).length === head.length));
    // default sort as the list: newest first
    assert.deepEqual(data.map((row) => Number(row.id)), made.map((t) => t.id).reverse());
    const byId = Object.fromEntries(data.map((row) => [Number(row.id), row]));
    for (const t of made) {
      const row = byId[t.id];
      assert.equal(row.number, t.number);
      // (a formula-looking subject may carry a leading apostrophe: see below)
      const subject = /^[=+\-@]/.test(t.subject) ? row.subject.replace(/^'/, '') : row.subject;
      assert.equal(subject, t.subject, 'subject exactly as stored (Chinese, commas, quotes, newlines)');
      assert.equal(row.status, t.status);
      assert.equal(row.priority, t.priority);
      if ('description' in row) assert.equal(row.description, t.description);
    }
    assert.equal(byId[made[0].id][customCols[0]], 'HVAC-900');
    assert.equal(byId[made[0].id][customCols[1]], '12');
    assert.equal(byId[made[1].id][customCols[0]], '', 'no value: an empty cell');
    assert.match(byId[made[1].id][customCols[2]], /roller.*fuser/, 'a multi-select lists its values');
  });

  it('CSV: values with commas, quotes and newlines are quoted (RFC 4180)', async () => {
    const r = await csv(`customer_ref=${ref}`);
    const body = r.text.replace(/^\uFEFF/, '');
    assert.ok(body.includes('"Comma, ""quotes"" and\nnewline"') || body.includes('"Comma, ""quotes"" and\r\nnewline"'),
      'the subject is one quoted field with doubled quotes');
    assert.ok(body.includes('"line 1\r\nline 2, ""quoted"""'), 'the description keeps its CRLF inside quotes');
  });

  it('CSV: a formula-looking cell is not a formula when opened in Excel', async () => {
    // assumption (CSV injection, OWASP): a leading = + - @ is neutralised, e.g. with a leading apostrophe
    const r = await csv(`customer_ref=${ref}`);
    const { data } = table(parseCsv(r.text.replace(/^\uFEFF/, '')));
    const cell = data.find((row) => Number(row.id) === made[2].id).subject;
    assert.ok(!/^[=+\-@]/.test(cell), `not a formula: ${cell}`);
    assert.ok(cell.includes('=HYPERLINK("http://evil.example")'), `the text is all there: ${cell}`);
  });

  it('CSV: filters and sort are those of the list', async () => {
    const r = await csv(`customer_ref=${ref}&priority=high&sort=id`);
    const { data } = table(parseCsv(r.text.replace(/^\uFEFF/, '')));
    assert.deepEqual(data.map((row) => Number(row.id)), [made[1].id, made[3].id]);
    const none = await csv(`customer_ref=${tag('nobody')}`);
    const rows = parseCsv(none.text.replace(/^\uFEFF/, ''));
    assert.equal(rows.length, 1, 'only the header row when nothing matches');
  });

  it('XLSX: the same sheet as the CSV', async () => {
    const r = await bytes(`${X}?format=xlsx&customer_ref=${ref}`);
    assert.equal(r.status, 200, r.buf.toString().slice(0, 300));
    assert.equal(r.headers.get('content-type'), 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    assert.equal(r.headers.get('content-disposition'), `attachment; filename="tickets-${today()}.xlsx"`);
    assert.equal(r.buf.subarray(0, 2).toString('latin1'), 'PK', 'a zip file');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(r.buf);
    assert.equal(wb.worksheets.length, 1);
    const ws = wb.worksheets[0];
    const rows = [];
    ws.eachRow({ includeEmpty: false }, (row) => {
      const vals = [];
      for (let i = 1; i <= ws.columnCount; i++) {
        const v = row.getCell(i).value;
        vals.push(v === null || v === undefined ? '' : typeof v === 'object' && 'richText' in v
          ? v.richText.map((x) => x.text).join('') : v);
      }
      rows.push(vals);
    });
    const c = parseCsv((await csv(`customer_ref=${ref}`)).text.replace(/^\uFEFF/, ''));
    assert.deepEqual(rows[0], c[0], 'same header row');
    assert.equal(rows.length, c.length, 'same number of rows');
    const head = c[0];
    const idCol = head.indexOf('id');
    const subjCol = head.indexOf('subject');
    for (let i = 1; i < rows.length; i++) {
      assert.equal(Number(rows[i][idCol]), Number(c[i][idCol]), `row ${i} id`);
      assert.equal(String(rows[i][subjCol]).replace(/^'/, ''), c[i][subjCol].replace(/^'/, ''), `row ${i} subject`);
    }
    const pagesCol = head.indexOf(col(head, 'exp_pages', 'Pages (export)'));
    const hvac = rows.find((row) => Number(row[idCol]) === made[0].id);
    assert.equal(hvac[subjCol], '空调机组高压报警，已停机');
    assert.equal(Number(hvac[pagesCol]), 12, 'a number is a number cell (or its text)');
  });

  it('roles: finance and agents export; engineers and customers get 403', async () => {
    assert.equal((await csv(`customer_ref=${ref}`, s.finance)).status, 200);
    assert.equal((await csv(`customer_ref=${ref}`, s.agent)).status, 200);
    assertProblem(await s.engineer.get(`${X}?format=csv`), 403);
    assertProblem(await s.customer.get(`${X}?format=csv`), 403);
  });

  it('bad parameters are 400 naming them', async () => {
    for (const [q, f] of [['format=pdf', 'format'], ['format=', 'format'], ['format=csv&colour=red', 'colour'],
      ['format=csv&status=bogus', 'status'], ['format=csv&sort=colour', 'sort'], ['format=csv&limit=10', 'limit'],
      ['format=csv&cursor=abc', 'cursor']]) {
      assertProblem(await admin.get(`${X}?${q}`), 400, f, `export ?${q}`);
    }
  });
});
