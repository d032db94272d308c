// Browser suite for signing in and out and for what each role may see: the
// login form against the real auth API (session cookie, CSRF token in memory),
// the header's user menu, redirects to /login and back, the 401 and 429
// answers, menus and buttons driven by the permissions, the /forbidden page and
// the admin's Users page.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import {
  useSuite, openPage, signInWithForm, signInViaApi, api, loginStatus, isApi, choose, sel, SHOTS,
  DEMO_PASSWORD,
} from './browser.mjs';

const suite = useSuite({ demo: true });

/** The demo user's record, read with the admin token. */
async function demoUser(username) {
  const { body } = await api(suite, 'GET', '/api/v1/users?limit=200', undefined, 200);
  const user = body.items.find((u) => u.username === username);
  assert.ok(user, `demo user ${username} exists`);
  return user;
}

test('signing in through the form shows the name and role; signing out lands on /login', async (t) => {
  const page = await openPage(suite, t);
  const agent = await demoUser('agent');
  await page.goto('/login');
  await page.locator(sel('login-form')).waitFor();
  await page.locator(sel('login-username')).fill('agent');
  await page.screenshot({ path: join(SHOTS, 'login.png') });

  const response = await signInWithForm(page, 'agent');
  assert.equal(response.status(), 200);
  const answer = await response.json();
  assert.ok(answer.csrf_token, 'the sign-in answer carries a CSRF token');
  await page.waitForURL('**/tickets');
  await page.locator(sel('ticket-table')).waitFor();

  assert.equal((await page.locator(sel('user-name')).innerText()).trim(), agent.display_name);
  const roles = page.locator(sel('user-role'));
  assert.equal(await roles.count(), 1);
  assert.equal(await roles.getAttribute('data-value'), 'agent');
  assert.equal((await roles.innerText()).trim(), 'Agent');

  // The session is an HttpOnly cookie; nothing secret is kept in web storage.
  const cookie = (await page.context().cookies()).find((c) => c.name === 'tend_session');
  assert.ok(cookie?.httpOnly, 'tend_session is HttpOnly');
  assert.equal(await page.evaluate(() => document.cookie.includes('tend_session')), false);
  const stored = await page.evaluate(() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }));
  assert.ok(!stored.includes(answer.csrf_token) && !stored.includes(cookie.value), `web storage holds no secret: ${stored}`);

  await page.locator(sel('user-menu-trigger')).click();
  const [logout] = await Promise.all([
    page.waitForResponse(isApi('POST', '/api/v1/auth/logout')),
    page.locator(sel('sign-out')).click(),
  ]);
  assert.equal(logout.status(), 204);
  assert.equal(logout.request().headers()['x-csrf-token'], answer.csrf_token, 'sign-out sends the CSRF token');
  await page.waitForURL((u) => u.pathname === '/login');
  await page.locator(sel('login-form')).waitFor();

  // The session really ended: the console asks for a sign-in again.
  await page.goto('/tickets');
  await page.waitForURL((u) => u.pathname === '/login' && u.searchParams.get('next') === '/tickets');
});

test('a protected page sends you to sign in and back to it afterwards', async (t) => {
  const page = await openPage(suite, t);
  const ticket = (await api(suite, 'POST', '/api/v1/tickets', { subject: 'Lift door sensor faulty' }, 201)).body;
  await page.goto(`/tickets/${ticket.id}`);
  await page.waitForURL((u) => u.pathname === '/login');
  assert.equal(new URL(page.url()).searchParams.get('next'), `/tickets/${ticket.id}`);
  await page.locator(sel('login-needed')).waitFor();

  assert.equal((await signInWithForm(page, 'dispatcher')).status(), 200);
  await page.waitForURL((u) => u.pathname === `/tickets/${ticket.id}`);
  await page.locator(sel('detail-subject'), { hasText: 'Lift door sensor faulty' }).waitFor();
});

test('a 401 from any call (session gone) leads to /login and back after signing in', async (t) => {
  const page = await openPage(suite, t, { as: 'agent' });
  await page.goto('/tickets?priority=urgent');
  await page.locator(sel('ticket-table')).waitFor();
  await page.context().clearCookies();
  const [reload] = await Promise.all([
    page.waitForResponse(isApi('GET', '/api/v1/tickets')),
    page.locator(sel('reload')).click(),
  ]);
  assert.equal(reload.status(), 401);
  await page.waitForURL((u) => u.pathname === '/login');
  assert.equal(new URL(page.url()).searchParams.get('next'), '/tickets?priority=urgent');
  assert.equal((await signInWithForm(page, 'agent')).status(), 200);
  await page.waitForURL((u) => u.pathname === '/tickets' && u.searchParams.get('priority') === 'urgent');
  await page.locator(sel('ticket-table')).waitFor();
});

