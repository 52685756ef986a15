/**
 * The store contract, the same scenario on both implementations: the in-memory store (dry run,
 * unit tests) and the DynamoDB store on dynalite (the function). Throttle windows (open, suppress
 * with entries, escalate on a more severe match, `due` until summarized, reopen only after),
 * rate-cap windows (count, hold beyond the cap, the next fixed window only after the summary), the
 * sparse `due` index the sweep reads, and the bounded entry set.
 */
import { randomUUID } from 'node:crypto';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAlertTable } from '../../../local/alerts.js';
import { DynamoAlertStore } from '../../../shared/alerts/dynamodb-store.js';
import { type AlertStore, type HoldInput, MAX_WINDOW_ENTRIES, MemoryAlertStore } from '../../../shared/alerts/store.js';
import { THROTTLE_TABLE } from '../../../shared/contracts/index.js';
import { type Emulators, startEmulators } from './harness.js';

let emu: Emulators;
beforeAll(async () => {
  emu = await startEmulators();
});
afterAll(async () => {
  await emu.stop();
});

const T0 = Date.parse('2026-01-19T13:41:00Z');
const MIN = 60_000;
const hold = (
  entry: string,
  kind: HoldInput['kind'] = 'throttle',
  channel: HoldInput['channel'] = null,
): HoldInput => ({
  entry,
  kind,
  ruleId: 'r1',
  channel,
  keyText: kind === 'throttle' ? 'sealed-key-text' : null,
});

const stores: [string, () => Promise<AlertStore>][] = [
  ['memory', async () => new MemoryAlertStore()],
  [
    'DynamoDB (dynalite)',
    async () => {
      const table = `contract-${randomUUID().slice(0, 8)}`;
      await createAlertTable(emu.dynamodb, table);
      return new DynamoAlertStore(emu.dynamodb, table);
    },
  ],
];

