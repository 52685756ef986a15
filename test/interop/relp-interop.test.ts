/**
 * The real deliver-syslog function over RELP, plain and TLS, to real rsyslog with imrelp (Debian's
 * rsyslog-relp, librelp 1.11): every golden and hostile event arrives, acknowledged, and rsyslog
 * parses exactly what the relay rendered, field by field, with no error from rsyslog or the relay.
 * Also pins which of librelp's TLS libraries works with a relay that presents no client
 * certificate (openssl: yes; gnutls: no, and the relay says why).
 */
import type { SQSEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSyslogHandler } from '../../functions/deliver-syslog/app.js';
import { lambdaContext } from '../../local/poller.js';
import { ENV } from '../../shared/contracts/index.js';
import { createSyslogSink } from '../../shared/deliver/syslog/index.js';
import type { SecurityEvent } from '../../shared/model/security-event.js';
import { formatUtc } from '../../shared/model/time.js';
import { toWire } from '../../shared/model/wire.js';
import { parseInput } from '../../shared/parse/parse-payload.js';
import { createRenderer } from '../../shared/render/index.js';
import { startRsyslog } from '../helpers/rsyslog.js';
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

describe.each([
  ['plain', false],
  ['TLS', true],
] as const)('deliver-syslog over RELP (%s) to rsyslog imrelp', (_name, tls) => {
  it('every golden and hostile event is acknowledged, and rsyslog parses exactly what the relay rendered', async () => {
    // Prepare: the function exactly as deployed, small window so the batch runs many windows
    rx.daemonLog('rsyslog');
    const handler = await createSyslogHandler({
      AWS_REGION: 'us-east-1',
      [ENV.deadLetterQueueUrl]: 'https://sqs.us-east-1.amazonaws.com/000000000000/unused-dlq',
      [ENV.destination]: JSON.stringify({
        name: `rsyslog-relp${tls ? '-tls' : ''}`,
        transport: 'relp',
        relp: { tls, window: 8 },
        host: tls ? 'localhost' : '127.0.0.1',
        port: tls ? rx.ports.rsyslog.relpTls : rx.ports.rsyslog.relp,
        format: 'rfc5424',
        render: { sdId: 'segura@32473' },
        ...(tls ? { ca: { pem: rx.caPem } } : {}),
      }),
    });

    // Act
    const res = await handler(sqsEvent(), lambdaContext('deliver-syslog', 30_000));
    const stats = handler.sink.stats().transport;
    await handler.sink.close();
    const got = await rx.collect(events.length, 15_000, ['rsyslog']);

    // Assess: zero errors on both sides
    expect(res.batchItemFailures, 'nothing left for SQS to retry').toEqual([]);
    expect(stats).toMatchObject({ framesAcked: events.length, framesRejected: 0, framesResent: 0, connects: 1 });
    expect(rx.daemonLog('rsyslog').filter((l) => /error|warn|fail|oversize|invalid/i.test(l))).toEqual([]);
    // field by field
    const r = createRenderer('rfc5424', { sdId: 'segura@32473', maxBytes: 8192 });
    const recs = got.rsyslog;
    expect(recs).toHaveLength(events.length);
    recs.forEach((rec, i) => {
      const e = events[i] as SecurityEvent;
      const line = r.render(e);
      expect(rec.ok, `rsyslog #${i}: ${rec.error}`).toBe(true);
      expect((rec.raw as { inputname?: string }).inputname).toBe('imrelp');
      // the whole message, byte for byte as rendered (rsyslog escapes control characters as #ooo)
      const escaped = line.replace(/[\u0000-\u001f\u007f]/g, (c) => `#${c.charCodeAt(0).toString(8).padStart(3, '0')}`);
      expect((rec.raw as { rawmsg?: string }).rawmsg).toBe(escaped);
      expect(rec.pri).toBe(8 + e.syslogSeverity);
      expect(toUtcMicros(rec.timestamp)).toBe(e.time ? toUtcMicros(formatUtc(e.time)) : undefined);
      expect(rec.appName).toBe('Segura');
      expect(rec.msgid).toBe(e.eventId);
      expect(rec.sd?.['segura@32473']?.eventId).toBe(e.eventId);
      expect(rec.sd?.['segura@32473']?.name).toBe(e.name);
      expect(rec.msg).toBe(msgOfLine(line));
      expect(rec.cef?.ok, `liblognorm #${i}: ${rec.cef?.error}`).toBe(true);
      expect(rec.cef?.eventClassId).toBe(e.eventId);
      expect(rec.cef?.name).toBe(e.name);
    });
  });
});

describe('librelp TLS libraries (Debian 12: librelp 1.11 links both gnutls and openssl)', () => {
  it('tls.tlslib="gnutls": librelp demands a client certificate; the relay fails the batch (retryable) and says why', async () => {
    // Prepare
    const rs = await startRsyslog({ inputs: ['relp+tls'], tlslib: 'gnutls' });
    try {
      const sink = createSyslogSink({
        name: 'gnutls-imrelp',
        transport: 'relp',
        relp: { tls: true },
        host: 'localhost',
        port: rs.ports['relp+tls'] as number,
        ca: rs.caPem,
        connectTimeoutMs: 3_000,
        logger: { info: () => undefined, warn: () => undefined, error: () => undefined },
      });

      // Act
      const result = await sink.send([{ id: 'g-1', payload: '<134>1 2026-01-19T10:41:00Z h app - - - hi' }], {
        deadlineMs: Date.now() + 8_000,
      });
      await sink.close();

      // Assess: nothing delivered, nothing claimed, and the reason points at the client certificate
      expect(result.delivered).toEqual([]);
      expect(result.failed).toHaveLength(1);
      expect(result.failed[0]?.retryable).toBe(true);
      expect(result.failed[0]?.error).toMatch(/client certificate|CERTIFICATE_REQUIRED/);
      await new Promise((r) => setTimeout(r, 200));
      expect(rs.log().join('\n')).toMatch(/peer did not provide a certificate/);
      expect(rs.messages()).toEqual([]);
    } finally {
      await rs.stop();
    }
  });

  it('tls.tlslib="openssl": server authentication only, as the relay needs', async () => {
    const rs = await startRsyslog({ inputs: ['relp+tls'], tlslib: 'openssl' });
    try {
      const sink = createSyslogSink({
        name: 'openssl-imrelp',
        transport: 'relp',
        relp: { tls: true },
        host: 'localhost',
        port: rs.ports['relp+tls'] as number,
        ca: rs.caPem,
        logger: { info: () => undefined, warn: () => undefined, error: () => undefined },
      });
      const payload = '<134>1 2026-01-19T10:41:00Z h app - - - hello over openssl';

      const result = await sink.send([{ id: 'o-1', payload }], { deadlineMs: Date.now() + 8_000 });
      await sink.close();

      expect(result.delivered).toEqual(['o-1']);
      expect(rs.messages()).toEqual([payload]);
    } finally {
      await rs.stop();
    }
  });
});
