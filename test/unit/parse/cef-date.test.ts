/**
 * CEF `rt` in every date format of the CEF specification ("Implementing ArcSight CEF", Date
 * Formats): round trips with fast-check, year inference, zones, and values that stay fields.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseCefDate, ZONES } from '../../../shared/parse/cef-date.js';
import { parseInput } from '../../../shared/parse/parse-payload.js';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const p2 = (n: number) => String(n).padStart(2, '0');
const p3 = (n: number) => String(n).padStart(3, '0');

/** Format `epochMs` in the zone `offset` (minutes east) as one of the spec's layouts. */
function format(epochMs: number, offset: number, zone: string | null, year: boolean, millis: boolean): string {
  const d = new Date(epochMs + offset * 60_000);
  let s = `${MONTHS[d.getUTCMonth()]} ${p2(d.getUTCDate())}`;
  if (year) s += ` ${d.getUTCFullYear()}`;
  s += ` ${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())}`;
  if (millis) s += `.${p3(d.getUTCMilliseconds())}`;
  if (zone !== null) s += ` ${zone}`;
  return s;
}

const numericZone = (offset: number, colon: boolean) =>
  `${offset < 0 ? '-' : '+'}${p2(Math.floor(Math.abs(offset) / 60))}${colon ? ':' : ''}${p2(Math.abs(offset) % 60)}`;

const instant = fc.integer({ min: Date.parse('2002-01-01T00:00:00Z'), max: Date.parse('2280-12-01T00:00:00Z') });
/** a zone text and its offset: a named abbreviation or a numeric offset */
const zone = fc.oneof(
  fc.constantFrom(...[...ZONES.entries()].map(([name, off]) => ({ text: name, offset: off }))),
  fc
    .tuple(fc.integer({ min: -14 * 60, max: 14 * 60 }), fc.boolean(), fc.constantFrom('', 'GMT', 'UTC'))
    .map(([offset, colon, prefix]) => ({ text: `${prefix}${numericZone(offset, colon)}`, offset })),
);

describe('parseCefDate: every format of the CEF specification', () => {
  it('round trips MMM dd yyyy HH:mm:ss[.SSS] zzz', () => {
    fc.assert(
      fc.property(instant, zone, fc.boolean(), (t, z, millis) => {
        const want = millis ? t : t - (t % 1000);
        const r = parseCefDate(format(want, z.offset, z.text, true, millis), 0);
        expect(r).toEqual({
          ok: true,
          time: { epochMs: want, offsetMinutes: z.offset, micros: 0, fractionDigits: millis ? 3 : 0 },
          inferred: false,
        });
      }),
    );
  });

  it('round trips MMM dd HH:mm:ss[.SSS] zzz: the year from a receive time up to a day earlier or months later', () => {
    fc.assert(
      fc.property(
        instant,
        zone,
        fc.boolean(),
        fc.integer({ min: -23 * 3600_000, max: 300 * 86_400_000 }),
        (t, z, millis, lag) => {
          const want = millis ? t : t - (t % 1000);
          const r = parseCefDate(format(want, z.offset, z.text, false, millis), want + lag);
          expect(r.ok && r.time.epochMs).toBe(want);
          expect(r.ok && r.inferred).toBe(true);
        },
      ),
    );
  });

  it('round trips the zone-less formats as UTC, flagged inferred', () => {
    fc.assert(
      fc.property(instant, fc.boolean(), fc.boolean(), (t, year, millis) => {
        const want = millis ? t : t - (t % 1000);
        const r = parseCefDate(format(want, 0, null, year, millis), want);
        expect(r).toMatchObject({ ok: true, time: { epochMs: want, offsetMinutes: 0 }, inferred: true });
      }),
    );
  });

  it('round trips epoch milliseconds (and 10-digit seconds)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1_000_000_000_000, max: 9_999_999_999_999 }), (t) => {
        expect(parseCefDate(String(t), 0)).toMatchObject({ ok: true, time: { epochMs: t }, inferred: false });
      }),
    );
    expect(parseCefDate('1768830060', 0)).toMatchObject({ ok: true, time: { epochMs: 1768830060000 } });
  });

  it('refuses what it cannot read exactly: unknown zones, impossible dates, other layouts', () => {
    for (const v of [
      'Jan 19 2026 10:41:00 IST',
      'Jan 19 2026 10:41:00 Mars/Olympus',
      'Feb 30 2026 10:41:00',
      'Jan 19 2026 24:00:00',
      'Foo 19 2026 10:41:00',
      '2026-01-19T10:41:00Z',
      'Jan 19 2026 10:41:00 +2400',
      'Jan 19 2026 10:41:00.12',
      '123',
    ]) {
      expect(parseCefDate(v, Date.parse('2026-02-01T00:00:00Z')).ok, v).toBe(false);
    }
    expect(parseCefDate('Jan 19 2026 10:41:00 IST', 0)).toEqual({ ok: false, reason: 'unknown time zone IST' });
  });
});

describe('CEF rt through parseInput (issue 19 point 8)', () => {
  const line = (rt: string) => `CEF:0|MT4|Segura|3|2|Password Changed|3|rt=${rt} suser=jsilva`;
  const received = Date.parse('2026-01-20T00:00:00Z');

  it('an ArcSight-style rt becomes the event time with its zone kept', () => {
    const e = parseInput(line('Jan 19 2026 10:41:00.123 -0300'), { receivedAtMs: received });
    expect(e.time).toEqual({ epochMs: 1768830060123, offsetMinutes: -180, micros: 0, fractionDigits: 3 });
    expect(e.fields).toEqual({ suser: 'jsilva' });
    expect(e.flags).not.toContain('timestamp-defaulted');
    expect(e.flags).not.toContain('timestamp-inferred');
  });

  it('a year-less or zone-less rt is kept and flagged timestamp-inferred', () => {
    const e = parseInput(line('Jan 19 13:41:00.123 GMT'), { receivedAtMs: received });
    expect(e.time?.epochMs).toBe(1768830060123);
    expect(e.flags).toContain('timestamp-inferred');
    expect(parseInput(line('Jan 19 2026 13:41:00'), { receivedAtMs: received }).flags).toContain('timestamp-inferred');
  });

  it("an rt with an unknown zone keeps today's behaviour: a field (labeled slot on output), receive time flagged", () => {
    const e = parseInput(line('Jan 19 2026 10:41:00 IST'), { receivedAtMs: received });
    expect(e.fields.rt).toBe('Jan 19 2026 10:41:00 IST');
    expect(e.time?.epochMs).toBe(received);
    expect(e.flags).toContain('timestamp-defaulted');
  });
});
