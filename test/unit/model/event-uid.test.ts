/**
 * The stable event id (issue 19 point 9): the same across retries, redrives (a new SQS message:
 * new MessageId, SentTimestamp and deduplication id) and destinations; keyed; and the fault
 * ledger counts duplicates by it.
 */
import { PublishBatchCommand, SNSClient } from '@aws-sdk/client-sns';
import type { SQSRecord } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { normalizeBatch } from '../../../functions/normalize/normalize.js';
import { ledgerFor, uidOf } from '../../../local/ledger.js';
import { EventIdKey, EventIdKeyError, eventUid, withUid } from '../../../shared/model/event-uid.js';
import { fromWire, toWire } from '../../../shared/model/wire.js';
import { parseInput } from '../../../shared/parse/parse-payload.js';
import { createRenderer, FORMATS } from '../../../shared/render/index.js';
import { normalizeDeps } from '../../helpers/normalize-deps.js';

const KEY = new EventIdKey('k'.repeat(40));
const OTHER = new EventIdKey('o'.repeat(40));
const LINE =
  '<13>1 2026-01-19T13:41:00.123Z vault-01 Segura 1426 164 - CEF:0|MT4|Segura|3|164|Password Viewed|5|suser=jsilva';
const NO_TIME = 'CEF:0|MT4|Segura|3|164|Password Viewed|5|suser=jsilva';
const BSD = '<9>Jan 19 10:41:00 vault-01 Segura[1426]: CEF:0|MT4|Segura|3|2|Password Changed|3|suser=jsilva';

describe('eventUid', () => {
  it('is 32 hex digits, keyed: another key gives another id', () => {
    const e = parseInput(LINE);
    expect(eventUid(KEY, LINE, e)).toMatch(/^[0-9a-f]{32}$/);
    expect(eventUid(OTHER, LINE, e)).not.toBe(eventUid(KEY, LINE, e));
    expect(() => new EventIdKey('short')).toThrow(EventIdKeyError);
  });

  it('does not depend on the receive time: a stamped or inferred time is left out', () => {
    for (const payload of [LINE, NO_TIME, BSD]) {
      const a = eventUid(KEY, payload, parseInput(payload, { receivedAtMs: Date.parse('2026-01-19T13:41:05Z') }));
      const b = eventUid(KEY, payload, parseInput(payload, { receivedAtMs: Date.parse('2026-12-31T23:00:00Z') }));
      expect(a, payload).toBe(b);
    }
  });

  it('differs for different payloads (fast-check: no two distinct lines share an id)', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 40 }), fc.string({ minLength: 1, maxLength: 40 }), (x, y) => {
        fc.pre(x !== y);
        const a = `CEF:0|MT4|Segura|3|164|n|5|msg=${x.replace(/[\r\n]/g, ' ')}`;
        const b = `CEF:0|MT4|Segura|3|164|n|5|msg=${y.replace(/[\r\n]/g, ' ')}`;
        fc.pre(a !== b);
        expect(eventUid(KEY, a, parseInput(a, { receivedAtMs: 0 }))).not.toBe(
          eventUid(KEY, b, parseInput(b, { receivedAtMs: 0 })),
        );
      }),
    );
  });

  it('travels on the wire and every format writes the same id', () => {
    const e = fromWire(toWire(withUid(KEY, LINE, parseInput(LINE))));
    const id = e.uid as string;
    expect(id).toMatch(/^[0-9a-f]{32}$/);
    expect(createRenderer('cef').render(e)).toContain(` externalId=${id} `);
    expect(createRenderer('leef').render(e)).toContain(`^externalId=${id}^`);
    expect(JSON.parse(createRenderer('ecs').render(e)).event.id).toBe(id);
    expect(createRenderer('rfc5424', { sdId: 'segura@32473' }).render(e)).toContain(` uid="${id}"]`);
    for (const f of FORMATS)
      expect(uidOf(createRenderer(f, f === 'rfc5424' ? { msg: 'kv', sdId: 'segura@32473' } : {}).render(e)), f).toBe(
        id,
      );
    expect(() => fromWire(toWire({ ...e, uid: 'not-hex' }))).toThrow(/uid/);
  });

  it('a vault field named externalId is kept, never confused with the id', () => {
    const line = 'CEF:0|MT4|Segura|3|164|n|5|externalId=ticket-7 suser=jsilva';
    const e = withUid(KEY, line, parseInput(line));
    const cef = createRenderer('cef').render(e);
    expect(cef).toContain(`externalId=${e.uid}`);
    expect(cef).toContain('cs1Label=externalId cs1=ticket-7');
    expect(createRenderer('cef', { mode: 'compatible' }).render(e)).toContain('seguraExternalId=ticket-7');
    expect(createRenderer('leef').render(e)).toContain('^seguraExternalId=ticket-7');
    expect(uidOf(cef)).toBe(e.uid);
  });
});

