/**
 * The ops SNS topic every operational alarm notifies (CMK-encrypted, TLS-only), with optional email
 * subscriptions. Kept apart from the alert topics: on-call pages are not security alerts.
 */
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subs from 'aws-cdk-lib/aws-sns-subscriptions';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

interface OpsTopicProps {
  readonly encryptionKey: kms.IKey;
  /** email subscribers. @default none (subscribe your paging tool to the topic) */
  readonly emails?: readonly string[];
  /** where SNS puts notifications it could not deliver */
  readonly deadLetterQueue: sqs.IQueue;
}

class OpsTopic extends Construct {
  readonly topic: sns.Topic;
  /** the alarm action publishing to this topic */
  readonly action: cwActions.SnsAction;

  constructor(scope: Construct, id: string, props: OpsTopicProps) {
    super(scope, id);
    this.topic = new sns.Topic(this, 'Topic', {
      displayName: 'Segura relay operations',
      masterKey: props.encryptionKey,
      enforceSSL: true,
    });
    for (const email of props.emails ?? []) {
      this.topic.addSubscription(new subs.EmailSubscription(email, { deadLetterQueue: props.deadLetterQueue }));
    }
    this.action = new cwActions.SnsAction(this.topic);
  }
}

export type { OpsTopicProps };
export { OpsTopic };