test('a wrong password shows the server\'s message and keeps you on /login', async (t) => {
  const page = await openPage(suite, t);
  await page.goto('/login');
  const response = await signInWithForm(page, 'agent', 'not-the-password');
  assert.equal(response.status(), 401);
  const problem = await response.json();
  const message = problem.detail || problem.title;
  assert.match(message, /wrong username or password/i);

  const alert = page.locator(sel('login-error'));
  await alert.waitFor();
  const shown = (await alert.innerText()).toLowerCase();
  assert.ok(shown.includes(message.toLowerCase().replace(/\.$/, '')), `the alert shows "${message}": ${shown}`);
  assert.equal(new URL(page.url()).pathname, '/login');
  assert.equal(await page.locator(sel('login-password')).inputValue(), '', 'the password is cleared');
  assert.equal((await page.context().cookies()).some((c) => c.name === 'tend_session'), false);
});

test('too many failures: the 429 wait is shown in words and blocks the button', async (t) => {
  const page = await openPage(suite, t);
  await api(suite, 'POST', '/api/v1/users', {
    username: 'lockout.test', display_name: 'Lockout Test', roles: ['agent'], password: 'Lockout-pass-2026',
  }, 201);
  await page.goto('/login');
  let limited = null;
  for (let i = 0; i < 8 && !limited; i++) {
    const r = await signInWithForm(page, 'lockout.test', `wrong-${i}`);
    if (r.status() === 429) limited = r;
    else assert.equal(r.status(), 401);
  }
  assert.ok(limited, 'the server answers 429 after repeated failures');
  const wait = Number(limited.headers()['retry-after']);
  assert.ok(wait > 0, `Retry-After is a number of seconds: ${limited.headers()['retry-after']}`);

  const alert = page.locator(sel('login-error'));
  await alert.filter({ hasText: /Try again in \d+ (second|minute|hour)s?/ }).waitFor();
  assert.ok(await page.locator(sel('login-submit')).isDisabled(), 'sign-in waits for the Retry-After time');
  await page.locator(sel('lang-zh-CN')).click();
  await alert.filter({ hasText: /请于\s*\d+\s*(秒钟|分钟|小时)后重试/ }).waitFor();
});

test('a role without tickets:create and tickets:update sees no "New ticket" and no status edit', async (t) => {
  const page = await openPage(suite, t, { as: 'warehouse' });
  const ticket = (await api(suite, 'POST', '/api/v1/tickets', { subject: 'Spare pump to ship' }, 201)).body;
  await page.goto('/tickets');
  await page.locator(sel('ticket-row'), { hasText: 'Spare pump to ship' }).waitFor();
  assert.equal(await page.locator(sel('new-ticket')).count(), 0);
  assert.equal(await page.locator(sel('nav-users')).count(), 0);

  await page.locator(sel('ticket-row'), { hasText: 'Spare pump to ship' }).click();
  await page.waitForURL(`**/tickets/${ticket.id}`);
  await page.locator(sel('detail-subject'), { hasText: 'Spare pump to ship' }).waitFor();
  await page.locator(sel('fields-card')).waitFor();
  assert.equal(await page.locator(sel('edit-card')).count(), 0);
  assert.equal(await page.locator(sel('edit-save')).count(), 0);
  assert.equal(await page.locator(sel('transition')).count(), 0, 'no workflow buttons without tickets:update');
  assert.equal(await page.locator(sel('comment-editor')).count(), 0, 'no reply editor without tickets:comment');
});

test('the customer sees no "Users" menu and /admin/users shows the forbidden page', async (t) => {
  const page = await openPage(suite, t, { as: 'customer' });
  const customer = await demoUser('customer');
  await page.goto('/tickets');
  await page.locator(sel('nav-tickets')).waitFor();
  assert.equal(await page.locator(sel('nav-users')).count(), 0);
  assert.equal((await page.locator(sel('user-name')).innerText()).trim(), customer.display_name);
  assert.equal((await page.locator(sel('user-role')).innerText()).trim(), 'Customer');

  await page.goto('/admin/users');
  const forbidden = page.locator(sel('forbidden'));
  await forbidden.waitFor();
  assert.match(await forbidden.innerText(), /403\s*—\s*you do not have access/);
  assert.equal(new URL(page.url()).pathname, '/forbidden');
  assert.equal(new URL(page.url()).searchParams.get('from'), '/admin/users');
  assert.equal(await page.locator(sel('user-table')).count(), 0);
  await page.screenshot({ path: join(SHOTS, 'forbidden.png') });
});

test('a 403 from the API also shows the forbidden page and the menu follows the new role', async (t) => {
  const page = await openPage(suite, t);
  const made = (await api(suite, 'POST', '/api/v1/users', {
    username: 'temp.admin', display_name: 'Temporary Admin', roles: ['admin'], password: 'Temp-admin-pass-2026',
  }, 201)).body;
  await signInViaApi(page, 'temp.admin', 'Temp-admin-pass-2026');
  await page.goto('/admin/users');
  await page.locator(sel('user-row')).first().waitFor();
  await page.locator(sel('nav-users')).waitFor();

  // An administrator takes the role away meanwhile; the next read is refused.
  await api(suite, 'PATCH', `/api/v1/users/${made.id}`, { roles: ['warehouse'] }, 200);
  const [refused] = await Promise.all([
    page.waitForResponse(isApi('GET', '/api/v1/users')),
    page.locator(sel('reload')).click(),
  ]);
  assert.equal(refused.status(), 403);
  await page.locator(sel('forbidden')).waitFor();
  assert.equal(new URL(page.url()).searchParams.get('from'), '/admin/users');
  await page.locator(sel('nav-users')).waitFor({ state: 'detached' });
});

