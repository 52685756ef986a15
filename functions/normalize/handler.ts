/**
 * normalize Lambda entry: config is read and validated, and the event id key read from Secrets
 * Manager, at cold start (INIT; ES module top-level await).
 */
import { secretsManagerClient } from '../../shared/aws-clients.js';
import { ENV } from '../../shared/config/env-names.js';
import { ConfigError } from '../../shared/errors.js';
import { createNormalizeHandler } from './app.js';
import { loadNormalizeConfig } from './config.js';
import { loadEventIdKey } from './event-id-key.js';

const config = loadNormalizeConfig(process.env);
if (config.eventIdKeySecretArn === undefined) {
  throw new ConfigError(ENV.eventIdKeySecretArn, 'required: the stable event ids are keyed with this secret');
}
const secrets = secretsManagerClient({ endpoint: config.secretsManagerEndpoint });
const eventIdKey = await loadEventIdKey(secrets, config.eventIdKeySecretArn);
secrets.destroy();
const handler = createNormalizeHandler(process.env, { eventIdKey });

export { handler };
