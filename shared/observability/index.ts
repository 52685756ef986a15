/**
 * One logger and one metrics instance per execution environment (Powertools). Structured JSON
 * logs; EMF metrics. Never log event payloads or field values: vault events carry sensitive data.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { METRIC } from '../config/metric-names.js';

const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'segura-relay' });
const metrics = new Metrics({
  namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? 'SeguraRelay',
  serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'segura-relay',
});

export { logger, METRIC, MetricUnit, metrics };
