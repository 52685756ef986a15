/**
 * The alert engine on the in-memory store (same semantics as DynamoDB; the integration tests run
 * the DynamoDB store): dedup across retries, partial channel failures, throttling with the
 * "+N similar" note and the window summary, leases, crash recovery, store outages.
 */
import type { PublishCommandInput } from '@aws-sdk/client-sns';
import { describe, expect, it } from 'vitest';
import { type EngineDeps, processAlert } from '../../../shared/alerts/engine.js';
import { dedupKey, throttleKey } from '../../../shared/alerts/identity.js';
import { type AlertStore, MemoryAlertStore } from '../../../shared/alerts/store.js';
import type { AlertRule, Channel, RuleSettings } from '../../../shared/alerts/types.js';
import { event, KEY, rule, UNCAPPED } from './fixtures.js';

const T0 = Date.parse('2026-01-19T13:00:00Z');
const MIN = 60_000;

function harness(
  store: AlertStore = new MemoryAlertStore(),
  settings: RuleSettings = UNCAPPED,
  rules: AlertRule[] = [],
) {
  let now = T0;
  const sent: { channel: Channel; input: PublishCommandInput }[] = [];
  const failNext = new Map<Channel, number>();
  const topicArns = Object.fromEntries(
    (['sms', 'email', 'chat', 'ticket'] as const).map((c) => [c, `arn:aws:sns:us-east-1:123456789012:${c}`]),
  ) as Record<Channel, string>;
  let invocation = 0;
  const deps = (): EngineDeps => ({
    settings,
    store,
    key: KEY,
    rules,
    topicArns,
    owner: `req-${++invocation}`,
    leaseUntilMs: now + 15_000,
    now: () => now,
    publish: async (input) => {
      const channel = (Object.keys(topicArns) as Channel[]).find((c) => topicArns[c] === input.TopicArn) as Channel;
      const n = failNext.get(channel) ?? 0;
      if (n > 0) {
        failNext.set(channel, n - 1);
        throw new Error(`injected ${channel} failure`);
      }
      sent.push({ channel, input });
      return `m-${sent.length}`;
    },
  });
  return {
    store,
    sent,
    failNext,
    deps,
    advance: (ms: number) => {
      now += ms;
    },
    smsTexts: () =>
      sent.filter((s) => s.channel === 'sms').map((s) => JSON.parse(s.input.Message as string).sms as string),
    /** the SMS of alerts only (summaries left out) */
    alertSms: () =>
      sent
        .filter((s) => s.channel === 'sms')
        .map((s) => JSON.parse(s.input.Message as string).sms as string)
        .filter((t) => !t.includes(' summary: ')),
  };
}

const throttledRule = {
  match: { eventIds: ['19'] },
  channels: ['sms', 'email'],
  throttle: { window: '10m', key: ['event.host'] },
  templates: { sms: 'backup FAILED on {{event.host}} #{{fields.spid}}' },
  rateCap: false,
};
const throttled: AlertRule = rule(throttledRule);
const backup = (n: number, host = 'vault-01') => event({ id: '19', host, fields: { spid: String(n), msg: 'failed' } });

