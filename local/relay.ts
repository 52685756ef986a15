/**
 * The whole relay on one machine, no AWS account: fauxqs (SQS + SNS) in-process, the Firehose
 * protocol double writing NDJSON, a TLS syslog receiver with a throwaway certificate (or a RELP
 * receiver, plain or TLS: `syslog.local`), the same
 * queues / topic / subscriptions / DLQs the stack creates, and the real function handlers driven
 * by event-source pollers. Used by `npm start` and by the integration tests.
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { CreateTopicCommand, type SNSClient } from '@aws-sdk/client-sns';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { startFauxqs } from 'fauxqs';
import { createFirehoseHandler } from '../functions/deliver-firehose/app.js';
import { createSyslogHandler } from '../functions/deliver-syslog/app.js';
import { createNormalizeHandler } from '../functions/normalize/app.js';
import { snsClient, sqsClient } from '../shared/aws-clients.js';
import { firehoseDestination, syslogDestination } from '../shared/config/destination.js';
import { FIREHOSE_ERROR_PARTITIONS } from '../shared/config/firehose-backup.js';
import type { RetryBackoff } from '../shared/config/retry-backoff.js';
import { ENV, REDRIVE_COUNT_ATTR } from '../shared/contracts/index.js';
import type { SyslogSinkConfig } from '../shared/deliver/syslog/index.js';
import type { SecurityEvent } from '../shared/model/security-event.js';
import { parseInput } from '../shared/parse/parse-payload.js';
import type { Format, RenderConfig, Renderer } from '../shared/render/index.js';
import { type LocalAlerts, type LocalAlertsOptions, startLocalAlerts } from './alerts.js';
import { type TlsMaterial, throwawayTls } from './certs.js';
import { LOCAL_EVENT_ID_KEY } from './event-id-key.js';
import { type FaultProxy, startFaultProxy } from './fault-proxy.js';
import { type FirehoseBackup, type FirehoseDouble, startFirehoseDouble } from './firehose-double.js';
import type { FunctionLogs } from './function-logs.js';
import { LatencyProbe, type LatencyReport } from './latency.js';
import { Poller, type SqsHandler } from './poller.js';
import {
  createQueuePair,
  type DlqEntry,
  type QueuePair,
  queueDepth,
  readDlq,
  type SendFailure,
  type SendReport,
  SQS_MAX_MESSAGE_BYTES,
  sendBodies,
  subscribeQueue,
} from './queues.js';
import { type RelpReceiver, startRelpReceiver } from './relp-receiver.js';
import { type S3Double, startS3Double } from './s3-double.js';
import { type SyslogReceiver, startSyslogReceiver } from './syslog-receiver.js';
import { LOCAL_COLLECTORS, type LocalCollector, parseSyslogUrl, type SyslogTarget } from './syslog-url.js';

/** The Firehose double's file is named for what it holds: one rendered event per line. */
const ARCHIVE_EXTENSION: Readonly<Record<Format, string>> = {
  cef: '.cef',
  rfc5424: '.log',
  leef: '.leef',
  ecs: '.ndjson',
};
/** The local archive bucket (S3 double) where a Splunk/HTTP-like Firehose destination backs up. */
const LOCAL_ARCHIVE_BUCKET = 'segura-archive-local';

