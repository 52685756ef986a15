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
import type { DestinationKind } from '../shared/destinations/kinds.js';
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
  /**
   * The destinations, as a deployment config describes them (`npm start -c`: local/deployment.ts);
   * when given, `firehose` and `syslog` are ignored.
   */
  readonly destinations?: readonly LocalDestinationSpec[];
  /** the ingest queue and normalize (`npm start -c`: the config's ingest.processing). @default the options above */
  readonly ingestQueue?: LocalQueueSettings;
  /** the alerts queue and evaluate-alerts (`npm start -c`: alerts.processing). @default the options above */
  readonly alertsQueue?: LocalQueueSettings;
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

/** How one consumer's queue and function run (`npm start -c`: the deployment config's, resolved). */
interface LocalQueueSettings {
  /** records per invocation (the local poller receives at most 10 per ReceiveMessage call, SQS's maximum) */
  readonly batchSize: number;
  readonly maxReceiveCount: number;
  readonly visibilitySec: number;
  readonly timeoutMs: number;
}

/** A Firehose destination of a local relay: its stream goes to the Firehose double. */
interface LocalFirehoseSpec {
  readonly kind: 'firehose';
  readonly name: string;
  readonly queueName: string;
  readonly streamName: string;
  readonly format: Format;
  readonly aggregate: boolean;
  readonly render: RenderConfig;
  /** a Splunk or HTTP endpoint stream: failed records back up to the S3 double */
  readonly backup?: 'splunk' | 'http';
  /** @default `<name>-failed/` */
  readonly backupPrefix?: string;
  readonly filterPolicy?: Readonly<Record<string, unknown>>;
  readonly queue?: LocalQueueSettings;
  readonly backoff?: RetryBackoff;
  /** the poller's (and function logs') name. @default deliver-firehose */
  readonly fn?: string;
  /** what the deployed destination is, which this local double stands in for */
  readonly standsFor?: string;
}

/** A syslog destination of a local relay: an external collector (`url`) or a local receiver. */
interface LocalSyslogSpec {
  readonly kind: 'syslog';
  readonly name: string;
  readonly queueName: string;
  readonly url?: string;
  /** without `url`: the local receiver to start. @default 'tls' */
  readonly local?: LocalCollector | 'tcp' | 'udp';
  /** the local receiver's output file in the run folder. @default syslog-received.log */
  readonly fileName?: string;
  readonly format: Format;
  readonly framing: 'octet' | 'lf';
  readonly render: RenderConfig;
  readonly ca?: string;
  readonly sink?: Partial<SyslogSinkConfig>;
  readonly relpWindow?: number;
  readonly maxDatagramBytes?: number;
  readonly filterPolicy?: Readonly<Record<string, unknown>>;
  readonly queue?: LocalQueueSettings;
  readonly backoff?: RetryBackoff;
  /** @default deliver-syslog */
  readonly fn?: string;
  readonly standsFor?: string;
}

type LocalDestinationSpec = LocalFirehoseSpec | LocalSyslogSpec;

interface DestinationHooks {
  readonly env: (extra: Record<string, string>) => NodeJS.ProcessEnv;
  readonly renderHook: (destination: string) => { renderer?: (r: Renderer) => Renderer };
  readonly backoffEnv: Record<string, string>;
}

/** `firehose` / `syslog` options as destination specs: the default run's archive and collector. */
function defaultDestinations(o: LocalRelayOptions): LocalDestinationSpec[] {
  const out: LocalDestinationSpec[] = [];
  if (o.firehose !== false) {
    const f = o.firehose ?? {};
    out.push({
      kind: 'firehose',
      name: 'archive',
      queueName: 'segura-firehose-archive',
      streamName: 'segura-archive',
      format: f.format ?? 'cef',
      aggregate: f.aggregate ?? !f.backup,
      render: f.render ?? {},
      ...(f.backup ? { backup: f.backup, backupPrefix: 'archive-failed/' } : {}),
    });
  }
  if (o.syslog !== false) {
    const s = o.syslog ?? {};
    out.push({
      kind: 'syslog',
      name: 'collector',
      queueName: 'segura-syslog-collector',
      ...(s.url ? { url: s.url } : {}),
      ...(s.local ? { local: s.local } : {}),
      format: s.format ?? 'rfc5424',
      framing: s.framing ?? 'octet',
      render: s.render ?? {},
      ...(s.ca ? { ca: s.ca } : {}),
      ...(s.sink ? { sink: s.sink } : {}),
    });
  }
  return out;
}

