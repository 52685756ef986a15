/** deliver-firehose configuration, read and validated once at cold start. */

import { type FirehoseDestination, firehoseDestination } from '../../shared/config/destination.js';
import { frozen, optional, required } from '../../shared/config/env.js';
import { ENV } from '../../shared/contracts/index.js';

interface FirehoseConfig {
  readonly destination: FirehoseDestination;
  readonly deadLetterQueueUrl: string;
  readonly endpoint: string | undefined;
  readonly firehoseEndpoint: string | undefined;
}

function loadFirehoseConfig(env: NodeJS.ProcessEnv = process.env): FirehoseConfig {
  return frozen({
    destination: firehoseDestination(env[ENV.destination], ENV.destination),
    deadLetterQueueUrl: required(env, ENV.deadLetterQueueUrl),
    endpoint: optional(env, ENV.awsEndpoint),
    firehoseEndpoint: optional(env, ENV.firehoseEndpoint) ?? optional(env, ENV.awsEndpoint),
  });
}

export type { FirehoseConfig };
export { loadFirehoseConfig };
