// Console routes (history mode; the server answers index.html for unknown non-API paths).
import { createRouter, createWebHistory } from 'vue-router';
import { i18n } from './i18n/index.js';
import ConsoleLayout from './layouts/ConsoleLayout.vue';
import LoginView from './views/LoginView.vue';
import TicketListView from './views/TicketListView.vue';

const routes = [
  { path: '/login', name: 'login', component: LoginView, meta: { title: 'login.title' } },
  {
    path: '/',
    component: ConsoleLayout,
    children: [
      { path: '', redirect: { name: 'tickets' } },
      { path: 'tickets', name: 'tickets', component: TicketListView, meta: { title: 'tickets.title' } },
      {
        path: 'tickets/:id(\\d+)',
        name: 'ticket',
        component: () => import('./views/TicketDetailView.vue'),
        meta: { title: 'detail.title' },
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

/** Document title from the route's meta.title, in the current language. */
export function updateTitle(route = router.currentRoute.value) {
  const key = route.meta?.title;
  const name = i18n.global.t('app.name');
  document.title = key ? `${i18n.global.t(key)} · ${name}` : name;
}

router.afterEach((to) => updateTitle(to));
