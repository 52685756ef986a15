/**
 * Timestamp text on the render hot path: RFC 5424 TIMESTAMP (`formatUtc`, formatted once per day
 * and per second from tables) and CEF `rt` (`epochMsText`, the first ten digits once per second).
 * Both caches must never show: every instant, in any order, is written as the plain arithmetic
 * would write it.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatUtc } from '../../../shared/model/time.js';
import { epochMsText } from '../../../shared/render/cef.js';

const MIN = 1_000_000_000_000;
const MAX = 9_999_999_999_999;
// runs of close instants (cache hits, second and day boundaries) and far jumps (misses)
const instants = fc.array(
  fc.oneof(
    fc.integer({ min: MIN, max: MAX }),
    fc.integer({ min: 0, max: 3 * 86_400_000 }).map((d) => 1_768_780_800_000 - 86_400_000 + d),
    fc.integer({ min: -1500, max: 1500 }).map((d) => 1_768_867_200_000 + d),
  ),
  { minLength: 1, maxLength: 40 },
);

describe('timestamp text', () => {
  it('formatUtc writes what Date#toISOString writes, with 3 or 6 fraction digits', () => {
    fc.assert(
      fc.property(instants, fc.integer({ min: 0, max: 999 }), (list, micros) => {
        for (const epochMs of list) {
          const iso = new Date(epochMs).toISOString();
          expect(formatUtc({ epochMs, offsetMinutes: 0, micros: 0, fractionDigits: 3 })).toBe(iso);
          expect(formatUtc({ epochMs, offsetMinutes: -180, micros, fractionDigits: 6 })).toBe(
            `${iso.slice(0, -1)}${String(micros).padStart(3, '0')}Z`,
          );
        }
      }),
      { numRuns: 500 },
    );
  });

  it('epochMsText is String(epochMs) for any number, in any order', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            instants.map((l) => l[0] as number),
            fc.double(),
            fc.integer(),
          ),
          { maxLength: 40 },
        ),
        (list) => {
          for (const ms of list) expect(epochMsText(ms)).toBe(String(ms));
        },
      ),
      { numRuns: 500 },
    );
  });

  it('examples', () => {
    expect(formatUtc({ epochMs: 1_768_830_060_123, offsetMinutes: 0, micros: 0, fractionDigits: 3 })).toBe(
      '2026-01-19T13:41:00.123Z',
    );
    expect(formatUtc({ epochMs: 1_768_830_060_004, offsetMinutes: 0, micros: 56, fractionDigits: 6 })).toBe(
      '2026-01-19T13:41:00.004056Z',
    );
    expect(epochMsText(1_768_830_060_004)).toBe('1768830060004');
    expect(epochMsText(1_768_830_060_999)).toBe('1768830060999');
    expect(epochMsText(1_768_830_061_000)).toBe('1768830061000');
  });
});
