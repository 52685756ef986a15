/**
 * The key of the stable event ids, read once at cold start from Secrets Manager (the stack
 * generates the secret at deploy: infra/constructs/event-id-key.ts), the way evaluate-alerts reads
 * its alert id key. A missing, unreadable or too short secret fails INIT with a ConfigError naming
 * the setting: no event goes out with an id that could be recomputed without the key. The secret
 * value is never logged.
 * @see https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_GetSecretValue.html
 */
import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { ENV } from '../../shared/config/env-names.js';
import { ConfigError, toError } from '../../shared/errors.js';
import { EventIdKey, EventIdKeyError } from '../../shared/model/event-uid.js';

/** Read the secret and build the key. Throws ConfigError (EVENT_ID_KEY_SECRET_ARN). */
async function loadEventIdKey(client: SecretsManagerClient, secretArn: string): Promise<EventIdKey> {
  let value: string | undefined;
  try {
    const out = await client.send(new GetSecretValueCommand({ SecretId: secretArn }));
    value = out.SecretString;
  } catch (e) {
    const err = toError(e);
    throw new ConfigError(ENV.eventIdKeySecretArn, `cannot read the event id secret: ${err.name}: ${err.message}`);
  }
  if (value === undefined) throw new ConfigError(ENV.eventIdKeySecretArn, 'the secret has no SecretString');
  try {
    return new EventIdKey(value);
  } catch (e) {
    if (e instanceof EventIdKeyError) throw new ConfigError(ENV.eventIdKeySecretArn, e.message);
    throw e;
  }
}

export { loadEventIdKey };
