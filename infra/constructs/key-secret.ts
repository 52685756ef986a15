/**
 * A per-deployment key kept in Secrets Manager: generated at deploy (64 random characters from
 * [A-Za-z0-9], ~380 bits), encrypted with the given CMK, readable by the functions bound to it and
 * by nothing else. The alert id key and the event id key are both built from this
 * (alert-id-key.ts, event-id-key.ts); each keeps its own construct id so their logical ids stay put.
 * @see https://docs.aws.amazon.com/secretsmanager/latest/userguide/create_secret.html
 */
import { Aws, RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { acknowledge } from '../nag.js';
import type { RelayFunction } from './relay-function.js';

/** Length of the generated secret (characters from [A-Za-z0-9]: ~380 bits). */
const KEY_SECRET_LENGTH = 64;

interface KeySecretProps {
  readonly encryptionKey: kms.IKey;
  /** the secret's description in the console */
  readonly description: string;
  /** why the secret is not rotated on a schedule (the cdk-nag AwsSolutions-SMG4 justification) */
  readonly notRotatedBecause: string;
  /** @default RemovalPolicy.DESTROY */
  readonly removalPolicy?: RemovalPolicy;
}

/** The secret, created as the child `Secret` of `scope`. */
function createKeySecret(scope: Construct, props: KeySecretProps): secretsmanager.Secret {
  const secret = new secretsmanager.Secret(scope, 'Secret', {
    description: props.description,
    encryptionKey: props.encryptionKey,
    generateSecretString: {
      passwordLength: KEY_SECRET_LENGTH,
      excludePunctuation: true,
      includeSpace: false,
      requireEachIncludedType: true,
    },
    removalPolicy: props.removalPolicy ?? RemovalPolicy.DESTROY,
  });
  acknowledge(secret, 'AwsSolutions-SMG4', props.notRotatedBecause);
  return secret;
}

/**
 * Let `fn` read the secret and nothing more (GetSecretValue on this secret; KMS Decrypt on its key
 * only through Secrets Manager) and give it the ARN in `envName` (the ARN is not a secret).
 * @see https://docs.aws.amazon.com/secretsmanager/latest/userguide/security-encryption.html
 */
function bindKeySecretReader(fn: RelayFunction, secret: secretsmanager.ISecret, key: kms.IKey, envName: string): void {
  fn.role.addToPrincipalPolicy(
    new iam.PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: [secret.secretArn] }),
  );
  fn.role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      actions: ['kms:Decrypt'],
      resources: [key.keyArn],
      conditions: { StringEquals: { 'kms:ViaService': `secretsmanager.${Aws.REGION}.amazonaws.com` } },
    }),
  );
  fn.addEnvironment(envName, secret.secretArn);
}

export type { KeySecretProps };
export { bindKeySecretReader, createKeySecret, KEY_SECRET_LENGTH };
