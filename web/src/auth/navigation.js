// Where the console may take the signed-in user: the side-menu entries with
// the permission each needs, the home page, and a safe `next` after sign-in.
import { can } from './session.js';

/** Side-menu entries, in order; the first one the user may open is the home page. */
export const MENU = [
  { name: 'tickets', path: '/tickets', label: 'nav.tickets', icon: 'Tickets', perm: 'tickets:read' },
  { name: 'organisations', path: '/organisations', label: 'nav.organisations', icon: 'OfficeBuilding', perm: 'customers:read' },
  { name: 'contacts', path: '/contacts', label: 'nav.contacts', icon: 'Avatar', perm: 'customers:read' },
  { name: 'sites', path: '/sites', label: 'nav.sites', icon: 'Location', perm: 'customers:read' },
  { name: 'assets', path: '/assets', label: 'nav.assets', icon: 'Cpu', perm: 'assets:read' },
  { name: 'contracts', path: '/contracts', label: 'nav.contracts', icon: 'Document', perm: 'contracts:read' },
  { name: 'users', path: '/admin/users', label: 'nav.users', icon: 'User', perm: 'users:manage' },
  { name: 'admin-workflows', path: '/admin/workflows', label: 'nav.workflows', icon: 'Share', perm: 'ticket_config:manage' },
  { name: 'admin-ticket-types', path: '/admin/ticket-types', label: 'nav.ticketTypes', icon: 'Files', perm: 'ticket_config:manage' },
  { name: 'admin-custom-fields', path: '/admin/custom-fields', label: 'nav.customFields', icon: 'EditPen', perm: 'ticket_config:manage' },
  { name: 'admin-categories', path: '/admin/categories', label: 'nav.categories', icon: 'FolderOpened', perm: 'ticket_config:manage' },
  // the SLA pages are open read-only to sla:read by address; the menu offers them to sla:manage
  { name: 'admin-calendars', path: '/admin/calendars', label: 'nav.calendars', icon: 'Calendar', perm: 'sla:manage' },
  { name: 'admin-sla-policies', path: '/admin/sla-policies', label: 'nav.slaPolicies', icon: 'Timer', perm: 'sla:manage' },
  { name: 'sla-report', path: '/sla/report', label: 'nav.slaReport', icon: 'DataAnalysis', perm: 'sla:manage' },
  { name: 'admin-rules', path: '/admin/rules', label: 'nav.rules', icon: 'Operation', perm: 'rules:read' },
  { name: 'admin-webhooks', path: '/admin/webhooks', label: 'nav.webhooks', icon: 'Connection', perm: 'notify:manage' },
  { name: 'admin-email-templates', path: '/admin/email-templates', label: 'nav.emailTemplates', icon: 'Message', perm: 'notify:manage' },
  { name: 'admin-deliveries', path: '/admin/deliveries', label: 'nav.deliveries', icon: 'WarningFilled', perm: 'notify:manage' },
];

/** The first menu page the user may open, else the "no access" page. */
export function homeRoute() {
  const entry = MENU.find((m) => can(m.perm));
  return entry ? { name: entry.name } : { name: 'forbidden' };
}

/** `next` from /login?next=... when it is a path of this console (never another site or /login itself). */
export function safeNext(next) {
  if (typeof next !== 'string' || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) return null;
  if (/^\/login(?:[/?#]|$)/.test(next)) return null;
  return next;
}
