/**
 * Issue 18 on the real function and emulators (fauxqs, dynalite with the `due` index, the Secrets
 * Manager protocol double): the identity key read by ARN at cold start (point 3), the summary of a
 * decoy-opened window sent by the scheduled sweep with no further event (7), pathological regexes
 * and a failing rule inside a batch (9), and rate caps with their summary (10).
 */
import { randomUUID } from 'node:crypto';
import type { PublishCommand, PublishCommandInput } from '@aws-sdk/client-sns';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { SQSBatchResponse } from 'aws-lambda';
import { RE2JS } from 're2js';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { createEvaluateAlertsHandler, scheduledEvent } from '../../../functions/evaluate-alerts/app.js';
import { createAlertTable } from '../../../local/alerts.js';
import { lambdaContext } from '../../../local/poller.js';
import { alertId, IdKey } from '../../../shared/alerts/identity.js';
import type { AlertRule } from '../../../shared/alerts/types.js';
import { ENV } from '../../../shared/contracts/index.js';
import type { SecurityEvent } from '../../../shared/model/security-event.js';
import { parseInput } from '../../../shared/parse/parse-payload.js';
import { type Captured, captureStdout } from '../../helpers/capture.js';
import {
  batchOf,
  dlqMessages,
  type Emulators,
  envFor,
  recordOf,
  snsPublished,
  startEmulators,
  writeRules,
} from './harness.js';

let emu: Emulators;
let cap: Captured | null = null;

beforeAll(async () => {
  emu = await startEmulators();
});
afterAll(async () => {
  await emu.stop();
});
beforeEach(() => {
  cap = captureStdout();
  emu.fauxqs.reset();
});
afterEach(() => {
  cap?.restore();
  cap = null;
});

const T0 = Date.parse('2026-01-19T13:41:00Z');
const MIN = 60_000;

const ev = (id: string, fields: Record<string, string>, timestamp = '2026-01-19T10:41:00-03:00'): SecurityEvent =>
  parseInput(JSON.stringify({ id, timestamp, host: 'vault-01', pid: 1426, fields }));

/** Items of a table, sets as arrays. */
async function items(table: string): Promise<Record<string, unknown>[]> {
  const r = await DynamoDBDocumentClient.from(emu.dynamodb).send(
    new ScanCommand({ TableName: table, ConsistentRead: true }),
  );
  return r.Items ?? [];
}

/** The function on its own fresh throttle table (rate-cap windows are shared by every rule of a table). */
async function fn(rules: unknown, now: { t: number }) {
  const table = `hardening-${randomUUID().slice(0, 8)}`;
  await createAlertTable(emu.dynamodb, table);
  const h = await createEvaluateAlertsHandler(
    envFor(emu, writeRules(emu, rules, `${Math.random()}.json`), { [ENV.throttleTableName]: table }),
    { now: () => now.t },
  );
  const inputs: PublishCommandInput[] = [];
  const original = h.sns.send.bind(h.sns) as (c: PublishCommand) => Promise<unknown>;
  vi.spyOn(h.sns, 'send').mockImplementation(((cmd: PublishCommand) => {
    inputs.push(structuredClone(cmd.input));
    return original(cmd);
  }) as never);
  const invoke = (records: ReturnType<typeof recordOf>[]) =>
    h(batchOf(records), lambdaContext('evaluate-alerts', 10_000)) as Promise<SQSBatchResponse>;
  const sweep = () => h(scheduledEvent(new Date(now.t)) as never, lambdaContext('evaluate-alerts', 10_000));
  return { h, inputs, invoke, sweep, items: () => items(table) };
}

const docOf = (i: PublishCommandInput) => JSON.parse(i.Message as string) as Record<string, string>;

describe('3. the identity key comes from Secrets Manager, by ARN, once', () => {
  it('read at cold start through the real SDK client; every published id is keyed with it', async () => {
    const before = emu.secrets.calls;
    const now = { t: T0 };
    const rules = {
      version: 1,
      rules: [{ id: 'pw', name: 'PW', match: { eventIds: ['19'] }, channels: ['chat', 'ticket'], throttle: false }],
    };
    const f = await fn(rules, now);
    expect(emu.secrets.calls).toBe(before + 1);
    const e = ev('19', { msg: 'disk full', cs1Label: 'Password', cs1: 'summer2026' });
    await f.invoke([recordOf(e)]);
    await f.invoke([recordOf(ev('19', { msg: 'again' }))]);
    expect(emu.secrets.calls).toBe(before + 1); // not per invocation
    const rule = f.h.config.rules.rules[0] as AlertRule;
    const expected = alertId(new IdKey(emu.idKeySecret), rule, e);
    const ticket = JSON.parse(
      docOf(f.inputs.find((i) => i.TopicArn === emu.topics.ticket) as PublishCommandInput).https as string,
    );
    expect(ticket.alertId).toBe(expected);
    expect(alertId(IdKey.random(), rule, e)).not.toBe(expected);
    expect(JSON.stringify(f.inputs)).not.toContain('summer2026');
    // the secret value is in no log line
    expect(cap?.lines().join('\n')).not.toContain(emu.idKeySecret);
  });
});

