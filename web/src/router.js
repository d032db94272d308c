// Console routes (history mode; the server answers index.html for unknown non-API paths).
// Every page but /login needs a session (GET /api/v1/auth/me on the first
// navigation); meta.perm names the permission a page needs ('resource:action'),
// without it the page is replaced by /forbidden. A 401 from any API call goes
// to /login?next=<path>; a 403 on a read goes to /forbidden.
import { createRouter, createWebHistory } from 'vue-router';
import { i18n } from './i18n/index.js';
import { configureClient } from './api/client.js';
import { can, clearSession, ensureSession, refreshSession } from './auth/session.js';
import { homeRoute, safeNext } from './auth/navigation.js';
import ConsoleLayout from './layouts/ConsoleLayout.vue';
import LoginView from './views/LoginView.vue';
import TicketQueueView from './views/TicketQueueView.vue';

// the ticket configuration pages (ticket_config:manage), each its own chunk
const ADMIN_VIEWS = {
  WorkflowsView: () => import('./views/admin/WorkflowsView.vue'),
  TicketTypesView: () => import('./views/admin/TicketTypesView.vue'),
  CustomFieldsView: () => import('./views/admin/CustomFieldsView.vue'),
  CategoriesView: () => import('./views/admin/CategoriesView.vue'),
};
// the outbox's admin pages (notify:manage)
const NOTIFY_VIEWS = {
  WebhooksView: () => import('./views/admin/WebhooksView.vue'),
  EmailTemplatesView: () => import('./views/admin/EmailTemplatesView.vue'),
  DeliveriesView: () => import('./views/admin/DeliveriesView.vue'),
};

// the SLA pages: open to sla:read (read-only), changes need sla:manage
const SLA_VIEWS = {
  CalendarsView: () => import('./views/admin/CalendarsView.vue'),
  SlaPoliciesView: () => import('./views/admin/SlaPoliciesView.vue'),
  SlaReportView: () => import('./views/admin/SlaReportView.vue'),
};

const routes = [
  { path: '/login', name: 'login', component: LoginView, meta: { title: 'login.title', public: true } },
  {
    path: '/',
    component: ConsoleLayout,
    children: [
      // resolved by the guard to the first page the user may open
      { path: '', name: 'home', component: { render: () => null } },
      {
        path: 'tickets', name: 'tickets', component: TicketQueueView,
        meta: { title: 'tickets.title', perm: 'tickets:read' },
      },
      {
        path: 'tickets/:id(\\d+)',
        name: 'ticket',
        component: () => import('./views/TicketDetailView.vue'),
        meta: { title: 'detail.title', perm: 'tickets:read' },
      },
      ...[
        ['organisations', 'organisations', 'customers:read'], ['contacts', 'contacts', 'customers:read'],
        ['sites', 'sites', 'customers:read'], ['assets', 'assets', 'assets:read'], ['contracts', 'contracts', 'contracts:read'],
      ].map(([path, kind, perm]) => ({
        path, name: kind, component: () => import('./views/RecordsView.vue'), meta: { title: `nav.${kind}`, perm, kind },
      })),
      {
        path: 'organisations/:id(\\d+)', name: 'organisation', component: () => import('./views/OrganisationView.vue'),
        meta: { title: 'nav.organisations', perm: 'customers:read' },
      },
      {
        path: 'assets/:id(\\d+)', name: 'asset', component: () => import('./views/AssetView.vue'),
        meta: { title: 'nav.assets', perm: 'assets:read' },
      },
      {
        path: 'admin/users',
        name: 'users',
        component: () => import('./views/UsersView.vue'),
        meta: { title: 'users.title', perm: 'users:manage' },
      },
      ...[
        ['workflows', 'admin-workflows', 'WorkflowsView', 'workflows.title'],
        ['ticket-types', 'admin-ticket-types', 'TicketTypesView', 'ticketTypes.title'],
        ['custom-fields', 'admin-custom-fields', 'CustomFieldsView', 'customFields.title'],
        ['categories', 'admin-categories', 'CategoriesView', 'categories.title'],
      ].map(([path, name, view, title]) => ({
        path: `admin/${path}`,
        name,
        component: ADMIN_VIEWS[view],
        meta: { title, perm: 'ticket_config:manage' },
      })),
      ...[
        ['webhooks', 'admin-webhooks', 'WebhooksView', 'webhooks.title'],
        ['email-templates', 'admin-email-templates', 'EmailTemplatesView', 'templates.title'],
        ['deliveries', 'admin-deliveries', 'DeliveriesView', 'deliveries.title'],
      ].map(([path, name, view, title]) => ({
        path: `admin/${path}`,
        name,
        component: NOTIFY_VIEWS[view],
        meta: { title, perm: 'notify:manage' },
      })),
      ...[
        ['admin/calendars', 'admin-calendars', 'CalendarsView', 'sla.cal.title'],
        ['admin/sla-policies', 'admin-sla-policies', 'SlaPoliciesView', 'sla.pol.title'],
        ['sla/report', 'sla-report', 'SlaReportView', 'sla.report.title'],
      ].map(([path, name, view, title]) => ({
        path, name, component: SLA_VIEWS[view], meta: { title, perm: 'sla:read' },
      })),
      {
        path: 'admin/rules',
        name: 'admin-rules',
        component: () => import('./views/admin/RulesView.vue'),
        meta: { title: 'rules.title', perm: 'rules:read' },
      },
      {
        path: 'notifications/preferences',
        name: 'notification-preferences',
        component: () => import('./views/NotificationPrefsView.vue'),
        meta: { title: 'notify.prefsTitle' },
      },
      {
        path: 'forbidden',
        name: 'forbidden',
        component: () => import('./views/ForbiddenView.vue'),
        meta: { title: 'forbidden.title' },
      },
      {
        path: ':pathMatch(.*)*',
        name: 'not-found',
        component: () => import('./views/NotFoundView.vue'),
        meta: { title: 'notFound.title' },
      },
    ],
  },
];

