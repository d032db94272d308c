// A 360 view loaded for the route's :id (organisations or assets), again
// whenever the id changes: { view, error, loading, load }.
import { ref, watch } from 'vue';
import { useRoute } from 'vue-router';
import { useI18n } from 'vue-i18n';
import { overview } from '../api/customers.js';
import { errorText } from './format.js';

export function useOverview(kind) {
  const route = useRoute();
  const { t } = useI18n();
  const view = ref(null);
  const error = ref('');
  const loading = ref(false);

  async function load() {
    loading.value = true;
    error.value = '';
    try {
      view.value = await overview(kind, route.params.id);
    } catch (err) {
      error.value = errorText(err, t);
    } finally {
      loading.value = false;
    }
  }
  watch(() => route.params.id, load, { immediate: true });
  return { view, error, loading, load };
}
