// Server field errors (problem+json `errors`: [{ field, message }]) for forms
// and tables whose fields are addressed by path, e.g. `transitions[3].to`.

/** { 'transitions[3].to': 'message', ... }; several messages for a field are joined. */
export function errorMap(err) {
  const out = {};
  for (const e of err?.problem?.errors || []) {
    const f = e?.field ?? '';
    out[f] = out[f] ? `${out[f]}; ${e.message}` : String(e?.message ?? '');
  }
  return out;
}

/** The message for `${list}[${i}].${field}` (or the whole row `${list}[${i}]`). */
export function rowError(map, list, i, field) {
  return map[`${list}[${i}].${field}`] || (field ? '' : map[`${list}[${i}]`]) || '';
}
