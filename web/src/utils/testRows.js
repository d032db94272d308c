// v-test-rows="'ticket-row'" on an <el-table>: Element Plus cannot put attributes
// on body rows, so this tags each <tr> with data-test and data-id (the id comes
// from a `row-id-<id>` class given by the table's row-class-name).
function tagRows(el, name) {
  for (const tr of el.querySelectorAll('tr.el-table__row')) {
    if (tr.dataset.test !== name) tr.dataset.test = name;
    const m = /(?:^|\s)row-id-(\S+)/.exec(tr.className);
    if (m && tr.dataset.id !== m[1]) tr.dataset.id = m[1];
  }
}

export const vTestRows = {
  mounted(el, binding) {
    tagRows(el, binding.value);
    const observer = new MutationObserver(() => tagRows(el, binding.value));
    observer.observe(el, { childList: true, subtree: true, attributes: true, attributeFilter: ['class'] });
    el.__testRowsObserver = observer;
  },
  unmounted(el) {
    el.__testRowsObserver?.disconnect();
    delete el.__testRowsObserver;
  },
};
