/**
 * The per-deployment secret that keys the stable event ids (`uid`: ECS `event.id`, CEF/LEEF
 * `externalId`, the RFC 5424 SD parameter `uid`; shared/model/event-uid.ts). Same mechanism as the
 * alert id key (alert-id-key.ts): generated at deploy by Secrets Manager, encrypted with the
 * pipeline CMK, readable by one function only (normalize), read once at cold start.
 *
 * A secret of its own rather than the alert id key: that key exists only when alerts are configured,
 * it also derives the throttle table's sealing key (normalize has no business with either), and the
 * two have different lives: the event id key follows the data (`keepDataOnDelete`), because a new
 * key changes every id and a SIEM would then keep a redelivered copy of an older event.
 * @see https://docs.aws.amazon.com/secretsmanager/latest/userguide/create_secret.html
 */
import type { RemovalPolicy } from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { ENV } from '../../shared/contracts/index.js';
import { bindKeySecretReader, createKeySecret } from './key-secret.js';
import type { RelayFunction } from './relay-function.js';

interface EventIdKeyProps {
  readonly encryptionKey: kms.IKey;
  /** @default RemovalPolicy.DESTROY */
  readonly removalPolicy?: RemovalPolicy;
}

class EventIdKey extends Construct {
  readonly secret: secretsmanager.Secret;
  private readonly key: kms.IKey;

  constructor(scope: Construct, id: string, props: EventIdKeyProps) {
    super(scope, id);
    this.key = props.encryptionKey;
    this.secret = createKeySecret(this, {
      encryptionKey: props.encryptionKey,
      description: 'Segura SIEM relay: key of the stable event ids SIEMs deduplicate on (read by normalize only)',
      notRotatedBecause:
        'Not rotated on a schedule: the secret keys the event ids SIEMs deduplicate on; rotating it would give a redelivered event a new id, so the SIEM would keep both copies. It never leaves Secrets Manager except to normalize (read-only grant), and replacing it is the documented recovery if it is ever exposed.',
      ...(props.removalPolicy === undefined ? {} : { removalPolicy: props.removalPolicy }),
    });
  }

  /** Let `fn` read the secret and nothing more, and give it the ARN in eventIdKeySecretArn (key-secret.ts). */
  bindReader(fn: RelayFunction): void {
    bindKeySecretReader(fn, this.secret, this.key, ENV.eventIdKeySecretArn);
  }
}

export type { EventIdKeyProps };
export { EventIdKey };
