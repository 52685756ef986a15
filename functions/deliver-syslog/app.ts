/**
 * deliver-syslog function factory (Lambda entry and `npm start` share it). The sink (and its TLS
 * connection) is created once per execution environment and reused across invocations; its
 * circuit breaker fails batches fast while the collector is down (SQS keeps the events).
 */
import { sqsClient } from '../../shared/aws-clients.js';
import { createSyslogSink, type SyslogSinkConfig } from '../../shared/deliver/syslog/index.js';
import { logger } from '../../shared/observability/index.js';
import { type DeliveryHooks, deliveryHandler } from '../delivery-handler.js';
import { loadSyslogConfig, resolveCa } from './config.js';

function createSyslogHandler(
  env: NodeJS.ProcessEnv,
  overrides: Partial<SyslogSinkConfig> = {},
  hooks: DeliveryHooks = {},
) {
  const config = loadSyslogConfig(env);
  const d = config.destination;
  const ca = resolveCa(d);
  const sqs = sqsClient({ endpoint: config.endpoint });
  const sink = createSyslogSink({
    name: d.name,
    transport: d.transport,
    host: d.host,
    port: d.port,
    framing: d.framing,
    ...(d.relp ? { relp: d.relp } : {}),
    ...(ca ? { ca } : {}),
    ...(d.servername ? { servername: d.servername } : {}),
    ...(d.connectTimeoutMs ? { connectTimeoutMs: d.connectTimeoutMs } : {}),
    ...(d.writeTimeoutMs ? { writeTimeoutMs: d.writeTimeoutMs } : {}),
    ...(d.maxDatagramBytes ? { maxDatagramBytes: d.maxDatagramBytes } : {}),
    logger,
    ...overrides,
  });
  const handler = deliveryHandler(
    {
      destination: d.name,
      renderer: hooks.renderer ? hooks.renderer(d.renderer) : d.renderer,
      sink,
      sqs,
      deadLetterQueueUrl: config.deadLetterQueueUrl,
      functionName: env.AWS_LAMBDA_FUNCTION_NAME ?? 'deliver-syslog',
    },
    env,
  );
  return Object.assign(handler, { sink });
}

export { createSyslogHandler };