interface LocalRelayOptions {
  /** folder for output files (Firehose NDJSON, syslog log, TLS material). @default .relay-local/run-<time> */
  readonly dir?: string;
  /** Firehose destination; false disables it. @default { format: 'cef', aggregate: true } */
  readonly firehose?:
    | false
    | {
        readonly format?: Format;
        /** @default true, false with `backup` (Splunk and HTTP endpoints take one event per record) */
        readonly aggregate?: boolean;
        readonly render?: RenderConfig;
        /**
         * Model a Splunk or HTTP endpoint stream: records it fails to deliver for good (the Firehose
         * double's delivery faults) are backed up to an S3 double (`relay.s3`) under
         * `relay.failedRecordsUri`, as the stack configures it. @default none (an S3 stream)
         */
        readonly backup?: 'splunk' | 'http';
      };
  /** syslog destination; false disables it. Without `url`, a local receiver is started. @default TLS, rfc5424 */
  readonly syslog?:
    | false
    | {
        readonly url?: string;
        /**
         * Without `url`: the local collector to start, a TLS syslog receiver or a RELP receiver
         * (plain or TLS). @default 'tls'
         */
        readonly local?: LocalCollector;
        readonly format?: Format;
        readonly framing?: 'octet' | 'lf';
        readonly render?: RenderConfig;
        /** CA PEM the deliverer trusts: an external collector's, or (tests) a wrong one for the local receiver */
        readonly ca?: string;
        /** transport overrides for tests (timeouts, breaker) */
        readonly sink?: Partial<SyslogSinkConfig>;
      };
  /** function timeout (ms) for every handler. @default 10_000 */
  readonly timeoutMs?: number;
  /** visibility timeout of every source queue, seconds. @default 6 × timeout (the stack's rule) */
  readonly visibilityTimeoutSec?: number;
  /** receives before SQS moves a message to its DLQ. @default 3 */
  readonly maxReceiveCount?: number;
  readonly log?: (line: string) => void;
  /** fauxqs port (`npm start -- --port 4566`); 0 picks a free one. @default 0 */
  readonly port?: number;
  /**
   * Called with each message the normalize function takes from the ingest queue (`--serve` ledger);
   * `redriven` when `segura-relay redrive` put it back (a copy of an earlier input).
   */
  readonly onIngest?: (messageId: string, body: string, redriven: boolean) => void;
  /** alert rules (dynalite, one SNS topic per channel, evaluate-alerts); false/absent disables them. @default false */
  readonly alerts?: false | LocalAlertsOptions;
  /** put an HTTP fault proxy (`relay.snsProxy`) between normalize's SNS client and fauxqs (fault tests). @default false */
  readonly snsProxy?: boolean;
  /** receive loops per function (concurrent invocations, as Lambda scales an SQS source). @default 1 */
  readonly concurrency?: number;
  /** remaining time the functions' context reports, when it must differ from `timeoutMs` (fault tests). */
  readonly contextTimeoutMs?: number;
  /** backoff of the delivery functions while a destination is down (scaled in tests). @default the stack's */
  readonly backoff?: RetryBackoff;
  /**
   * Fault injection: make records throw an unexpected error (not an InvalidEventError) in
   * normalize (`normalize`, by raw body) or in a destination's renderer (`render`, by event).
   */
  readonly inject?: {
    readonly normalize?: (body: string) => boolean;
    readonly render?: (e: SecurityEvent, destination: string) => boolean;
  };
  /**
   * Record per-event latency (`relay.latencyReport()`): when each function was invoked with each
   * record and when each line reached a local destination. Observes only. @default false
   */
  readonly latency?: boolean;
  /**
   * Attribute what each function logs to it (`npm start`: the cause of a failure in the summary,
   * `--verbose`). @default none
   */
  readonly functionLogs?: FunctionLogs;
}

interface DestinationInfo {
  readonly name: string;
  readonly kind: 'firehose' | 'syslog';
  readonly queue: QueuePair;
  readonly format: Format;
  /**
   * The renderer the destination's function uses, derived from the same DESTINATION config by the
   * same parser (format, render options, the transport's size budget): ledgers expect its output.
   */
  readonly renderer: Renderer;
  /** where its output can be read (file path or collector URL) */
  readonly output: string;
  /** rendered events the destination received (local destinations only) */
  readonly received: () => string[] | null;
}

class LocalRelay {
  readonly pollers: Poller[] = [];
  readonly destinations: DestinationInfo[] = [];
  ingest!: QueuePair;
  topicArn = '';
  tls: TlsMaterial | null = null;
  firehose: FirehoseDouble | null = null;
  /** the backup bucket's S3 double, when the Firehose destination models Splunk or HTTP */
  s3: S3Double | null = null;
  /** `s3://bucket/prefix/` where that stream backs up failed records (redrive --from-s3) */
  failedRecordsUri: string | null = null;
  syslogReceiver: SyslogReceiver | null = null;
  /** the local RELP receiver, when `syslog.local` is relp or relp+tls */
  relpReceiver: RelpReceiver | null = null;
  syslogHandler: Awaited<ReturnType<typeof createSyslogHandler>> | null = null;
  /** the alerts part (throttle table, channel topics, evaluate-alerts), when enabled */
  alerts: LocalAlerts | null = null;
  /** the fault proxy in front of SNS for normalize, when `snsProxy` is on */
  snsProxy: FaultProxy | null = null;
  /** the latency recorder, when `latency` is on */
  readonly latency: LatencyProbe | null;
  readonly dir: string;
  endpoint = '';
  sqs!: SQSClient;
  sns!: SNSClient;
  private stopFauxqs: (() => Promise<void>) | null = null;
  private readonly o: LocalRelayOptions;
  private readonly timeoutMs: number;
  private readonly visibilitySec: number;

