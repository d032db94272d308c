// Display helpers shared by the views.

const pad = (n, w = 2) => String(n).padStart(w, '0');

/** An RFC 3339 time as "YYYY-MM-DD HH:mm:ss" in the browser's time zone; '' for empty input. */
export function localDateTime(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} `
    + `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** A one-line message for an ApiError (or any error), with its request id when the server gave one. */
export function errorText(err, t) {
  if (!err) return '';
  if (err.status === 0) return t('common.networkError');
  const base = err.problem?.detail || err.problem?.title || err.message || t('common.unexpected', { status: err.status });
  return err.requestId ? `${base} (${t('common.requestId', { id: err.requestId })})` : base;
}

export const STATUS_TAG = { new: 'primary', open: 'warning', pending: 'info', resolved: 'success', closed: 'info' };
export const PRIORITY_TAG = { low: 'info', normal: 'primary', high: 'warning', urgent: 'danger' };
