/**
 * The Lambda wiring every delivery function shares: middy with Powertools' context and metrics
 * middleware around `deliverBatch`, the deadline taken from the invocation's remaining time.
 */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { deadlineFrom } from '../shared/deliver/deadline.js';
import { type DeliverDeps, deliverBatch } from '../shared/deliver/deliver-batch.js';
import { logger, metrics } from '../shared/observability/index.js';

function deliveryHandler(deps: Omit<DeliverDeps, 'deadlineMs'>) {
  return middy<SQSEvent, SQSBatchResponse>()
    .use(injectLambdaContext(logger))
    .use(logMetrics(metrics))
    .handler(async (event, context) => {
      const o = await deliverBatch(event, { ...deps, deadlineMs: deadlineFrom(context.getRemainingTimeInMillis()) });
      return { batchItemFailures: o.batchItemFailures };
    });
}

export { deliveryHandler };
