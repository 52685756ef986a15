/**
 * One logger and one metrics instance per execution environment (Powertools). Structured JSON
 * logs; EMF metrics. Never log event payloads or field values: vault events carry sensitive data.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { DEFAULT_METRICS_NAMESPACE, METRIC, POWERTOOLS_ENV } from '../contracts/index.js';

const logger = new Logger({ serviceName: process.env[POWERTOOLS_ENV.serviceName] ?? 'segura-relay' });
const metrics = new Metrics({
  namespace: process.env[POWERTOOLS_ENV.metricsNamespace] ?? DEFAULT_METRICS_NAMESPACE,
  serviceName: process.env[POWERTOOLS_ENV.serviceName] ?? 'segura-relay',
});

export { logger, METRIC, MetricUnit, metrics };
