// A small SMTP server for the tests, on loopback: speaks enough SMTP for
// libcurl (EHLO/HELO, optional AUTH PLAIN, MAIL, RCPT, DATA, RSET, NOOP, QUIT)
// and keeps every accepted message raw. It can be stopped and started again
// on the same port (the "SMTP server went down" test) and told to refuse
// messages with a temporary error.
import { createServer } from 'node:net';

export async function startSmtpSink({ port = 0, auth = null } = {}) {
  const messages = [];
  let refuse = 0; // answer 451 to the next N MAIL commands
  const sockets = new Set();
  let server;

  function session(sock) {
    sockets.add(sock);
    sock.on('close', () => sockets.delete(sock));
    sock.on('error', () => {});
    let buf = '', inData = false, data = '', from = null, rcpt = [], authed = !auth;
    const say = (s) => { if (!sock.destroyed) sock.write(`${s}\r\n`); };
    say('220 sink.test ESMTP ready');
    sock.on('data', (chunk) => {
      buf += chunk.toString('latin1');
      for (;;) {
        if (inData) {
          const end = buf.indexOf('\r\n.\r\n');
          if (end < 0) {
            if (buf === '.\r\n' && data === '') { buf = ''; } else break;
          }
          data += buf.slice(0, end + 2);
          buf = buf.slice(end + 5);
          inData = false;
          const raw = Buffer.from(data.replace(/\r\n\.\./g, '\r\n.'), 'latin1').toString('utf8');
          messages.push({ from, rcpt, raw, at: Date.now() });
          data = '';
          say('250 2.0.0 queued');
          continue;
        }
        const nl = buf.indexOf('\r\n');
        if (nl < 0) break;
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 2);
        const verb = line.split(' ')[0].toUpperCase();
        if (verb === 'EHLO') {
          if (auth) { say('250-sink.test'); say('250-AUTH PLAIN'); say('250 8BITMIME'); } else { say('250-sink.test'); say('250 8BITMIME'); }
        } else if (verb === 'HELO') say('250 sink.test');
        else if (verb === 'AUTH') {
          const parts = line.split(' ');
          const dec = Buffer.from(parts[2] || '', 'base64').toString('utf8').split('\0');
          if (dec[1] === auth?.user && dec[2] === auth?.password) { authed = true; say('235 2.7.0 ok'); } else say('535 5.7.8 bad credentials');
        } else if (verb === 'MAIL') {
          if (!authed) say('530 5.7.0 authentication required');
          else if (refuse > 0) { refuse--; say('451 4.3.0 try again later'); } else { from = line.slice(10).trim(); rcpt = []; say('250 2.1.0 ok'); }
        } else if (verb === 'RCPT') { rcpt.push(line.slice(8).trim()); say('250 2.1.5 ok'); }
        else if (verb === 'DATA') { inData = true; data = ''; say('354 end with .'); }
        else if (verb === 'RSET' || verb === 'NOOP') say('250 ok');
        else if (verb === 'QUIT') { say('221 bye'); sock.end(); }
        else say('502 5.5.2 not implemented');
      }
    });
  }

  async function listen(p) {
    server = createServer(session);
    await new Promise((ok, fail) => { server.once('error', fail); server.listen(p, '127.0.0.1', ok); });
    return server.address().port;
  }
  const boundPort = await listen(port);
  const sink = {
    port: boundPort,
    url: `smtp://127.0.0.1:${boundPort}`,
    messages,
    refuseNext(n) { refuse = n; },
    /** Stop listening and drop every connection (the server "goes down"). */
    async down() {
      for (const s of sockets) s.destroy();
      await new Promise((ok) => server.close(() => ok()));
    },
    async up() { await listen(boundPort); },
    async close() { await sink.down().catch(() => {}); },
    /** Wait until `pred(messages)` holds, polling; throws after `ms`. */
    async waitFor(pred, ms = 10000, what = 'messages') {
      const deadline = Date.now() + ms;
      while (!pred(messages)) {
        if (Date.now() > deadline) throw new Error(`smtp sink: timed out waiting for ${what}; have ${messages.length}`);
        await new Promise((r) => setTimeout(r, 25));
      }
      return messages;
    },
  };
  return sink;
}

/** Split a raw message into { headers: {lower name: [unfolded values]}, body }. */
export function parseMail(raw) {
  const sep = raw.indexOf('\r\n\r\n');
  const head = raw.slice(0, sep).replace(/\r\n[ \t]/g, ' ');
  const headers = {};
  for (const line of head.split('\r\n')) {
    const i = line.indexOf(':');
    const k = line.slice(0, i).toLowerCase();
    (headers[k] ||= []).push(line.slice(i + 1).trim());
  }
  return { headers, body: raw.slice(sep + 4) };
}

/** Decode RFC 2047 encoded words (B and Q, UTF-8) in a header value. */
export function decodeWords(v) {
  return v.replace(/\?=\s+=\?/g, '?==?').replace(/=\?UTF-8\?([BbQq])\?([^?]*)\?=/gi, (_, enc, text) => (
    enc.toUpperCase() === 'B' ? Buffer.from(text, 'base64').toString('utf8')
      : Buffer.from(text.replace(/_/g, ' ').replace(/=([0-9A-F]{2})/gi, (m, h) => String.fromCharCode(parseInt(h, 16))), 'latin1').toString('utf8')));
}

/** The parts of a multipart body: [{ type, text (decoded) }]. */
export function mailParts(raw) {
  const { headers, body } = parseMail(raw);
  const ct = headers['content-type'][0];
  const m = /boundary="([^"]+)"/.exec(ct);
  if (!m) return [{ type: ct.split(';')[0], text: Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8') }];
  return body.split(`--${m[1]}`).slice(1, -1).map((p) => {
    const part = parseMail(p.replace(/^\r\n/, ''));
    const b64 = /base64/i.test((part.headers['content-transfer-encoding'] || [''])[0]);
    return { type: part.headers['content-type'][0].split(';')[0], contentType: part.headers['content-type'][0],
      text: b64 ? Buffer.from(part.body.replace(/\s+/g, ''), 'base64').toString('utf8') : part.body };
  });
}
