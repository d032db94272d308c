// Importing and exporting organisations, contacts, sites and assets: a CSV
// with a bad row changes nothing and reports row, column and reason; with
// partial=true the good rows land; external ids update instead of
// duplicating; quoting and a BOM are read; an export (CSV and XLSX) imports
// back unchanged. docs/api-customers.md "Import and export".
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import ExcelJS from 'exceljs';
import { startServer } from '../lib/server.mjs';
import { client, assertProblem, tag } from './client.mjs';

describe('customer imports and exports', { timeout: 60000 }, () => {
  let server, api;
  before(async () => {
    server = await startServer();
    api = client(server.url, { token: server.token });
  });
  after(async () => { await server?.close(); });

  const upload = (kind, text, query = '') =>
    api.call('POST', `/api/v1/imports/${kind}${query}`, { body: Buffer.isBuffer(text) ? text : Buffer.from(text),
      headers: { 'content-type': Buffer.isBuffer(text) ? 'application/octet-stream' : 'text/csv' } });

  // start an import and poll its job until it is no longer running
  const importFile = async (kind, text, query = '') => {
    const r = await upload(kind, text, query);
    assert.equal(r.status, 202, r.text);
    assert.equal(r.headers.get('location'), `/api/v1/imports/${kind}/${r.body.id}`);
    const deadline = Date.now() + 20000;
    for (;;) {
      const j = await api.get(`/api/v1/imports/${kind}/${r.body.id}`);
      assert.equal(j.status, 200, j.text);
      if (j.body.status !== 'running') return j.body;
      assert.ok(Date.now() < deadline, 'the import finishes');
      await new Promise((res) => setTimeout(res, 50));
    }
  };

  const named = async (prefix) => (await api.get(`/api/v1/organisations?q=${encodeURIComponent(prefix)}&limit=200`)).body.items;

  it('a CSV with one bad row imports nothing and names row, column and reason', async () => {
    const p = tag('imp');
    const csv = `name,tier,region,external_id\r\n${p} one,vip,east,${p}-1\r\n${p} two,platinum,west,${p}-2\r\n${p} three,,north,${p}-3\r\n`;
    const job = await importFile('organisations', csv);
    assert.equal(job.status, 'failed');
    assert.equal(job.total, 3);
    assert.equal(job.failed, 1);
    assert.equal(job.created, 0);
    assert.deepEqual(job.errors, [{ row: 3, column: 'tier', reason: 'must be one of vip, gold, standard' }]);
    assert.deepEqual(await named(p), [], 'all or nothing');
  });

  it('partial=true imports the good rows and reports the bad one', async () => {
    const p = tag('imp');
    const csv = `name,tier,region,external_id\n${p} one,vip,east,${p}-1\n${p} two,platinum,west,${p}-2\n${p} three,,north,${p}-3\n`;
    const job = await importFile('organisations', csv, '?partial=true');
    assert.equal(job.status, 'done');
    assert.equal(job.created, 2);
    assert.equal(job.failed, 1);
    assert.equal(job.errors[0].row, 3);
    assert.deepEqual((await named(p)).map((o) => o.name).sort(), [`${p} one`, `${p} three`]);
  });

  it('rows with a known external id update it (CRM sync), quoting and a BOM are read', async () => {
    const p = tag('imp');
    const first = await importFile('organisations', `\uFEFFname,external_id,notes\n"${p}, Inc.",${p}-x,"said ""hi""\nline 2"\n`);
    assert.equal(first.status, 'done', JSON.stringify(first));
    assert.equal(first.created, 1);
    const again = await importFile('organisations', `external_id,region\n${p}-x,south\n`);
    assert.equal(again.status, 'done', JSON.stringify(again));
    assert.equal(again.updated, 1);
    assert.equal(again.created, 0);
    const [o] = await named(p);
    assert.equal(o.name, `${p}, Inc.`);
    assert.equal(o.notes, 'said "hi"\nline 2');
    assert.equal(o.region, 'south');
  });

  it('assets import with references checked per row', async () => {
    const prod = await api.post('/api/v1/products', { name: tag('Printer'), category: 'printer' });
    const model = await api.post('/api/v1/models', { product_id: prod.body.id, code: tag('MFP'), name: 'MFP-4200' });
    const org = await api.post('/api/v1/organisations', { name: tag('Asset owner') });
    const s = tag('SN');
    const csv = ['serial,model_id,organisation_id,warranty_end,status',
      `${s}-1,${model.body.id},${org.body.id},2027-12-31,active`,
      `${s}-2,987654,${org.body.id},,active`,
      `${s}-3,${model.body.id},${org.body.id},31/12/2027,active`,
      `${s}-1,${model.body.id},${org.body.id},,active`].join('\n');
    const job = await importFile('assets', csv);
    assert.equal(job.status, 'failed');
    assert.deepEqual(job.errors.map((e) => [e.row, e.column]), [[3, 'model_id'], [4, 'warranty_end'], [5, 'serial']]);
    const ok = await importFile('assets', csv.split('\n').slice(0, 2).join('\n'));
    assert.equal(ok.created, 1);
    const found = await api.get(`/api/v1/assets/lookup?serial=${s}-1`);
    assert.equal(found.body.items[0].warranty_end, '2027-12-31');
  });

  it('a bad header or file is refused up front', async () => {
    const job = await importFile('organisations', 'name,colour\nx,red\n');
    assert.equal(job.status, 'failed');
    assert.deepEqual(job.errors, [{ row: 1, column: 'colour', reason: 'is not a column of this import' }]);
    assertProblem(await upload('organisations', 'name\n"unclosed\n'), 422);
    assertProblem(await upload('organisations', ''), 422);
    assertProblem(await upload('widgets', 'name\nx\n'), 404, 'kind');
    assertProblem(await upload('organisations', 'name\nx\n', '?partial=maybe'), 400, 'partial');
    assertProblem(await upload('organisations', 'PK\x03\x04garbage', '?format=xlsx'), 422);
    assertProblem(await api.get('/api/v1/imports/organisations/987654'), 404);
  });

  it('exports CSV and XLSX that import back', async () => {
    const p = tag('exp');
    await api.post('/api/v1/organisations', { name: `${p} 上海`, tier: 'gold', external_id: `${p}-1`, custom: { a: 1 } });
    const csv = await api.call('GET', '/api/v1/exports/organisations?format=csv');
    assert.equal(csv.status, 200);
    assert.match(csv.headers.get('content-type'), /text\/csv/);
    assert.ok(csv.text.includes(`${p} 上海,gold`), csv.text.slice(0, 500));
    // (fetch's text() drops the BOM the file starts with)
    assert.ok(csv.text.replace(/^\uFEFF/, '').startsWith('name,tier,region,external_id,notes,custom'), csv.text.slice(0, 80));
    const back = await importFile('organisations', csv.text);
    assert.equal(back.status, 'done', JSON.stringify(back.errors?.slice(0, 3)));
    assert.ok(back.updated >= 1);
    assert.equal((await named(p)).length, 1, 'a row with an external id updates, never duplicates');
    const r = await fetch(`${server.url}/api/v1/exports/organisations?format=xlsx`, { headers: api.auth('GET') });
    assert.equal(r.status, 200);
    assert.ok(r.headers.get('content-type').includes('spreadsheetml'));
    const bytes = Buffer.from(await r.arrayBuffer());
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(bytes);
    const rows = [];
    wb.worksheets[0].eachRow((row) => rows.push(row.values.slice(1)));
    assert.deepEqual(rows[0].slice(0, 4), ['name', 'tier', 'region', 'external_id']);
    assert.ok(rows.some((row) => row[0] === `${p} 上海` && row[1] === 'gold'));
    const again = await api.call('POST', '/api/v1/imports/organisations', { body: bytes });
    assert.equal(again.status, 202, again.text);
  });

  it('an XLSX made by a spreadsheet program: shared strings, numbers, dates, a bad row', async () => {
    const p = tag('xl');
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('Sites');
    const org = (await api.post('/api/v1/organisations', { name: `${p} owner` })).body.id;
    ws.addRow(['organisation_id', 'name', 'latitude', 'longitude', 'external_id']);
    ws.addRow([org, `${p} 工厂 A`, 31.2, 121.5, `${p}-a`]);
    ws.addRow([org, `${p} far away`, 123.4, 0, `${p}-b`]);
    const body = Buffer.from(await wb.xlsx.writeBuffer());
    const job = await importFile('sites', body);
    assert.equal(job.status, 'failed');
    assert.deepEqual(job.errors.map((e) => [e.row, e.column]), [[3, 'latitude']]);
    const ok = await importFile('sites', body, '?partial=true');
    assert.equal(ok.created, 1);
    const sites = await api.get(`/api/v1/sites?organisation_id=${org}`);
    assert.deepEqual(sites.body.items.map((x) => [x.name, x.latitude]), [[`${p} 工厂 A`, 31.2]]);
    assertProblem(await api.get('/api/v1/exports/organisations?format=pdf'), 400, 'format');
  });
});
