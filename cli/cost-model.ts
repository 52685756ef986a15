/**
 * The cost model of `segura-relay cost`: what a deployment (its inventory: functions, queues,
 * subscriptions, keys, alarms, metrics, endpoints, read from the synthesized stack) costs per month
 * at a steady event rate, with every line's basis. Pure arithmetic; prices from cost-prices.ts.
 *
 * Billing rules applied (see each price's page in cost-prices.ts):
 * - SNS: PublishBatch is one request per call (≤ 10 entries); each 64 KB of the call's payload
 *   counts as one more request. Deliveries to SQS subscriptions are free.
 * - SQS: every API request is billed; each 64 KB chunk of a request's payload is one request.
 *   The Lambda event source mapping (ESM) polls with long polling: at least five pollers per
 *   mapping, each ReceiveMessage waiting up to 20 s, so an idle queue still costs about
 *   5 × 3 receives a minute (https://docs.aws.amazon.com/lambda/latest/dg/with-sqs.html,
 *   https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-short-and-long-polling.html).
 *   Successful records are deleted with DeleteMessageBatch (≤ 10 per call).
 * - Lambda: one request per invocation plus GB-seconds at the configured memory, duration rounded
 *   up to the millisecond. The ESM invokes when the batch is full, when the batching window ends,
 *   or (window 0) with what the receive returned
 *   (https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-parameters.html).
 * - Firehose Direct PUT: per GB ingested, each record rounded up to the next 5 KB; the S3 path
 *   aggregates many newline-terminated events into one record (≤ 1,000 KiB).
 * - KMS: $1 per key-month; SQS and SNS reuse a data key for the reuse period (SQS default 300 s),
 *   so requests scale with time, not with events.
 * - CloudWatch: each metric name × dimension set emitted is one custom metric; alarms and the
 *   dashboard per month; Logs per GB ingested (the Lambda platform's START/END/REPORT lines, the
 *   EMF metrics document and the function's own INFO lines, per invocation).
 * - NLB: hours plus NLCU-hours (for long-lived TCP/TLS connections the processed-bytes dimension
 *   dominates: 1 GB in an hour is one NLCU). Interface endpoints: per endpoint per AZ-hour, plus GB.
 */
import { HOURS_PER_MONTH, PRICES, type PriceKey } from './cost-prices.js';

type FunctionKind = 'normalize' | 'deliver-firehose' | 'deliver-syslog' | 'evaluate-alerts';

/** One Lambda consumer and the queue it reads. */
interface ConsumerInventory {
  /** 'normalize', or the destination's name, or 'alerts' */
  readonly name: string;
  readonly kind: FunctionKind;
  readonly memoryMb: number;
  readonly arm64: boolean;
  readonly batchSize: number;
  readonly windowSeconds: number;
  /** where its queue's messages come from: the producers, or a subscription to the events topic */
  readonly source: 'producers' | 'events-topic';
  /** the events-topic subscription has a filter policy (only matching events reach the queue) */
  readonly filtered: boolean;
  readonly firehose?: { readonly aggregate: boolean; readonly delivery: 's3' | 'splunk' | 'http' };
  readonly syslog?: { readonly viaNlb: boolean };
}

/** What the deployment contains, counted from the synthesized stack. */
interface Inventory {
  readonly deployment: string;
  readonly consumers: readonly ConsumerInventory[];
  readonly kmsKeys: number;
  readonly alarms: number;
  readonly compositeAlarms: number;
  readonly dashboards: number;
  readonly customMetrics: number;
  /** how customMetrics was counted (metric names × dimension sets per function) */
  readonly metricsBasis: string;
  readonly nlbs: number;
  readonly interfaceEndpoints: number;
  /** Availability Zones (subnets) each interface endpoint is placed in */
  readonly endpointAzs: number;
  readonly natGateways: number;
  /** KMS-encrypted queues and topics that carry traffic (data-key requests) */
  readonly encryptedQueues: number;
  readonly encryptedTopics: number;
  readonly kmsReuseSeconds: number;
  readonly dynamoTables: number;
  /** alert channel topics (sms, email, chat, ticket) */
  readonly alertChannels: readonly string[];
}

interface Usage {
  /** steady events per second into the ingest queue */
  readonly rate: number;
  /** bytes of one vault event as sent to the ingest queue */
  readonly eventBytes: number;
  /** share (0–1) of events that pass a subscription's filter policy, where it has one */
  readonly filteredShare: number;
  /**
   * share (0–1) of events the alerts subscription's filter policy passes (the policy is derived
   * from the rules: events whose id, category, origin or severity some rule names).
   * @default filteredShare
   */
  readonly alertsShare?: number;
}

