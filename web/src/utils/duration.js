// A wait in seconds (e.g. from Retry-After) as words in the UI language:
// "in 14 minutes" / "14分钟后", rounded up to whole seconds, minutes or hours.
export function waitInWords(seconds, locale) {
  const s = Math.max(1, Math.ceil(Number(seconds) || 0));
  let value = s;
  let unit = 'second';
  if (s >= 3600) { value = Math.ceil(s / 3600); unit = 'hour'; } else if (s >= 60) { value = Math.ceil(s / 60); unit = 'minute'; }
  try {
    return new Intl.RelativeTimeFormat(locale, { numeric: 'always' }).format(value, unit);
  } catch {
    return `${value} ${unit}${value === 1 ? '' : 's'}`;
  }
}

/** Seconds from a Retry-After header: delta-seconds or an HTTP date; null when absent or unreadable. */
export function retryAfterSeconds(value, now = Date.now()) {
  if (value === null || value === undefined || value === '') return null;
  const v = String(value).trim();
  if (/^\d+$/.test(v)) return Number(v);
  const at = Date.parse(v);
  return Number.isNaN(at) ? null : Math.max(0, Math.ceil((at - now) / 1000));
}
