/**
 * CEF date values (`rt`) in every format the CEF specification lists (ArcSight "Implementing
 * ArcSight CEF", rev. 25, "Date Formats"):
 *
 * - milliseconds since the epoch (13 digits; 10 digits are read as seconds, as some producers write)
 * - `MMM dd yyyy HH:mm:ss.SSS zzz`, `MMM dd yyyy HH:mm:ss.SSS`, `MMM dd yyyy HH:mm:ss zzz`,
 *   `MMM dd yyyy HH:mm:ss`
 * - `MMM dd HH:mm:ss.SSS zzz`, `MMM dd HH:mm:ss.SSS`, `MMM dd HH:mm:ss zzz`, `MMM dd HH:mm:ss`
 *
 * `zzz` is `UTC`, `GMT`, `Z`, a numeric offset (`+0300`, `-03:00`, `GMT-03:00`) or one of the
 * abbreviations in `ZONES` (read as Java's SimpleDateFormat reads them, which is what ArcSight
 * writes with: `CST` is US Central). A value without a year gets one by the rule in
 * syslog-date.ts; a value without a zone is read as UTC; both are flagged `timestamp-inferred`. An
 * unknown zone (`IST`: India, Israel or Ireland?) is not guessed: the value is not a time.
 * @see https://www.microfocus.com/documentation/arcsight/arcsight-smartconnectors-8.4/pdfdoc/cef-implementation-standard/cef-implementation-standard.pdf
 */
import type { EventTime } from '../model/security-event.js';
import { inRange } from '../model/time.js';
import { inferYear, monthIndex, utcOf } from './syslog-date.js';

/** Zone abbreviations accepted in a CEF date, in minutes east of UTC. Ambiguous ones are left out. */
const ZONES: ReadonlyMap<string, number> = new Map([
  ['UTC', 0],
  ['GMT', 0],
  ['Z', 0],
  ['UT', 0],
  ['WET', 0],
  ['WEST', 60],
  ['CET', 60],
  ['CEST', 120],
  ['EET', 120],
  ['EEST', 180],
  ['MSK', 180],
  ['BRT', -180],
  ['BRST', -120],
  ['ART', -180],
  ['EST', -300],
  ['EDT', -240],
  ['CST', -360],
  ['CDT', -300],
  ['MST', -420],
  ['MDT', -360],
  ['PST', -480],
  ['PDT', -420],
  ['AKST', -540],
  ['AKDT', -480],
  ['HST', -600],
  ['JST', 540],
  ['KST', 540],
  ['AEST', 600],
  ['AEDT', 660],
]);

/** `MMM dd [yyyy] HH:mm:ss[.SSS][ zzz]` */
const CEF_DATE = /^([A-Za-z]{3}) (\d{1,2}) (?:(\d{4}) )?(\d\d):(\d\d):(\d\d)(?:\.(\d{3}))?(?: (\S{1,12}))?$/;
const NUMERIC_ZONE = /^(?:GMT|UTC)?([+-])(\d\d):?(\d\d)$/;
const EPOCH = /^(\d{10}|\d{13})$/;

type CefDate =
  | { readonly ok: true; readonly time: EventTime; readonly inferred: boolean }
  | { readonly ok: false; readonly reason: string };

/** Minutes east of UTC of a zone text, or undefined when it is not one the relay reads. */
function zoneOffset(z: string): number | undefined {
  const named = ZONES.get(z.toUpperCase());
  if (named !== undefined) return named;
  const m = NUMERIC_ZONE.exec(z);
  if (m === null) return undefined;
  const h = Number(m[2]);
  const mi = Number(m[3]);
  if (h > 23 || mi > 59) return undefined;
  return (m[1] === '-' ? -1 : 1) * (h * 60 + mi);
}

/**
 * Parse a CEF date value. `receivedAtMs` gives a year-less date its year.
 * @example parseCefDate('Jan 19 2026 10:41:00.123 -0300', 0) // ok, epochMs 1768830060123, offset -180
 */
function parseCefDate(s: string, receivedAtMs: number): CefDate {
  const v = s.trim();
  if (EPOCH.test(v)) {
    const ms = Number(v.length === 10 ? `${v}000` : v);
    if (!inRange(ms)) return { ok: false, reason: 'outside the accepted range' };
    return { ok: true, time: { epochMs: ms, offsetMinutes: 0, micros: 0, fractionDigits: 3 }, inferred: false };
  }
  const m = CEF_DATE.exec(v);
  if (m === null) return { ok: false, reason: 'not a CEF date format' };
  const [, mon, dd, yyyy, hh, mi, ss, sss, zone] = m;
  const month = monthIndex(mon as string);
  if (month === -1) return { ok: false, reason: `unknown month ${mon}` };
  let offset = 0;
  if (zone !== undefined) {
    const z = zoneOffset(zone);
    if (z === undefined) return { ok: false, reason: `unknown time zone ${zone}` };
    offset = z;
  }
  const parts = [Number(dd), Number(hh), Number(mi), Number(ss), sss === undefined ? 0 : Number(sss)] as const;
  const wall =
    yyyy === undefined ? inferYear(month, ...parts, receivedAtMs, offset) : utcOf(Number(yyyy), month, ...parts);
  if (Number.isNaN(wall)) return { ok: false, reason: 'no such date' };
  const epochMs = wall - offset * 60_000;
  if (!inRange(epochMs)) return { ok: false, reason: 'outside the accepted range' };
  return {
    ok: true,
    time: { epochMs, offsetMinutes: offset, micros: 0, fractionDigits: sss === undefined ? 0 : 3 },
    inferred: yyyy === undefined || zone === undefined,
  };
}

export type { CefDate };
export { parseCefDate, ZONES, zoneOffset };
