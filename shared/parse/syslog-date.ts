/**
 * Dates without a year (the BSD syslog header `Jan 19 10:41:00`, RFC 3164 §4.1.2) and the year rule
 * the relay applies to them.
 *
 * **Year rule.** A date without a year gets the year that puts it nearest to the receive time (the
 * SQS SentTimestamp) without being more than one day after it: of the receive year and the years
 * before and after it, the latest candidate that is not later than receive time + 24 h. So an event
 * written `Dec 31 23:59:59` and received on Jan 1 is last year's; one written `Jan 1 00:00:01` and
 * received on Dec 31 (a sender clock slightly ahead) is next year's; one a day or more in the future
 * is last year's. A date that exists in no candidate year (Feb 29 away from a leap year) has no time.
 * The event is flagged `timestamp-inferred`.
 * @see https://www.rfc-editor.org/rfc/rfc3164#section-4.1.2
 */

/** English month abbreviations as RFC 3164 and the CEF date formats write them (`Jan` … `Dec`). */
const MONTHS: ReadonlyMap<string, number> = new Map(
  ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'].map((m, i) => [m, i]),
);

/** How far after the receive time an inferred date may lie (a sender clock running ahead). */
const FUTURE_SLACK_MS = 86_400_000;

/** Month index 0–11 of a three-letter English abbreviation (any case), or -1. */
function monthIndex(s: string): number {
  if (s.length !== 3) return -1;
  const m = MONTHS.get(s.charAt(0).toUpperCase() + s.slice(1).toLowerCase());
  return m === undefined ? -1 : m;
}

/** UTC epoch ms of a calendar date, or NaN when the date does not exist (Feb 30, Feb 29 of 2027). */
function utcOf(year: number, month: number, day: number, h: number, mi: number, s: number, ms: number): number {
  if (h > 23 || mi > 59 || s > 59 || ms > 999 || day < 1 || month < 0 || month > 11) return Number.NaN;
  const t = Date.UTC(year, month, day, h, mi, s, ms);
  // Date.UTC rolls Feb 30 over into March: a date that rolled over does not exist
  return new Date(t).getUTCDate() === day ? t : Number.NaN;
}

/**
 * The wall-clock instant (as UTC ms, before any zone offset is applied) of a date without a year,
 * by the year rule above, or NaN when the date exists in no candidate year.
 * @example inferYear(0, 19, 10, 41, 0, 0, Date.UTC(2026, 0, 19, 13, 41)) // Date.UTC(2026, 0, 19, 10, 41)
 */
function inferYear(
  month: number,
  day: number,
  h: number,
  mi: number,
  s: number,
  ms: number,
  receivedAtMs: number,
  offsetMinutes = 0,
): number {
  const y = new Date(receivedAtMs).getUTCFullYear();
  const latest = receivedAtMs + FUTURE_SLACK_MS;
  for (const year of [y + 1, y, y - 1]) {
    const wall = utcOf(year, month, day, h, mi, s, ms);
    if (!Number.isNaN(wall) && wall - offsetMinutes * 60_000 <= latest) return wall;
  }
  return Number.NaN;
}

export { FUTURE_SLACK_MS, inferYear, MONTHS, monthIndex, utcOf };