interface CostLine {
  readonly section: 'fixed' | 'variable';
  readonly item: string;
  /** the billed quantity per month, in `unit` */
  readonly quantity: number;
  readonly unit: string;
  readonly basis: string;
  readonly usdMonth: number;
  readonly prices: readonly PriceKey[];
}

interface ConsumerBatches {
  readonly name: string;
  readonly kind: FunctionKind;
  readonly eventsPerSecond: number;
  readonly eventsPerInvocation: number;
  readonly invocationsPerMonth: number;
  readonly receivesPerInvocation: number;
  readonly msPerInvocation: number;
}

interface CostReport {
  readonly usage: Usage;
  readonly eventsPerMonth: number;
  readonly lines: readonly CostLine[];
  readonly fixedUsdMonth: number;
  readonly variableUsdMonth: number;
  readonly totalUsdMonth: number;
  /** variable cost per million events (undefined at rate 0) */
  readonly variableUsdPerMillion: number | undefined;
  /** everything per million events, fixed part included (undefined at rate 0) */
  readonly totalUsdPerMillion: number | undefined;
  readonly batches: readonly ConsumerBatches[];
  /** per alert delivered: not in the totals (depends on how many alerts the rules raise) */
  readonly perAlert: readonly CostLine[];
  readonly assumptions: readonly string[];
}

// ---- billing rules (exported for the tests that pin them) ---------------------------------------

const KB64 = 64 * 1024;
const KB5 = 5 * 1024;
const SECONDS_PER_MONTH = HOURS_PER_MONTH * 3600;
const GIB = 1024 ** 3;

/** Billed requests of one SQS request carrying `payloadBytes` (each 64 KB chunk is one request). */
function sqsBilledRequests(payloadBytes: number): number {
  return Math.max(1, Math.ceil(payloadBytes / KB64));
}

/** Billed requests of one SNS PublishBatch call whose entries total `payloadBytes`. */
function snsPublishBatchBilled(payloadBytes: number): number {
  return Math.max(1, Math.ceil(payloadBytes / KB64));
}

/**
 * Billed SNS requests to publish `events` messages of `bytes` each with PublishBatch (≤ 10 per call).
 * @example snsPublishRequests(10, 600) // 1: one call, 6,000 bytes
 */
function snsPublishRequests(events: number, bytes: number): number {
  const full = Math.floor(events / 10);
  const rest = events - full * 10;
  return full * snsPublishBatchBilled(10 * bytes) + (rest > 0 ? snsPublishBatchBilled(rest * bytes) : 0);
}

/** Firehose billed bytes for one record (rounded up to the next 5 KB). */
function firehoseBilledBytes(recordBytes: number): number {
  return Math.max(1, Math.ceil(recordBytes / KB5)) * KB5;
}

/** Firehose records for `events` lines of `lineBytes`: one per line, or packed up to `maxRecordBytes`. */
function firehoseRecords(
  events: number,
  lineBytes: number,
  aggregate: boolean,
  maxRecordBytes = 1000 * 1024,
): { records: number; billedBytes: number } {
  if (!aggregate) return { records: events, billedBytes: events * firehoseBilledBytes(lineBytes) };
  const perRecord = Math.max(1, Math.floor(maxRecordBytes / lineBytes));
  const full = Math.floor(events / perRecord);
  const rest = events - full * perRecord;
  return {
    records: full + (rest > 0 ? 1 : 0),
    billedBytes:
      full * firehoseBilledBytes(perRecord * lineBytes) + (rest > 0 ? firehoseBilledBytes(rest * lineBytes) : 0),
  };
}

/** Lambda GB-seconds: billed duration rounded up to 1 ms, at the configured memory. */
function lambdaGbSeconds(invocations: number, msPerInvocation: number, memoryMb: number): number {
  return invocations * (Math.ceil(msPerInvocation) / 1000) * (memoryMb / 1024);
}

/** ESM pollers per event source mapping when it starts (and at low traffic). */
const ESM_POLLERS = 5;
/** Long-poll wait of the ESM's ReceiveMessage calls, seconds. */
const LONG_POLL_SECONDS = 20;
/** One ReceiveMessage round trip: a long poll returns as soon as messages are there, with what arrived meanwhile. */
const RECEIVE_RTT_SECONDS = 0.02;

