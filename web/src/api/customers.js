// Customers and assets: records (organisations, contacts, sites, products,
// models, assets, contracts), the 360 views, meter readings, imports and
// exports. docs/api-customers.md.
import { request } from './client.js';

/** A page of `kind` ('organisations', 'assets', ...): { items, nextCursor }. */
export async function listRecords(kind, query = {}, signal) {
  const { data } = await request('GET', `/api/v1/${kind}`, { query, signal });
  return { items: data?.items || [], nextCursor: data?.next_cursor ?? null };
}

/** Every record of `kind` (for pickers), up to `max`. */
export async function listAllRecords(kind, query = {}, signal, max = 1000) {
  const out = [];
  let cursor = null;
  do {
    const page = await listRecords(kind, { ...query, limit: 200, cursor }, signal);
    out.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor && out.length < max);
  return out;
}

export async function createRecord(kind, body) {
  const { data } = await request('POST', `/api/v1/${kind}`, { body });
  return data;
}

export async function overview(kind, id, signal) {
  const { data } = await request('GET', `/api/v1/${kind}/${id}/overview`, { signal });
  return data;
}

export async function addReading(assetId, body) {
  const { data } = await request('POST', `/api/v1/assets/${assetId}/meters`, { body });
  return data;
}

/** Start an import of `file` (a File); resolves the import job. */
export async function startImport(kind, file, partial) {
  const { data } = await request('POST', `/api/v1/imports/${kind}`, {
    raw: file, query: { partial: partial ? 'true' : undefined, format: /\.xlsx$/i.test(file.name) ? 'xlsx' : 'csv' },
  });
  return data;
}

export async function getImport(kind, id, signal) {
  const { data } = await request('GET', `/api/v1/imports/${kind}/${id}`, { signal });
  return data;
}

export const exportUrl = (kind, format) => `/api/v1/exports/${kind}?format=${format}`;
