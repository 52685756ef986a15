/**
 * The exact ledger of a run: every input is either seen at each destination exactly as rendered,
 * or sits in a DLQ with a reason. Expected lines are computed by rendering the inputs with the same
 * renderers; inputs without a timestamp (the relay stamps them with the SQS SentTimestamp) are
 * matched by count only. Duplicates are counted by the stable event id each line carries
 * (shared/model/event-uid.ts: CEF/LEEF `externalId`, ECS `event.id`, RFC 5424 SD `uid`), the way a
 * SIEM deduplicates; a line without one is compared whole.
 */
import { InvalidEventError } from '../shared/errors.js';
import { withUid } from '../shared/model/event-uid.js';
import { redactSecrets } from '../shared/model/secrets.js';
import type { SecurityEvent } from '../shared/model/security-event.js';
import { type ParseOptions, parseInput } from '../shared/parse/parse-payload.js';
import type { Renderer } from '../shared/render/index.js';
import { LOCAL_EVENT_ID_KEY } from './event-id-key.js';
import { passesFilter } from './filter-match.js';

/**
 * The event the local relay's normalize publishes for an ingest body: parsed, with its stable id
 * (the local key), secret-looking fields redacted (normalize's default). Throws InvalidEventError.
 */
function expectedEvent(body: string, opts: ParseOptions = {}): SecurityEvent {
  return redactSecrets(withUid(LOCAL_EVENT_ID_KEY, body, parseInput(body, opts)));
}

/** The stable event id a rendered line carries, or null (a format or variant that writes none). */
function uidOf(line: string): string | null {
  // ECS: event.id; otherwise the first externalId (CEF, LEEF under any delimiter) or SD uid: the
  // renderers write it before any vault field, so a field value cannot come first
  const m = line.startsWith('{')
    ? /"event":\{[^{}]*"id":"([0-9a-f]{32})"/.exec(line)
    : /(?:^|[^A-Za-z0-9_\\])(?:externalId=|uid=")([0-9a-f]{32})(?![0-9a-f])/.exec(line);
  return m?.[1] ?? null;
}

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

/**
 * Which inputs the relay must reject (ingest DLQ) and, for the rest, the expected line per
 * destination; a destination with a subscription filter policy (`filters`) expects only the events
 * the policy lets through (`filteredOut` counts the others).
 */
function expectations(
  bodies: readonly string[],
  renderers: ReadonlyMap<string, Renderer>,
  filters: ReadonlyMap<string, Readonly<Record<string, unknown>> | undefined> = new Map(),
) {
  const invalid: Array<{ index: number; reason: string }> = [];
  const expected = new Map<string, string[]>();
  const byCount = new Map<string, number>();
  const filteredOut = new Map<string, number>();
  for (const name of renderers.keys()) {
    expected.set(name, []);
    byCount.set(name, 0);
    filteredOut.set(name, 0);
  }
  bodies.forEach((b, index) => {
    let e: ReturnType<typeof parseInput>;
    try {
      // the relay's normalize adds the stable id and redacts secret-looking fields: expect what it sends
      e = expectedEvent(b);
    } catch (err) {
      if (err instanceof InvalidEventError) {
        invalid.push({ index, reason: err.message });
        return;
      }
      throw err;
    }
    for (const [name, r] of renderers) {
      if (!passesFilter(filters.get(name), e)) {
        filteredOut.set(name, (filteredOut.get(name) ?? 0) + 1);
        continue;
      }
      if (e.time === null) byCount.set(name, (byCount.get(name) ?? 0) + 1);
      else (expected.get(name) as string[]).push(r.render(e));
    }
  });
  return { invalid, expected, byCount, filteredOut };
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
  let unexpected = 0;
  for (const [line, n] of got) matched += Math.min(want.get(line) ?? 0, n);
  // duplicates by stable id: copies of an id beyond what the inputs hold (one, for an id no expected
  // line predicts: an event the relay stamped, whose line cannot be rendered in advance)
  const wantIds = new Map<string, number>();
  for (const l of expectedLines) {
    const id = uidOf(l);
    if (id !== null) wantIds.set(id, (wantIds.get(id) ?? 0) + 1);
  }
  const gotIds = new Map<string, number>();
  let duplicates = 0;
  for (const [line, n] of got) {
    const id = uidOf(line);
    const w = want.get(line) ?? 0;
    if (id === null) {
      // no id in this format: the whole line is the identity
      if (n > w) {
        if (w > 0) duplicates += n - w;
        else unexpected += n;
      }
      continue;
    }
    // a line no input predicts, under an id an expected line has: rendered differently (a bug)
    if (w === 0 && (wantIds.get(id) ?? 0) > 0) {
      unexpected += n;
      continue;
    }
    gotIds.set(id, (gotIds.get(id) ?? 0) + n);
  }
  for (const [id, n] of gotIds) {
    const w = wantIds.get(id) ?? 0;
    if (w === 0) {
      // an unpredicted id: one stamped (or unexpected) event, the rest are its duplicates
      unexpected += 1;
      duplicates += n - 1;
    } else if (n > w) duplicates += n - w;
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
export { expectations, expectedEvent, ledgerFor, uidOf };