export const router = createRouter({ history: createWebHistory('/'), routes });

router.beforeEach(async (to) => {
  if (to.meta.public) {
    // /login: someone already signed in goes straight on to `next`.
    let status = 'signed-out';
    try { status = await ensureSession(); } catch { /* server unreachable: show the form */ }
    if (status === 'signed-in' && to.name === 'login') return safeNext(to.query.next) || homeRoute();
    return true;
  }
  let status;
  try {
    status = await ensureSession();
  } catch {
    status = 'signed-out'; // server unreachable: the login page says so when the user tries
  }
  if (status !== 'signed-in') return { name: 'login', query: { next: to.fullPath } };
  if (to.name === 'home') return homeRoute();
  if (to.meta.perm && !can(to.meta.perm)) return { name: 'forbidden', query: { from: to.fullPath } };
  return true;
});

/** The session ended (401): forget it and ask for a sign-in that leads back here. */
function toLogin() {
  clearSession();
  const current = router.currentRoute.value;
  if (current.meta.public) return;
  router.replace({ name: 'login', query: { next: current.fullPath } });
}

configureClient({
  onUnauthorized: toLogin,
  onForbidden(err, method) {
    // A refused change is reported by the page itself; a refused read means
    // the page cannot be shown. Either way the permissions may have changed.
    refreshSession().catch(() => {});
    if (method !== 'GET') return;
    const current = router.currentRoute.value;
    if (current.name === 'forbidden' || current.meta.public) return;
    router.replace({ name: 'forbidden', query: { from: current.fullPath } });
  },
  async refreshCsrf() {
    if (await refreshSession() !== 'signed-in') {
      toLogin();
      throw new Error('signed out');
    }
  },
});

/** Document title from the route's meta.title, in the current language. */
export function updateTitle(route = router.currentRoute.value) {
  const key = route.meta?.title;
  const name = i18n.global.t('app.name');
  document.title = key ? `${i18n.global.t(key)} · ${name}` : name;
}

router.afterEach((to) => updateTitle(to));
