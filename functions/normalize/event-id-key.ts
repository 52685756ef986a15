/**
 * The key of the stable event ids, read once at cold start from Secrets Manager (the stack
 * generates the secret at deploy: infra/constructs/event-id-key.ts). Failure modes and rules:
 * functions/key-secret.ts.
 */
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { ENV } from '../../shared/contracts/index.js';
import { EventIdKey, EventIdKeyError } from '../../shared/model/event-uid.js';
import { loadKeySecret } from '../key-secret.js';

/** Read the secret and build the key. Throws ConfigError (EVENT_ID_KEY_SECRET_ARN). */
function loadEventIdKey(client: SecretsManagerClient, secretArn: string): Promise<EventIdKey> {
  return loadKeySecret(client, secretArn, {
    setting: ENV.eventIdKeySecretArn,
    what: 'event id',
    build: (v) => new EventIdKey(v),
    keyError: EventIdKeyError,
  });
}

export { loadEventIdKey };
