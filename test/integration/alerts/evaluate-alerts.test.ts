/**
 * evaluate-alerts on embedded emulators (fauxqs for SQS/SNS, dynalite for the throttle table) with
 * real SDK clients: the exact Publish input and wire request (fauxqs has no MessageStructure=json,
 * so both what the SDK sends and what the emulator recorded are checked), no duplicate publish when
 * a batch is retried after a failure or redelivered after a crash, throttling with the
 * "+N similar" note, DynamoDB records (TTL, no values in clear), and cold-start validation.
 */
import type { PublishCommand, PublishCommandInput } from '@aws-sdk/client-sns';
import { SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import type { SQSBatchResponse } from 'aws-lambda';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { createEvaluateAlertsHandler } from '../../../functions/evaluate-alerts/app.js';
import { lambdaContext, Poller } from '../../../local/poller.js';
import { ConfigError } from '../../../shared/errors.js';
import type { SecurityEvent } from '../../../shared/model/security-event.js';
import { toWire } from '../../../shared/model/wire.js';
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
  tableItems,
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

const ev = (
  id: string,
  host: string,
  fields: Record<string, string>,
  timestamp = '2026-01-19T10:41:00-03:00',
): SecurityEvent => parseInput(JSON.stringify({ id, timestamp, host, pid: 1426, fields }));

/** Build the function and wrap its SNS client: record every Publish input, fail on demand. */
async function fn(rules: unknown, opts: { now?: () => number; file?: string } = {}) {
  const h = await createEvaluateAlertsHandler(
    envFor(emu, writeRules(emu, rules, opts.file ?? `${Math.random()}.json`)),
    {
      ...(opts.now ? { now: opts.now } : {}),
    },
  );
  const inputs: PublishCommandInput[] = [];
  const fail: { when: ((i: PublishCommandInput) => boolean) | null } = { when: null };
  const original = h.sns.send.bind(h.sns) as (c: PublishCommand) => Promise<unknown>;
  vi.spyOn(h.sns, 'send').mockImplementation(((cmd: PublishCommand) => {
    if (fail.when?.(cmd.input)) {
      fail.when = null;
      return Promise.reject(
        Object.assign(new Error('We encountered an internal error'), { name: 'InternalErrorException' }),
      );
    }
    inputs.push(structuredClone(cmd.input));
    return original(cmd);
  }) as never);
  // what goes on the wire: the serialized HTTP request body of each Publish
  const wire: string[] = [];
  h.sns.middlewareStack.add(
    ((next: (a: { request: { body?: unknown } }) => Promise<unknown>) =>
      async (args: { request: { body?: unknown } }) => {
        if (typeof args.request.body === 'string') wire.push(args.request.body);
        return next(args);
      }) as never,
    { step: 'finalizeRequest', name: 'captureWireBody' },
  );
  const invoke = (records: ReturnType<typeof recordOf>[]) =>
    h(batchOf(records), lambdaContext('evaluate-alerts', 10_000)) as Promise<SQSBatchResponse>;
  return { h, inputs, wire, fail, invoke };
}

const BACKUP_AND_CPU = {
  version: 1,
  rules: [
    {
      id: 'backup-error',
      name: 'Password backup failed',
      match: { eventIds: ['19'] },
      channels: ['sms', 'email', 'ticket'],
      throttle: false,
      templates: { sms: 'SEGURA: backup FAILED on {{event.host}}' },
    },
    {
      id: 'cpu-critical',
      name: 'CPU critical',
      level: 'critical',
      match: { notifications: ['Monitoring / CPU Usage - Critical'] },
      channels: ['sms', 'chat'],
      throttle: false,
      templates: { sms: 'SEGURA: CPU critical on {{event.host}}' },
    },
  ],
};

describe('evaluate-alerts on fauxqs + dynalite', () => {
  it('publishes with MessageStructure json: the exact input and request the SDK sends, and what fauxqs recorded', async () => {
    const f = await fn({
      version: 1,
      rules: [
        {
          id: 'master-key-recovery-failed',
          name: 'Master key recovery failed',
          level: 'critical',
          match: { notifications: ['Master Key / Failed recovery attempt'] },
          channels: ['sms', 'email', 'chat', 'ticket'],
          templates: { sms: 'SEGURA CRITICAL: master key recovery FAILED on {{event.host}} by {{fields.suser}}' },
        },
      ],
    });
    const e = ev('9001', 'vault-01', {
      sourceServiceName: 'Master Key',
      act: 'Recovery attempt failed',
      suser: 'jsilva',
      password: 'hunter2', // must never leave
    });
    const out = await f.invoke([recordOf(e)]);
    expect(out).toEqual({ batchItemFailures: [] });
    expect(f.inputs.map((i) => i.TopicArn)).toEqual([
      emu.topics.sms,
      emu.topics.email,
      emu.topics.chat,
      emu.topics.ticket,
    ]);
    const [sms, email, chat, ticket] = f.inputs as [
      PublishCommandInput,
      PublishCommandInput,
      PublishCommandInput,
      PublishCommandInput,
    ];
    const text = 'SEGURA CRITICAL: master key recovery FAILED on vault-01 by jsilva';
    expect(sms).toEqual({
      TopicArn: emu.topics.sms,
      MessageStructure: 'json',
      Message: JSON.stringify({ default: text, sms: text }),
    });
    expect(email).toMatchObject({
      TopicArn: emu.topics.email,
      MessageStructure: 'json',
      Subject: '[Segura CRITICAL] Master key recovery failed on vault-01',
    });
    expect(Object.keys(JSON.parse(email.Message as string))).toEqual(['default', 'email', 'email-json']);
    for (const p of [chat, ticket]) {
      expect(p).not.toHaveProperty('Subject');
      const doc = JSON.parse(p.Message as string);
      expect(Object.keys(doc)).toEqual(['default', 'https']);
      expect(JSON.parse(doc.https)).toBeTypeOf('object');
    }
    // on the wire (channels go out in parallel): Publish actions carrying MessageStructure=json and the document
    expect(f.wire).toHaveLength(4);
    const forms = new Map(
      f.wire.map((b) => {
        const form = new URLSearchParams(b);
        return [form.get('TopicArn'), form] as const;
      }),
    );
    const smsForm = forms.get(emu.topics.sms) as URLSearchParams;
    expect(smsForm.get('Action')).toBe('Publish');
    expect(smsForm.get('MessageStructure')).toBe('json');
    expect(smsForm.get('Message')).toBe(sms.Message);
    expect(smsForm.has('Subject')).toBe(false);
    expect(forms.get(emu.topics.email)?.get('Subject')).toBe(email.Subject);
    for (const i of f.inputs) expect(forms.get(i.TopicArn as string)?.get('Message')).toBe(i.Message);
    // fauxqs ignores MessageStructure: its spy holds the whole JSON document as the message
    const recorded = snsPublished(emu);
    expect(recorded.map((m) => `${m.topicArn}|${m.body}`).sort()).toEqual(
      f.inputs.map((i) => `${i.TopicArn}|${i.Message}`).sort(),
    );
    expect(JSON.stringify(f.inputs)).not.toContain('hunter2');
    expect(cap?.metric('AlertsSent', 'alerts')).toBe(1);
  });

  it('a batch retried after a publish failure produces no duplicate publish', async () => {
    const f = await fn(BACKUP_AND_CPU);
    const e1 = ev('19', 'vault-a', { msg: 'disk full' });
    const e2 = ev('19', 'vault-b', { msg: 'disk full' });
    const e3 = ev('39', 'vault-a', { msg: 'CPU at 97%' });
    const e4 = ev('1', 'vault-a', { suser: 'jsilva' }); // matches no rule
    const records = [recordOf(e1), recordOf(e2), recordOf(e3), recordOf(e4), recordOf('{"v":1,"e":"not an event"}')];
    // the email for vault-b fails once
    f.fail.when = (i) => i.TopicArn === emu.topics.email && String(i.Subject).includes('vault-b');

    const first = await f.invoke(records);
    expect(first.batchItemFailures).toEqual([{ itemIdentifier: records[1]?.messageId }]);
    expect(f.inputs).toHaveLength(7); // e1: sms email ticket, e2: sms ticket, e3: sms chat

    // SQS redelivers only the failed record: only the missing channel goes out
    const second = await f.invoke([records[1] as (typeof records)[number]]);
    expect(second.batchItemFailures).toEqual([]);
    expect(f.inputs).toHaveLength(8);
    expect(f.inputs[7]).toMatchObject({ TopicArn: emu.topics.email });
    expect(f.inputs[7]?.Subject).toContain('vault-b');

    // the whole batch again (a crash or timeout after publishing): nothing is published twice
    const third = await f.invoke(records);
    expect(third.batchItemFailures).toEqual([]);
    expect(f.inputs).toHaveLength(8);

    const key = (i: PublishCommandInput) => `${i.TopicArn}|${i.Message}`;
    expect(new Set(f.inputs.map(key)).size).toBe(8);
    const per = (t: string) => f.inputs.filter((i) => i.TopicArn === t).length;
    expect([per(emu.topics.sms), per(emu.topics.email), per(emu.topics.ticket), per(emu.topics.chat)]).toEqual([
      3, 2, 2, 1,
    ]);
    // fauxqs saw exactly those publishes
    expect(
      snsPublished(emu)
        .map((m) => `${m.topicArn}|${m.body}`)
        .sort(),
    ).toEqual(f.inputs.map(key).sort());
    // the malformed record is parked with its reason, never retried
    const parked = await dlqMessages(emu);
    expect(parked.length).toBeGreaterThanOrEqual(1);
    expect(parked[0]?.Body).toBe('{"v":1,"e":"not an event"}');
    expect(parked[0]?.MessageAttributes?.['relay.error.field']?.StringValue).toBe('wire.e');
    // loud: a log line and metrics for the failure, the sends and the duplicates
    expect(cap?.metric('AlertsFailed', 'alerts')).toBe(1);
    expect(cap?.metric('AlertsSent', 'alerts')).toBe(3);
    expect(cap?.metric('AlertsDuplicate', 'alerts')).toBe(3);
    const warn = cap?.json().find((l) => l.message === 'alert not finished; SQS will retry');
    expect(warn).toMatchObject({
      ruleId: 'backup-error',
      failedChannels: ['email'],
      sqsMessageId: records[1]?.messageId,
    });
    expect(JSON.stringify(cap?.json())).not.toContain('disk full'); // no field values in logs
  });

  it('a function error after publishing: SQS redelivers the batch (real queue and poller) and nothing is sent twice', async () => {
    const f = await fn(BACKUP_AND_CPU);
    const events = [
      ev('19', 'vault-c', { msg: 'x' }),
      ev('39', 'vault-c', { msg: 'y' }),
      ev('19', 'vault-d', { msg: 'z' }),
    ];
    await emu.sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: emu.queue.url,
        Entries: events.map((e, i) => ({ Id: String(i), MessageBody: toWire(e) })),
      }),
    );
    const receiveCounts: string[] = [];
    let crashes = 1;
    const poller = new Poller({
      name: 'evaluate-alerts',
      sqs: emu.sqs,
      queueUrl: emu.queue.url,
      queueArn: emu.queue.arn,
      timeoutMs: 5_000,
      visibilityTimeoutSec: 1,
      handler: async (event, context) => {
        for (const r of event.Records) receiveCounts.push(r.attributes.ApproximateReceiveCount);
        const res = (await f.h(event, context)) as SQSBatchResponse;
        if (crashes-- > 0) throw new Error('Runtime.ExitError after publishing');
        return res;
      },
    });
    poller.start();
    try {
      const end = Date.now() + 15_000;
      while (Date.now() < end && poller.stats.deleted < 3) await new Promise((r) => setTimeout(r, 50));
    } finally {
      await poller.stop();
    }
    expect(poller.stats).toMatchObject({ handlerErrors: 1, deleted: 3 });
    expect(receiveCounts.filter((c) => c === '2')).toHaveLength(3); // every message came back once
    // 2 backup alerts × 3 channels + 1 CPU alert × 2 channels, each exactly once
    expect(f.inputs).toHaveLength(8);
    expect(new Set(f.inputs.map((i) => `${i.TopicArn}|${i.Message}`)).size).toBe(8);
    expect(snsPublished(emu)).toHaveLength(8);
  });

  it('throttling suppresses within the window and reports the count after it; DynamoDB holds only hashes with a TTL', async () => {
    let now = Date.now();
    const f = await fn(
      {
        version: 1,
        rules: [
          {
            id: 'backup-throttle',
            name: 'Password backup failed',
            match: { eventIds: ['19'] },
            channels: ['sms', 'email'],
            throttle: { window: '10m', key: ['event.host'] },
            templates: { sms: 'SEGURA: backup FAILED on {{event.host}} ({{fields.spid}})' },
          },
        ],
      },
      { now: () => now },
    );
    const backup = (n: number) => ev('19', 'vault-t', { spid: `job-${n}`, msg: `secret-free message ${n}` });
    const batch1 = [1, 2, 3, 4, 5].map((n) => recordOf(backup(n)));
    expect((await f.invoke(batch1)).batchItemFailures).toEqual([]);
    expect(f.inputs).toHaveLength(2); // sms + email of the first
    expect(cap?.metric('AlertsSuppressed', 'alerts')).toBe(4);
    // the same batch again inside the window: duplicates, not more suppressions
    await f.invoke(batch1);
    expect(cap?.metric('AlertsSuppressed', 'alerts')).toBe(4);
    expect(cap?.metric('AlertsDuplicate', 'alerts')).toBe(5);

    now += 11 * 60_000;
    await f.invoke([recordOf(backup(6))]);
    const sms = f.inputs.filter((i) => i.TopicArn === emu.topics.sms).map((i) => JSON.parse(i.Message as string).sms);
    // the closed window's summary goes out first, listing what the four suppressed matches were
    expect(sms).toEqual([
      'SEGURA: backup FAILED on vault-t (job-1)',
      'SEGURA HIGH summary: 4 x Password backup failed held (10 min). Targets: vault-t. Cmds: secret-free message 2; secret-free message 3 (+2)',
      'SEGURA: backup FAILED on vault-t (job-6) +4 similar in the last 11 min',
    ]);
    expect(cap?.metric('AlertSummariesSent', 'alerts')).toBe(1);
    const lastEmail = f.inputs.filter((i) => i.TopicArn === emu.topics.email).at(-1) as PublishCommandInput;
    expect(JSON.parse(lastEmail.Message as string).email).toContain('+4 similar in the last 11 min');

    // the counter was reset: one more inside the new window, reported by the next one after it
    now += 60_000;
    await f.invoke([recordOf(backup(7))]);
    now += 10 * 60_000;
    await f.invoke([recordOf(backup(8))]);
    expect(JSON.parse(f.inputs.at(-2)?.Message as string).sms).toBe(
      'SEGURA: backup FAILED on vault-t (job-8) +1 similar in the last 11 min',
    );
    // 3 alerts and 2 window summaries, on sms and email
    expect(f.inputs).toHaveLength(10);

    const items = await tableItems(emu);
    const mine = items.filter((i) => String(i.pk).includes('#backup-throttle#'));
    // both windows are summarized: none is left in the sparse `due` index
    expect(items.filter((i) => i.dueAt !== undefined)).toEqual([]);
    expect(items.filter((i) => String(i.pk).startsWith('D#summary#')).map((i) => [i.state, i.outcome])).toEqual([
      ['done', 'sent'],
      ['done', 'sent'],
    ]);
    expect(mine.filter((i) => i.kind === 'dedup')).toHaveLength(8);
    expect(mine.filter((i) => i.kind === 'throttle')).toHaveLength(1);
    const nowSec = Math.floor(now / 1000);
    for (const i of mine) {
      expect(String(i.pk)).toMatch(/^[DT]#backup-throttle#[A-Za-z0-9_-]{32}$/);
      expect(i.expiresAt).toBeTypeOf('number');
      expect(i.expiresAt as number).toBeGreaterThan(nowSec);
      expect(i.expiresAt as number).toBeLessThanOrEqual(nowSec + 16 * 86_400);
    }
    expect(
      mine
        .filter((i) => i.kind === 'dedup')
        .map((i) => [i.state, i.outcome])
        .sort(),
    ).toEqual([...Array(3).fill(['done', 'sent']), ...Array(5).fill(['done', 'suppressed'])]);
    // no event value in clear: hosts, ids and messages exist only as keyed hashes or sealed
    const dump = JSON.stringify(items, (_k, v) => (v instanceof Set ? [...v] : v));
    for (const v of ['vault-t', 'job-', 'secret-free']) expect(dump).not.toContain(v);
  });

  it('alerts of different rules are decided concurrently, each rule in record order; channel caps in one round', async () => {
    const rule = (id: string, eventId: string, channels: string[], throttle: unknown = false) => ({
      id,
      name: `Rule ${id}`,
      match: { eventIds: [eventId] },
      channels,
      throttle,
      templates: { sms: `SEGURA: ${id} on {{event.host}} ({{fields.spid}})` },
    });
    const f = await fn(
      {
        version: 1,
        rules: [
          rule('conc-a', '19', ['sms'], { window: '10m', key: ['event.host'] }),
          rule('conc-b', '2', ['sms']),
          rule('conc-c', '3', ['sms']),
          rule('conc-caps', '5', ['sms', 'email', 'chat', 'ticket']),
        ],
      },
      // a week on: past the channel-cap windows the tests above opened on their own clocks
      { now: () => Date.now() + 7 * 86_400_000 },
    );
    // DynamoDB requests in flight, counted around the whole SDK call
    let inFlight = 0;
    let maxInFlight = 0;
    f.h.dynamodb.middlewareStack.add(
      ((next: (a: unknown) => Promise<unknown>) => async (args: unknown) => {
        maxInFlight = Math.max(maxInFlight, ++inFlight);
        try {
          return await next(args);
        } finally {
          inFlight--;
        }
      }) as never,
      { step: 'initialize', name: 'countInFlight' },
    );
    const e = (id: string, n: number) => ev(id, 'vault-c', { spid: `job-${n}` });
    // conc-a twice (same host: one throttle window), conc-b and conc-c once: three chains
    const out = await f.invoke([recordOf(e('19', 1)), recordOf(e('2', 2)), recordOf(e('19', 3)), recordOf(e('3', 4))]);
    expect(out.batchItemFailures).toEqual([]);
    // the three rules' first store calls were in flight together (one at a time before)
    expect(maxInFlight).toBeGreaterThanOrEqual(3);
    const sms = f.inputs.filter((i) => i.TopicArn === emu.topics.sms).map((i) => JSON.parse(i.Message as string).sms);
    // within conc-a the first record in the batch is the one sent, the second is suppressed
    expect(sms.filter((m: string) => m.includes('conc-a'))).toEqual(['SEGURA: conc-a on vault-c (job-1)']);
    expect(sms.filter((m: string) => !m.includes('conc-a')).sort()).toEqual([
      'SEGURA: conc-b on vault-c (job-2)',
      'SEGURA: conc-c on vault-c (job-4)',
    ]);
    expect(cap?.metric('AlertsSent', 'alerts')).toBe(3);
    expect(cap?.metric('AlertsSuppressed', 'alerts')).toBe(1);

    // one alert, four capped channels: the four cap counters are taken together
    maxInFlight = 0;
    expect((await f.invoke([recordOf(e('5', 5))])).batchItemFailures).toEqual([]);
    expect(maxInFlight).toBe(4);
    expect(f.inputs.filter((i) => JSON.stringify(i).includes('conc-caps'))).toHaveLength(4);
  });

  it('two rules finding the same channel-cap window due in one batch send its summary once and both go on', async () => {
    // a fortnight on: windows of its own, apart from the other tests'
    let now = Date.now() + 14 * 86_400_000;
    const rule = (id: string, eventId: string) => ({
      id,
      name: `Rule ${id}`,
      match: { eventIds: [eventId] },
      channels: ['chat'],
      throttle: false,
    });
    const f = await fn(
      {
        version: 1,
        settings: {
          rateCaps: {
            perRule: false,
            perChannel: { sms: false, email: false, ticket: false, chat: { max: 1, window: '1m' } },
          },
        },
        rules: [rule('due-x', '2'), rule('due-y', '3')],
      },
      { now: () => now },
    );
    const e = (id: string, n: number) => ev(id, `vault-due-${n}`, { spid: `job-${n}` });
    expect((await f.invoke([recordOf(e('2', 1))])).batchItemFailures).toEqual([]);
    // the cap (1 a minute) holds the second: the window now owes a summary
    expect((await f.invoke([recordOf(e('3', 2))])).batchItemFailures).toEqual([]);
    expect(cap?.metric('AlertsHeld', 'alerts')).toBe(1);
    now += 2 * 60_000;
    const out = await f.invoke([recordOf(e('2', 3)), recordOf(e('3', 4))]);
    // both rules found the window due at once: one summary, no alert given back for a retry
    expect(out.batchItemFailures).toEqual([]);
    expect(cap?.metric('AlertSummariesSent', 'alerts')).toBe(1);
    expect(cap?.metric('AlertsSent', 'alerts')).toBe(2);
    const chat = f.inputs.filter((i) => i.TopicArn === emu.topics.chat).map((i) => i.Message as string);
    expect(chat.filter((m) => m.includes('] Summary: '))).toHaveLength(1);
    expect(chat).toHaveLength(3);
    // the cap allows one a minute: of the two decided together, one is sent and one held
    expect(cap?.metric('AlertsHeld', 'alerts')).toBe(2);
  });

  it('an invalid rule file fails at cold start with a message naming the rule, the field and the problem', async () => {
    const bad = writeRules(emu, {
      version: 1,
      rules: [
        { id: 'mk', name: 'MK', channels: ['sms'], match: { eventIds: ['4'] } },
        { id: 'regex', name: 'R', channels: ['sms'], match: { fields: { msg: { regex: '(\\w+)*$' } } } },
      ],
    });
    const attempt = () => createEvaluateAlertsHandler(envFor(emu, bad));
    await expect(attempt()).rejects.toThrow(ConfigError);
    await expect(attempt()).rejects.toThrow(
      `ALERT_RULES_FILE: ${bad}: 2 problems in the alert rules:\n` +
        '  rule "mk" (rules[0]) match.eventIds[0]: unknown event id "4" (not in the catalog; see `segura-relay catalog`)\n' +
        '  rule "regex" (rules[1]) match.fields.msg.regex: unsafe regular expression: nested quantifier "(\\w+)*" can backtrack catastrophically',
    );
    const yaml = writeRules(emu, 'version: 1\n', 'rules.yaml');
    await expect(createEvaluateAlertsHandler(envFor(emu, yaml))).rejects.toThrow(
      /ALERT_RULES_FILE: .*rules\.yaml: the function reads JSON/,
    );
    await expect(createEvaluateAlertsHandler(envFor(emu, `${emu.dir}/missing.json`))).rejects.toThrow(
      /ALERT_RULES_FILE: cannot read/,
    );
    const good = writeRules(emu, BACKUP_AND_CPU, 'good.json');
    const { ticket: _t, ...noTicket } = emu.topics;
    await expect(
      createEvaluateAlertsHandler(envFor(emu, good, { ALERT_TOPIC_ARNS: JSON.stringify(noTicket) })),
    ).rejects.toThrow('ALERT_TOPIC_ARNS: no topic for channel "ticket", used by rule "backup-error"');
    await expect(createEvaluateAlertsHandler(envFor(emu, good, { THROTTLE_TABLE_NAME: '' }))).rejects.toThrow(
      'THROTTLE_TABLE_NAME: is required',
    );
    // the identity key: required, an ARN, readable, long enough; never guessed or defaulted
    await expect(createEvaluateAlertsHandler(envFor(emu, good, { ALERT_ID_KEY_SECRET_ARN: '' }))).rejects.toThrow(
      'ALERT_ID_KEY_SECRET_ARN: is required',
    );
    await expect(
      createEvaluateAlertsHandler(envFor(emu, good, { ALERT_ID_KEY_SECRET_ARN: 'segura-relay/alert-id-key' })),
    ).rejects.toThrow('ALERT_ID_KEY_SECRET_ARN: not a Secrets Manager secret ARN');
    const missing = 'arn:aws:secretsmanager:us-east-1:000000000000:secret:segura-relay/none-AbCdEf';
    await expect(createEvaluateAlertsHandler(envFor(emu, good, { ALERT_ID_KEY_SECRET_ARN: missing }))).rejects.toThrow(
      /ALERT_ID_KEY_SECRET_ARN: cannot read the alert id secret: ResourceNotFoundException/,
    );
    const short = emu.secrets.put('segura-relay/short-key', 'too-short');
    await expect(createEvaluateAlertsHandler(envFor(emu, good, { ALERT_ID_KEY_SECRET_ARN: short }))).rejects.toThrow(
      'ALERT_ID_KEY_SECRET_ARN: the alert id secret must be at least 32 characters',
    );
  });
});