interface DestinationInfo {
  readonly name: string;
  readonly kind: DestinationKind;
  /** the function (poller) name its records go through: deliver-firehose, deliver-syslog, or per destination */
  readonly fn: string;
  readonly queue: QueuePair;
  /** the SNS filter policy of its subscription (undefined: every event) */
  readonly filterPolicy: Readonly<Record<string, unknown>> | undefined;
  /** what the deployed destination is, when a local double stands in for it */
  readonly standsFor: string | undefined;
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
  /** local receivers to stop */
  private readonly stops: (() => Promise<void>)[] = [];
  private readonly syslogHandlers: Awaited<ReturnType<typeof createSyslogHandler>>[] = [];
  /** maxReceiveCount per queue name (the DLQ reason names it) */
  private readonly receives = new Map<string, number>();
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
    this.ingest = await this.queuePair('segura-ingest', this.o.ingestQueue);
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
      this.o.ingestQueue,
    );

    const specs = this.o.destinations ?? defaultDestinations(this.o);
    const hoses = specs.filter((d): d is LocalFirehoseSpec => d.kind === 'firehose');
    if (hoses.length > 0) await this.startFirehose(hoses);
    // each destination's double and delivery function, by its kind (the registry: shared/destinations/kinds.ts)
    const add: { readonly [K in DestinationKind]: (d: Extract<LocalDestinationSpec, { kind: K }>) => Promise<void> } = {
      firehose: (d) => this.addFirehose(d, { env, renderHook, backoffEnv }),
      syslog: (d) => this.addSyslog(d, { env, renderHook, backoffEnv }),
    };
    for (const d of specs) await (add[d.kind] as (d: LocalDestinationSpec) => Promise<void>)(d);
    if (this.o.alerts) {
      this.alerts = await startLocalAlerts(this.o.alerts, {
        dir: this.dir,
        log: (l) => this.log(l),
        endpoint: this.endpoint,
        sns: this.sns,
        spy: fauxqs.spy,
        queuePair: (name) => this.queuePair(name, this.o.alertsQueue),
        subscribe: (q, policy) => this.subscribe(q, policy),
      });
      this.addPoller('evaluate-alerts', this.alerts.queue, this.alerts.handler, this.o.alertsQueue);
    }
    for (const p of this.pollers) p.start();
  }

  /** One Firehose double for every Firehose destination (one stream each), with the S3 double for backups. */
  private async startFirehose(hoses: readonly LocalFirehoseSpec[]): Promise<void> {
    const probe = this.latency;
    const backup: Record<string, FirehoseBackup> = {};
    for (const f of hoses) {
      if (!f.backup) continue;
      // the stack's layout: <destination>-failed/ + the error partitions, in the archive bucket
      this.s3 ??= await startS3Double({ buckets: [LOCAL_ARCHIVE_BUCKET] });
      const prefix = f.backupPrefix ?? `${f.name}-failed/`;
      backup[f.streamName] = {
        store: this.s3,
        bucket: LOCAL_ARCHIVE_BUCKET,
        errorOutputPrefix: `${prefix}${FIREHOSE_ERROR_PARTITIONS}`,
        destination: f.backup,
      };
      this.failedRecordsUri ??= `s3://${LOCAL_ARCHIVE_BUCKET}/${prefix}`;
    }
    const nameOf = new Map(hoses.map((f) => [f.streamName, f.name]));
    this.firehose = await startFirehoseDouble({
      outDir: this.dir,
      streams: hoses.map((f) => f.streamName),
      extensions: Object.fromEntries(hoses.map((f) => [f.streamName, ARCHIVE_EXTENSION[f.format]])),
      ...(Object.keys(backup).length > 0 ? { backup } : {}),
      ...(probe
        ? {
            onAccepted: (stream: string, records: readonly string[]) => {
              const at = Date.now();
              const name = nameOf.get(stream) ?? stream;
              // one record may hold several events (aggregation): each line is one event
              for (const r of records) for (const line of r.split('\n')) if (line !== '') probe.arrived(name, line, at);
            },
          }
        : {}),
    });
  }

  private async addFirehose(f: LocalFirehoseSpec, h: DestinationHooks): Promise<void> {
    const fh = this.firehose as FirehoseDouble;
    const q = await this.queuePair(f.queueName, f.queue);
    await this.subscribe(q, f.filterPolicy);
    const destination = JSON.stringify({
      name: f.name,
      deliveryStreamName: f.streamName,
      format: f.format,
      aggregate: f.aggregate,
      render: f.render,
    });
    const fn = f.fn ?? 'deliver-firehose';
    const handler = createFirehoseHandler(
      h.env({
        [ENV.firehoseEndpoint]: fh.endpoint,
        [ENV.deadLetterQueueUrl]: q.dlqUrl,
        [ENV.sourceQueueUrl]: q.url,
        ...(f.backoff ? { [ENV.retryBackoff]: JSON.stringify(f.backoff) } : h.backoffEnv),
        AWS_LAMBDA_FUNCTION_NAME: 'deliver-firehose',
        [ENV.destination]: destination,
      }),
      h.renderHook(f.name),
    );
    this.addPoller(fn, q, handler, f.queue);
    this.destinations.push({
      name: f.name,
      kind: 'firehose',
      fn,
      queue: q,
      format: f.format,
      renderer: firehoseDestination(destination).renderer,
      output: join(this.dir, `${f.streamName}${ARCHIVE_EXTENSION[f.format]}`),
      received: () => fh.lines(f.streamName),
      filterPolicy: f.filterPolicy,
      standsFor: f.standsFor,
    });
  }

  private async addSyslog(s: LocalSyslogSpec, h: DestinationHooks): Promise<void> {
    let target: SyslogTarget;
    let ca = s.ca;
    let output: string;
    let rx: { readonly messages: string[] } | null = null;
    const outFile = join(this.dir, s.fileName ?? 'syslog-received.log');
    const local = s.local ?? 'tls';
    if (s.url) {
      target = parseSyslogUrl(s.url);
      output = s.url;
    } else if (local === 'relp' || local === 'relp+tls') {
      const relpTls = local === 'relp+tls';
      if (relpTls) this.tls ??= throwawayTls(join(this.dir, 'tls'), (l) => this.log(l));
      const relp = await startRelpReceiver({
        ...(relpTls && this.tls ? { tls: { key: this.tls.key, cert: this.tls.cert } } : {}),
        outFile,
        ...this.arrivalHook(s.name),
      });
      this.relpReceiver ??= relp;
      this.stops.push(() => relp.stop());
      rx = relp;
      target = { transport: 'relp', relpTls, host: 'localhost', port: relp.port };
      ca = relpTls ? (s.ca ?? this.tls?.ca) : undefined;
      output = `${outFile} (RELP${relpTls ? ' over TLS' : ''} receiver on 127.0.0.1:${relp.port})`;
    } else {
      if (local === 'tls') this.tls ??= throwawayTls(join(this.dir, 'tls'), (l) => this.log(l));
      const tls = local === 'tls' ? this.tls : null;
      const receiver = await startSyslogReceiver({
        transport: local,
        ...(tls ? { tls: { key: tls.key, cert: tls.cert } } : {}),
        ...(local === 'udp' ? {} : { framing: s.framing }),
        outFile,
        ...this.arrivalHook(s.name),
      });
      this.syslogReceiver ??= receiver;
      this.stops.push(() => receiver.stop());
      rx = receiver;
      target = { transport: local, host: local === 'tls' ? 'localhost' : '127.0.0.1', port: receiver.port };
      if (tls) ca = s.ca ?? tls.ca;
      output = `${outFile} (${local.toUpperCase()} receiver on 127.0.0.1:${receiver.port})`;
    }
    const q = await this.queuePair(s.queueName, s.queue);
    await this.subscribe(q, s.filterPolicy);
    const destination = JSON.stringify({
      name: s.name,
      transport: target.transport,
      host: target.host,
      port: target.port,
      ...(target.transport === 'relp'
        ? { relp: { tls: target.relpTls === true, ...(s.relpWindow ? { window: s.relpWindow } : {}) } }
        : target.transport === 'udp'
          ? {}
          : { framing: s.framing }),
      format: s.format,
      render: s.render,
      ...(ca && (target.transport === 'tls' || target.relpTls) ? { ca: { pem: ca } } : {}),
      ...(s.maxDatagramBytes ? { maxDatagramBytes: s.maxDatagramBytes } : {}),
    });
    const fn = s.fn ?? 'deliver-syslog';
    const handler = await createSyslogHandler(
      h.env({
        [ENV.deadLetterQueueUrl]: q.dlqUrl,
        [ENV.sourceQueueUrl]: q.url,
        ...(s.backoff ? { [ENV.retryBackoff]: JSON.stringify(s.backoff) } : h.backoffEnv),
        AWS_LAMBDA_FUNCTION_NAME: 'deliver-syslog',
        [ENV.destination]: destination,
      }),
      s.sink,
      h.renderHook(s.name),
    );
    this.syslogHandler ??= handler;
    this.syslogHandlers.push(handler);
    this.addPoller(fn, q, handler, s.queue);
    this.destinations.push({
      name: s.name,
      kind: 'syslog',
      fn,
      queue: q,
      format: s.format,
      renderer: syslogDestination(destination).renderer,
      output,
      received: () => (rx ? rx.messages : null),
      filterPolicy: s.filterPolicy,
      standsFor: s.standsFor,
    });
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
        fn: d.fn,
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

  private addPoller(name: string, q: QueuePair, handler: SqsHandler, settings?: LocalQueueSettings): void {
    const logs = this.o.functionLogs;
    const timed = this.timed(name, handler);
    this.pollers.push(
      new Poller({
        name,
        sqs: this.sqs,
        queueUrl: q.url,
        queueArn: q.arn,
        handler: logs ? (event, context) => logs.run(name, () => timed(event, context)) : timed,
        timeoutMs: settings?.timeoutMs ?? this.timeoutMs,
        visibilityTimeoutSec: settings?.visibilitySec ?? this.visibilitySec,
        // SQS returns at most 10 messages per ReceiveMessage call (MaxNumberOfMessages 1–10):
        // https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_ReceiveMessage.html
        ...(settings ? { batchSize: Math.min(10, settings.batchSize) } : {}),
        ...(this.o.concurrency ? { concurrency: this.o.concurrency } : {}),
        ...(this.o.contextTimeoutMs ? { contextTimeoutMs: this.o.contextTimeoutMs } : {}),
        onLog: (l) => {
          this.log(l);
          logs?.note(name, l.replace(/^\[[^\]]*\] /, ''));
        },
      }),
    );
  }

  private queuePair(name: string, settings?: LocalQueueSettings): Promise<QueuePair> {
    const maxReceiveCount = settings?.maxReceiveCount ?? this.o.maxReceiveCount ?? 3;
    this.receives.set(name, maxReceiveCount);
    return createQueuePair(this.sqs, name, {
      visibilitySec: settings?.visibilitySec ?? this.visibilitySec,
      maxReceiveCount,
    });
  }

  private subscribe(q: QueuePair, filterPolicy?: Readonly<Record<string, unknown>>): Promise<void> {
    return subscribeQueue(this.sns, this.topicArn, q, filterPolicy);
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
    for (const q of this.sourceQueues())
      out.push(...(await readDlq(this.sqs, q, this.receives.get(q.name) ?? this.o.maxReceiveCount ?? 3)));
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
    for (const h of this.syslogHandlers) await h.sink.close();
    for (const stop of this.stops) await stop();
    await this.firehose?.stop();
    await this.s3?.stop();
    await this.alerts?.stop();
    await this.snsProxy?.stop();
    await this.stopFauxqs?.();
  }
}

export type {
  DestinationInfo,
  DlqEntry,
  LocalCollector,
  LocalDestinationSpec,
  LocalFirehoseSpec,
  LocalQueueSettings,
  LocalRelayOptions,
  LocalSyslogSpec,
  QueuePair,
  SendFailure,
  SendReport,
};
export { LOCAL_COLLECTORS, LocalRelay, parseSyslogUrl, SQS_MAX_MESSAGE_BYTES };
