/**
 * deliver-firehose function factory (Lambda entry and `npm start` share it). The sink and client
 * are created once per execution environment and reused across invocations.
 */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { firehoseClient, sqsClient } from '../../shared/aws-clients.js';
import { deadlineFrom } from '../../shared/deliver/deadline.js';
import { deliverBatch } from '../../shared/deliver/deliver-batch.js';
import { createFirehoseSink } from '../../shared/deliver/firehose-sink.js';
import { logger, metrics } from '../../shared/observability/index.js';
import { loadFirehoseConfig } from './config.js';

function createFirehoseHandler(env: NodeJS.ProcessEnv) {
  const config = loadFirehoseConfig(env);
  const d = config.destination;
  const sqs = sqsClient({ endpoint: config.endpoint });
  const sink = createFirehoseSink({
    name: d.name,
    deliveryStreamName: d.deliveryStreamName,
    client: firehoseClient({ endpoint: config.firehoseEndpoint, maxAttempts: 1 }),
    aggregate: d.aggregate,
    logger,
  });
  const functionName = env.AWS_LAMBDA_FUNCTION_NAME ?? 'deliver-firehose';
  return middy<SQSEvent, SQSBatchResponse>()
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
}

export { createFirehoseHandler };