describe('processAlert', () => {
  it('sends once; the same event again (redelivery, SNS duplicate, retried batch) is a duplicate', async () => {
    const h = harness();
    const first = await processAlert(throttled, backup(1), h.deps());
    expect(first).toMatchObject({ kind: 'sent', note: null });
    expect(first.published.map((p) => p.channel)).toEqual(['sms', 'email']);
    for (let i = 0; i < 3; i++) {
      h.advance(20 * MIN); // even after the throttle window
      const again = await processAlert(throttled, structuredClone(backup(1)), h.deps());
      expect(again).toMatchObject({ kind: 'duplicate', published: [] });
    }
    expect(h.sent).toHaveLength(2);
  });

  it('a failed channel is retried alone, with the same text; then it is done', async () => {
    const h = harness();
    h.failNext.set('email', 1);
    const first = await processAlert(throttled, backup(1), h.deps());
    expect(first.kind).toBe('retry');
    expect(first.failed).toEqual([{ channel: 'email', error: 'injected email failure' }]);
    expect(h.sent.map((s) => s.channel)).toEqual(['sms']);
    h.advance(MIN);
    const retry = await processAlert(throttled, backup(1), h.deps());
    expect(retry.kind).toBe('sent');
    expect(retry.published.map((p) => p.channel)).toEqual(['email']);
    expect(retry.messages?.sms.text).toBe(first.messages?.sms.text);
    expect(await processAlert(throttled, backup(1), h.deps())).toMatchObject({ kind: 'duplicate' });
    expect(h.sent.map((s) => s.channel)).toEqual(['sms', 'email']);
  });

  it('a failed publish does not open a throttle window against its own retry', async () => {
    const h = harness();
    h.failNext.set('sms', 1);
    h.failNext.set('email', 1);
    expect((await processAlert(throttled, backup(1), h.deps())).kind).toBe('retry');
    expect(h.sent).toHaveLength(0);
    // a different event of the same key arrives meanwhile: suppressed by the window the first opened
    expect((await processAlert(throttled, backup(2), h.deps())).kind).toBe('suppressed');
    // the first one's retry still goes out (its decision was kept)
    expect((await processAlert(throttled, backup(1), h.deps())).kind).toBe('sent');
    expect(h.smsTexts()).toEqual(['backup FAILED on vault-01 #1']);
  });

  it('throttles per key within the window; the next alert sends the window summary first, reports the count and resets it', async () => {
    const h = harness(new MemoryAlertStore(), UNCAPPED, [throttled]);
    expect((await processAlert(throttled, backup(1), h.deps())).kind).toBe('sent');
    const counts: number[] = [];
    for (let i = 2; i <= 13; i++) {
      h.advance(30_000);
      const o = await processAlert(throttled, backup(i), h.deps());
      expect(o.kind).toBe('suppressed');
      counts.push(o.suppressedCount);
    }
    expect(counts).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    // another host has its own window
    expect((await processAlert(throttled, backup(99, 'vault-02'), h.deps())).kind).toBe('sent');
    h.advance(10 * MIN); // past the first window (opened 6 min before the 13th)
    const next = await processAlert(throttled, backup(14), h.deps());
    expect(next).toMatchObject({ kind: 'sent', suppressedCount: 12 });
    // the closed window's summary went out first, on the rule's channels
    expect(next.summaries.map((s) => [s.kind, s.window?.count])).toEqual([['sent', 12]]);
    expect(h.smsTexts().at(-2)).toMatch(/^SEGURA HIGH summary: 12 x Rule one held \(10 min\)\. Targets: vault-01\./);
    expect(h.alertSms()).toEqual([
      'backup FAILED on vault-01 #1',
      'backup FAILED on vault-02 #99',
      'backup FAILED on vault-01 #14 +12 similar in the last 16 min',
    ]);
    const body = JSON.parse(h.sent.at(-1)?.input.Message as string).email as string;
    expect(body).toContain('+12 similar in the last 16 min');
    // the counter was reset: the next suppressed alert starts at 1, the next sent one reports 1
    h.advance(MIN);
    expect((await processAlert(throttled, backup(15), h.deps())).suppressedCount).toBe(1);
    h.advance(10 * MIN);
    await processAlert(throttled, backup(16), h.deps());
    expect(h.alertSms().at(-1)).toBe('backup FAILED on vault-01 #16 +1 similar in the last 11 min');
  });

  it('without a throttle every distinct event alerts, each once', async () => {
    const h = harness();
    const r = rule({ match: { eventIds: ['19'] }, channels: ['sms'], rateCap: false });
    for (const n of [1, 2, 3, 1, 2, 3]) await processAlert(r, backup(n), h.deps());
    expect(h.sent).toHaveLength(3);
  });

  it('two rules firing on one event are two alerts, deduplicated separately', async () => {
    const h = harness();
    const other = rule({ id: 'r2', match: { origins: ['COBA'] }, channels: ['chat'] });
    await processAlert(throttled, backup(1), h.deps());
    await processAlert(other, backup(1), h.deps());
    await processAlert(other, backup(1), h.deps());
    expect(h.sent.map((s) => s.channel)).toEqual(['sms', 'email', 'chat']);
    expect(dedupKey(KEY, throttled, backup(1))).not.toBe(dedupKey(KEY, other, backup(1)));
  });

  it('an alert leased by a live invocation is retried later, not sent twice', async () => {
    const store = new MemoryAlertStore();
    const h = harness(store);
    const key = dedupKey(KEY, throttled, backup(1));
    await store.claim(key, 'someone-else', T0, T0 + 30_000); // another invocation is working on it
    expect(await processAlert(throttled, backup(1), h.deps())).toMatchObject({ kind: 'retry', published: [] });
    h.advance(31_000); // that invocation died: its lease lapsed
    expect((await processAlert(throttled, backup(1), h.deps())).kind).toBe('sent');
    expect(h.sent).toHaveLength(2);
  });

  it('a crash after opening the window but before publishing: the retry finds its own window and sends', async () => {
    const store = new MemoryAlertStore();
    const h = harness(store);
    const key = dedupKey(KEY, throttled, backup(1));
    await store.claim(key, 'crashed', T0, T0 + 5_000);
    // the crashed invocation had opened the window for this alert
    const wk = throttleKey(KEY, throttled, backup(1)) as string;
    const hold = { entry: 'x', kind: 'throttle' as const, ruleId: throttled.id, channel: null, keyText: null };
    expect(await store.throttle(wk, key, T0, 10 * MIN, 7, hold)).toMatchObject({ kind: 'open' });
    h.advance(6_000); // its lease lapsed; the window (10 min) is still open
    const o = await processAlert(throttled, backup(1), h.deps());
    expect(o.kind).toBe('sent');
    expect(h.sent).toHaveLength(2);
    // and the window still counts others against it
    expect((await processAlert(throttled, backup(2), h.deps())).kind).toBe('suppressed');
  });

  it('a store outage sends nothing and asks for a retry', async () => {
    const mem = new MemoryAlertStore();
    const broken: AlertStore = {
      claim: async () => {
        throw new Error('ProvisionedThroughputExceededException');
      },
      throttle: async () => ({ kind: 'suppressed', count: 0 }),
      rateCap: async () => ({ kind: 'ok' }),
      finish: async () => undefined,
      release: async () => undefined,
      dueWindows: (...a) => mem.dueWindows(...a),
      readWindow: (...a) => mem.readWindow(...a),
      closeWindow: (...a) => mem.closeWindow(...a),
    };
    const h = harness(broken);
    const o = await processAlert(throttled, backup(1), h.deps());
    expect(o).toMatchObject({ kind: 'retry', published: [] });
    expect(o.note).toMatch(/dedup store unavailable: ProvisionedThroughputExceededException/);
    expect(h.sent).toHaveLength(0);
  });

  it('published but not confirmed (finish fails): acknowledged, not resent', async () => {
    const store = new MemoryAlertStore();
    const flaky: AlertStore = {
      claim: (...a) => store.claim(...a),
      throttle: (...a) => store.throttle(...a),
      rateCap: (...a) => store.rateCap(...a),
      release: (...a) => store.release(...a),
      finish: async () => {
        throw new Error('timeout');
      },
      dueWindows: (...a) => store.dueWindows(...a),
      readWindow: (...a) => store.readWindow(...a),
      closeWindow: (...a) => store.closeWindow(...a),
    };
    const h = harness(flaky);
    const o = await processAlert(throttled, backup(1), h.deps());
    expect(o.kind).toBe('sent');
    expect(o.note).toMatch(/published, but confirming it failed: timeout/);
  });
});
