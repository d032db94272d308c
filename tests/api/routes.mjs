// The route table as the server is built from it: src/app/routes.def, one
// ROUTE(method, path, handler, resource, action, body, summary) per line.
// Suites that must cover every route read it here, so a new route cannot
// slip past them untested.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../lib/server.mjs';

export const ROUTES_DEF = join(ROOT, 'src', 'app', 'routes.def');

/** Split a macro's argument list on top-level commas (not inside "..."). */
function splitArgs(s) {
  const out = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < s.length; i++) {
    const ch = s[i];
    if (quoted && ch === '\\') { cur += ch + s[++i]; continue; }
    if (ch === '"') quoted = !quoted;
    if (ch === ',' && !quoted) { out.push(cur.trim()); cur = ''; continue; }
    cur += ch;
  }
  out.push(cur.trim());
  return out;
}

const unquote = (s) => (/^".*"$/.test(s) ? JSON.parse(s) : s);

/**
 * The routes of routes.def: [{method, path, handler, resource, action, body,
 * summary, line}]. `resource`/`action` are null when the file has no such
 * columns (the table before authorisation). Throws on a ROUTE line it cannot read.
 */
export function readRoutes(file = ROUTES_DEF) {
  const text = readFileSync(file, 'utf8')
    .replace(/\/\*[\s\S]*?\*\//g, (c) => c.replace(/[^\n]/g, ' '))
    .replace(/\/\/[^\n]*/g, '');
  const routes = [];
  const re = /\bROUTE\s*\(((?:[^()"]|"(?:[^"\\]|\\.)*")*)\)/g;
  for (const m of text.matchAll(re)) {
    const line = text.slice(0, m.index).split('\n').length;
    const a = splitArgs(m[1]);
    let r;
    if (a.length === 7) {
      r = { method: a[0], path: unquote(a[1]), handler: a[2], resource: unquote(a[3]), action: unquote(a[4]),
        body: a[5], summary: unquote(a[6]) };
    } else if (a.length === 6) {
      r = { method: a[0], path: unquote(a[1]), handler: a[2], resource: null, action: null, body: a[4],
        summary: unquote(a[5]) };
    } else {
      throw new Error(`${file}:${line}: cannot read ROUTE with ${a.length} arguments: ${m[0]}`);
    }
    if (!/^[A-Z]+$/.test(r.method) || !r.path.startsWith('/')) {
      throw new Error(`${file}:${line}: odd method or path: ${m[0]}`);
    }
    routes.push({ ...r, line });
  }
  if (routes.length === 0) throw new Error(`${file}: no ROUTE lines`);
  return routes;
}

/** "GET /api/v1/tickets/:id": the key a route is known by in the suites. */
export const routeKey = (r) => `${r.method} ${r.path}`;

/** The OpenAPI spelling of a routes.def path: /api/v1/tickets/{id}. */
export const openapiPath = (p) => p.replace(/:([A-Za-z_][A-Za-z0-9_]*)/g, '{$1}');