describe('normalizeBatch: the id is the same for a redriven copy (new MessageId, SentTimestamp, dedup id)', () => {
  const sns = mockClient(SNSClient);
  afterEach(() => sns.reset());
  const rec = (id: string, body: string, sent: number, dedup?: string): SQSRecord => ({
    messageId: id,
    receiptHandle: `rh-${id}`,
    body,
    attributes: {
      ApproximateReceiveCount: '1',
      SentTimestamp: String(sent),
      SenderId: 'test',
      ApproximateFirstReceiveTimestamp: String(sent),
      ...(dedup ? { MessageDeduplicationId: dedup, MessageGroupId: 'g' } : {}),
    },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:us-east-1:111122223333:ingest',
    awsRegion: 'us-east-1',
  });

  it('publishes one uid per content, whatever the SQS message', async () => {
    sns.on(PublishBatchCommand).callsFake((input) => ({
      Successful: input.PublishBatchRequestEntries.map((e: { Id: string }) => ({ Id: e.Id, MessageId: 'x' })),
      Failed: [],
    }));
    await normalizeBatch(
      {
        Records: [
          rec('a', LINE, Date.parse('2026-01-19T13:41:01Z')),
          rec('b', LINE, Date.parse('2026-01-25T08:00:00Z'), 'dlq-message-id'),
          rec('c', NO_TIME, Date.parse('2026-01-19T13:41:01Z')),
          rec('d', NO_TIME, Date.parse('2026-02-01T00:00:00Z')),
          rec('e', BSD, Date.parse('2026-01-19T13:41:01Z')),
        ],
      },
      normalizeDeps('https://sqs.us-east-1.amazonaws.com/111122223333/ingest-dlq', { eventIdKey: KEY }),
    );
    const uids = sns
      .commandCalls(PublishBatchCommand)
      .flatMap((c) => c.args[0].input.PublishBatchRequestEntries ?? [])
      .map((p) => fromWire(p.Message as string).uid);
    expect(uids).toHaveLength(5);
    expect(uids[0]).toBe(uids[1]);
    expect(uids[2]).toBe(uids[3]);
    expect(new Set(uids).size).toBe(3);
    expect(uids[0]).toBe(eventUid(KEY, LINE, parseInput(LINE)));
  });
});

describe('ledgerFor: duplicates by stable id', () => {
  const r = createRenderer('cef');
  const ev = (n: number) => withUid(KEY, `${LINE} n=${n}`, parseInput(`${LINE} n=${n}`));
  const line = (n: number) => r.render(ev(n));

  it('counts copies of an id beyond what the inputs hold', () => {
    const expected = [line(1), line(2), line(3)];
    const l = ledgerFor('x', expected, 0, [line(1), line(1), line(2), line(3), line(3), line(3)], 0);
    expect(l).toMatchObject({ expected: 3, delivered: 3, duplicates: 3, unexpected: 0, missing: 0 });
  });

  it('counts duplicates of events the relay stamped (lines not predictable) by their id', () => {
    const stamped = (n: number, at: number) =>
      r.render(withUid(KEY, `${NO_TIME} n=${n}`, parseInput(`${NO_TIME} n=${n}`, { receivedAtMs: at })));
    // the same event delivered twice: once before and once after a redrive (another stamped time)
    const got = [stamped(1, 1_800_000_000_000), stamped(1, 1_800_000_500_000), stamped(2, 1_800_000_000_000)];
    expect(got[0]).not.toBe(got[1]);
    const l = ledgerFor('x', [], 2, got, 0);
    expect(l).toMatchObject({ expected: 2, delivered: 2, duplicates: 1, unexpected: 0, missing: 0 });
  });

  it('a line under a known id that differs from its expected rendering is unexpected, not a duplicate', () => {
    const e = ev(1);
    const wrong = r.render({ ...e, name: 'Tampered' });
    const l = ledgerFor('x', [line(1)], 0, [line(1), wrong], 0);
    expect(l).toMatchObject({ delivered: 1, duplicates: 0, unexpected: 1 });
  });

  it('formats without an id fall back to whole-line identity', () => {
    const kv = createRenderer('rfc5424', { msg: 'kv' });
    const a = kv.render(ev(1));
    expect(uidOf(a)).toBeNull();
    expect(ledgerFor('x', [a], 0, [a, a], 0)).toMatchObject({ delivered: 1, duplicates: 1, unexpected: 0 });
  });
});
