// What the SLA admin dialogs and lists share: saving a form with the server's
// field errors (problem+json `errors`) mapped for display, and deleting a row
// after asking.
import { ElMessage, ElMessageBox } from 'element-plus';
import { errorText } from '../utils/format.js';
import { errorMap } from '../tickets/fieldErrors.js';

/**
 * Run `send` (the POST or PUT) with `saving` set; on success close the dialog
 * (`visible`) and call `done(saved)`. On failure `errors` gets { field: message },
 * a version conflict or an error without fields under ''.
 */
export async function submitDialog({ send, errors, saving, visible, done, t }) {
  errors.value = {};
  saving.value = true;
  try {
    const saved = await send();
    visible.value = false;
    done(saved);
  } catch (err) {
    errors.value = err?.status === 409 ? { '': t('sla.conflict') } : errorMap(err);
    if (!Object.keys(errors.value).length) errors.value = { '': errorText(err, t) };
  } finally {
    saving.value = false;
  }
}

/** Ask `question`, then `remove()`; says `deleted` or the error (`conflict` for a 409). Resolves whether it was deleted. */
export async function confirmDelete({ question, remove, deleted, conflict, t }) {
  try {
    await ElMessageBox.confirm(question, t('common.delete'), {
      type: 'warning', confirmButtonText: t('common.delete'), cancelButtonText: t('common.cancel'),
    });
  } catch { return false; }
  try {
    await remove();
    ElMessage.success(deleted);
    return true;
  } catch (err) {
    ElMessage.error(err?.status === 409 && conflict ? conflict : errorText(err, t));
    return false;
  }
}
