/**
 * The SNS events topic normalize publishes canonical events to, and the per-consumer SQS
 * subscriptions: raw message delivery, an optional filter policy on normalize's message
 * attributes, and the consumer's DLQ as the subscription's redrive target.
 *
 * The topic carries every vault event, so its policy admits only the stack's own parts: it denies
 * `sns:Subscribe` for any endpoint but the relay's consumer queues (condition key `sns:Endpoint`)
 * and `sns:Publish` to any principal but the publishing functions' roles (`aws:PrincipalArn`),
 * whatever the caller's own IAM policies allow.
 * https://docs.aws.amazon.com/sns/latest/dg/sns-using-identity-based-policies.html#sns-policy-keys
 */
import { Lazy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subs from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import { ENV } from '../../shared/contracts/index.js';
import { eventFilterPolicy } from '../config/filter-policy.js';
import type { EventFilter } from '../config/types.js';
import type { EventQueue } from './event-queue.js';
import type { RelayFunction } from './relay-function.js';

interface EventsTopicProps {
  readonly encryptionKey: kms.IKey;
}

/**
 * SNS filter policy for `f` (infra/config/filter-policy.ts, the JSON `npm start -c` subscribes with
 * too), as CDK subscription filters. Undefined: every event.
 * @see https://docs.aws.amazon.com/sns/latest/dg/sns-subscription-filter-policies.html
 */
function filterPolicyOf(f: EventFilter | undefined): Record<string, sns.SubscriptionFilter> | undefined {
  const policy = eventFilterPolicy(f);
  if (!policy) return undefined;
  return Object.fromEntries(Object.entries(policy).map(([k, cs]) => [k, new sns.SubscriptionFilter(cs)]));
}

/**
 * sns:Publish on `topic` plus exactly the KMS actions publishing to an encrypted topic needs
 * (`Topic.grantPublish` would add `kms:GenerateDataKey*`).
 */
function grantPublishEncrypted(topic: sns.ITopic, key: kms.IKey, fn: RelayFunction): void {
  fn.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['sns:Publish'], resources: [topic.topicArn] }));
  fn.role.addToPrincipalPolicy(
    new iam.PolicyStatement({ actions: ['kms:GenerateDataKey', 'kms:Decrypt'], resources: [key.keyArn] }),
  );
}

class EventsTopic extends Construct {
  readonly topic: sns.Topic;
  private readonly key: kms.IKey;
  /** ARNs of the subscribed consumer queues (the only allowed `sns:Endpoint`s) */
  private readonly subscriberArns: string[] = [];
  /** role ARNs of the functions allowed to publish */
  private readonly publisherArns: string[] = [];

  constructor(scope: Construct, id: string, props: EventsTopicProps) {
    super(scope, id);
    this.key = props.encryptionKey;
    this.topic = new sns.Topic(this, 'Topic', {
      displayName: 'Segura relay canonical events',
      masterKey: props.encryptionKey,
      enforceSSL: true,
    });
    const anyone = [new iam.AnyPrincipal()];
    // both lists are filled by subscribe() and bindPublisher() before synth
    this.topic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'DenySubscribersOtherThanTheRelayQueues',
        effect: iam.Effect.DENY,
        principals: anyone,
        actions: ['sns:Subscribe'],
        resources: [this.topic.topicArn],
        conditions: {
          StringNotEquals: { 'sns:Endpoint': Lazy.list({ produce: () => this.subscriberArns }) },
        },
      }),
    );
    this.topic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'DenyPublishersOtherThanNormalize',
        effect: iam.Effect.DENY,
        principals: anyone,
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
        conditions: {
          ArnNotEquals: { 'aws:PrincipalArn': Lazy.list({ produce: () => this.publisherArns }) },
        },
      }),
    );
    this.node.addValidation({
      validate: () => [
        ...(this.subscriberArns.length ? [] : ['the events topic has no subscriber queue']),
        ...(this.publisherArns.length ? [] : ['the events topic has no publisher']),
      ],
    });
  }

  /**
   * Subscribe a consumer's queue; what SNS cannot deliver goes to the consumer's own DLQ. `filter`
   * is a config filter; `rawPolicy` a filter policy as SNS takes it (JSON, may use `$or`, which the
   * typed CDK filter cannot express), used only when there is no `filter`.
   */
  subscribe(consumer: EventQueue, filter?: EventFilter, rawPolicy?: Record<string, unknown>): sns.Subscription {
    const filterPolicy = filterPolicyOf(filter);
    this.subscriberArns.push(consumer.queue.queueArn);
    const subscription = this.topic.addSubscription(
      new subs.SqsSubscription(consumer.queue, {
        rawMessageDelivery: true,
        deadLetterQueue: consumer.deadLetterQueue,
        ...(filterPolicy ? { filterPolicy } : {}),
      }),
    );
    if (!filterPolicy && rawPolicy) (subscription.node.defaultChild as sns.CfnSubscription).filterPolicy = rawPolicy;
    // a queue added later is subscribed only once the policy admits it
    const policy = this.topic.node.tryFindChild('Policy');
    if (policy) subscription.node.addDependency(policy);
    return subscription;
  }

  /** Let `fn` publish (sns:Publish covers PublishBatch) and tell it the topic ARN. */
  bindPublisher(fn: RelayFunction): void {
    grantPublishEncrypted(this.topic, this.key, fn);
    this.publisherArns.push(fn.role.roleArn);
    fn.addEnvironment(ENV.eventsTopicArn, this.topic.topicArn);
  }
}

export type { EventsTopicProps };
export { EventsTopic, filterPolicyOf, grantPublishEncrypted };
