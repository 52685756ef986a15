/**
 * SQS record → raw payload. Consumers of the events topic may receive the SNS notification JSON
 * (raw message delivery off) or the message itself (raw message delivery on): both are accepted.
 */
import type { SQSRecord } from 'aws-lambda';
import { errorMessage, InvalidEventError } from '../errors.js';

interface Provenance {
  readonly messageId: string;
  /** SQS SentTimestamp (epoch ms) */
  readonly sentAtMs: number;
  readonly receiveCount: number;
}

function provenance(r: SQSRecord): Provenance {
  const sent = Number(r.attributes?.SentTimestamp);
  return {
    messageId: r.messageId,
    sentAtMs: Number.isFinite(sent) && sent > 0 ? sent : Date.now(),
    receiveCount: Number(r.attributes?.ApproximateReceiveCount ?? 1),
  };
}

/**
 * The payload of an SQS record, unwrapping an SNS notification envelope when present. Throws
 * InvalidEventError when the body claims to be an SNS notification but cannot be decoded.
 */
function payloadOf(r: SQSRecord): string {
  const b = r.body;
  if (b.startsWith('{"Type":"Notification"') || (b.startsWith('{') && b.includes('"TopicArn"'))) {
    let n: { Type?: unknown; Message?: unknown };
    try {
      n = JSON.parse(b) as { Type?: unknown; Message?: unknown };
    } catch (e) {
      throw new InvalidEventError(
        '(sns)',
        `body looks like an SNS notification but is not valid JSON: ${errorMessage(e)}`,
        'syntax',
      );
    }
    if (n.Type === 'Notification' && typeof n.Message === 'string') return n.Message;
  }
  return b;
}

export type { Provenance };
export { payloadOf, provenance };
