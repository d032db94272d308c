// Custom-field values in forms: defaults, what counts as empty, and the
// checks the browser can make before the server does (pattern, min/max,
// options). Required fields are left to the server, whose 422 names them
// (`custom.<key>`) and is shown next to the field.
import { i18n } from '../i18n/index.js';

/** The empty value of a field in a form. */
export function emptyValue(field) {
  if (field.type === 'multi_select') return [];
  if (field.type === 'checkbox') return false;
  return null;
}

/** The form's starting value: the field's default, else empty. */
export function initialValue(field) {
  const d = field.default;
  if (d === null || d === undefined) return emptyValue(field);
  return Array.isArray(d) ? [...d] : d;
}

export function isEmpty(value) {
  return value === null || value === undefined || value === '' || (Array.isArray(value) && !value.length);
}

/** A message when the value breaks the field's own rules, else ''. */
export function checkValue(field, value) {
  if (isEmpty(value)) return '';
  const t = i18n.global.t;
  if (field.type === 'text' && field.pattern) {
    try {
      if (!new RegExp(`^(?:${field.pattern})$`).test(String(value))) return t('fields.pattern', { pattern: field.pattern });
    } catch { /* a POSIX pattern JS cannot read: the server decides */ }
  }
  if ((field.type === 'number' || field.type === 'money') && typeof value === 'number') {
    if (field.min !== null && field.min !== undefined && value < field.min) return t('fields.min', { min: field.min });
    if (field.max !== null && field.max !== undefined && value > field.max) return t('fields.max', { max: field.max });
  }
  if (field.type === 'select' && field.options?.length && !field.options.includes(value)) return t('fields.option');
  return '';
}

/** The `custom` object to send: empty optional values left out (create) or null (update). */
export function customPayload(fields, values, { nullEmpty = false } = {}) {
  const out = {};
  for (const f of fields) {
    const v = values[f.key];
    if (f.type === 'checkbox') { out[f.key] = !!v; continue; }
    if (isEmpty(v)) { if (nullEmpty) out[f.key] = null; continue; }
    out[f.key] = v;
  }
  return out;
}
