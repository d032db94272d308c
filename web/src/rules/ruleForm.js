// The rule editor's form model and the pieces of the condition text it
// builds: a rule as the form holds it (actions as typed rows with their
// parameters apart), the request body made from it, one `field op value` test
// appended to the text, and a server position turned into a place in the text.

let rowSeq = 0;

/** Default parameters of a new action row of `type`. */
export function blankParams(type) {
  switch (type) {
    case 'set_priority': return { value: 'high' };
    case 'set_field': return { field: 'category', value: null };
    case 'add_tags': case 'remove_tags': return { tags: [] };
    case 'assign_group': return { group_id: null, strategy: 'none' };
    case 'assign_agent': return { user_id: null };
    case 'set_required_skills': return { skills: [] };
    case 'notify': return { to: ['assignee'], message: '' };
    case 'webhook': return { webhook_id: null };
    case 'transition': return { to: '' };
    default: return {};
  }
}

/** An action row: { key (for v-for), type, params, raw (JSON text for types the editor does not know) }. */
export function actionRow(type, params = null, known = true) {
  const p = params ? JSON.parse(JSON.stringify(params)) : blankParams(type);
  return { key: ++rowSeq, type, params: p, raw: known ? '' : JSON.stringify(p) };
}

export function blankForm() {
  return {
    id: null, version: null, name: '', description: '', active: true, triggers: ['ticket.created'],
    condition: '', actions: [actionRow('set_priority')], stop_processing: false,
  };
}

/** The form for a stored rule; `knownTypes`: the action types the editor has inputs for. */
export function ruleToForm(rule, knownTypes) {
  return {
    id: rule.id ?? null,
    version: rule.version ?? null,
    name: rule.name || '',
    description: rule.description || '',
    active: rule.active !== false,
    triggers: [...(rule.triggers || [])],
    condition: rule.condition || '',
    actions: (rule.actions || []).map(({ type, ...params }) => actionRow(type, params, knownTypes.includes(type))),
    stop_processing: !!rule.stop_processing,
  };
}

/**
 * The request body for the form (POST, PATCH with the version, validate,
 * dry-run). A row of an unknown type sends its JSON text; text that is not a
 * JSON object is sent as it is for the server to refuse by name.
 */
export function formToBody(form, { withVersion = false } = {}) {
  const actions = form.actions.map((row) => {
    if (row.raw) {
      let extra;
      try { extra = JSON.parse(row.raw); } catch { extra = { params: row.raw }; }
      return { type: row.type, ...(extra && typeof extra === 'object' && !Array.isArray(extra) ? extra : { params: extra }) };
    }
    return { type: row.type, ...row.params };
  });
  const body = {
    name: form.name.trim(),
    description: form.description,
    active: form.active,
    triggers: [...form.triggers],
    condition: form.condition,
    actions,
    stop_processing: form.stop_processing,
  };
  if (withVersion && form.version !== null) body.version = form.version;
  return body;
}

const LIST_OPS = new Set(['in', 'not in', 'contains_any']);
const NO_VALUE_OPS = new Set(['is empty', 'is not empty']);
const NUMERIC_TYPES = new Set(['number', 'integer', 'int', 'float', 'hours', 'duration']);

export const opTakesList = (op) => LIST_OPS.has(String(op).toLowerCase());
export const opTakesValue = (op) => !NO_VALUE_OPS.has(String(op).toLowerCase());

/** A value as condition text: numbers bare for numeric fields (and ids of references), booleans bare for boolean ones, else a quoted string. */
export function literal(value, type) {
  const s = String(value ?? '').trim();
  if ((NUMERIC_TYPES.has(type) || type === 'ref') && /^-?\d+(\.\d+)?$/.test(s)) return s;
  if ((type === 'bool' || type === 'boolean') && /^(true|false)$/i.test(s)) return s.toLowerCase();
  return `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/**
 * One test `field op value` as condition text. `values`: the value, or for
 * list operators (in, not in, contains_any) an array or a comma-separated text.
 */
export function buildTest(field, op, values, type) {
  if (!opTakesValue(op)) return `${field} ${op}`;
  if (opTakesList(op)) {
    const list = (Array.isArray(values) ? values : String(values ?? '').split(/[,，]/))
      .map((v) => String(v).trim()).filter(Boolean);
    return `${field} ${op} (${list.map((v) => literal(v, type)).join(', ')})`;
  }
  return `${field} ${op} ${literal(Array.isArray(values) ? values[0] : values, type)}`;
}

/** `text` with `test` joined on by `joiner` ('and' / 'or'); an or-joined tail is parenthesised as a whole. */
export function appendTest(text, test, joiner = 'and') {
  const base = String(text || '').trim();
  if (!base) return test;
  if (joiner === 'or') return `(${base}) or ${test}`;
  return `${base} and ${test}`;
}

/**
 * Split `text` at the server's `position` (0-based, counted in characters,
 * i.e. code points) into { line, column, before, at, after } of the line that
 * holds it, for showing a marker under the place. A position past the end
 * points just after the last character.
 */
export function locate(text, position) {
  const chars = Array.from(String(text ?? ''));
  const pos = Math.max(0, Math.min(Number(position) || 0, chars.length));
  let lineStart = 0;
  let line = 1;
  for (let i = 0; i < pos; i++) if (chars[i] === '\n') { line++; lineStart = i + 1; }
  let lineEnd = chars.indexOf('\n', pos);
  if (lineEnd < 0) lineEnd = chars.length;
  return {
    line,
    column: pos - lineStart + 1,
    before: chars.slice(lineStart, pos).join(''),
    at: pos < lineEnd ? chars[pos] : '',
    after: chars.slice(Math.min(pos + 1, lineEnd), lineEnd).join(''),
    // the place as a UTF-16 index (for setSelectionRange in a textarea)
    offset: chars.slice(0, pos).join('').length,
  };
}

/**
 * A change set { field: { from, to } } (custom fields possibly nested under
 * `custom`) as rows [{ field, from, to }].
 */
export function changeRows(changes) {
  const out = [];
  if (!changes || typeof changes !== 'object') return out;
  for (const [field, v] of Object.entries(changes)) {
    if (!v || typeof v !== 'object') continue;
    if ('from' in v || 'to' in v) out.push({ field, from: v.from, to: v.to });
    else if (field === 'custom') {
      for (const [k, cv] of Object.entries(v)) if (cv && typeof cv === 'object') out.push({ field: `custom.${k}`, from: cv.from, to: cv.to });
    }
  }
  return out;
}

/** Server error fields of one action row: { 'group_id': msg, '': msg for the row } from `actions[i].param`. */
export function actionErrors(errors, i) {
  const out = {};
  const prefix = `actions[${i}]`;
  for (const [field, msg] of Object.entries(errors)) {
    if (field === prefix || field === `${prefix}.type`) out[field === prefix ? '' : 'type'] = msg;
    else if (field.startsWith(`${prefix}.`)) {
      const param = field.slice(prefix.length + 1).split(/[.[]/)[0];
      out[param] = out[param] ? `${out[param]}; ${msg}` : msg;
    }
  }
  return out;
}
