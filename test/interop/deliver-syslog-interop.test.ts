/**
 * The real deliver-syslog function (same factory as the Lambda entry) delivering over TLS and TCP
 * to real rsyslog and syslog-ng: what they parsed equals the events, field by field.
 */
import type { SQSEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSyslogHandler } from '../../functions/deliver-syslog/app.js';
import { lambdaContext } from '../../local/poller.js';
import { ENV } from '../../shared/contracts/index.js';
import type { SecurityEvent } from '../../shared/model/security-event.js';
import { formatUtc } from '../../shared/model/time.js';
import { toWire } from '../../shared/model/wire.js';
import { parseInput } from '../../shared/parse/parse-payload.js';
import { createRenderer } from '../../shared/render/index.js';
import { goldenInputs, hostileInputs, msgOfLine } from './events.js';
import { type Receivers, startReceivers, toUtcMicros } from './receivers.js';

let rx: Receivers;
beforeAll(async () => {
  rx = await startReceivers();
}, 60_000);
afterAll(async () => {
  await rx?.stop();
});

const events: SecurityEvent[] = [...goldenInputs(), ...hostileInputs()].map((i) => parseInput(i.body));

function sqsEvent(): SQSEvent {
  return {
    Records: events.map((e, i) => ({
      messageId: `m-${i}`,
      receiptHandle: `r-${i}`,
      body: toWire(e),
      attributes: {
        ApproximateReceiveCount: '1',
        SentTimestamp: String(Date.now()),
        SenderId: 'test',
        ApproximateFirstReceiveTimestamp: String(Date.now()),
      },
      messageAttributes: {},
      md5OfBody: '',
      eventSource: 'aws:sqs',
      eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:segura-syslog',
      awsRegion: 'us-east-1',
    })),
  };
}

describe.each(['tls', 'tcp'] as const)('deliver-syslog over %s', (transport) => {
  it('every event reaches rsyslog and syslog-ng, which parse exactly what the relay rendered', async () => {
    const env = (daemon: 'rsyslog' | 'syslogNg'): NodeJS.ProcessEnv => ({
      AWS_REGION: 'us-east-1',
      [ENV.deadLetterQueueUrl]: 'https://sqs.us-east-1.amazonaws.com/000000000000/unused-dlq',
      [ENV.destination]: JSON.stringify({
        name: `${daemon}-${transport}`,
        transport,
        host: transport === 'tls' ? 'localhost' : '127.0.0.1',
        port: rx.ports[daemon][transport],
        format: 'rfc5424',
        render: { sdId: 'segura@32473' },
        ...(transport === 'tls' ? { ca: { pem: rx.caPem } } : {}),
      }),
    });
    for (const daemon of ['rsyslog', 'syslogNg'] as const) {
      const h = await createSyslogHandler(env(daemon));
      const res = await h(sqsEvent(), lambdaContext('deliver-syslog', 30_000));
      expect(res.batchItemFailures, `${daemon}: nothing left for SQS to retry`).toEqual([]);
      await h.sink.close();
    }
    const got = await rx.collect(events.length, 15_000);
    const r = createRenderer('rfc5424', { sdId: 'segura@32473', maxBytes: 8192 });
    for (const parser of ['rsyslog', 'syslog-ng'] as const) {
      const recs = got[parser];
      expect(recs, `${parser} records`).toHaveLength(events.length);
      recs.forEach((rec, i) => {
        const e = events[i] as SecurityEvent;
        const line = r.render(e);
        expect(rec.ok, `${parser} #${i}: ${rec.error}`).toBe(true);
        expect(rec.pri).toBe(8 + e.syslogSeverity);
        expect(toUtcMicros(rec.timestamp)).toBe(e.time ? toUtcMicros(formatUtc(e.time)) : undefined);
        expect(rec.appName).toBe('Segura');
        expect(rec.msgid).toBe(e.eventId);
        expect(rec.sd?.['segura@32473']?.eventId).toBe(e.eventId);
        expect(rec.sd?.['segura@32473']?.name).toBe(e.name);
        expect(rec.msg).toBe(msgOfLine(line));
        if (parser === 'rsyslog') {
          expect(rec.cef?.ok, `liblognorm #${i}: ${rec.cef?.error}`).toBe(true);
          expect(rec.cef?.eventClassId).toBe(e.eventId);
        }
      });
    }
  });
});
