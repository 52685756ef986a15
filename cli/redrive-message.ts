/**
 * One dead-letter message as `segura-relay redrive` sees it: the reason the relay parked it with
 * (`relay.error.*` attributes, see shared/deliver/dlq.ts) and its vault event id, whether the
 * filters select it, and the copy sent back to the source queue.
 */
import type { Message, MessageAttributeValue } from '@aws-sdk/client-sqs';
import type { OutboundMessage } from '../bridge/sqs.js';
import { DLQ_ATTR, REDRIVE_COUNT_ATTR } from '../shared/contracts/index.js';
import { parseInput } from '../shared/parse/parse-payload.js';
import type { RedriveOptions } from './redrive-dlq.js';

/** A DLQ message as the filters see it. */
interface DlqMessageInfo {
  readonly messageId: string;
  /** `code field: reason` from relay.error.*, or 'redrive-policy' */
  readonly reason: string;
  readonly code: string | null;
  readonly field: string | null;
  readonly eventId: string | null;
  readonly group: string | null;
  readonly receiveCount: number;
  readonly body: string;
}

const REDRIVE_COUNT = REDRIVE_COUNT_ATTR;
const STRIPPED = new Set<string>([DLQ_ATTR.code, DLQ_ATTR.field, DLQ_ATTR.reason]);

/** Reason, event id and group of a received DLQ message. */
function describe(m: Message): DlqMessageInfo {
  const a = m.MessageAttributes ?? {};
  const str = (k: string): string | null => a[k]?.StringValue ?? null;
  const code = str(DLQ_ATTR.code);
  const field = str(DLQ_ATTR.field);
  const why = str(DLQ_ATTR.reason);
  const body = m.Body ?? '';
  let eventId = str(DLQ_ATTR.eventId);
  if (eventId === null) {
    try {
      eventId = parseInput(body).eventId;
    } catch {
      eventId = null;
    }
  }
  return {
    messageId: m.MessageId ?? '',
    reason:
      code === null && field === null && why === null
        ? 'redrive-policy'
        : `${code ?? '-'} ${field ?? '-'}: ${why ?? '-'}`,
    code,
    field,
    eventId,
    group: m.Attributes?.MessageGroupId ?? null,
    receiveCount: Number(m.Attributes?.ApproximateReceiveCount ?? 0),
    body,
  };
}

function matches(info: DlqMessageInfo, o: RedriveOptions): boolean {
  if (o.reason !== undefined) {
    const candidates = info.reason === 'redrive-policy' ? ['redrive-policy'] : [info.code, info.field, info.reason];
    if (!candidates.some((c) => c !== null && (o.reason as RegExp).test(c))) return false;
  }
  if (o.eventIds !== undefined && (info.eventId === null || !o.eventIds.has(info.eventId))) return false;
  return true;
}

/** The copy sent to the target: same body, group and attributes, minus relay.error.*, plus the redrive count. */
function copyOf(m: Message, fifo: boolean): OutboundMessage {
  const attrs: Record<string, MessageAttributeValue> = {};
  let count = 0;
  for (const [k, v] of Object.entries(m.MessageAttributes ?? {})) {
    if (STRIPPED.has(k)) continue;
    if (k === REDRIVE_COUNT) {
      count = Number(v.StringValue ?? 0) || 0;
      continue;
    }
    attrs[k] = {
      DataType: v.DataType ?? 'String',
      ...(v.StringValue !== undefined ? { StringValue: v.StringValue } : {}),
      ...(v.BinaryValue !== undefined ? { BinaryValue: v.BinaryValue } : {}),
    };
  }
  // SQS allows 10 attributes per message: keep the original ones first
  if (Object.keys(attrs).length < 10) attrs[REDRIVE_COUNT] = { DataType: 'Number', StringValue: String(count + 1) };
  return {
    body: m.Body ?? '',
    attributes: attrs,
    ...(fifo ? { groupId: m.Attributes?.MessageGroupId ?? 'redrive', dedupId: (m.MessageId ?? '').slice(0, 128) } : {}),
  };
}

export type { DlqMessageInfo };
export { copyOf, describe, matches };
