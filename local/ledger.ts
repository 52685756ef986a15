/**
 * The exact ledger of a run: every input is either seen at each destination exactly as rendered,
 * or sits in a DLQ with a reason. Expected lines are computed by rendering the inputs with the same
 * renderers; inputs without a timestamp (the relay stamps them with the SQS SentTimestamp) are
 * matched by count only.
 */
import { InvalidEventError } from '../shared/errors.js';
import { redactSecrets } from '../shared/model/secrets.js';
import { parseInput } from '../shared/parse/parse-payload.js';
import type { Renderer } from '../shared/render/index.js';

interface DestinationLedger {
  readonly name: string;
  readonly expected: number;
  readonly delivered: number;
  /** expected events not (yet) seen at the destination */
  readonly missing: number;
  /** lines received more than once (at-least-once redeliveries) */
  readonly duplicates: number;
  /** lines received that match no input (should be 0) */
  readonly unexpected: number;
  /** events that reached the destination's DLQ instead */
  readonly inDlq: number;
}

function countLines(lines: readonly string[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const l of lines) m.set(l, (m.get(l) ?? 0) + 1);
  return m;
}

/** Which inputs the relay must reject (ingest DLQ) and, for the rest, the expected line per destination. */
function expectations(bodies: readonly string[], renderers: ReadonlyMap<string, Renderer>) {
  const invalid: Array<{ index: number; reason: string }> = [];
  const expected = new Map<string, string[]>();
  const byCount = new Map<string, number>();
  for (const name of renderers.keys()) {
    expected.set(name, []);
    byCount.set(name, 0);
  }
  bodies.forEach((b, index) => {
    let e: ReturnType<typeof parseInput>;
    try {
      // the relay's normalize redacts secret-looking fields by default: expect what it sends
      e = redactSecrets(parseInput(b));
    } catch (err) {
      if (err instanceof InvalidEventError) {
        invalid.push({ index, reason: err.message });
        return;
      }
      throw err;
    }
    for (const [name, r] of renderers) {
      if (e.time === null) byCount.set(name, (byCount.get(name) ?? 0) + 1);
      else (expected.get(name) as string[]).push(r.render(e));
    }
  });
  return { invalid, expected, byCount };
}

function ledgerFor(
  name: string,
  expectedLines: readonly string[],
  byCount: number,
  received: readonly string[],
  inDlq: number,
): DestinationLedger {
  const want = countLines(expectedLines);
  const got = countLines(received);
  let matched = 0;
  let duplicates = 0;
  let unexpected = 0;
  for (const [line, n] of got) {
    const w = want.get(line) ?? 0;
    matched += Math.min(w, n);
    if (n > w) {
      if (w > 0) duplicates += n - w;
      else unexpected += n;
    }
  }
  // lines of events the relay stamped itself cannot be predicted: count them against byCount
  const stamped = Math.min(unexpected, byCount);
  unexpected -= stamped;
  const expected = expectedLines.length + byCount;
  const delivered = matched + stamped;
  return {
    name,
    expected,
    delivered,
    missing: Math.max(0, expected - delivered - inDlq),
    duplicates,
    unexpected,
    inDlq,
  };
}

export type { DestinationLedger };
export { expectations, ledgerFor };
