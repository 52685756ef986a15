/**
 * One logger and one metrics instance per execution environment (Powertools). Structured JSON
 * logs; EMF metrics. Never log event payloads or field values: vault events carry sensitive data.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { DEFAULT_METRICS_NAMESPACE, DIMENSION, METRIC, POWERTOOLS_ENV } from '../contracts/index.js';

const logger = new Logger({ serviceName: process.env[POWERTOOLS_ENV.serviceName] ?? 'segura-relay' });
const metrics = new Metrics({
  namespace: process.env[POWERTOOLS_ENV.metricsNamespace] ?? DEFAULT_METRICS_NAMESPACE,
  serviceName: process.env[POWERTOOLS_ENV.serviceName] ?? 'segura-relay',
});

/** Emit one metric with a `Destination` dimension in its own EMF document. */
type Unit = (typeof MetricUnit)[keyof typeof MetricUnit];

function destinationMetric(destination: string, name: string, value: number, unit: Unit = MetricUnit.Count): void {
  const m = metrics.singleMetric();
  m.addDimension(DIMENSION.destination, destination);
  m.addMetric(name, unit, value);
}

export { destinationMetric, logger, METRIC, MetricUnit, metrics };
