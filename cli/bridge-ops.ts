/**
 * What `segura-relay bridge` tells a container platform (the stack's syslog endpoint runs it on
 * ECS Fargate, docs/deploy.md "Point the vault at the relay"):
 *
 * - `--metrics-emf NAMESPACE`: one CloudWatch embedded-metric-format line per status interval on
 *   stdout. CloudWatch Logs extracts the metrics from any log event in that format; the awslogs
 *   driver sends with PutLogEvents, where the `x-amzn-logs-format: json/emf` header is optional:
 *   https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Generation_PutLogEvents.html
 *   (format: https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html).
 *   Counters are sent as what happened in the interval, so an alarm on their Sum sees new events only.
 * - `--health-port PORT`: an HTTP health check (`GET /`): 200 while the bridge can keep what it
 *   receives, 503 once SQS keeps failing and the spool is nearly full (new messages would be
 *   dropped), so the load balancer sends new connections to the other tasks. The body is the
 *   status snapshot (JSON) either way.
 */
import { createServer, type Server } from 'node:http';
import { BRIDGE_METRIC, BRIDGE_METRIC_DIMENSION } from '../shared/config/bridge-metrics.js';

type Status = Readonly<Record<string, unknown>>;

function num(s: Status, key: string): number {
  const v = s[key];
  return typeof v === 'number' && Number.isFinite(v) ? v : 0;
}

function received(s: Status): number {
  const r = s.received as { udp?: number; tcp?: number; tls?: number } | undefined;
  return (r?.udp ?? 0) + (r?.tcp ?? 0) + (r?.tls ?? 0);
}

function dropped(s: Status): number {
  return num(s, 'droppedOversize') + num(s, 'droppedSpoolFull') + num(s, 'droppedOverBudget') + num(s, 'udpDrops');
}

/**
 * One EMF document from two status snapshots (`prev` undefined: the first interval counts from 0).
 * Pure: the caller writes it as one line.
 */
function emfLine(namespace: string, service: string, prev: Status | undefined, cur: Status, nowMs: number): string {
  const delta = (f: (s: Status) => number) => Math.max(0, f(cur) - (prev ? f(prev) : 0));
  const values: Record<string, number> = {
    [BRIDGE_METRIC.received]: delta(received),
    [BRIDGE_METRIC.sent]: delta((s) => num(s, 'sent')),
    [BRIDGE_METRIC.rejected]: delta((s) => num(s, 'rejected')),
    [BRIDGE_METRIC.dropped]: delta(dropped),
    [BRIDGE_METRIC.sqsErrors]: delta((s) => num(s, 'sendFailures')),
    [BRIDGE_METRIC.spoolBytes]: num(cur, 'spoolBytes'),
    [BRIDGE_METRIC.spoolMessages]: num(cur, 'spoolMessages'),
    [BRIDGE_METRIC.openConnections]: num(cur, 'openConnections'),
    [BRIDGE_METRIC.spooling]: cur.mode === 'spooling' ? 1 : 0,
  };
  const unit = (name: string) => (name === BRIDGE_METRIC.spoolBytes ? 'Bytes' : 'Count');
  return JSON.stringify({
    _aws: {
      Timestamp: nowMs,
      CloudWatchMetrics: [
        {
          Namespace: namespace,
          Dimensions: [[BRIDGE_METRIC_DIMENSION]],
          Metrics: Object.keys(values).map((Name) => ({ Name, Unit: unit(Name) })),
        },
      ],
    },
    [BRIDGE_METRIC_DIMENSION]: service,
    ...values,
  });
}

/** Share of the spool past which a spooling bridge reports itself unhealthy. */
const UNHEALTHY_SPOOL_SHARE = 0.9;

/** Whether a bridge in this state can keep what it receives (see the module comment). */
function healthy(s: Status, spoolMaxBytes: number): boolean {
  return !(s.mode === 'spooling' && num(s, 'spoolBytes') >= UNHEALTHY_SPOOL_SHARE * spoolMaxBytes);
}

/** Serve the health check on `port` (all interfaces: the load balancer's nodes call it). */
async function serveHealth(
  host: string,
  port: number,
  status: () => Status,
  spoolMaxBytes: number,
): Promise<{ server: Server; port: number }> {
  const server = createServer((req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    const s = status();
    const ok = healthy(s, spoolMaxBytes);
    res
      .writeHead(ok ? 200 : 503, { 'content-type': 'application/json' })
      .end(req.method === 'HEAD' ? undefined : `${JSON.stringify({ healthy: ok, ...s })}\n`);
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(port, host, () => {
      server.off('error', fail);
      ok();
    });
  });
  const addr = server.address();
  return { server, port: typeof addr === 'object' && addr ? addr.port : port };
}

export { BRIDGE_METRIC, BRIDGE_METRIC_DIMENSION, emfLine, healthy, serveHealth, UNHEALTHY_SPOOL_SHARE };
