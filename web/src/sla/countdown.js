// What a ticket's SLA countdown shows, from the ticket's `sla` summary
// ({state, due_at, warning_at, paused, breached}) and the time now: pure, so
// the component only adds the ticking and the words.

const MIN = 60000;

/**
 * { state, minutes }: state is 'breached' (past due or a clock missed),
 * 'warning' (from warning_at), 'running', 'paused', 'achieved' or 'none';
 * minutes the whole minutes left (running/warning) or overdue (breached past
 * its due time), else null.
 */
export function countdown(sla, now = Date.now()) {
  if (!sla) return { state: 'none', minutes: null };
  const due = sla.due_at ? Date.parse(sla.due_at) : NaN;
  const warn = sla.warning_at ? Date.parse(sla.warning_at) : NaN;
  if (Number.isNaN(due)) {
    if (sla.breached || sla.state === 'breached') return { state: 'breached', minutes: null };
    return { state: sla.state === 'paused' ? 'paused' : 'achieved', minutes: null };
  }
  if (now > due) return { state: 'breached', minutes: Math.max(1, Math.ceil((now - due) / MIN)), overdue: true };
  const left = Math.ceil((due - now) / MIN);
  if (sla.breached || sla.state === 'breached') return { state: 'breached', minutes: left, overdue: false };
  if (!Number.isNaN(warn) && now >= warn) return { state: 'warning', minutes: left };
  return { state: 'running', minutes: left };
}

/**
 * Minutes as "3d 4h", "2h 14m", "35m" with the language's unit words ({n} in
 * sla.unit.d/h/m); `days: false` for business time ("40h", not "1d 16h").
 */
export function durationText(minutes, t, { days = true } = {}) {
  const m = Math.max(0, Math.round(Math.abs(minutes)));
  const d = days ? Math.floor(m / 1440) : 0;
  const h = Math.floor((m - d * 1440) / 60);
  const mm = m % 60;
  if (d) return [t('sla.unit.d', { n: d }), h ? t('sla.unit.h', { n: h }) : ''].filter(Boolean).join(' ');
  if (h) return [t('sla.unit.h', { n: h }), mm ? t('sla.unit.m', { n: mm }) : ''].filter(Boolean).join(' ');
  return t('sla.unit.m', { n: mm });
}

/** durationText's options for business time (targets, time used). */
export const BUSINESS = Object.freeze({ days: false });
