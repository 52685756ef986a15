/**
 * One SNS topic per alert channel that has subscribers (sms, email, chat, ticket), CMK-encrypted
 * and TLS-only, with the configured subscriptions. evaluate-alerts publishes with
 * `MessageStructure: json` (per-protocol text) to the topics in ALERT_TOPIC_ARNS.
 */
import { Stack } from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subs from 'aws-cdk-lib/aws-sns-subscriptions';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { ENV } from '../../shared/contracts/index.js';
import { CHANNELS, type Channel } from '../config/types.js';
import { grantPublishEncrypted } from './events-topic.js';
import type { RelayFunction } from './relay-function.js';

interface AlertTopicsProps {
  readonly encryptionKey: kms.IKey;
  /** subscribers per channel; a channel without any gets no topic */
  readonly subscribers: Readonly<Partial<Record<Channel, readonly string[]>>>;
  /** where SNS puts notifications it could not deliver */
  readonly deadLetterQueue: sqs.IQueue;
  /** display name of the SMS topic (SNS prefixes each SMS with it). @default none */
  readonly smsDisplayName?: string | undefined;
  /**
   * channels whose topic is created without endpoints because a service subscribes itself (AWS
   * Chatbot for `chat`). @default none
   */
  readonly selfSubscribing?: readonly Channel[];
}

class AlertTopics extends Construct {
  readonly topics: ReadonlyMap<Channel, sns.Topic>;
  private readonly key: kms.IKey;

  constructor(scope: Construct, id: string, props: AlertTopicsProps) {
    super(scope, id);
    this.key = props.encryptionKey;
    const topics = new Map<Channel, sns.Topic>();
    for (const channel of CHANNELS) {
      const endpoints = props.subscribers[channel] ?? [];
      if (!endpoints.length && !props.selfSubscribing?.includes(channel)) continue;
      const topic = new sns.Topic(this, `${channel[0]?.toUpperCase()}${channel.slice(1)}`, {
        masterKey: props.encryptionKey,
        enforceSSL: true,
        ...(channel === 'sms' && props.smsDisplayName ? { displayName: props.smsDisplayName } : {}),
      });
      const opts = { deadLetterQueue: props.deadLetterQueue };
      for (const endpoint of endpoints) {
        if (channel === 'sms') {
          // SNS takes a redrive policy on SMS subscriptions too (an SMS it gives up on lands in the
          // DLQ), but CDK's SmsSubscription drops `deadLetterQueue`: the L2 Subscription keeps it.
          // Same scope and id as topic.addSubscription uses, so the logical id does not change.
          // https://docs.aws.amazon.com/sns/latest/dg/sns-dead-letter-queues.html
          new sns.Subscription(topic, endpoint, {
            topic,
            protocol: sns.SubscriptionProtocol.SMS,
            endpoint,
            ...opts,
          });
          continue;
        }
        topic.addSubscription(
          channel === 'email'
            ? new subs.EmailSubscription(endpoint, opts)
            : new subs.UrlSubscription(endpoint, { ...opts, protocol: sns.SubscriptionProtocol.HTTPS }),
        );
      }
      topics.set(channel, topic);
    }
    this.topics = topics;
  }

  /** Let `fn` publish to every channel topic and tell it the ARNs (ALERT_TOPIC_ARNS, JSON). */
  bindPublisher(fn: RelayFunction): void {
    const arns: Record<string, string> = {};
    for (const [channel, topic] of this.topics) {
      grantPublishEncrypted(topic, this.key, fn);
      arns[channel] = topic.topicArn;
    }
    fn.addEnvironment(ENV.alertTopicArns, Stack.of(this).toJsonString(arns));
  }
}

export type { AlertTopicsProps };
export { AlertTopics };