describe('7. a decoy-opened window: its summary goes out when it closes, sent by the sweep', () => {
  it('harmless command, then cat /etc/shadow twice; no further event; the scheduled sweep sends one summary', async () => {
    const now = { t: T0 };
    const f = await fn(
      {
        version: 1,
        rules: [
          {
            id: 'risky-command',
            name: 'High-criticality command',
            match: { eventIds: ['12'] },
            channels: ['sms', 'email', 'chat'],
            throttle: { window: '15m', key: ['fields.suser'] },
          },
        ],
      },
      now,
    );
    const cmd = (c: string, dst = '10.0.0.5') =>
      ev('12', { suser: 'mallory', duser: 'root', dst, msg: `Command: ${c}` });
    await f.invoke([recordOf(cmd('ls -la'))]);
    now.t += MIN;
    await f.invoke([recordOf(cmd('cat /etc/shadow')), recordOf(cmd('cat /etc/shadow', '10.0.0.6'))]);
    expect(f.inputs).toHaveLength(3); // the decoy's sms, email, chat
    expect(cap?.metric('AlertsSuppressed', 'alerts')).toBe(2);

    now.t += 10 * MIN; // the window (15 min) is still open: nothing owed yet
    await f.sweep();
    expect(f.inputs).toHaveLength(3);
    const due = (await f.items()).filter((i) => i.dueAt !== undefined);
    expect(due).toHaveLength(1);
    expect(due[0]?.dueShard).toBe('due');

    now.t += 10 * MIN; // closed 6 minutes ago, and no event came for mallory since
    await f.sweep();
    const summary = f.inputs.slice(3);
    expect(summary.map((i) => i.TopicArn)).toEqual([emu.topics.sms, emu.topics.email, emu.topics.chat]);
    const email = docOf(summary[1] as PublishCommandInput).email as string;
    expect(summary[1]?.Subject).toBe(
      '[Segura HIGH] Summary: 2 × High-criticality command not sent one by one (15 min)',
    );
    expect(email).toContain('Why: throttled: one alert per 15m for fields.suser=mallory.');
    expect(email).toMatch(/Targets \(2 distinct\):\n {2}- root @ 10\.0\.0\.5\n {2}- root @ 10\.0\.0\.6/);
    expect(email).toContain('Commands / messages (1 distinct):\n  - Command: cat /etc/shadow');
    expect(docOf(summary[0] as PublishCommandInput).sms).toMatch(
      /^SEGURA HIGH summary: 2 x High-criticality command held/,
    );
    // fauxqs got them; the index is empty again; the next sweep sends nothing
    expect(snsPublished(emu)).toHaveLength(6);
    expect((await f.items()).filter((i) => i.dueAt !== undefined)).toEqual([]);
    await f.sweep();
    expect(f.inputs).toHaveLength(6);
    expect(cap?.metric('AlertSummariesSent', 'alerts')).toBe(1);
    expect(cap?.lines().join('\n')).not.toContain('shadow'); // ids in logs and metrics, never values
  });
});

