// Shared by the notification suites: a server wired to a loopback SMTP sink
// and webhook receiver with short retry and timeout knobs, users to notify,
// and polling helpers.
import assert from 'node:assert/strict';
import { startServer } from '../lib/server.mjs';
import { startSmtpSink } from '../lib/smtp-sink.mjs';
import { startReceiver } from '../lib/http-receiver.mjs';
import { client } from './client.mjs';

export const FAST = { TEND_NOTIFY_POLL_MS: '50', TEND_NOTIFY_RETRY_MS: '150', TEND_NOTIFY_TIMEOUT_MS: '1500' };

/** Start sink, receiver and server; `over` adds server options. */
export async function notifyRig(over = {}) {
  const sink = await startSmtpSink();
  const rx = await startReceiver();
  const server = await startServer({
    ...over,
    env: { ...FAST, ...(over.env || {}) },
    args: ['--smtp-url', sink.url, '--smtp-from', 'Tend 服务台 <service@tend.test>', '--public-url',
      'http://console.test/', ...(over.args || [])],
  });
  const admin = client(server.url, { token: server.token });
  return { sink, rx, server, admin };
}

/** A staff user with a session: { id, username, c (session client) }. */
export async function staff(server, admin, name, login, roles = ['agent']) {
  const username = `${login}.${Math.random().toString(36).slice(2, 8)}`;
  const password = `pw-${Math.random().toString(36).slice(2)}-Long`;
  const r = await admin.post('/api/v1/users', { username, display_name: name, email: `${username}@example.test`,
    roles, password });
  assert.equal(r.status, 201, r.text);
  const c = await client(server.url).login(username, password);
  return { id: r.body.id, username, name, c };
}

/** Poll `fn` until it returns a truthy value; throws after `ms`. */
export async function until(fn, ms = 10000, what = 'condition') {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 40));
  }
}

/** The deliveries matching a query string, newest first. */
export async function deliveries(admin, query = '') {
  const r = await admin.get(`/api/v1/deliveries${query ? `?${query}` : ''}`);
  assert.equal(r.status, 200, r.text);
  return r.body.items;
}
