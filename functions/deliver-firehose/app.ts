/**
 * deliver-firehose function factory (Lambda entry and `npm start` share it). The sink and client
 * are created once per execution environment and reused across invocations.
 */
import { firehoseClient, sqsClient } from '../../shared/aws-clients.js';
import { createFirehoseSink } from '../../shared/deliver/firehose-sink.js';
import { logger } from '../../shared/observability/index.js';
import { type DeliveryHooks, deliveryHandler } from '../delivery-handler.js';
import { loadFirehoseConfig } from './config.js';

function createFirehoseHandler(env: NodeJS.ProcessEnv, hooks: DeliveryHooks = {}) {
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
  return deliveryHandler(
    {
      destination: d.name,
      renderer: hooks.renderer ? hooks.renderer(d.renderer) : d.renderer,
      sink,
      sqs,
      deadLetterQueueUrl: config.deadLetterQueueUrl,
      functionName: env.AWS_LAMBDA_FUNCTION_NAME ?? 'deliver-firehose',
    },
    env,
  );
}

export { createFirehoseHandler };