  private constructor(o: LocalRelayOptions) {
    this.o = o;
    this.dir = resolve(o.dir ?? join('.relay-local', `run-${new Date().toISOString().replace(/[:.]/g, '-')}`));
    this.timeoutMs = o.timeoutMs ?? 10_000;
    this.visibilitySec = o.visibilityTimeoutSec ?? Math.ceil((6 * this.timeoutMs) / 1000);
    this.latency = o.latency ? new LatencyProbe() : null;
  }

  private log(s: string): void {
    this.o.log?.(s);
  }

  static async start(o: LocalRelayOptions = {}): Promise<LocalRelay> {
    const r = new LocalRelay(o);
    try {
      await r.boot();
    } catch (e) {
      await r.stop();
      throw e;
    }
    return r;
  }

  private async boot(): Promise<void> {
    mkdirSync(this.dir, { recursive: true });
    const fauxqs = await startFauxqs({
      port: this.o.port ?? 0,
      logger: false,
      host: '127.0.0.1',
      // alert publishes are read from the spy: keep more than the default 100 between reads
      messageSpies: this.o.alerts ? { bufferSize: 10_000 } : true,
    });
    this.stopFauxqs = () => fauxqs.stop();
    this.endpoint = `http://127.0.0.1:${fauxqs.port}`;
    this.sqs = sqsClient({ endpoint: this.endpoint });
    this.sns = snsClient({ endpoint: this.endpoint });
    this.ingest = await this.queuePair('segura-ingest');
    this.topicArn = (await this.sns.send(new CreateTopicCommand({ Name: 'segura-events' }))).TopicArn as string;
    const env = (extra: Record<string, string>): NodeJS.ProcessEnv => ({
      AWS_REGION: 'us-east-1',
      [ENV.awsEndpoint]: this.endpoint,
      ...extra,
    });
    if (this.o.snsProxy) this.snsProxy = await startFaultProxy({ target: this.endpoint });
    const inject = this.o.inject;
    const normalizeThrows = inject?.normalize;
    const normalize = createNormalizeHandler(
      env({
        ...(this.snsProxy ? { [ENV.snsEndpoint]: this.snsProxy.endpoint } : {}),
        [ENV.eventsTopicArn]: this.topicArn,
        [ENV.deadLetterQueueUrl]: this.ingest.dlqUrl,
        [ENV.sourceQueueUrl]: this.ingest.url,
        AWS_LAMBDA_FUNCTION_NAME: 'normalize',
      }),
      {
        eventIdKey: LOCAL_EVENT_ID_KEY,
        ...(normalizeThrows
          ? {
              parse: (raw, o) => {
                if (normalizeThrows(raw)) throw new TypeError('injected fault: unexpected error in normalize');
                return parseInput(raw, o);
              },
            }
          : {}),
      },
    );
    const renderHook = (destination: string) => {
      const throws = inject?.render;
      if (!throws) return {};
      return {
        renderer: (r: Renderer): Renderer => ({
          format: r.format,
          render: (e) => {
            if (throws(e, destination)) throw new TypeError('injected fault: unexpected error in the renderer');
            return r.render(e);
          },
          renderWithInfo: (e) => {
            if (throws(e, destination)) throw new TypeError('injected fault: unexpected error in the renderer');
            return r.renderWithInfo(e);
          },
        }),
      };
    };
    const backoffEnv: Record<string, string> = this.o.backoff
      ? { [ENV.retryBackoff]: JSON.stringify(this.o.backoff) }
      : {};
    const onIngest = this.o.onIngest;
    this.addPoller(
      'normalize',
      this.ingest,
      onIngest === undefined
        ? normalize
        : (event, context) => {
            for (const r of event.Records) {
              onIngest(r.messageId, r.body, r.messageAttributes[REDRIVE_COUNT_ATTR] !== undefined);
            }
            return normalize(event, context);
          },
    );

    if (this.o.firehose !== false) {
      const f = this.o.firehose ?? {};
      const format = f.format ?? 'cef';
      const probe = this.latency;
      let backup: Record<string, FirehoseBackup> | undefined;
      if (f.backup) {
        // the stack's layout: <destination>-failed/ + the error partitions, in the archive bucket
        this.s3 = await startS3Double({ buckets: [LOCAL_ARCHIVE_BUCKET] });
        const prefix = 'archive-failed/';
        backup = {
          'segura-archive': {
            store: this.s3,
            bucket: LOCAL_ARCHIVE_BUCKET,
            errorOutputPrefix: `${prefix}${FIREHOSE_ERROR_PARTITIONS}`,
            destination: f.backup,
          },
        };
        this.failedRecordsUri = `s3://${LOCAL_ARCHIVE_BUCKET}/${prefix}`;
      }
      this.firehose = await startFirehoseDouble({
        outDir: this.dir,
        streams: ['segura-archive'],
        extensions: { 'segura-archive': ARCHIVE_EXTENSION[format] },
        ...(backup ? { backup } : {}),
        ...(probe
          ? {
              onAccepted: (_stream: string, records: readonly string[]) => {
                const at = Date.now();
                // one record may hold several events (aggregation): each line is one event
                for (const r of records)
                  for (const line of r.split('\n')) if (line !== '') probe.arrived('archive', line, at);
              },
            }
          : {}),
      });
      const q = await this.queuePair('segura-firehose-archive');
      await this.subscribe(q);
      const destination = JSON.stringify({
        name: 'archive',
        deliveryStreamName: 'segura-archive',
        format,
        aggregate: f.aggregate ?? !f.backup,
        render: f.render ?? {},
      });
      const handler = createFirehoseHandler(
        env({
          [ENV.firehoseEndpoint]: this.firehose.endpoint,
          [ENV.deadLetterQueueUrl]: q.dlqUrl,
          [ENV.sourceQueueUrl]: q.url,
          ...backoffEnv,
          AWS_LAMBDA_FUNCTION_NAME: 'deliver-firehose',
          [ENV.destination]: destination,
        }),
        renderHook('archive'),
      );
      const fh = this.firehose;
      this.addPoller('deliver-firehose', q, handler);
      this.destinations.push({
        name: 'archive',
        kind: 'firehose',
        queue: q,
        format,
        renderer: firehoseDestination(destination).renderer,
        output: join(this.dir, `segura-archive${ARCHIVE_EXTENSION[format]}`),
        received: () => fh.lines('segura-archive'),
      });
    }

    if (this.o.syslog !== false) {
      const s = this.o.syslog ?? {};
      const format = s.format ?? 'rfc5424';
      let target: SyslogTarget;
      let ca = s.ca;
      let output: string;
      if (s.url) {
        target = parseSyslogUrl(s.url);
        output = s.url;
      } else if (s.local === 'relp' || s.local === 'relp+tls') {
        const relpTls = s.local === 'relp+tls';
        if (relpTls) this.tls = throwawayTls(join(this.dir, 'tls'), (l) => this.log(l));
        const outFile = join(this.dir, 'syslog-received.log');
        this.relpReceiver = await startRelpReceiver({
          ...(this.tls ? { tls: { key: this.tls.key, cert: this.tls.cert } } : {}),
          outFile,
          ...this.arrivalHook('collector'),
        });
        target = { transport: 'relp', relpTls, host: 'localhost', port: this.relpReceiver.port };
        ca = relpTls ? (s.ca ?? this.tls?.ca) : undefined;
        output = `${outFile} (RELP${relpTls ? ' over TLS' : ''} receiver on 127.0.0.1:${this.relpReceiver.port})`;
      } else {
        this.tls = throwawayTls(join(this.dir, 'tls'), (l) => this.log(l));
        const outFile = join(this.dir, 'syslog-received.log');
        this.syslogReceiver = await startSyslogReceiver({
          transport: 'tls',
          tls: { key: this.tls.key, cert: this.tls.cert },
          outFile,
          ...this.arrivalHook('collector'),
        });
        target = { transport: 'tls', host: 'localhost', port: this.syslogReceiver.port };
        ca = s.ca ?? this.tls.ca;
        output = `${outFile} (TLS receiver on 127.0.0.1:${this.syslogReceiver.port})`;
      }
      const q = await this.queuePair('segura-syslog-collector');
      await this.subscribe(q);
      const destination = JSON.stringify({
        name: 'collector',
        transport: target.transport,
        host: target.host,
        port: target.port,
        ...(target.transport === 'relp'
          ? { relp: { tls: target.relpTls === true } }
          : { framing: s.framing ?? 'octet' }),
        format,
        render: s.render ?? {},
        ...(ca && (target.transport === 'tls' || target.relpTls) ? { ca: { pem: ca } } : {}),
      });
      this.syslogHandler = await createSyslogHandler(
        env({
          [ENV.deadLetterQueueUrl]: q.dlqUrl,
          [ENV.sourceQueueUrl]: q.url,
          ...backoffEnv,
          AWS_LAMBDA_FUNCTION_NAME: 'deliver-syslog',
          [ENV.destination]: destination,
        }),
        s.sink,
        renderHook('collector'),
      );
      this.addPoller('deliver-syslog', q, this.syslogHandler);
      const rx = this.syslogReceiver ?? this.relpReceiver;
      this.destinations.push({
        name: 'collector',
        kind: 'syslog',
        queue: q,
        format,
        renderer: syslogDestination(destination).renderer,
        output,
        received: () => (rx ? rx.messages : null),
      });
    }
    if (this.o.alerts) {
      this.alerts = await startLocalAlerts(this.o.alerts, {
        dir: this.dir,
        log: (l) => this.log(l),
        endpoint: this.endpoint,
        sns: this.sns,
        spy: fauxqs.spy,
        queuePair: (name) => this.queuePair(name),
        subscribe: (q) => this.subscribe(q),
      });
      this.addPoller('evaluate-alerts', this.alerts.queue, this.alerts.handler);
    }
    for (const p of this.pollers) p.start();
  }

