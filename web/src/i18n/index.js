// vue-i18n setup: zh-CN and en, initial locale from localStorage, else from the
// browser's languages; setLocale() switches and remembers the choice.
import { createI18n } from 'vue-i18n';
import en from './en.js';
import zhCN from './zh-CN.js';

export const LOCALES = [
  { code: 'zh-CN', label: '中文' },
  { code: 'en', label: 'English' },
];
const STORAGE_KEY = 'tend.locale';

/** The locale to start with: a stored choice, else the first browser language we have. */
export function initialLocale() {
  try {
    const saved = localStorage.getItem(STORAGE_KEY);
    if (LOCALES.some((l) => l.code === saved)) return saved;
  } catch { /* storage disabled */ }
  const langs = navigator.languages?.length ? navigator.languages : [navigator.language || 'en'];
  for (const lang of langs) {
    const l = String(lang).toLowerCase();
    if (l.startsWith('zh')) return 'zh-CN';
    if (l.startsWith('en')) return 'en';
  }
  return 'en';
}

export const i18n = createI18n({
  legacy: false,
  locale: initialLocale(),
  fallbackLocale: 'en',
  messages: { en, 'zh-CN': zhCN },
});

/** Switch the UI language and remember it for the next visit. */
export function setLocale(code) {
  if (!LOCALES.some((l) => l.code === code)) return;
  i18n.global.locale.value = code;
  document.documentElement.lang = code;
  try { localStorage.setItem(STORAGE_KEY, code); } catch { /* storage disabled */ }
}

document.documentElement.lang = i18n.global.locale.value;
