// Vite build for the Tend web console: output in dist/ (served by `tend serve
// --web-root`), /api proxied to a local `tend serve` during `npm run dev`
// (http://127.0.0.1:8080, or $TEND_API).
import { defineConfig } from 'vite';
import vue from '@vitejs/plugin-vue';

export default defineConfig({
  base: '/',
  plugins: [vue()],
  define: {
    // vue-i18n feature flags: composition API only, no devtools in production.
    __VUE_I18N_FULL_INSTALL__: true,
    __VUE_I18N_LEGACY_API__: false,
    __INTLIFY_PROD_DEVTOOLS__: false,
  },
  server: {
    host: '127.0.0.1',
    port: 5173,
    proxy: {
      '/api': { target: process.env.TEND_API || 'http://127.0.0.1:8080', changeOrigin: false },
    },
  },
  build: {
    outDir: 'dist',
    assetsDir: 'assets',
    emptyOutDir: true,
    rolldownOptions: {
      output: {
        // Libraries in their own long-cached chunks, apart from the app code
        // (Element Plus apart from its helpers, each under the 500 kB warning;
        // the helpers' group outranks 'vue', whose test also matches @vueuse).
        codeSplitting: {
          groups: [
            { name: 'element-plus', test: /node_modules[\\/](element-plus|@element-plus)[\\/]/, priority: 20 },
            { name: 'element-deps', test: /node_modules[\\/](@floating-ui|@ctrl|lodash|lodash-es|lodash-unified|@vueuse|dayjs|async-validator|memoize-one|normalize-wheel)/, priority: 30 },
            { name: 'vue', test: /node_modules[\\/](@?vue|vue-router|vue-i18n|@intlify)/, priority: 10 },
          ],
        },
      },
    },
  },
});
