// One shared clock for every SLA countdown on the page: a ref holding
// Date.now(), refreshed every 30 s while at least one component uses it.
import { onBeforeUnmount, onMounted, ref } from 'vue';

export const TICK_MS = 30000;
const now = ref(Date.now());
let users = 0;
let timer = null;

/** The shared `now` ref; call from a component's setup (it subscribes on mount). */
export function useNow() {
  onMounted(() => {
    users += 1;
    now.value = Date.now();
    if (!timer) timer = setInterval(() => { now.value = Date.now(); }, TICK_MS);
  });
  onBeforeUnmount(() => {
    users -= 1;
    if (users <= 0 && timer) {
      clearInterval(timer);
      timer = null;
      users = 0;
    }
  });
  return now;
}
