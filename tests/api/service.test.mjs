// Service endpoints every deployment relies on: health, readiness, metrics,
// request ids, routing errors, and the web app's static files. The service
// endpoints answer without credentials; the API does not.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { startServer, ROOT } from '../lib/server.mjs';
import { client, raw, assertProblem, assertUnauthorized, parseMetrics, REQUEST_ID_RE } from './client.mjs';
import { readRoutes, openapiPath } from './routes.mjs';

const INDEX = join(ROOT, 'web', 'dist', 'index.html');
const noWeb = existsSync(INDEX) ? false : 'web/dist/index.html is not built';

describe('service endpoints', { timeout: 30000 }, () => {
  let server, api, anon;
  before(async () => {
    server = await startServer();
    api = client(server.url, { token: server.token });
    anon = client(server.url);
  });
  after(async () => { await server?.close(); });

  it('GET /healthz answers 200 {"status":"ok"}', async () => {
    const r = await anon.get('/healthz');
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type') || '', /^application\/json/);
    assert.equal(r.body?.status, 'ok', r.text);
  });

  it('GET /readyz answers 200 {"status":"ready"} once migrations are applied', async () => {
    const r = await anon.get('/readyz');
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type') || '', /^application\/json/);
    assert.equal(r.body?.status, 'ready', r.text);
  });

  it('GET /metrics exposes request counts by route, method and status', async () => {
    const missing = 987654321;
    for (let i = 0; i < 3; i++) await anon.get('/healthz');
    await api.get(`/api/v1/tickets/${missing}`);
    await api.create({ subject: 'metrics probe' });
    const before = await anon.get('/metrics');
    assert.equal(before.status, 200);
    assert.match(before.headers.get('content-type') || '', /^text\/plain/, 'Prometheus text format');
    const m = parseMetrics(before.text);
    const reqs = m.filter((s) => s.name === 'tend_http_requests_total');
    assert.ok(reqs.length > 0, `tend_http_requests_total present:\n${before.text.slice(0, 2000)}`);
    for (const s of reqs) {
      for (const l of ['route', 'method', 'status']) {
        assert.ok(l in s.labels, `tend_http_requests_total has label ${l}: ${JSON.stringify(s.labels)}`);
      }
    }
    const health = reqs.find((s) => s.labels.route === '/healthz' && s.labels.method === 'GET' && s.labels.status === '200');
    assert.ok(health, `a series for route="/healthz",method="GET",status="200": ${JSON.stringify(reqs)}`);
    assert.ok(health.value >= 3, `counted the 3 health checks: ${health.value}`);
    assert.ok(reqs.some((s) => s.labels.method === 'GET' && s.labels.status === '404'), 'the 404 is counted');
    assert.ok(reqs.some((s) => s.labels.method === 'POST' && s.labels.status === '201'), 'the 201 is counted');
    // "route" is the route pattern, not the raw path: ids must not become labels.
    assert.ok(!reqs.some((s) => s.labels.route.includes(String(missing))),
      `route label is the pattern, not the path with the id: ${JSON.stringify(reqs.map((s) => s.labels.route))}`);

    for (let i = 0; i < 3; i++) await anon.get('/healthz');
    const after2 = parseMetrics((await anon.get('/metrics')).text);
    const health2 = after2.find((s) => s.name === 'tend_http_requests_total' && s.labels.route === '/healthz'
      && s.labels.method === 'GET' && s.labels.status === '200');
    assert.ok(health2.value >= health.value + 3, `counter grows: ${health.value} -> ${health2.value}`);
  });

  it('GET /metrics has the latency and commit-batch histograms and the queue gauges', async () => {
    await api.create({ subject: 'histogram probe' });
    const r = await anon.get('/metrics');
    const m = parseMetrics(r.text);
    const names = new Set(m.map((s) => s.name));
    for (const h of ['tend_http_request_duration_seconds', 'tend_db_commit_batch_size']) {
      assert.ok(names.has(`${h}_bucket`), `${h}_bucket present`);
      assert.ok(names.has(`${h}_sum`), `${h}_sum present`);
      assert.ok(names.has(`${h}_count`), `${h}_count present`);
      assert.match(r.text, new RegExp(`^# TYPE ${h} histogram$`, 'm'), `# TYPE ${h} histogram`);
      const inf = m.filter((s) => s.name === `${h}_bucket` && s.labels.le === '+Inf');
      assert.ok(inf.length > 0, `${h} has a le="+Inf" bucket`);
      assert.ok(inf.some((s) => s.value > 0), `${h} observed something`);
    }
    assert.match(r.text, /^# TYPE tend_http_requests_total counter$/m);
    for (const g of ['tend_db_write_queue_depth', 'tend_worker_queue_depth']) {
      assert.ok(names.has(g), `${g} present`);
    }
  });

  it('GET /api/v1/openapi.json describes every ticket route', async () => {
    const r = await anon.get('/api/v1/openapi.json');
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type') || '', /^application\/(vnd\.oai\.openapi\+)?json/);
    assert.match(String(r.body?.openapi), /^3\.1\./, 'OpenAPI 3.1');
    const paths = r.body.paths || {};
    const want = {
      '/api/v1/tickets': ['get', 'post'],
      '/api/v1/tickets/{id}': ['get', 'patch'],
      '/api/v1/tickets/{id}/events': ['get'],
    };
    for (const [p, methods] of Object.entries(want)) {
      // the document may list paths relative to a server URL of /api/v1
      const entry = paths[p] || paths[p.replace('/api/v1', '')];
      assert.ok(entry, `paths has ${p}: ${Object.keys(paths)}`);
      for (const m of methods) assert.ok(entry[m], `${p} documents ${m.toUpperCase()}`);
    }
  });

  it('GET /api/v1/openapi.json documents every route of routes.def', async () => {
    const r = await anon.get('/api/v1/openapi.json');
    assert.equal(r.status, 200);
    const paths = r.body.paths || {};
    const missing = [];
    for (const route of readRoutes()) {
      const p = openapiPath(route.path);
      const entry = paths[p] || paths[p.replace('/api/v1', '')];
      if (!entry?.[route.method.toLowerCase()]) missing.push(`${route.method} ${p}`);
    }
    assert.deepEqual(missing, [], `routes.def routes missing from openapi.json: ${Object.keys(paths)}`);
  });

  describe('credentials', () => {
    it('an API route without credentials answers 401 problem+json with WWW-Authenticate', async () => {
      const cases = [
        ['GET', '/api/v1/tickets'], ['GET', '/api/v1/tickets/1'], ['GET', '/api/v1/tickets/1/events'],
        ['PATCH', '/api/v1/tickets/1', { version: 1, subject: 'anonymous' }],
        ['GET', '/api/v1/auth/me'], ['GET', '/api/v1/users'],
      ];
      for (const [method, path, json] of cases) {
        assertUnauthorized(await anon.call(method, path, { json }), `${method} ${path} without credentials`);
      }
    });

    it('a POST without credentials is 401 and creates nothing', async () => {
      const before = (await api.get('/api/v1/tickets?limit=1')).body.items[0]?.id || 0;
      assertUnauthorized(await anon.post('/api/v1/tickets', { subject: 'anonymous create' }), 'anonymous POST');
      const after = (await api.get('/api/v1/tickets?limit=1')).body.items[0]?.id || 0;
      assert.equal(after, before, 'no ticket was created');
    });

    it('a bad credential is 401 with WWW-Authenticate, like none at all', async () => {
      const bad = [
        ['unknown token', { authorization: 'Bearer tend_0000000000000000000000000000000000000000' }],
        ['a tampered token', { authorization: `Bearer ${server.token.slice(0, -2)}${server.token.endsWith('xx') ? 'yy' : 'xx'}` }],
        ['an empty bearer', { authorization: 'Bearer ' }],
        ['Basic credentials', { authorization: `Basic ${Buffer.from(`admin:${server.adminPassword}`).toString('base64')}` }],
        ['the token without "Bearer"', { authorization: server.token }],
        ['an unknown session cookie', { cookie: 'tend_session=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' }],
        ['an empty session cookie', { cookie: 'tend_session=' }],
      ];
      for (const [what, headers] of bad) {
        assertUnauthorized(await anon.get('/api/v1/tickets', { headers }), what);
      }
    });

    it('the service endpoints and the OpenAPI document need no credentials', async () => {
      for (const p of ['/healthz', '/readyz', '/metrics', '/api/v1/openapi.json']) {
        const r = await anon.get(p);
        assert.equal(r.status, 200, `${p} without credentials: ${r.status} ${r.text.slice(0, 200)}`);
      }
    });
  });

  describe('X-Request-Id', () => {
    it('is on every response: 200, 404, 401, 405, 415, metrics', async () => {
      const rs = [
        await anon.get('/healthz'),
        await anon.get('/readyz'),
        await anon.get('/metrics'),
        await api.get('/api/v1/nope'),
        await anon.get('/api/v1/tickets'),
        await api.call('DELETE', '/api/v1/tickets'),
        await api.call('POST', '/api/v1/tickets', { body: 'x', headers: { 'content-type': 'text/plain' } }),
      ];
      const seen = new Set();
      for (const r of rs) {
        const id = r.headers.get('x-request-id');
        assert.match(id || '', REQUEST_ID_RE, `X-Request-Id on a ${r.status}: ${id}`);
        seen.add(id);
      }
      assert.equal(seen.size, rs.length, 'generated ids are unique');
    });

    it('echoes a valid client id (1-64 of [A-Za-z0-9._-])', async () => {
      for (const id of ['a', 'req-42_A.b', 'x'.repeat(64)]) {
        const r = await anon.get('/healthz', { headers: { 'x-request-id': id } });
        assert.equal(r.headers.get('x-request-id'), id);
      }
      const p = await api.get('/api/v1/tickets/0', { headers: { 'x-request-id': 'trace-404' } });
      assert.equal(p.headers.get('x-request-id'), 'trace-404');
      assertProblem(p, 404);
    });

    it('replaces an invalid client id with a generated one', async () => {
      for (const id of ['x'.repeat(65), 'y'.repeat(200), 'has spaces in it', 'semi;colon', 'slash/es']) {
        const r = await anon.get('/healthz', { headers: { 'x-request-id': id } });
        const got = r.headers.get('x-request-id');
        assert.notEqual(got, id, `invalid id ${JSON.stringify(id)} is not echoed`);
        assert.match(got || '', REQUEST_ID_RE, `replacement id is well-formed: ${got}`);
      }
    });
  });

  describe('routing', () => {
    it('an unknown API route is 404 problem+json', async () => {
      for (const p of ['/api/v1/nope', '/api/v1/tickets/1/nope', '/api/v2/tickets']) {
        assertProblem(await api.get(p), 404, undefined, `GET ${p}`);
      }
    });

    it('a known path with the wrong method is 405 with Allow', async () => {
      const cases = [
        ['DELETE', '/api/v1/tickets', ['GET', 'POST']],
        ['PUT', '/api/v1/tickets/1', ['GET', 'PATCH']],
        ['DELETE', '/api/v1/tickets/1', ['GET', 'PATCH']],
        ['POST', '/api/v1/tickets/1/events', ['GET']],
        ['POST', '/healthz', ['GET']],
      ];
      for (const [method, path, allowed] of cases) {
        const r = await api.call(method, path);
        assertProblem(r, 405, undefined, `${method} ${path}`);
        const allow = (r.headers.get('allow') || '').split(',').map((s) => s.trim().toUpperCase());
        for (const a of allowed) {
          assert.ok(allow.includes(a), `${method} ${path}: Allow lists ${a}: ${r.headers.get('allow')}`);
        }
        assert.ok(!allow.includes(method), `${method} ${path}: Allow does not list ${method}`);
      }
    });

    it('GET /api/v1/nope is problem+json, never the SPA index.html', async () => {
      const r = await api.get('/api/v1/nope', { headers: { accept: 'text/html' } });
      assertProblem(r, 404);
      assert.doesNotMatch(r.text, /<html/i);
    });

    it('a path-traversal attempt does not escape the web root', async () => {
      for (const path of ['/../../../../etc/passwd', '/..%2f..%2f..%2f..%2fetc%2fpasswd',
        '/assets/..%2f..%2f..%2f..%2f..%2fetc%2fpasswd', '/%2e%2e/%2e%2e/%2e%2e/etc/passwd']) {
        const r = await raw(server.url, { path });
        assert.ok(r.status < 500, `${path}: ${r.status}`);
        assert.doesNotMatch(r.body.toString('latin1'), /root:.*:0:0:/, `${path} leaked /etc/passwd`);
      }
      await anon.healthy('after traversal attempts');
    });
  });

  describe('web app static files', () => {
    it('GET / serves index.html', { skip: noWeb }, async () => {
      const r = await raw(server.url, { path: '/' });
      assert.equal(r.status, 200);
      assert.match(r.headers['content-type'] || '', /^text\/html/);
      assert.equal(r.body.toString(), readFileSync(INDEX, 'utf8'));
      assert.match(r.headers['x-request-id'] || '', REQUEST_ID_RE);
    });

    it('GET /tickets/123 (an app route) falls back to index.html', { skip: noWeb }, async () => {
      const r = await raw(server.url, { path: '/tickets/123' });
      assert.equal(r.status, 200);
      assert.match(r.headers['content-type'] || '', /^text\/html/);
      assert.equal(r.body.toString(), readFileSync(INDEX, 'utf8'));
    });

    it('GET / with Accept-Encoding: gzip is gzip-compressed', { skip: noWeb }, async () => {
      const r = await raw(server.url, { path: '/', headers: { 'accept-encoding': 'gzip' } });
      assert.equal(r.status, 200);
      assert.equal(r.headers['content-encoding'], 'gzip');
      assert.equal(gunzipSync(r.body).toString(), readFileSync(INDEX, 'utf8'));
      const plain = await raw(server.url, { path: '/' });
      assert.ok(!plain.headers['content-encoding'], 'no compression unless asked for');
    });
  });
});