  /** `onMessage` for a local collector: each decoded message is an arrival (latency on). */
  private arrivalHook(name: string): { onMessage?: (m: string) => void } {
    const probe = this.latency;
    return probe ? { onMessage: (m: string) => probe.arrived(name, m) } : {};
  }

  /** With latency on: note when the function was invoked with which records, then run it unchanged. */
  private timed(name: string, handler: SqsHandler): SqsHandler {
    const probe = this.latency;
    if (!probe) return handler;
    return (event, context) => {
      const at = Date.now();
      if (name === 'normalize') probe.normalizeInvoked(event.Records, at);
      else probe.destinationInvoked(name, event.Records, at);
      return handler(event, context);
    };
  }

  /** The latency of every event so far (needs `latency: true`); external collectors are not timed. */
  latencyReport(): LatencyReport | null {
    if (!this.latency) return null;
    const local = this.destinations.filter((d) => d.received() !== null);
    const alerts = this.alerts;
    return this.latency.report(
      local.map((d) => ({
        name: d.name,
        kind: d.kind,
        fn: d.kind === 'syslog' ? 'deliver-syslog' : 'deliver-firehose',
        renderer: d.renderer,
      })),
      alerts
        ? {
            fn: 'evaluate-alerts',
            received: alerts
              .received()
              .map((r) => ({ sqsMessageId: alerts.raisedBy.get(r.messageId) ?? '', atMs: r.atMs })),
          }
        : undefined,
    );
  }