test('the admin sees "Users", creates a user through the dialog and disables them', async (t) => {
  const page = await openPage(suite, t, { as: 'admin' });
  await page.goto('/tickets');
  await page.locator(sel('nav-users')).click();
  await page.waitForURL('**/admin/users');
  await page.locator(sel('page-title'), { hasText: 'Users' }).waitFor();
  await page.locator(sel('user-row'), { hasText: 'agent' }).first().waitFor();
  const adminRow = page.locator(sel('user-row')).filter({ has: page.locator(sel('row-username'), { hasText: /^admin$/ }) });
  assert.ok(await adminRow.locator(`${sel('user-enabled')}.is-disabled`).count() === 1, 'no switching oneself off');

  await page.locator(sel('new-user')).click();
  await page.locator(sel('user-username')).fill('li.na');
  await page.locator(sel('user-display-name')).fill('李娜');
  await page.locator(sel('user-email')).fill('li.na@example.com');
  await choose(page, 'user-roles-select', 'role-option-agent', { multiple: true, closeOn: 'field-email' });
  await choose(page, 'user-roles-select', 'role-option-dispatcher', { multiple: true, closeOn: 'field-email' });
  await page.locator(sel('user-password')).fill('short');

  // The server refuses the password: its message appears next to the field.
  const [refused] = await Promise.all([
    page.waitForResponse(isApi('POST', '/api/v1/users')),
    page.locator(sel('user-submit')).click(),
  ]);
  assert.equal(refused.status(), 422);
  const problem = await refused.json();
  const err = (problem.errors || []).find((e) => e.field === 'password');
  assert.ok(err, `422 names the password field: ${JSON.stringify(problem)}`);
  const shown = page.locator(`${sel('field-password')} .el-form-item__error`);
  await shown.waitFor();
  assert.equal((await shown.innerText()).trim(), err.message);
  assert.ok(refused.request().headers()['x-csrf-token'], 'the POST carries the CSRF token');

  await page.locator(sel('user-password')).fill('Li-Na-service-2026');
  const [created] = await Promise.all([
    page.waitForResponse(isApi('POST', '/api/v1/users')),
    page.locator(sel('user-submit')).click(),
  ]);
  assert.equal(created.status(), 201, await created.text());
  const sent = JSON.parse(created.request().postData()); // roles in the documented order
  assert.deepEqual(sent, {
    username: 'li.na', display_name: '李娜', email: 'li.na@example.com', roles: ['dispatcher', 'agent'],
    password: 'Li-Na-service-2026',
  });
  const user = await created.json();
  await page.locator(sel('user-form')).waitFor({ state: 'hidden' });
  const row = page.locator(`${sel('user-row')}[data-id="${user.id}"]`);
  await row.waitFor();
  assert.equal((await row.locator(sel('row-display-name')).innerText()).trim(), '李娜');
  assert.equal(await row.locator(sel('row-roles')).getAttribute('data-roles'), 'dispatcher,agent');
  assert.equal(await loginStatus(suite, 'li.na', 'Li-Na-service-2026'), 200);
  await page.screenshot({ path: join(SHOTS, 'users-admin.png'), fullPage: true });

  // Disable (after a confirmation), then enable again.
  await row.locator(sel('user-enabled')).click();
  const [disabled] = await Promise.all([
    page.waitForResponse(isApi('PATCH', `/api/v1/users/${user.id}`)),
    page.locator('.el-message-box .confirm-disable').click(),
  ]);
  assert.equal(disabled.status(), 200);
  assert.deepEqual(JSON.parse(disabled.request().postData()), { disabled: true });
  await row.locator(`${sel('user-enabled')}[data-value="disabled"]`).waitFor();
  assert.equal(await loginStatus(suite, 'li.na', 'Li-Na-service-2026'), 401);

  const [enabled] = await Promise.all([
    page.waitForResponse(isApi('PATCH', `/api/v1/users/${user.id}`)),
    row.locator(sel('user-enabled')).click(),
  ]);
  assert.equal(enabled.status(), 200);
  await row.locator(`${sel('user-enabled')}[data-value="enabled"]`).waitFor();
  assert.equal(await loginStatus(suite, 'li.na', 'Li-Na-service-2026'), 200);
});

test('the demo password works for every role and each lands on a page it may open', async (t) => {
  const page = await openPage(suite, t);
  for (const username of ['manager', 'engineer', 'finance']) {
    await page.context().clearCookies();
    await page.goto('/');
    await page.waitForURL((u) => u.pathname === '/login');
    assert.equal((await signInWithForm(page, username, DEMO_PASSWORD)).status(), 200);
    await page.waitForURL((u) => u.pathname === '/tickets');
    await page.locator(`${sel('user-role')}[data-value="${username}"]`).waitFor();
    assert.equal(await page.locator(sel('nav-users')).count(), 0, `${username} has no Users menu`);
  }
});
