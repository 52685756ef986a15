/**
 * RFC 3339 / RFC 5424 §6.2.3 timestamps to `EventTime` (instant + original offset) and back.
 */
import type { EventTime } from './security-event.js';

const RFC3339 =
  /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:([Zz])|([+-])(\d{2}):?(\d{2}))$/;

/** Result of parsing: an EventTime, or the reason it is not one. */
type TimeParse = { ok: true; time: EventTime } | { ok: false; reason: string };

/**
 * Parse an RFC 3339 timestamp with a mandatory offset.
 * @example parseTimestamp('2026-01-19T10:41:00.123-03:00') // epochMs 1768830060123, offsetMinutes -180
 */
function parseTimestamp(s: string): TimeParse {
  const m = RFC3339.exec(s);
  if (!m) {
    return {
      ok: false,
      reason: `not an RFC 3339 timestamp with offset (expected e.g. 2026-01-19T10:41:00.123-03:00): ${JSON.stringify(s.slice(0, 40))}`,
    };
  }
  const [, y, mo, d, h, mi, se, frac, z, sign, oh, om] = m;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = Number(se);
  if (month < 1 || month > 12) return { ok: false, reason: `month ${mo} out of range` };
  const dim = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (day < 1 || day > dim) return { ok: false, reason: `day ${d} out of range for ${y}-${mo}` };
  if (hour > 23 || minute > 59) return { ok: false, reason: `time ${h}:${mi} out of range` };
  if (second === 60) return { ok: false, reason: 'leap second (:60) cannot be represented (RFC 5424 §6.2.3)' };
  if (second > 59) return { ok: false, reason: `second ${se} out of range` };
  let offsetMinutes = 0;
  if (!z) {
    const ohN = Number(oh);
    const omN = Number(om);
    if (ohN > 23 || omN > 59) return { ok: false, reason: `offset ${sign}${oh}:${om} out of range` };
    offsetMinutes = (sign === '-' ? -1 : 1) * (ohN * 60 + omN);
  }
  const digits = frac ?? '';
  const ms = digits ? Number(digits.slice(0, 3).padEnd(3, '0')) : 0;
  const micros = digits.length > 3 ? Number(digits.slice(3, 6).padEnd(3, '0')) : 0;
  const epochMs = Date.UTC(year, month - 1, day, hour, minute, second, ms) - offsetMinutes * 60_000;
  if (!Number.isFinite(epochMs)) return { ok: false, reason: 'timestamp out of range' };
  const fractionDigits = digits.length === 0 ? 0 : digits.length <= 3 ? 3 : 6;
  return { ok: true, time: { epochMs, offsetMinutes, micros, fractionDigits } };
}

/** EventTime from epoch milliseconds (UTC, millisecond precision). */
function timeFromEpochMs(epochMs: number): EventTime {
  return { epochMs, offsetMinutes: 0, micros: 0, fractionDigits: 3 };
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}
function pad3(n: number): string {
  return n < 10 ? `00${n}` : n < 100 ? `0${n}` : String(n);
}

/**
 * RFC 5424 TIMESTAMP in UTC: `YYYY-MM-DDTHH:MM:SS.mmmZ`, or 6 fraction digits when the source had
 * microseconds. Upper-case T and Z, no leap seconds (formats.md §2.1).
 */
function formatUtc(t: EventTime): string {
  const d = new Date(t.epochMs);
  const base = `${d.getUTCFullYear()}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())}T${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())}.${pad3(d.getUTCMilliseconds())}`;
  return t.fractionDigits === 6 ? `${base}${pad3(t.micros)}Z` : `${base}Z`;
}

/** RFC 3339 in the source's own offset, e.g. `2026-01-19T10:41:00.123-03:00` (ECS, LEEF). */
function formatWithOffset(t: EventTime): string {
  const d = new Date(t.epochMs + t.offsetMinutes * 60_000);
  const off = t.offsetMinutes;
  const sign = off < 0 ? '-' : '+';
  const abs = Math.abs(off);
  const tz = off === 0 ? 'Z' : `${sign}${pad2(Math.floor(abs / 60))}:${pad2(abs % 60)}`;
  const frac =
    t.fractionDigits === 6 ? `.${pad3(d.getUTCMilliseconds())}${pad3(t.micros)}` : `.${pad3(d.getUTCMilliseconds())}`;
  return `${d.getUTCFullYear()}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())}T${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())}${frac}${tz}`;
}

export type { TimeParse };
export { formatUtc, formatWithOffset, parseTimestamp, timeFromEpochMs };
