// Entry point of the Tend web console.
import { createApp } from 'vue';
import 'element-plus/dist/index.css';
import './styles.css';
import App from './App.vue';
import element from './element.js';
import { i18n } from './i18n/index.js';
import { router } from './router.js';

createApp(App).use(i18n).use(router).use(element).mount('#app');
