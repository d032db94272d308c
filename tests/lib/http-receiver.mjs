// A webhook receiver for the tests, on loopback: records every request
// (headers, raw body, time) and answers as told: 'ok' (200), 'fail' (500) or
// 'hang' (never answers; the connection stays open until the sender gives up).
import { createServer } from 'node:http';
import { createHmac, timingSafeEqual } from 'node:crypto';

export async function startReceiver() {
  const received = [];
  let mode = 'ok';
  const hanging = new Set();
  const server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      received.push({ headers: req.headers, body, mode, at: Date.now() });
      if (mode === 'hang') { hanging.add(res); res.on('close', () => hanging.delete(res)); return; }
      res.writeHead(mode === 'fail' ? 500 : 200, { 'content-type': 'text/plain' });
      res.end(mode === 'fail' ? 'receiver failing on purpose' : 'ok');
    });
  });
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address();
  const rx = {
    url: `http://127.0.0.1:${port}/hook`,
    received,
    /** 'ok' | 'fail' | 'hang' */
    setMode(m) { mode = m; },
    /** The requests answered 200 (mode 'ok' when they arrived). */
    ok() { return received.filter((r) => r.mode === 'ok'); },
    async waitFor(pred, ms = 10000, what = 'requests') {
      const deadline = Date.now() + ms;
      while (!pred(received)) {
        if (Date.now() > deadline) throw new Error(`receiver: timed out waiting for ${what}; have ${received.length}`);
        await new Promise((r) => setTimeout(r, 25));
      }
      return received;
    },
    async close() {
      for (const res of hanging) res.destroy();
      server.closeAllConnections?.();
      await new Promise((ok) => server.close(() => ok()));
    },
  };
  return rx;
}

/** Whether `header` (X-Tend-Signature "t=..,v1=..") signs `body` with `secret`. */
export function signatureValid(header, body, secret) {
  const m = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(header || '');
  if (!m) return false;
  const want = createHmac('sha256', secret).update(`${m[1]}.${body}`).digest();
  return timingSafeEqual(want, Buffer.from(m[2], 'hex'));
}
