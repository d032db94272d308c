// Words for what a rule changed ({ field: { from, to } } in rule.fired events
// and dry-run traces): the field's label and its values in the UI language,
// with ids of users, groups, categories and statuses turned into names.
import { i18n } from '../i18n/index.js';
import { categoryLabel, groupLabel, lookups, statusLabel, typeLabel, userLabel } from '../tickets/lookups.js';
import { formatCustomValue } from '../tickets/fieldFormat.js';
import { changeRows } from './ruleForm.js';

const t = (...a) => i18n.global.t(...a);
const te = (k) => i18n.global.te(k);

// a rule may name a field by its condition name (group) or its ticket field (group_id)
const ALIASES = {
  group: 'group_id', assignee: 'assignee_id', category: 'category_id', fault_code: 'fault_code_id',
  organisation: 'organisation_id',
};
const LABELS = {
  subject: 'ticket.subject', description: 'ticket.description', status: 'ticket.status', priority: 'ticket.priority',
  type: 'ticket.type', channel: 'ticket.channel', tags: 'ticket.tags', watchers: 'ticket.watchers',
  assignee_id: 'ticket.assignee', group_id: 'ticket.group', category_id: 'ticket.category',
  fault_code_id: 'ticket.faultCode', organisation_id: 'ticket.organisation', customer_ref: 'ticket.customerRef',
  required_skills: 'rules.requiredSkills',
};

const canonical = (field) => ALIASES[field] || field;

export function ruleFieldLabel(field) {
  const f = canonical(String(field));
  if (LABELS[f]) return t(LABELS[f]);
  if (f.startsWith('custom.')) return lookups.customFields.find((x) => x.key === f.slice(7))?.label || f;
  return f;
}

export function ruleValueLabel(field, value) {
  const f = canonical(String(field));
  if (value === null || value === undefined || value === '' || (Array.isArray(value) && !value.length)) return t('common.none');
  if (typeof value === 'object' && !Array.isArray(value)) return value.name || value.display_name || value.username || JSON.stringify(value);
  const isId = typeof value === 'number' || /^\d+$/.test(String(value));
  if (f === 'status') return statusLabel(value);
  if (f === 'priority') return te(`priority.${value}`) ? t(`priority.${value}`) : String(value);
  if (f === 'type') return typeLabel(value);
  if (f === 'channel') return te(`channel.${value}`) ? t(`channel.${value}`) : String(value);
  if (f === 'assignee_id' && isId) return userLabel(Number(value));
  if (f === 'watchers' && Array.isArray(value)) return value.map((v) => userLabel(Number(v))).join(', ');
  if (f === 'group_id' && isId) return groupLabel(Number(value));
  if (f === 'category_id' && isId) return categoryLabel(Number(value));
  if (f === 'fault_code_id' && isId) return categoryLabel(Number(value), 'fault_code');
  if (f.startsWith('custom.')) {
    const cf = lookups.customFields.find((x) => x.key === f.slice(7));
    if (cf) return formatCustomValue(cf, value);
  }
  const s = Array.isArray(value) ? value.join(', ') : String(value);
  return s.length > 80 ? `${s.slice(0, 79)}…` : s;
}

/** "Priority: Normal → High" */
export function ruleChangeText(field, from, to) {
  return t('event.change', { field: ruleFieldLabel(field), from: ruleValueLabel(field, from), to: ruleValueLabel(field, to) });
}

/** A whole change set as one line: "Priority: Normal → High, Group: — → Finance". */
export function ruleChangesText(changes) {
  return changeRows(changes).map((c) => ruleChangeText(c.field, c.from, c.to)).join(t('rules.changeSep'));
}

/**
 * The timeline line of a rule.* event: rule.fired "Rule VIP set Priority:
 * Normal → High, Group: — → Senior support", rule.failed (the change set was
 * refused), rule.notify and rule.webhook.
 */
export function ruleEventTitle(type, data) {
  const d = data || {};
  const name = d.rule_name || (d.rule_id ? `#${d.rule_id}` : '');
  switch (type) {
    case 'rule.failed': return t('event.ruleFailed', { field: d.field || '', message: d.message || '' });
    case 'rule.notify': return t('event.ruleNotify', { name, message: d.message || '' });
    case 'rule.webhook': return t('event.ruleWebhook', { name, id: d.webhook_id ?? '' });
    default: {
      const changes = ruleChangesText(d.changes);
      return changes ? t('event.ruleFired', { name, changes }) : t('event.ruleFiredNoChange', { name });
    }
  }
}