describe('9. a pathological regex event never stalls the function; a failing rule fails alone', () => {
  it('five backtracking-prone patterns and a 1,024-character hostile value: the batch completes before its deadline', async () => {
    const now = { t: T0 };
    const patterns = ['(a|aa)+$', '(a|a)+$', '(\\w|\\d)+$', '^\\w*\\w*\\w*\\w*!$', '^(?:a|ab|b)*c$'];
    const f = await fn(
      {
        version: 1,
        rules: [
          ...patterns.map((p, i) => ({
            id: `re-${i}`,
            name: `Regex ${i}`,
            match: { eventIds: ['1'], fields: { msg: { regex: p } } },
            channels: ['email'],
            throttle: false,
          })),
          { id: 'always', name: 'Always', match: { eventIds: ['1'] }, channels: ['email'], throttle: false },
        ],
      },
      now,
    );
    const hostile = ev('1', { msg: `${'a'.repeat(1_023)}x` });
    const ab = ev('1', { msg: `${'ab'.repeat(511)}!!` });
    const ctx = lambdaContext('evaluate-alerts', 10_000);
    const out = (await f.h(batchOf([recordOf(hostile), recordOf(ab)]), ctx)) as SQSBatchResponse;
    expect(out.batchItemFailures).toEqual([]);
    expect(ctx.getRemainingTimeInMillis()).toBeGreaterThan(0); // returned before the function's deadline
    // (\w|\d)+$ matches both; the rest match neither; 'always' matches both
    // (\w|\d)+$ matches the first (it ends in a word character); nothing else but 'always' matches
    expect(f.inputs.map((i) => i.Subject?.match(/\] (\S+ \S+)/)?.[1]).sort()).toEqual([
      'Always on',
      'Always on',
      'Regex 2',
    ]);
  });

  it('a rule that throws: the event is parked in the DLQ naming the rule, the other rules alert', async () => {
    const now = { t: T0 };
    const f = await fn(
      {
        version: 1,
        rules: [
          {
            id: 'breaks',
            name: 'Breaks',
            match: { eventIds: ['19'], fields: { msg: { regex: 'disk' } } },
            channels: ['email'],
          },
          { id: 'works', name: 'Works', match: { eventIds: ['19'] }, channels: ['email'], throttle: false },
        ],
      },
      now,
    );
    // the engine cannot throw on a validated rule; make the regex engine throw (only "breaks" has a
    // regex) to prove the isolation. The loaded config is frozen, so the fault goes in below it.
    expect((f.h.config.rules.rules[0] as AlertRule).match[0]?.fields[0]?.regex).toBeDefined();
    const engine = vi.spyOn(RE2JS.prototype, 'test').mockImplementation(() => {
      throw new Error('engine failure');
    });
    const e = ev('19', { msg: 'disk full' });
    const r = recordOf(e);
    try {
      expect((await f.invoke([r])).batchItemFailures).toEqual([]);
    } finally {
      engine.mockRestore();
    }
    expect(f.inputs.map((i) => i.Subject)).toEqual(['[Segura HIGH] Works on vault-01']);
    const parked = (await dlqMessages(emu)).filter(
      (m) => m.MessageAttributes?.['relay.error.code']?.StringValue === 'rule-failed',
    );
    expect(parked).toHaveLength(1);
    expect(parked[0]?.MessageAttributes?.['relay.error.field']?.StringValue).toBe('rule:breaks');
    expect(parked[0]?.MessageAttributes?.['relay.error.reason']?.StringValue).toBe('Error: engine failure');
    expect(parked[0]?.Body).toBe(r.body);
    expect(cap?.metric('AlertRuleErrors', 'alerts')).toBe(1);
  });
});

describe('10. rate caps on DynamoDB: 40 targets in 40 s send at most the cap, the rest is summarized', () => {
  it('per rule 5 per 10 min, SMS 3 per hour: 5 alerts, 3 SMS, then one summary per closed cap window', async () => {
    const now = { t: T0 };
    const f = await fn(
      {
        version: 1,
        settings: { rateCaps: { perRule: { max: 5, window: '10m' }, perChannel: { sms: { max: 3, window: '1h' } } } },
        rules: [
          {
            id: 'blocked',
            name: 'Blocked command',
            level: 'critical',
            match: { eventIds: ['31'] },
            channels: ['sms', 'email'],
            throttle: { window: '10m', key: ['fields.suser', 'fields.dst'] },
          },
        ],
      },
      now,
    );
    for (let i = 0; i < 40; i++) {
      now.t = T0 + i * 1_000;
      const e = ev('31', {
        suser: 'mallory',
        duser: 'root',
        dst: `10.0.1.${i + 1}`,
        msg: `Command: shred /dev/sd${i}`,
      });
      expect((await f.invoke([recordOf(e)])).batchItemFailures).toEqual([]);
    }
    const sms = () => f.inputs.filter((i) => i.TopicArn === emu.topics.sms);
    const email = () => f.inputs.filter((i) => i.TopicArn === emu.topics.email);
    expect([sms().length, email().length]).toEqual([3, 5]);
    expect(cap?.metric('AlertsHeld', 'alerts')).toBe(35);

    now.t = Date.parse('2026-01-19T13:50:05Z') + 10_000; // the rule's 10-min window (13:40–13:50) closed
    await f.sweep();
    const ruleSummary = email().at(-1) as PublishCommandInput;
    expect(ruleSummary.Subject).toBe('[Segura CRITICAL] Summary: 35 × Blocked command not sent one by one (10 min)');
    expect(docOf(ruleSummary).email).toContain("Why: the rule's rate cap: 5 alerts per 10m.");
    expect(docOf(ruleSummary).email).toContain('15 more matches are counted above but not listed [truncated]');
    expect(sms()).toHaveLength(4); // the summary goes to the rule's channels, SMS included

    now.t = Date.parse('2026-01-19T14:00:06Z'); // the SMS channel's hour closed: its own summary, SMS only
    await f.sweep();
    const last = sms().at(-1) as PublishCommandInput;
    expect(docOf(last).sms).toMatch(
      /^SEGURA HIGH summary: 2 x sms channel rate cap held \(60 min\)\. Targets: root @ 10\.0\.1\.4, root @ 10\.0\.1\.5\./,
    );
    expect(email()).toHaveLength(6);
    expect((await f.items()).filter((i) => i.dueAt !== undefined)).toEqual([]);
  });
});
