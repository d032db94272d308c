// SLA endpoints of /api/v1 (see docs/api-sla.md): business calendars with
// iCalendar import/export, SLA policies in evaluation order, a ticket's clocks,
// the arrival on site and the attainment report.
import { request } from './client.js';

const V1 = '/api/v1';
const enc = encodeURIComponent;

/** The clocks a policy can set, in the order the console shows them. */
export const METRICS = ['first_response', 'next_response', 'resolution', 'on_site'];
/** Summary states a ticket's `sla` can have (the queue filter adds `none`). */
export const SLA_STATES = ['running', 'warning', 'breached', 'paused', 'achieved'];
export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
export const NOTIFY = ['assignee', 'group_lead', 'managers'];
export const TIERS = ['vip', 'gold', 'standard'];
export const REPORT_BY = ['policy', 'priority', 'group', 'organisation', 'period'];

export async function listCalendars(signal) {
  return (await request('GET', `${V1}/calendars`, { signal })).data?.items || [];
}
export async function createCalendar(body) {
  return (await request('POST', `${V1}/calendars`, { body })).data;
}
/** Replace a calendar's definition; `body.version` is the one read (409 when stale). */
export async function saveCalendar(id, body) {
  return (await request('PUT', `${V1}/calendars/${enc(id)}`, { body })).data;
}
export async function deleteCalendar(id) {
  await request('DELETE', `${V1}/calendars/${enc(id)}`);
}
/** Where the browser downloads a calendar's holidays and working days as .ics. */
export const calendarIcsUrl = (id) => `${V1}/calendars/${enc(id)}/ics`;
/** Load holidays and working days from iCalendar text; mode 'replace' or 'merge'. Resolves the calendar. */
export async function importIcs(id, { ics, mode, version }) {
  return (await request('POST', `${V1}/calendars/${enc(id)}/ics`, { body: { ics, mode, version } })).data;
}

export async function listPolicies(signal) {
  return (await request('GET', `${V1}/sla-policies`, { signal })).data?.items || [];
}
export async function createPolicy(body) {
  return (await request('POST', `${V1}/sla-policies`, { body })).data;
}
/** Replace a policy (with `version`; a new `position` moves it). */
export async function savePolicy(id, body) {
  return (await request('PUT', `${V1}/sla-policies/${enc(id)}`, { body })).data;
}
export async function deletePolicy(id) {
  await request('DELETE', `${V1}/sla-policies/${enc(id)}`);
}

/** { ticket_id, policy, calendar, clocks: [...] } */
export async function ticketSla(id, signal) {
  return (await request('GET', `${V1}/tickets/${enc(id)}/sla`, { signal })).data;
}
/** Record the arrival on site now (or `at`); resolves the clocks like ticketSla. */
export async function recordOnSite(id, at) {
  return (await request('POST', `${V1}/tickets/${enc(id)}/on-site`, { body: at ? { at } : {} })).data;
}

/** { from, to, by, period, metric, rows: [{ key, label, total, met, breached, attainment, avg_elapsed_minutes }], total } */
export async function slaReport(query, signal) {
  return (await request('GET', `${V1}/sla/report`, { query, signal })).data;
}

/** A policy as the API takes it back (without id, times and the calendar's name). */
export function policyBody(p) {
  const {
    id, calendar, created_at: c, updated_at: u, ...rest
  } = p;
  return rest;
}
