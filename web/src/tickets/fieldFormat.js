// Custom-field values for display, by field type.
import { i18n } from '../i18n/index.js';
import { localDateTime } from '../utils/format.js';
import { userLabel } from './lookups.js';

/** Minor units as a decimal amount with the currency code, e.g. 12345 CNY → "123.45 CNY". */
export function formatMoney(minor, currency = 'CNY') {
  const n = Number(minor);
  if (!Number.isFinite(n)) return String(minor);
  const sign = n < 0 ? '-' : '';
  const a = Math.abs(Math.trunc(n));
  return `${sign}${Math.floor(a / 100)}.${String(a % 100).padStart(2, '0')} ${currency || ''}`.trim();
}

/** A custom field's value as text ('' for none). */
export function formatCustomValue(field, value) {
  if (value === null || value === undefined || value === '') return '';
  const t = i18n.global.t;
  switch (field?.type) {
    case 'checkbox': return value ? t('common.yes') : t('common.no');
    case 'money': return formatMoney(value, field.currency);
    case 'multi_select': return Array.isArray(value) ? value.join(', ') : String(value);
    case 'datetime': return localDateTime(value);
    case 'user': return userLabel(value);
    case 'asset': return `#${value}`;
    default: return typeof value === 'object' ? JSON.stringify(value) : String(value);
  }
}
