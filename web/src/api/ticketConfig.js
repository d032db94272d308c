// Ticket configuration endpoints (docs/api-tickets.md, "Configuration"):
// ticket types, workflows, custom fields, categories and fault codes.
import { request } from './client.js';

const V1 = '/api/v1';
const items = (data) => data?.items || [];

export const FIELD_TYPES = ['text', 'long_text', 'number', 'money', 'date', 'datetime', 'select',
  'multi_select', 'checkbox', 'user', 'asset'];
export const ROLE_KEYS = ['admin', 'manager', 'dispatcher', 'agent', 'engineer', 'warehouse', 'finance', 'customer'];
export const REQUIRABLE = ['assignee_id', 'group_id', 'category_id', 'fault_code_id', 'resolution_code',
  'resolution', 'organisation_id'];

export async function listTicketTypes(signal) {
  const { data } = await request('GET', `${V1}/ticket-types`, { signal });
  return items(data);
}
export async function createTicketType(body) {
  return (await request('POST', `${V1}/ticket-types`, { body })).data;
}
export async function updateTicketType(id, body) {
  return (await request('PATCH', `${V1}/ticket-types/${encodeURIComponent(id)}`, { body })).data;
}

export async function listWorkflows(signal) {
  const { data } = await request('GET', `${V1}/workflows`, { signal });
  return items(data);
}
export async function getWorkflow(id, signal) {
  return (await request('GET', `${V1}/workflows/${encodeURIComponent(id)}`, { signal })).data;
}
export async function createWorkflow(body) {
  return (await request('POST', `${V1}/workflows`, { body })).data;
}
/** Replace a workflow's definition (with `version`, and `status_map` for removed statuses in use). */
export async function saveWorkflow(id, body) {
  return (await request('PUT', `${V1}/workflows/${encodeURIComponent(id)}`, { body })).data;
}

export async function listCustomFields(signal) {
  const { data } = await request('GET', `${V1}/custom-fields`, { signal });
  return items(data);
}
export async function createCustomField(body) {
  return (await request('POST', `${V1}/custom-fields`, { body })).data;
}
export async function updateCustomField(id, body) {
  return (await request('PATCH', `${V1}/custom-fields/${encodeURIComponent(id)}`, { body })).data;
}

/** kind: 'category' or 'fault_code'; a flat list that forms a tree through parent_id. */
export async function listCategories(kind, signal) {
  const { data } = await request('GET', `${V1}/categories`, { query: { kind }, signal });
  return items(data);
}
export async function createCategory(body) {
  return (await request('POST', `${V1}/categories`, { body })).data;
}
export async function updateCategory(id, body) {
  return (await request('PATCH', `${V1}/categories/${encodeURIComponent(id)}`, { body })).data;
}
