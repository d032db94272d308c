// Business calendars through the API: create, read, replace with a version,
// delete; validation errors that name the field; iCalendar export and import
// (a Chinese holiday arrangement with make-up working days); and business-time
// arithmetic, across a weekend, a holiday and a daylight-saving change.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../lib/server.mjs';
import { client, assertProblem, tag } from './client.mjs';

const WEEKDAYS = { mon: [['09:00', '12:00'], ['13:30', '18:00']], tue: [['09:00', '12:00'], ['13:30', '18:00']],
  wed: [['09:00', '12:00'], ['13:30', '18:00']], thu: [['09:00', '12:00'], ['13:30', '18:00']],
  fri: [['09:00', '12:00'], ['13:30', '18:00']] };

// 2026 National Day in the style of the State Council's notice: 10-01..10-07
// off, Sunday 09-27 and Saturday 10-10 worked.
const NATIONAL_DAY = ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//test//CN holidays//ZH', 'X-WR-TIMEZONE:Asia/Shanghai',
  'BEGIN:VEVENT', 'UID:nd2026@test', 'DTSTAMP:20261101T000000Z', 'DTSTART;VALUE=DATE:20261001',
  'DTEND;VALUE=DATE:20261008', 'SUMMARY:国庆节', 'END:VEVENT',
  'BEGIN:VEVENT', 'UID:nd2026-w1@test', 'DTSTAMP:20261101T000000Z', 'DTSTART;VALUE=DATE:20260927',
  'SUMMARY:国庆节补班', 'CATEGORIES:WORKDAY', 'END:VEVENT',
  'BEGIN:VEVENT', 'UID:nd2026-w2@test', 'DTSTAMP:20261101T000000Z', 'DTSTART;VALUE=DATE:20261010',
  'SUMMARY:国庆节补班', 'CATEGORIES:WORKDAY', 'END:VEVENT', 'END:VCALENDAR', ''].join('\r\n');

