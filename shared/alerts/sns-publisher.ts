/**
 * Publishing one alert message to one channel topic. One Publish per channel (not PublishBatch):
 * each channel's success is recorded on its own, so a retry resends only the channels that failed.
 * @see https://docs.aws.amazon.com/sns/latest/api/API_Publish.html
 */
import { PublishCommand, type PublishCommandInput, type SNSClient } from '@aws-sdk/client-sns';
import { DeliveryError, toError } from '../errors.js';

/** Sends one Publish; resolves with the SNS message id. */
type AlertPublisher = (input: PublishCommandInput) => Promise<string>;

/**
 * A publisher over a real SNS client. Failures become a retryable DeliveryError (SQS redelivers;
 * after maxReceiveCount the alerts DLQ keeps the event).
 * @example const publish = snsPublisher(snsClient()); await publish(publishInput('sms', arn, messages))
 */
function snsPublisher(sns: SNSClient): AlertPublisher {
  return async (input) => {
    try {
      const out = await sns.send(new PublishCommand(input));
      return out.MessageId ?? '';
    } catch (e) {
      const err = toError(e);
      throw new DeliveryError(`sns:${input.TopicArn}`, `Publish failed: ${err.name}: ${err.message}`, true, {
        cause: e,
      });
    }
  };
}

export type { AlertPublisher };
export { snsPublisher };
