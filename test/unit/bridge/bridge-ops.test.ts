/**
 * What the bridge tells a container platform (cli/bridge-ops.ts): the EMF line (counters as
 * deltas, gauges as they are), the health decision and the health endpoint on a real socket, and
 * the options that turn them on.
 */
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { UsageError } from '../../../cli/args.js';
import { bridgeConfig } from '../../../cli/bridge.js';
import { emfLine, healthy, serveHealth, UNHEALTHY_SPOOL_SHARE } from '../../../cli/bridge-ops.js';
import { BRIDGE_METRIC, BRIDGE_METRIC_DIMENSION } from '../../../shared/config/bridge-metrics.js';

const QUEUE = 'https://sqs.sa-east-1.amazonaws.com/123456789012/segura-ingest';

const status = (o: Record<string, unknown>) => ({
  mode: 'direct',
  received: { udp: 0, tcp: 0, tls: 0 },
  sent: 0,
  rejected: 0,
  droppedOversize: 0,
  droppedSpoolFull: 0,
  droppedOverBudget: 0,
  udpDrops: 0,
  sendFailures: 0,
  spoolBytes: 0,
  spoolMessages: 0,
  openConnections: 0,
  ...o,
});

describe('emfLine', () => {
  it('is one EMF document: namespace, the Service dimension, every bridge metric with a unit', () => {
    const doc = JSON.parse(emfLine('SeguraRelay', 'relay-syslog-endpoint', undefined, status({}), 1_700_000_000_000));
    expect(doc._aws.Timestamp).toBe(1_700_000_000_000);
    const d = doc._aws.CloudWatchMetrics[0];
    expect(d.Namespace).toBe('SeguraRelay');
    expect(d.Dimensions).toEqual([[BRIDGE_METRIC_DIMENSION]]);
    expect(d.Metrics.map((m: { Name: string }) => m.Name).sort()).toEqual(Object.values(BRIDGE_METRIC).sort());
    expect(d.Metrics.find((m: { Name: string }) => m.Name === 'SpoolBytes').Unit).toBe('Bytes');
    expect(doc[BRIDGE_METRIC_DIMENSION]).toBe('relay-syslog-endpoint');
    for (const m of Object.values(BRIDGE_METRIC)) expect(typeof doc[m]).toBe('number');
  });

  it('counters are what happened since the previous line; gauges are the current value', () => {
    const a = status({
      received: { udp: 1, tcp: 10, tls: 5 },
      sent: 12,
      rejected: 1,
      sendFailures: 2,
      spoolBytes: 500,
    });
    const b = status({
      mode: 'spooling',
      received: { udp: 1, tcp: 30, tls: 5 },
      sent: 20,
      rejected: 1,
      droppedSpoolFull: 3,
      udpDrops: 2,
      sendFailures: 7,
      spoolBytes: 100,
      spoolMessages: 4,
      openConnections: 3,
    });
    const doc = JSON.parse(emfLine('ns', 's', a, b, 0));
    expect(doc).toMatchObject({
      MessagesReceived: 20,
      MessagesSent: 8,
      MessagesRejected: 0,
      MessagesDropped: 5,
      SqsErrors: 5,
      SpoolBytes: 100,
      SpoolMessages: 4,
      OpenConnections: 3,
      Spooling: 1,
    });
  });

  it('the deltas of consecutive lines add up to the final counters (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.nat({ max: 1000 }), { minLength: 1, maxLength: 20 }), (steps) => {
        let sent = 0;
        let prev: Record<string, unknown> | undefined;
        let sum = 0;
        for (const s of steps) {
          sent += s;
          const cur = status({ sent });
          sum += JSON.parse(emfLine('ns', 's', prev, cur, 0)).MessagesSent;
          prev = cur;
        }
        expect(sum).toBe(sent);
      }),
    );
  });
});

describe('health', () => {
  const max = 1000;
  it('healthy while direct, or spooling with room; unhealthy spooling past 90 % of the spool', () => {
    expect(healthy(status({ mode: 'direct', spoolBytes: max }), max)).toBe(true);
    expect(healthy(status({ mode: 'spooling', spoolBytes: 0 }), max)).toBe(true);
    expect(healthy(status({ mode: 'spooling', spoolBytes: UNHEALTHY_SPOOL_SHARE * max - 1 }), max)).toBe(true);
    expect(healthy(status({ mode: 'spooling', spoolBytes: UNHEALTHY_SPOOL_SHARE * max }), max)).toBe(false);
  });

  let close: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await close?.();
    close = undefined;
  });

  it('serves 200/503 with the status as JSON on a real socket; refuses other methods', async () => {
    let cur = status({});
    const h = await serveHealth('127.0.0.1', 0, () => cur, max);
    close = () => new Promise<void>((ok) => h.server.close(() => ok()));
    const url = `http://127.0.0.1:${h.port}/`;
    const ok = await fetch(url);
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ healthy: true, mode: 'direct' });
    cur = status({ mode: 'spooling', spoolBytes: max });
    const bad = await fetch(url);
    expect(bad.status).toBe(503);
    expect(await bad.json()).toMatchObject({ healthy: false, spoolBytes: max });
    expect((await fetch(url, { method: 'POST' })).status).toBe(405);
  });
});

describe('bridge options for containers', () => {
  it('--health-port and --metrics-emf/--metrics-service', () => {
    const cfg = bridgeConfig([
      '--queue-url',
      QUEUE,
      '--tcp',
      '10514',
      '--health-port',
      '8080',
      '--metrics-emf',
      'SeguraRelay',
      '--metrics-service',
      'relay-syslog-endpoint',
    ]);
    expect(cfg).toMatchObject({
      ops: {
        health: { host: '0.0.0.0', port: 8080 },
        metrics: { namespace: 'SeguraRelay', service: 'relay-syslog-endpoint' },
      },
    });
    expect(bridgeConfig(['--queue-url', QUEUE, '--tcp', '10514'])).toMatchObject({ ops: {} });
  });

  it('rejects a bad namespace, a bad port, and --metrics-service alone', () => {
    const bad = (extra: string[]) => () => bridgeConfig(['--queue-url', QUEUE, '--tcp', '1', ...extra]);
    expect(bad(['--metrics-emf', 'has space'])).toThrow(UsageError);
    expect(bad(['--health-port', '70000'])).toThrow(UsageError);
    expect(bad(['--metrics-service', 'x'])).toThrow(/needs --metrics-emf/);
  });
});