describe('business calendars', { timeout: 30000 }, () => {
  let server, api;
  before(async () => {
    server = await startServer();
    api = client(server.url, { token: server.token });
  });
  after(async () => { await server?.close(); });

  const create = async (body) => {
    const r = await api.post('/api/v1/calendars', body);
    assert.equal(r.status, 201, r.text);
    return r.body;
  };

  it('the 24x7 calendar is there from the start', async () => {
    const r = await api.get('/api/v1/calendars');
    assert.equal(r.status, 200);
    const c = r.body.items.find((x) => x.name === '24x7');
    assert.ok(c, JSON.stringify(r.body.items.map((x) => x.name)));
    for (const d of ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun']) assert.deepEqual(c.week[d], [['00:00', '24:00']]);
  });

  it('creates, reads, replaces with the version it read, and deletes', async () => {
    const name = tag('China mainland');
    const c = await create({ name, time_zone: 'Asia/Shanghai', week: WEEKDAYS });
    assert.equal(c.version, 1);
    assert.deepEqual(c.week.sat, [], 'normalised: every weekday is present');
    const got = await api.get(`/api/v1/calendars/${c.id}`);
    assert.equal(got.status, 200);
    assert.equal(got.body.name, name);
    const put = await api.put(`/api/v1/calendars/${c.id}`, { ...got.body, id: undefined, created_at: undefined,
      updated_at: undefined, holidays: [{ date: '2026-12-24', from: '13:00', to: '24:00', name: 'Christmas Eve' }] });
    assert.equal(put.status, 200, put.text);
    assert.equal(put.body.version, 2);
    assert.deepEqual(put.body.holidays, [{ date: '2026-12-24', from: '13:00', to: '24:00', name: 'Christmas Eve' }]);
    const stale = await api.put(`/api/v1/calendars/${c.id}`, { name, time_zone: 'UTC', week: WEEKDAYS, version: 1 });
    const p = assertProblem(stale, 409, 'version');
    assert.equal(p.version, 2, 'the 409 carries the current calendar');
    assert.equal((await api.del(`/api/v1/calendars/${c.id}`)).status, 204);
    assertProblem(await api.get(`/api/v1/calendars/${c.id}`), 404);
    assertProblem(await api.del(`/api/v1/calendars/${c.id}`), 404);
  });

  it('refuses bad definitions, naming the field', async () => {
    const base = { name: tag('bad'), time_zone: 'Asia/Shanghai', week: WEEKDAYS };
    const cases = [
      [{ ...base, name: undefined }, 'name'],
      [{ ...base, time_zone: 'Mars/Olympus' }, 'time_zone'],
      [{ ...base, week: { mon: [['09:00', '25:00']] } }, 'week.mon[0][1]'],
      [{ ...base, week: { mon: [['12:00', '09:00']] } }, 'week.mon[0]'],
      [{ ...base, holidays: [{ date: '2026-02-30' }] }, 'holidays[0].date'],
      [{ ...base, holidays: [{ date: '2026-10-01' }], working_days: [{ date: '2026-10-01' }] }, 'working_days[0].date'],
      [{ ...base, colour: 'red' }, 'colour'],
    ];
    for (const [body, field] of cases) {
      const r = await api.post('/api/v1/calendars', body);
      assertProblem(r, 422, field, JSON.stringify(body).slice(0, 120));
    }
    assertProblem(await api.post('/api/v1/calendars', { name: '24x7', time_zone: 'UTC', week: WEEKDAYS }), 422, 'name');
  });

  it('imports a holiday arrangement from iCalendar and exports it back', async () => {
    const c = await create({ name: tag('CN'), time_zone: 'Asia/Shanghai', week: WEEKDAYS });
    const r = await api.post(`/api/v1/calendars/${c.id}/ics`, { ics: NATIONAL_DAY, mode: 'replace', version: c.version });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.holidays.length, 7);
    assert.equal(r.body.holidays[0].name, '国庆节');
    assert.deepEqual(r.body.working_days.map((w) => w.date), ['2026-09-27', '2026-10-10']);
    // a working Sunday counts; the holiday week does not
    const bt = (q) => api.get(`/api/v1/calendars/${c.id}/business-time?${q}`);
    const sunday = await bt('from=2026-09-26T16:00:00Z&to=2026-09-27T16:00:00Z'); // Sunday 09-27, Shanghai
    assert.equal(sunday.body.business_minutes, 450, JSON.stringify(sunday.body));
    const week = await bt('from=2026-09-30T16:00:00Z&to=2026-10-07T16:00:00Z');
    assert.equal(week.body.business_minutes, 0);
    // 60 minutes from the last business hour before the holidays lands after them
    const due = await bt('from=2026-09-30T09:30:00Z&minutes=60'); // 17:30 Shanghai on 09-30
    assert.equal(due.body.due_at, '2026-10-08T01:30:00.000Z'); // 09:30 on 10-08
    const ics = await api.call('GET', `/api/v1/calendars/${c.id}/ics`);
    assert.equal(ics.status, 200);
    assert.match(ics.headers.get('content-type'), /^text\/calendar/);
    assert.match(ics.text, /DTSTART;VALUE=DATE:20261001/);
    assert.match(ics.text, /CATEGORIES:WORKDAY/);
    // the export reads back to the same days in another calendar
    const d = await create({ name: tag('CN copy'), time_zone: 'Asia/Shanghai', week: WEEKDAYS });
    const back = await api.post(`/api/v1/calendars/${d.id}/ics`, { ics: ics.text, version: d.version });
    assert.equal(back.status, 200, back.text);
    assert.deepEqual(back.body.holidays, r.body.holidays);
    assert.deepEqual(back.body.working_days, r.body.working_days);
    // bad input
    assertProblem(await api.post(`/api/v1/calendars/${c.id}/ics`, { ics: 'not a calendar', version: 2 }), 422);
    assertProblem(await api.post(`/api/v1/calendars/${c.id}/ics`, { ics: NATIONAL_DAY, mode: 'append', version: 2 }), 422, 'mode');
    assertProblem(await api.post(`/api/v1/calendars/${c.id}/ics`, { ics: NATIONAL_DAY, version: 1 }), 409, 'version');
  });

  it('counts business time across a daylight-saving change (America/New_York)', async () => {
    const c = await create({ name: tag('NY'), time_zone: 'America/New_York',
      week: { sat: [['00:00', '24:00']], sun: [['00:00', '24:00']] } });
    // 2026-11-01 is the fall-back Sunday: that local day lasts 25 hours
    const r = await api.get(`/api/v1/calendars/${c.id}/business-time?from=2026-11-01T04:00:00Z&to=2026-11-02T05:00:00Z`);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.business_minutes, 25 * 60);
  });

  it('answers bad business-time parameters with 400 naming them', async () => {
    const p = '/api/v1/calendars/1/business-time';
    assertProblem(await api.get(`${p}?minutes=10`), 400, 'from');
    assertProblem(await api.get(`${p}?from=yesterday&minutes=10`), 400, 'from');
    assertProblem(await api.get(`${p}?from=2026-11-23T00:00:00Z`), 400, 'minutes');
    assertProblem(await api.get(`${p}?from=2026-11-23T00:00:00Z&minutes=-5`), 400, 'minutes');
    assertProblem(await api.get(`${p}?from=2026-11-23T00:00:00Z&minutes=5&frobnicate=1`), 400, 'frobnicate');
    assertProblem(await api.get('/api/v1/calendars/999999/business-time?from=2026-11-23T00:00:00Z&minutes=5'), 404);
    const ok = await api.get(`${p}?from=2026-11-23T00:00:00Z&minutes=90`);
    assert.equal(ok.body.due_at, '2026-11-23T01:30:00.000Z', '24x7 in UTC');
  });
});
