// Notifications (/api/v1/notifications, /notification-preferences) for every
// signed-in user, and the admin side of the outbox: webhooks, deliveries and
// email templates (notify:manage).
import { request } from './client.js';

export async function unreadCount(signal) {
  return (await request('GET', '/api/v1/notifications/unread-count', { signal })).data?.unread ?? 0;
}

/** { items, next_cursor, unread } */
export async function listNotifications(query = {}, signal) {
  return (await request('GET', '/api/v1/notifications', { query, signal })).data;
}

export async function markRead(id) {
  await request('POST', `/api/v1/notifications/${encodeURIComponent(id)}/read`);
}

export async function markAllRead() {
  return (await request('POST', '/api/v1/notifications/read-all')).data;
}

export async function getPreferences() {
  return (await request('GET', '/api/v1/notification-preferences')).data;
}

export async function putPreferences(body) {
  return (await request('PUT', '/api/v1/notification-preferences', { body })).data;
}

export async function listWebhooks() {
  return (await request('GET', '/api/v1/webhooks')).data?.items || [];
}

export async function createWebhook(body) {
  return (await request('POST', '/api/v1/webhooks', { body })).data;
}

export async function updateWebhook(id, body) {
  return (await request('PATCH', `/api/v1/webhooks/${encodeURIComponent(id)}`, { body })).data;
}

/** { items, next_cursor } */
export async function listDeliveries(query = {}) {
  return (await request('GET', '/api/v1/deliveries', { query })).data;
}

export async function retryDelivery(id) {
  return (await request('POST', `/api/v1/deliveries/${encodeURIComponent(id)}/retry`)).data;
}

export async function listTemplates() {
  return (await request('GET', '/api/v1/email-templates')).data?.items || [];
}

export async function putTemplate(kind, language, body) {
  return (await request('PUT', `/api/v1/email-templates/${encodeURIComponent(kind)}/${encodeURIComponent(language)}`,
    { body })).data;
}

export async function previewTemplate(body) {
  return (await request('POST', '/api/v1/email-templates/preview', { body })).data;
}

/** The notification kinds in the order the preferences page shows them. */
export const KINDS = ['ticket.assigned', 'ticket.mentioned', 'ticket.commented', 'ticket.status_changed',
  'ticket.created', 'sla.warning', 'sla.breached', 'sla.escalated'];

/** The i18n key of a kind's label (vue-i18n reads dots as nesting). */
export const kindKey = (kind) => `notify.kinds.${kind.replace('.', '_')}`;
