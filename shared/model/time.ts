/**
 * RFC 3339 / RFC 5424 §6.2.3 timestamps to `EventTime` (instant + original offset) and back.
 */
import type { EventTime } from './security-event.js';

/** Result of parsing: an EventTime, or the reason it is not one. */
type TimeParse = { ok: true; time: EventTime } | { ok: false; reason: string };

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function isLeap(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}

/** Digits at s[i..i+n) as a number, or -1 if any is not a digit. */
function digits(s: string, i: number, n: number): number {
  let v = 0;
  for (let k = i; k < i + n; k++) {
    const c = s.charCodeAt(k) - 48;
    if (c < 0 || c > 9) return -1;
    v = v * 10 + c;
  }
  return v;
}

/**
 * Parse an RFC 3339 timestamp with a mandatory offset (hand-written: this runs once per event).
 * @example parseTimestamp('2026-01-19T10:41:00.123-03:00') // epochMs 1768830060123, offsetMinutes -180
 */
function parseTimestamp(s: string): TimeParse {
  const bad = (): TimeParse => ({
    ok: false,
    reason: `not an RFC 3339 timestamp with offset (expected e.g. 2026-01-19T10:41:00.123-03:00): ${JSON.stringify(s.slice(0, 40))}`,
  });
  if (s.length < 20 || s.length > 40) return bad();
  const year = digits(s, 0, 4);
  const month = digits(s, 5, 2);
  const day = digits(s, 8, 2);
  const hour = digits(s, 11, 2);
  const minute = digits(s, 14, 2);
  const second = digits(s, 17, 2);
  const t = s.charCodeAt(10);
  if (
    year < 0 ||
    month < 0 ||
    day < 0 ||
    hour < 0 ||
    minute < 0 ||
    second < 0 ||
    s.charCodeAt(4) !== 45 ||
    s.charCodeAt(7) !== 45 ||
    (t !== 84 && t !== 116 && t !== 32) ||
    s.charCodeAt(13) !== 58 ||
    s.charCodeAt(16) !== 58
  ) {
    return bad();
  }
  let i = 19;
  let fracDigits = 0;
  let ms = 0;
  let micros = 0;
  if (s.charCodeAt(i) === 46) {
    i++;
    const start = i;
    while (i < s.length) {
      const c = s.charCodeAt(i) - 48;
      if (c < 0 || c > 9) break;
      if (i - start < 3) ms = ms * 10 + c;
      else if (i - start < 6) micros = micros * 10 + c;
      i++;
    }
    fracDigits = i - start;
    if (fracDigits === 0 || fracDigits > 9) return bad();
    for (let k = fracDigits; k < 3; k++) ms *= 10;
    if (fracDigits > 3) for (let k = Math.min(fracDigits, 6); k < 6; k++) micros *= 10;
  }
  let offsetMinutes = 0;
  const z = s.charCodeAt(i);
  if (z === 90 || z === 122) {
    if (i + 1 !== s.length) return bad();
  } else if (z === 43 || z === 45) {
    const oh = digits(s, i + 1, 2);
    const colon = s.charCodeAt(i + 3) === 58 ? 1 : 0;
    const om = digits(s, i + 3 + colon, 2);
    if (oh < 0 || om < 0 || i + 5 + colon !== s.length) return bad();
    if (oh > 23 || om > 59) return { ok: false, reason: `offset ${s.slice(i)} out of range` };
    offsetMinutes = (z === 45 ? -1 : 1) * (oh * 60 + om);
  } else {
    return bad();
  }
  if (month < 1 || month > 12) return { ok: false, reason: `month ${month} out of range` };
  const dim = month === 2 && isLeap(year) ? 29 : (DAYS_IN_MONTH[month - 1] as number);
  if (day < 1 || day > dim) return { ok: false, reason: `day ${day} out of range for ${s.slice(0, 7)}` };
  if (hour > 23 || minute > 59) return { ok: false, reason: `time ${s.slice(11, 16)} out of range` };
  if (second === 60) return { ok: false, reason: 'leap second (:60) cannot be represented (RFC 5424 §6.2.3)' };
  if (second > 59) return { ok: false, reason: `second ${second} out of range` };
  // Date.UTC maps years 0–99 to 1900–1999: shift by 400 Gregorian years (same calendar) and back
  const utc =
    year < 100
      ? Date.UTC(year + 400, month - 1, day, hour, minute, second, ms) - 12_622_780_800_000
      : Date.UTC(year, month - 1, day, hour, minute, second, ms);
  const epochMs = utc - offsetMinutes * 60_000;
  if (!inRange(epochMs)) return { ok: false, reason: RANGE_REASON };
  const fractionDigits = fracDigits === 0 ? 0 : fracDigits <= 3 ? 3 : 6;
  return { ok: true, time: { epochMs, offsetMinutes, micros, fractionDigits } };
}

/**
 * Instants the relay accepts: CEF `rt` must be unambiguous epoch milliseconds (13 digits: a
 * 10-digit `rt` is read as seconds by many parsers), which spans 2001-09-09T01:46:40Z up to
 * 2286-11-20T17:46:40Z. Vault events outside it are input errors.
 */
const MIN_EPOCH_MS = 1_000_000_000_000;
const MAX_EPOCH_MS = 9_999_999_999_999;
const RANGE_REASON =
  'timestamp outside 2001-09-09T01:46:40Z … 2286-11-20T17:46:39Z (CEF rt needs 13-digit epoch milliseconds)';

function inRange(epochMs: number): boolean {
  return Number.isFinite(epochMs) && epochMs >= MIN_EPOCH_MS && epochMs <= MAX_EPOCH_MS;
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
 * microseconds. Upper-case T and Z, no leap seconds (docs/formats.md §2.1).
 */
// Events arrive in time order, so consecutive events usually share the same second, and nearly
// always the same day: the date part is formatted once per day, the time of day from tables.
let lastSecond = Number.NaN;
let lastSecondText = '';
let lastDay = Number.NaN;
let lastDayText = '';
/** `00`…`99` and `000`…`999` */
const PAD2 = Array.from({ length: 100 }, (_, i) => pad2(i));
const PAD3 = Array.from({ length: 1000 }, (_, i) => pad3(i));

function formatUtc(t: EventTime): string {
  const sec = Math.floor(t.epochMs / 1000);
  const ms = t.epochMs - sec * 1000;
  if (sec !== lastSecond) {
    const day = Math.floor(sec / 86_400);
    if (day !== lastDay) {
      const d = new Date(day * 86_400_000);
      lastDayText = `${d.getUTCFullYear()}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())}T`;
      lastDay = day;
    }
    const s = sec - day * 86_400;
    const m = Math.floor(s / 60);
    lastSecondText = `${lastDayText}${PAD2[Math.floor(m / 60)]}:${PAD2[m % 60]}:${PAD2[s % 60]}.`;
    lastSecond = sec;
  }
  // a fractional epochMs or micros (never from the parser) falls back to the arithmetic
  const msText = PAD3[ms] ?? pad3(ms);
  return t.fractionDigits === 6
    ? `${lastSecondText}${msText}${PAD3[t.micros] ?? pad3(t.micros)}Z`
    : `${lastSecondText}${msText}Z`;
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
export { formatUtc, formatWithOffset, inRange, parseTimestamp, RANGE_REASON, timeFromEpochMs };
