// Shared pieces of the browser suites: a real `tend serve` (demo data: one
// user per role, password DEMO_PASSWORD) plus headless Chromium, fresh browser
// contexts that fail the test on page errors, signing in (through the form, or
// through the API with the session cookie landing in the browser context),
// admin API calls for test setup, and small Element Plus helpers.
import { before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { startServer, ROOT } from '../lib/server.mjs';

export const SHOTS = join(dirname(fileURLToPath(import.meta.url)), 'screenshots');
export const CHROMIUM = process.env.CHROMIUM_BIN || '/usr/bin/chromium';
export const DEMO_PASSWORD = 'tend-demo-2026';

export const sel = (name) => `[data-test="${name}"]`;

/**
 * Register before/after hooks that start a demo server and Chromium for the
 * file's tests; the returned object's `server` and `browser` are set once
 * `before` has run.
 */
export function useSuite(opts = { demo: true }) {
  const suite = { server: null, browser: null };
  before(async () => {
    assert.ok(existsSync(join(ROOT, 'web', 'dist', 'index.html')),
      'web/dist/index.html is missing: run `npm ci && npm run build` in web/');
    mkdirSync(SHOTS, { recursive: true });
    suite.server = await startServer(opts);
    suite.browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
        '--disable-quic', '--no-first-run', '--disable-component-update', '--disable-sync'],
    });
  });
  after(async () => {
    await suite.browser?.close();
    const { server } = suite;
    if (server && (server.proc.exitCode !== null || server.proc.signalCode !== null)) {
      const how = server.proc.exitCode ?? server.proc.signalCode;
      console.error(`tend stopped before the suite ended (${how}):\n${server.output()}`);
    }
    await server?.close();
  });
  return suite;
}

/**
 * A fresh browser context (own cookies and localStorage) with the given
 * browser language; `as`: a username to sign in as through the API first (the
 * session cookie lands in this context). Fails the test on any uncaught page
 * error; closes itself when the test ends.
 */
export async function openPage(suite, t, { locale = 'en-US', as = null, password = DEMO_PASSWORD } = {}) {
  const context = await suite.browser.newContext({
    baseURL: suite.server.url, locale, timezoneId: 'Asia/Shanghai', viewport: { width: 1280, height: 800 },
  });
  context.setDefaultTimeout(10000);
  const page = await context.newPage();
  const pageErrors = [];
  page.on('pageerror', (e) => pageErrors.push(e));
  t.after(async () => {
    await context.close();
    assert.deepEqual(pageErrors.map(String), [], 'uncaught errors in the page');
  });
  if (as) await signInViaApi(page, as, password);
  return page;
}

/**
 * Sign in with the API from inside the page's browser context (not through the
 * form): the answer's Set-Cookie puts the session cookie into the context.
 * Resolves the login answer { user, csrf_token, expires_at }.
 */
export async function signInViaApi(page, username, password = DEMO_PASSWORD) {
  const r = await page.context().request.post('/api/v1/auth/login', { data: { username, password } });
  assert.equal(r.status(), 200, `sign-in as ${username}: ${await r.text()}`);
  const cookies = await page.context().cookies();
  assert.ok(cookies.some((c) => c.name === 'tend_session'), 'the session cookie is in the browser context');
  return r.json();
}

/**
 * Sign in through the login form on the current page (which must show it);
 * resolves the POST /api/v1/auth/login response.
 */
export async function signInWithForm(page, username, password = DEMO_PASSWORD) {
  await page.locator(sel('login-username')).fill(username);
  await page.locator(sel('login-password')).fill(password);
  const [response] = await Promise.all([
    page.waitForResponse(isApi('POST', '/api/v1/auth/login')),
    page.locator(sel('login-submit')).click(),
  ]);
  return response;
}

/** Predicate for page.waitForResponse / waitForRequest: this method and path. */
export const isApi = (method, path) => (r) => {
  const req = r.request ? r.request() : r;
  return req.method() === method && new URL(req.url()).pathname === path;
};

/**
 * Call the API as the suite's admin token (test setup, not what is under test).
 * Resolves { status, body, headers }; with `expect`, asserts the status.
 */
export async function api(suite, method, path, body, expect) {
  const headers = { Authorization: `Bearer ${suite.server.token}` };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const r = await fetch(`${suite.server.url}${path}`, {
    method, headers, body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await r.text();
  let json = null;
  try { json = text ? JSON.parse(text) : null; } catch { json = null; }
  if (expect !== undefined) assert.equal(r.status, expect, `${method} ${path}: ${text}`);
  return { status: r.status, body: json, headers: r.headers };
}

/** Sign in with the API from Node (no browser): resolves the HTTP status. */
export async function loginStatus(suite, username, password) {
  const r = await fetch(`${suite.server.url}/api/v1/auth/login`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ username, password }),
  });
  await r.arrayBuffer();
  return r.status;
}

/**
 * Open an Element Plus select and pick the option carrying data-test=`option`.
 * A multiple select stays open after a pick: Escape closes it, or inside a
 * dialog (which Escape would close too) a click on `closeOn` (a data-test name).
 */
export async function choose(page, select, option, { multiple = false, closeOn = null } = {}) {
  await page.locator(sel(select)).click();
  const item = page.locator(sel(option)).filter({ visible: true });
  await item.click();
  if (multiple && closeOn) await page.locator(sel(closeOn)).click({ position: { x: 5, y: 5 } });
  else if (multiple) await page.keyboard.press('Escape');
  await item.waitFor({ state: 'hidden' });
}

/** Wait until `selector` matches exactly `n` elements. */
export async function waitForCount(page, selector, n) {
  await page.waitForFunction(([s, c]) => document.querySelectorAll(s).length === c, [selector, n]);
}
