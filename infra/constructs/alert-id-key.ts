/**
 * The per-deployment secret that keys every identifier an alert carries out of the relay (alert
 * ids, chat thread ids, summary ids) and the hashes and sealed values in the throttle table. It is
 * generated at deploy by Secrets Manager (64 random characters), encrypted with the pipeline CMK,
 * and only evaluate-alerts may read it (`bindReader`: read grant + the ARN in
 * ALERT_ID_KEY_SECRET_ARN; the ARN is not a secret, the value never leaves Secrets Manager but to
 * that function, which reads it once at cold start).
 * @see https://docs.aws.amazon.com/secretsmanager/latest/userguide/create_secret.html
 */
import type { RemovalPolicy } from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { ENV } from '../../shared/contracts/index.js';
import { bindKeySecretReader, createKeySecret } from './key-secret.js';
import type { RelayFunction } from './relay-function.js';

interface AlertIdKeyProps {
  readonly encryptionKey: kms.IKey;
  /** @default RemovalPolicy.DESTROY (a new key only changes the ids of future alerts) */
  readonly removalPolicy?: RemovalPolicy;
}

class AlertIdKey extends Construct {
  readonly secret: secretsmanager.Secret;
  private readonly key: kms.IKey;

  constructor(scope: Construct, id: string, props: AlertIdKeyProps) {
    super(scope, id);
    this.key = props.encryptionKey;
    this.secret = createKeySecret(this, {
      encryptionKey: props.encryptionKey,
      description: 'Segura SIEM relay: key of the alert ids and throttle-table hashes (read by evaluate-alerts only)',
      notRotatedBecause:
        'Not rotated on a schedule: the secret keys the dedup and throttle records and the ids receivers deduplicate on; rotating it would re-send alerts already sent and split open windows. It never leaves Secrets Manager except to evaluate-alerts (read-only grant), and replacing it (a new deployment of the secret) is the documented recovery if it is ever exposed.',
      ...(props.removalPolicy === undefined ? {} : { removalPolicy: props.removalPolicy }),
    });
  }

  /** Let `fn` read the secret and nothing more, and give it the ARN in alertIdKeySecretArn (key-secret.ts). */
  bindReader(fn: RelayFunction): void {
    bindKeySecretReader(fn, this.secret, this.key, ENV.alertIdKeySecretArn);
  }
}

export type { AlertIdKeyProps };
export { AlertIdKey };
