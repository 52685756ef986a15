/**
 * deliver-syslog function factory (Lambda entry and `npm start` share it). The sink (and its TLS
 * connection) is created once per execution environment and reused across invocations; its
 * circuit breaker fails batches fast while the collector is down (SQS keeps the events).
 */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { sqsClient } from '../../shared/aws-clients.js';
import { deadlineFrom } from '../../shared/deliver/deadline.js';
import { deliverBatch } from '../../shared/deliver/deliver-batch.js';
import { createSyslogSink, type SyslogSinkConfig } from '../../shared/deliver/syslog/index.js';
import { logger, metrics } from '../../shared/observability/index.js';
import { loadSyslogConfig, resolveCa } from './config.js';

function createSyslogHandler(env: NodeJS.ProcessEnv, overrides: Partial<SyslogSinkConfig> = {}) {
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
    ...(ca ? { ca } : {}),
    ...(d.servername ? { servername: d.servername } : {}),
    ...(d.connectTimeoutMs ? { connectTimeoutMs: d.connectTimeoutMs } : {}),
    ...(d.writeTimeoutMs ? { writeTimeoutMs: d.writeTimeoutMs } : {}),
    ...(d.maxDatagramBytes ? { maxDatagramBytes: d.maxDatagramBytes } : {}),
    logger,
    ...overrides,
  });
  const functionName = env.AWS_LAMBDA_FUNCTION_NAME ?? 'deliver-syslog';
  const handler = middy<SQSEvent, SQSBatchResponse>()
    .use(injectLambdaContext(logger))
    .use(logMetrics(metrics))
    .handler(async (event, context) => {
      const o = await deliverBatch(event, {
        destination: d.name,
        renderer: d.renderer,
        sink,
        sqs,
        deadLetterQueueUrl: config.deadLetterQueueUrl,
        functionName,
        deadlineMs: deadlineFrom(context.getRemainingTimeInMillis()),
      });
      return { batchItemFailures: o.batchItemFailures };
    });
  return Object.assign(handler, { sink });
}

export { createSyslogHandler };