describe.each(stores)('store contract: %s', (_name, make) => {
  it('throttle: open, suppress with entries, escalate, due until summarized, then reopen', async () => {
    const s = await make();
    const W = 10 * MIN;
    expect(await s.throttle('T#k', 'D#a', T0, W, 5, hold('e-a'))).toEqual({
      kind: 'open',
      suppression: { count: 0, sinceMs: T0 },
    });
    // the opener's retry finds its own window
    expect((await s.throttle('T#k', 'D#a', T0 + 1, W, 5, hold('e-a'))).kind).toBe('open');
    // same or lower severity: suppressed, counted, entry kept (equal entries once)
    expect(await s.throttle('T#k', 'D#b', T0 + MIN, W, 5, hold('e-b'))).toEqual({ kind: 'suppressed', count: 1 });
    expect(await s.throttle('T#k', 'D#c', T0 + 2 * MIN, W, 3, hold('e-b'))).toEqual({ kind: 'suppressed', count: 2 });
    // more severe: sent, and the window now suppresses only up to that severity
    expect(await s.throttle('T#k', 'D#d', T0 + 3 * MIN, W, 9, hold('e-d'))).toEqual({ kind: 'escalate' });
    expect(await s.throttle('T#k', 'D#e', T0 + 4 * MIN, W, 9, hold('e-e'))).toEqual({ kind: 'suppressed', count: 3 });
    const w = await s.readWindow('T#k');
    expect(w).toMatchObject({ kind: 'throttle', ruleId: 'r1', keyText: 'sealed-key-text', count: 3, due: true });
    expect([...(w?.entries ?? [])].sort()).toEqual(['e-b', 'e-e']);
    expect([w?.windowStart, w?.windowEnd]).toEqual([T0, T0 + W]);
    // not listed before it closes; listed after
    expect(await s.dueWindows(T0 + W - 1, 10)).toEqual([]);
    expect(await s.dueWindows(T0 + W, 10)).toEqual(['T#k']);
    // closed and owing its summary: a new match must summarize first
    expect(await s.throttle('T#k', 'D#f', T0 + W + MIN, W, 5, hold('e-f'))).toEqual({ kind: 'due' });
    await s.closeWindow('T#k', T0, T0 + W + MIN);
    expect(await s.dueWindows(T0 + 100 * W, 10)).toEqual([]);
    // then it reopens, reporting the previous window's count
    expect(await s.throttle('T#k', 'D#f', T0 + W + MIN, W, 5, hold('e-f'))).toEqual({
      kind: 'open',
      suppression: { count: 3, sinceMs: T0 },
    });
    expect(await s.readWindow('T#k')).toMatchObject({ count: 0, entries: [], due: false });
  });

  it('a window keeps at most MAX_WINDOW_ENTRIES distinct entries; the count goes on', async () => {
    const s = await make();
    await s.throttle('T#m', 'D#0', T0, 10 * MIN, 5, hold('x'));
    for (let i = 1; i <= MAX_WINDOW_ENTRIES + 5; i++)
      await s.throttle('T#m', `D#${i}`, T0 + i, 10 * MIN, 5, hold(`e-${i}`));
    const w = await s.readWindow('T#m');
    expect(w?.count).toBe(MAX_WINDOW_ENTRIES + 5);
    expect(w?.entries).toHaveLength(MAX_WINDOW_ENTRIES);
  });

  it('rate caps: fixed windows, held beyond the cap, the next window only after the summary', async () => {
    const s = await make();
    const H = 60 * MIN;
    const start = Math.floor(T0 / H) * H;
    const kinds = [];
    for (let i = 0; i < 5; i++)
      kinds.push((await s.rateCap('C#channel#sms', T0 + i, H, 3, hold(`e-${i}`, 'channel-cap', 'sms'))).kind);
    expect(kinds).toEqual(['ok', 'ok', 'ok', 'held', 'held']);
    expect(await s.readWindow('C#channel#sms')).toMatchObject({
      kind: 'channel-cap',
      channel: 'sms',
      windowStart: start,
      windowEnd: start + H,
      count: 2,
      due: true,
    });
    expect(await s.dueWindows(start + H, 10)).toEqual(['C#channel#sms']);
    expect((await s.rateCap('C#channel#sms', start + H + 1, H, 3, hold('n', 'channel-cap', 'sms'))).kind).toBe('due');
    await s.closeWindow('C#channel#sms', start, start + H + 1);
    expect((await s.rateCap('C#channel#sms', start + H + 1, H, 3, hold('n', 'channel-cap', 'sms'))).kind).toBe('ok');
    expect(await s.readWindow('C#channel#sms')).toMatchObject({ windowStart: start + H, count: 0, due: false });
    // a window that held nothing never owes a summary
    expect((await s.rateCap('C#rule#r1', T0, H, 3, hold('a', 'rule-cap'))).kind).toBe('ok');
    expect(await s.dueWindows(start + 10 * H, 10)).toEqual([]);
  });

  it('claim / release keep the decision, held channels included', async () => {
    const s = await make();
    expect(await s.claim('D#x', 'inv-1', T0, T0 + 5_000)).toEqual({ kind: 'claimed', sent: [], decision: null });
    await s.release('D#x', 'inv-1', ['email'], { count: 2, sinceMs: T0 - MIN, held: ['sms'] });
    expect(await s.claim('D#x', 'inv-2', T0 + 1, T0 + 5_000)).toEqual({
      kind: 'claimed',
      sent: ['email'],
      decision: { count: 2, sinceMs: T0 - MIN, held: ['sms'] },
    });
    await s.finish('D#x', 'inv-2', 'held', ['email'], T0 + 2);
    expect(await s.claim('D#x', 'inv-3', T0 + 3, T0 + 5_000)).toEqual({ kind: 'done', outcome: 'held' });
  });
});

describe('the DynamoDB store writes the table contract (shared/contracts/index.ts THROTTLE_TABLE)', () => {
  it('every item has the String partition key and the Number TTL in epoch seconds after its decision', async () => {
    const table = `contract-${randomUUID().slice(0, 8)}`;
    await createAlertTable(emu.dynamodb, table);
    const s = new DynamoAlertStore(emu.dynamodb, table);
    await s.claim('D#ttl', 'inv-1', T0, T0 + 5_000);
    await s.throttle('T#ttl', 'D#ttl', T0, 10 * MIN, 5, hold('e-a'));
    await s.rateCap('C#ttl', T0, 10 * MIN, 5, hold('e-a', 'channel-cap', 'sms'));
    const items = (await DynamoDBDocumentClient.from(emu.dynamodb).send(new ScanCommand({ TableName: table }))).Items;
    expect(items?.map((i) => i[THROTTLE_TABLE.partitionKey]).sort()).toEqual(['C#ttl', 'D#ttl', 'T#ttl']);
    for (const i of items ?? []) {
      const ttl = i[THROTTLE_TABLE.ttl];
      expect(typeof ttl, JSON.stringify(i)).toBe('number');
      // seconds, not milliseconds: DynamoDB ignores a TTL value far in the future
      // https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/time-to-live-ttl-before-you-start.html
      expect(ttl).toBeGreaterThan(T0 / 1000);
      expect(ttl).toBeLessThan(T0 / 1000 + 400 * 86_400);
    }
  });
});