/**
 * Events per invocation the ESM produces at `rate` events/s into the queue: with a batching window,
 * what arrives during the window (capped by the batch size); without one, what one receive returns.
 */
function eventsPerInvocation(rate: number, batchSize: number, windowSeconds: number): number {
  if (rate <= 0) return 1;
  const gathered = windowSeconds > 0 ? rate * windowSeconds : 1 + rate * RECEIVE_RTT_SECONDS;
  return Math.min(windowSeconds > 0 ? batchSize : Math.min(batchSize, 10), Math.max(1, gathered));
}

/** Messages one ReceiveMessage returns at `rate` (≤ 10). */
function messagesPerReceive(rate: number): number {
  return Math.min(10, Math.max(1, 1 + rate * RECEIVE_RTT_SECONDS));
}

// ---- per-function estimates (not prices: measured or estimated behaviour of this code) ----------

/**
 * Estimated billed duration per invocation: a fixed part (the AWS API round trips of one batch,
 * in-region: SNS PublishBatch, Firehose PutRecordBatch, a TLS write to an established connection)
 * plus CPU per event (`npm run bench`: parse, render, frame, 20–60 µs per event). Estimates: check
 * them against the functions' `Duration` metric once deployed.
 */
const DURATION_MS: Readonly<Record<FunctionKind, { base: number; perEvent: number }>> = {
  normalize: { base: 25, perEvent: 0.08 },
  'deliver-firehose': { base: 35, perEvent: 0.05 },
  'deliver-syslog': { base: 10, perEvent: 0.05 },
  'evaluate-alerts': { base: 5, perEvent: 0.03 },
};

/**
 * Estimated CloudWatch Logs bytes per invocation at INFO: the platform's START, END and REPORT
 * lines (about 350 bytes), the Powertools EMF document with the function's metrics (about 90 bytes
 * per metric plus 300; normalize 7, deliver-* 9, evaluate-alerts 10: cli/cost-inventory.ts
 * METRICS_BY_KIND), and one summary line per batch with the Lambda context (about 450 bytes:
 * 'batch normalized', 'batch delivered', 'batch evaluated'; the rest is DEBUG). evaluate-alerts
 * also logs one line per alert it sends, which is priced per alert, not here.
 */
const LOG_BYTES_PER_INVOCATION: Readonly<Record<FunctionKind, number>> = {
  normalize: 350 + 300 + 7 * 90 + 450,
  'deliver-firehose': 350 + 300 + 9 * 90 + 450,
  'deliver-syslog': 350 + 300 + 9 * 90 + 450,
  'evaluate-alerts': 350 + 300 + 10 * 90 + 450,
};

/** Canonical event on the wire (toWire JSON) is the vault event plus ~290 bytes of model fields (sample feed: 274 → 560 bytes). */
const CANONICAL_OVERHEAD_BYTES = 290;
/** SNS message attributes normalize sets for subscription filters (event id, severity, category, origin). */
const ATTRIBUTE_BYTES = 150;
/** The bridge sends SendMessageBatch, waiting up to 5 ms for more events (bridge/bridge.ts lingerMs). */
const BRIDGE_LINGER_SECONDS = 0.005;

// ---- the model ----------------------------------------------------------------------------------

function line(
  section: CostLine['section'],
  item: string,
  quantity: number,
  unit: string,
  basis: string,
  usdMonth: number,
  prices: PriceKey[],
): CostLine {
  return { section, item, quantity, unit, basis, usdMonth, prices };
}

const fmt = (n: number, digits = 0): string =>
  n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