  private addPoller(name: string, q: QueuePair, handler: SqsHandler): void {
    const logs = this.o.functionLogs;
    const timed = this.timed(name, handler);
    this.pollers.push(
      new Poller({
        name,
        sqs: this.sqs,
        queueUrl: q.url,
        queueArn: q.arn,
        handler: logs ? (event, context) => logs.run(name, () => timed(event, context)) : timed,
        timeoutMs: this.timeoutMs,
        visibilityTimeoutSec: this.visibilitySec,
        ...(this.o.concurrency ? { concurrency: this.o.concurrency } : {}),
        ...(this.o.contextTimeoutMs ? { contextTimeoutMs: this.o.contextTimeoutMs } : {}),
        onLog: (l) => {
          this.log(l);
          logs?.note(name, l.replace(/^\[[^\]]*\] /, ''));
        },
      }),
    );
  }

  private queuePair(name: string): Promise<QueuePair> {
    return createQueuePair(this.sqs, name, {
      visibilitySec: this.visibilitySec,
      maxReceiveCount: this.o.maxReceiveCount ?? 3,
    });
  }

  private subscribe(q: QueuePair): Promise<void> {
    return subscribeQueue(this.sns, this.topicArn, q);
  }

  /** Send raw bodies to the ingest queue, as the vault would; throws if SQS refuses any. */
  async send(bodies: readonly string[]): Promise<number> {
    const r = await this.sendReport(bodies);
    const f = r.failed[0];
    if (f) throw new Error(`SendMessageBatch failed for ${r.failed.length} message(s): ${f.code}: ${f.message}`);
    return r.sent;
  }

  /**
   * Send raw bodies to the ingest queue within SQS's size rules; a body SQS refuses comes back
   * with its index and reason (local/queues.ts: sendBodies).
   */
  sendReport(bodies: readonly string[]): Promise<SendReport> {
    return sendBodies(this.sqs, this.ingest.url, bodies);
  }

  /**
   * Send `bodies` at a steady `ratePerSec`: each event goes out when it is due (event i at i / rate
   * seconds), so a late wake-up sends what is due at once and the average rate holds. Bounded: stops
   * after `maxMs` even if not everything went out. Returns how many were sent (a prefix of `bodies`).
   */
  async sendPaced(
    bodies: readonly string[],
    ratePerSec: number,
    o: {
      readonly maxMs: number;
      readonly onProgress?: (sent: number) => void;
      /** a body SQS refused (index into `bodies`); without it a refusal throws */
      readonly onFailed?: (f: SendFailure) => void;
    },
  ): Promise<number> {
    if (!(ratePerSec > 0)) throw new Error(`sendPaced: rate must be > 0, got ${ratePerSec}`);
    const t0 = Date.now();
    let sent = 0;
    while (sent < bodies.length) {
      const elapsed = Date.now() - t0;
      if (elapsed > o.maxMs) break;
      const due = Math.min(bodies.length, Math.floor((elapsed * ratePerSec) / 1000) + 1);
      if (due > sent) {
        if (o.onFailed) {
          const r = await this.sendReport(bodies.slice(sent, due));
          for (const f of r.failed) o.onFailed({ ...f, index: f.index + sent });
        } else await this.send(bodies.slice(sent, due));
        sent = due;
        o.onProgress?.(sent);
        continue;
      }
      const nextAt = t0 + (sent * 1000) / ratePerSec;
      await new Promise((r) => setTimeout(r, Math.max(1, nextAt - Date.now())));
    }
    return sent;
  }

  /** Messages still visible or in flight in every source queue. */
  async pending(): Promise<number> {
    let n = 0;
    for (const x of await this.pendingByQueue()) n += x.messages;
    return n;
  }

  /**
   * Messages still visible or in flight, per source queue (`ingest`, each destination's, `alerts`):
   * one input event is one message on the ingest queue and one more on each destination queue.
   */
  async pendingByQueue(): Promise<{ stage: string; messages: number }[]> {
    const out: { stage: string; messages: number }[] = [];
    for (const q of this.sourceQueues())
      out.push({ stage: this.stageOf(q), messages: await queueDepth(this.sqs, q.url) });
    return out;
  }

  private stageOf(q: QueuePair): string {
    if (q === this.ingest) return 'ingest';
    return this.destinations.find((d) => d.queue === q)?.name ?? 'alerts';
  }

  /** Wait until every source queue is empty (bounded). Returns false on timeout. */
  async drain(
    timeoutMs: number,
    onProgress?: (pending: number, byStage: readonly { stage: string; messages: number }[]) => void,
  ): Promise<boolean> {
    const end = Date.now() + timeoutMs;
    let quiet = 0;
    while (Date.now() < end) {
      const by = await this.pendingByQueue();
      const p = by.reduce((n, x) => n + x.messages, 0);
      onProgress?.(p, by);
      quiet = p === 0 ? quiet + 1 : 0;
      if (quiet >= 2) return true;
      await new Promise((r) => setTimeout(r, 150));
    }
    return false;
  }

  /** Every DLQ's messages with the reason each was parked. */
  async dlqContents(): Promise<DlqEntry[]> {
    const out: DlqEntry[] = [];
    for (const q of this.sourceQueues()) out.push(...(await readDlq(this.sqs, q, this.o.maxReceiveCount ?? 3)));
    return out;
  }

  /** Every queue a function polls: ingest, each destination's, and the alerts queue. */
  private sourceQueues(): QueuePair[] {
    return [this.ingest, ...this.destinations.map((d) => d.queue), ...(this.alerts ? [this.alerts.queue] : [])];
  }

  pollerFor(name: string): Poller | undefined {
    return this.pollers.find((p) => p.name === name);
  }

  async stop(): Promise<void> {
    await Promise.all(this.pollers.map((p) => p.stop()));
    await this.syslogHandler?.sink.close();
    await this.syslogReceiver?.stop();
    await this.relpReceiver?.stop();
    await this.firehose?.stop();
    await this.s3?.stop();
    await this.alerts?.stop();
    await this.snsProxy?.stop();
    await this.stopFauxqs?.();
  }
}

export type { DestinationInfo, DlqEntry, LocalCollector, LocalRelayOptions, QueuePair, SendFailure, SendReport };
export { LOCAL_COLLECTORS, LocalRelay, parseSyslogUrl, SQS_MAX_MESSAGE_BYTES };
