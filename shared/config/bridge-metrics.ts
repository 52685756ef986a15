/**
 * The metrics `segura-relay bridge --metrics-emf` writes (cli/bridge-ops.ts), a contract shared
 * with the stack, whose syslog endpoint alarms on them (infra/constructs/ingest-endpoint.ts).
 */
const BRIDGE_METRIC = {
  received: 'MessagesReceived',
  sent: 'MessagesSent',
  /** refused by SQS for good (kept in the rejected-messages file, or not) */
  rejected: 'MessagesRejected',
  /** dropped before SQS: oversize, spool full, partial-frame budget, UDP datagrams the kernel dropped */
  dropped: 'MessagesDropped',
  /** SendMessageBatch calls or entries that failed and were retried */
  sqsErrors: 'SqsErrors',
  spoolBytes: 'SpoolBytes',
  spoolMessages: 'SpoolMessages',
  openConnections: 'OpenConnections',
  /** 1 while spooling (SQS unreachable or slow), 0 when sending directly */
  spooling: 'Spooling',
} as const;

type BridgeMetric = (typeof BRIDGE_METRIC)[keyof typeof BRIDGE_METRIC];

/** The one dimension of every bridge metric (its value: `--metrics-service`). */
const BRIDGE_METRIC_DIMENSION = 'Service';

export type { BridgeMetric };
export { BRIDGE_METRIC, BRIDGE_METRIC_DIMENSION };