function computeCost(inv: Inventory, usage: Usage): CostReport {
  const { rate, eventBytes, filteredShare } = usage;
  const alertsShare = usage.alertsShare ?? filteredShare;
  const eventsPerMonth = rate * SECONDS_PER_MONTH;
  const canonicalBytes = eventBytes + CANONICAL_OVERHEAD_BYTES;
  const renderedBytes = eventBytes + 1; // the rendered line ≈ the vault event (sample feed: CEF 0.88×), plus LF
  const lines: CostLine[] = [];
  const batches: ConsumerBatches[] = [];
  const P = PRICES;

  // producers → ingest queue (the bridge batches up to 10 per SendMessageBatch)
  const perSend = Math.min(10, 1 + rate * BRIDGE_LINGER_SECONDS);
  const sendRequests = rate > 0 ? (eventsPerMonth / perSend) * sqsBilledRequests(perSend * eventBytes) : 0;
  lines.push(
    line(
      'variable',
      'SQS ingest: SendMessageBatch (bridge)',
      sendRequests,
      'requests',
      `${fmt(perSend, 1)} events per call × ${eventBytes} B, 64 KB chunks`,
      sendRequests * P.sqsRequest.usd,
      ['sqsRequest'],
    ),
  );

  let emptyReceivesPerSecond = 0;
  let nlbGbPerMonth = 0;
  for (const c of inv.consumers) {
    const alertsFilter = c.kind === 'evaluate-alerts' && c.filtered;
    const share = c.source === 'events-topic' && c.filtered ? (alertsFilter ? alertsShare : filteredShare) : 1;
    const q = rate * share;
    const msgBytes = c.source === 'producers' ? eventBytes : canonicalBytes + ATTRIBUTE_BYTES;
    const e = eventsPerInvocation(q, c.batchSize, c.windowSeconds);
    const invocations = q > 0 ? (q * SECONDS_PER_MONTH) / e : 0;
    const perReceive = messagesPerReceive(q);
    const receivesPerInv = Math.ceil(e / perReceive);
    const receiveBilled = receivesPerInv * sqsBilledRequests(Math.min(perReceive, e) * msgBytes);
    const deletesPerInv = Math.ceil(e / 10);
    const d = DURATION_MS[c.kind];
    const ms = d.base + d.perEvent * e;
    batches.push({
      name: c.name,
      kind: c.kind,
      eventsPerSecond: q,
      eventsPerInvocation: e,
      invocationsPerMonth: invocations,
      receivesPerInvocation: receivesPerInv,
      msPerInvocation: ms,
    });
    const label = `${c.kind}${c.kind === 'normalize' ? '' : ` ${c.name}`}`;
    const filterNote =
      c.source === 'events-topic'
        ? c.filtered
          ? `filter policy: ${+(share * 100).toFixed(2)}% of events (${alertsFilter ? '--alerts-share' : '--filtered-share'})`
          : 'no filter policy: every event'
        : 'every event';
    const sqs = invocations * (receiveBilled + deletesPerInv);
    lines.push(
      line(
        'variable',
        `SQS ${c.name} queue: ReceiveMessage + DeleteMessageBatch`,
        sqs,
        'requests',
        `${filterNote}; ${fmt(receivesPerInv)} receive(s) of ≈${fmt(Math.min(perReceive, e), 1)} msg × ${msgBytes} B + ${deletesPerInv} delete(s) per invocation`,
        sqs * P.sqsRequest.usd,
        ['sqsRequest'],
      ),
    );
    emptyReceivesPerSecond += Math.max(
      0,
      ESM_POLLERS / LONG_POLL_SECONDS - (invocations * receivesPerInv) / SECONDS_PER_MONTH,
    );
    const gbs = lambdaGbSeconds(invocations, ms, c.memoryMb);
    const lambdaUsd = invocations * P.lambdaRequest.usd + gbs * P.lambdaGbSecondArm.usd;
    lines.push(
      line(
        'variable',
        `Lambda ${label}`,
        gbs,
        'GB-s',
        `${fmt(invocations)} invocations of ${fmt(e, 1)} events (batch ${c.batchSize}, window ${c.windowSeconds} s) × ${Math.ceil(ms)} ms × ${c.memoryMb} MB${c.arm64 ? ' arm64' : ' (x86 priced as arm64)'}`,
        lambdaUsd,
        ['lambdaRequest', 'lambdaGbSecondArm'],
      ),
    );
    const logBytes = invocations * LOG_BYTES_PER_INVOCATION[c.kind];
    lines.push(
      line(
        'variable',
        `CloudWatch Logs ${label}`,
        logBytes / GIB,
        'GB',
        `${LOG_BYTES_PER_INVOCATION[c.kind]} B per invocation (platform lines + EMF + INFO summary)`,
        (logBytes / GIB) * P.cwLogsGb.usd,
        ['cwLogsGb'],
      ),
    );
    if (c.kind === 'normalize') {
      const sns = invocations * snsPublishRequests(Math.round(e), canonicalBytes + ATTRIBUTE_BYTES);
      lines.push(
        line(
          'variable',
          'SNS events topic: PublishBatch',
          sns,
          'requests',
          `${Math.ceil(e / 10)} PublishBatch call(s) per invocation, ${canonicalBytes + ATTRIBUTE_BYTES} B per event, 64 KB chunks; SQS deliveries free`,
          sns * P.snsRequest.usd,
          ['snsRequest'],
        ),
      );
    }
    if (c.firehose) {
      const perInv = firehoseRecords(Math.round(e), renderedBytes, c.firehose.aggregate);
      const gb = (invocations * perInv.billedBytes) / GIB;
      lines.push(
        line(
          'variable',
          `Firehose ${c.name} (${c.firehose.delivery})`,
          gb,
          'GB billed',
          c.firehose.aggregate
            ? `${fmt(e, 1)} events of ${renderedBytes} B packed into ${perInv.records} record(s) per invocation, 5 KB rounding per record`
            : `one record per event: ${renderedBytes} B billed as ${firehoseBilledBytes(renderedBytes)} B (5 KB rounding)`,
          gb * P.firehoseGb.usd,
          ['firehoseGb'],
        ),
      );
    }
    if (c.syslog?.viaNlb) nlbGbPerMonth += (q * SECONDS_PER_MONTH * (renderedBytes + 5)) / 1e9;
  }

  if (inv.nlbs > 0) {
    // NLCU: processed bytes (1 GB per hour per NLCU); connections are few and long-lived
    const nlcuHours = nlbGbPerMonth;
    lines.push(
      line(
        'variable',
        'NLB capacity units (syslog bytes)',
        nlcuHours,
        'NLCU-hours',
        `${fmt(nlbGbPerMonth, 2)} GB/month through the NLB (1 GB in an hour = 1 NLCU)`,
        nlcuHours * P.nlcuHour.usd,
        ['nlcuHour'],
      ),
    );
  }

  // ---- fixed: what the deployment costs before the first event ----------------------------------
  const emptyReceives = emptyReceivesPerSecond * SECONDS_PER_MONTH;
  lines.push(
    line(
      'fixed',
      'SQS empty receives (ESM long polling)',
      emptyReceives,
      'requests',
      `${inv.consumers.length} mappings × ${ESM_POLLERS} pollers × 1 receive / ${LONG_POLL_SECONDS} s while idle`,
      emptyReceives * P.sqsRequest.usd,
      ['sqsRequest'],
    ),
  );
  lines.push(
    line(
      'fixed',
      'KMS keys',
      inv.kmsKeys,
      'keys',
      `${inv.kmsKeys} customer managed key(s)`,
      inv.kmsKeys * P.kmsKeyMonth.usd,
      ['kmsKeyMonth'],
    ),
  );
  const kmsRequests = (inv.encryptedQueues + inv.encryptedTopics) * 2 * (SECONDS_PER_MONTH / inv.kmsReuseSeconds);
  lines.push(
    line(
      'fixed',
      'KMS requests (data-key reuse)',
      kmsRequests,
      'requests',
      `${inv.encryptedQueues} queues + ${inv.encryptedTopics} topics × 2 principals × one data key per ${inv.kmsReuseSeconds} s`,
      kmsRequests * P.kmsRequest.usd,
      ['kmsRequest'],
    ),
  );
  lines.push(
    line(
      'fixed',
      'CloudWatch custom metrics',
      inv.customMetrics,
      'metrics',
      inv.metricsBasis,
      inv.customMetrics * P.cwMetricMonth.usd,
      ['cwMetricMonth'],
    ),
  );
  lines.push(
    line(
      'fixed',
      'CloudWatch alarms',
      inv.alarms,
      'alarms',
      `${inv.alarms} standard-resolution alarm(s)${inv.compositeAlarms ? ` (+${inv.compositeAlarms} composite, not priced)` : ''}`,
      inv.alarms * P.cwAlarmMonth.usd,
      ['cwAlarmMonth'],
    ),
  );
  lines.push(
    line(
      'fixed',
      'CloudWatch dashboard',
      inv.dashboards,
      'dashboards',
      `${inv.dashboards} dashboard(s)`,
      inv.dashboards * P.cwDashboardMonth.usd,
      ['cwDashboardMonth'],
    ),
  );
  if (inv.nlbs > 0)
    lines.push(
      line(
        'fixed',
        'NLB hours',
        inv.nlbs * HOURS_PER_MONTH,
        'hours',
        `${inv.nlbs} Network Load Balancer(s) × ${HOURS_PER_MONTH} h`,
        inv.nlbs * HOURS_PER_MONTH * P.nlbHour.usd,
        ['nlbHour'],
      ),
    );
  if (inv.interfaceEndpoints > 0) {
    const h = inv.interfaceEndpoints * inv.endpointAzs * HOURS_PER_MONTH;
    lines.push(
      line(
        'fixed',
        'Interface endpoints',
        h,
        'endpoint-AZ-hours',
        `${inv.interfaceEndpoints} endpoint(s) × ${inv.endpointAzs} AZ × ${HOURS_PER_MONTH} h; per-event traffic does not cross them (the ESM polls outside the VPC), GB processed ≈ 0`,
        h * P.endpointAzHour.usd,
        ['endpointAzHour', 'endpointGb'],
      ),
    );
  }
  if (inv.natGateways > 0)
    lines.push(
      line(
        'fixed',
        'NAT gateways',
        inv.natGateways * HOURS_PER_MONTH,
        'hours',
        `${inv.natGateways} NAT gateway(s) × ${HOURS_PER_MONTH} h (data processing not included)`,
        inv.natGateways * HOURS_PER_MONTH * P.natHour.usd,
        ['natHour'],
      ),
    );

  // ---- per alert (not in totals) -----------------------------------------------------------------
  const perAlert: CostLine[] = [];
  if (inv.alertChannels.length > 0) {
    perAlert.push(
      line(
        'variable',
        'SNS publish to the channel topics',
        inv.alertChannels.length,
        'requests',
        `one Publish per channel: ${inv.alertChannels.join(', ')}`,
        inv.alertChannels.length * P.snsRequest.usd,
        ['snsRequest'],
      ),
    );
    perAlert.push(
      line(
        'variable',
        'DynamoDB throttle/dedup table (on-demand)',
        3,
        'request units',
        'about 2 writes (dedup claim, throttle window) and 1 read per alert',
        2 * P.dynamoWriteUnit.usd + P.dynamoReadUnit.usd,
        ['dynamoWriteUnit', 'dynamoReadUnit'],
      ),
    );
    const delivery: Record<string, [PriceKey, string]> = {
      sms: ['snsSmsUs', 'SMS to a US number, per subscriber'],
      email: ['snsEmail', 'email, per subscriber'],
      chat: ['snsHttps', 'HTTPS (chat), per subscriber'],
      ticket: ['snsHttps', 'HTTPS (ticket), per subscriber'],
    };
    for (const ch of inv.alertChannels) {
      const dl = delivery[ch];
      if (dl) perAlert.push(line('variable', `SNS delivery: ${ch}`, 1, 'messages', dl[1], P[dl[0]].usd, [dl[0]]));
    }
  }

  const fixedUsdMonth = lines.filter((l) => l.section === 'fixed').reduce((a, l) => a + l.usdMonth, 0);
  const variableUsdMonth = lines.filter((l) => l.section === 'variable').reduce((a, l) => a + l.usdMonth, 0);
  const millions = eventsPerMonth / 1e6;
  return {
    usage,
    eventsPerMonth,
    lines,
    fixedUsdMonth,
    variableUsdMonth,
    totalUsdMonth: fixedUsdMonth + variableUsdMonth,
    variableUsdPerMillion: millions > 0 ? variableUsdMonth / millions : undefined,
    totalUsdPerMillion: millions > 0 ? (fixedUsdMonth + variableUsdMonth) / millions : undefined,
    batches,
    perAlert,
    assumptions: [
      `month = ${HOURS_PER_MONTH} h; no free tier; us-east-1 on-demand prices`,
      `canonical event = vault event + ${CANONICAL_OVERHEAD_BYTES} B (+${ATTRIBUTE_BYTES} B SNS attributes); rendered line ≈ vault event size`,
      `a long-poll receive returns what arrived in one ${RECEIVE_RTT_SECONDS * 1000} ms round trip (one message at low rates); ${ESM_POLLERS} pollers per mapping`,
      'Lambda durations and log bytes per invocation are estimates (cli/cost-model.ts DURATION_MS, LOG_BYTES_PER_INVOCATION)',
      'not included: S3 storage and PUTs of the archive, Logs storage, X-Ray, data transfer out, retries and DLQ traffic',
    ],
  };
}

export type { ConsumerBatches, ConsumerInventory, CostLine, CostReport, FunctionKind, Inventory, Usage };
export {
  computeCost,
  DURATION_MS,
  eventsPerInvocation,
  firehoseBilledBytes,
  firehoseRecords,
  LOG_BYTES_PER_INVOCATION,
  lambdaGbSeconds,
  messagesPerReceive,
  SECONDS_PER_MONTH,
  snsPublishBatchBilled,
  snsPublishRequests,
  sqsBilledRequests,
};
