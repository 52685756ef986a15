/**
 * The dedup + throttle + rate-cap store on DynamoDB: one table, partition key `pk` (S), TTL
 * attribute `expiresAt` (epoch seconds), and a sparse global secondary index `due` (partition
 * `dueShard` (S), sort `dueAt` (N), keys only) holding exactly the windows that owe a summary.
 * Every decision is a single conditional write, so concurrent invocations (SNS delivers at least
 * once; two Lambda instances may hold one event) agree:
 *
 * - claim:     PutItem if absent or expired → else UpdateItem take-over if the lease lapsed
 *              → else GetItem: done (duplicate) or busy
 * - throttle:  UpdateItem open a window if none is live and the last one owes no summary
 *              → else UpdateItem ADD suppressed 1 (+ the sealed entry, + due marker) unless this alert
 *                opened the window or is more severe than what it sent
 *              → else UpdateItem raise the window's severity (escalate: send)
 *              → else GetItem: this alert's own window (a retry: send), or a closed window owing its
 *                summary (`due`)
 * - rateCap:   UpdateItem ADD sentCount 1 below the cap in the current fixed window → else open the
 *              next window → else hold (ADD suppressed 1, entry, due marker) → else `due`
 * - finish / release: UpdateItem conditioned on holding the lease.
 * - dueWindows: Query on the `due` index (`dueShard = "due" AND dueAt <= now`); closeWindow removes
 *   the marker, which removes the item from the sparse index.
 *
 * TTL deletion is lazy (typically within 48 h), so conditions compare `expiresAt`/`windowEnd`
 * themselves and never rely on an expired item being gone. A window's entry set is capped with a
 * `size()` condition (a full set falls back to counting only).
 * @see https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.ConditionExpressions.html
 * @see https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/howitworks-ttl.html
 * @see https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/bp-indexes-general-sparse-indexes.html
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { THROTTLE_TABLE } from '../contracts/index.js';
import {
  type AlertStore,
  type CapResult,
  type ClaimResult,
  DEDUP_RETENTION_MS,
  type Decision,
  type DoneOutcome,
  type HeldWindow,
  type HoldInput,
  type HoldKind,
  MAX_WINDOW_ENTRIES,
  THROTTLE_RETENTION_MS,
  type ThrottleResult,
} from './store.js';
import type { Channel } from './types.js';

/** The sparse index of windows owing a summary (infra/constructs/throttle-table.ts creates it). */
const DUE_INDEX = { ...THROTTLE_TABLE.dueIndex, shard: 'due' } as const;

/**
 * The expressions below spell the key (`pk`) and the TTL attribute (`expiresAt`) out; this ties
 * them to the contract, so renaming either there fails to compile here.
 */
const SPELLED: { readonly key: typeof THROTTLE_TABLE.partitionKey; readonly ttl: typeof THROTTLE_TABLE.ttl } = {
  key: 'pk',
  ttl: 'expiresAt',
};
void SPELLED;

const isConditionFailed = (e: unknown): boolean =>
  e instanceof Error && (e.name === 'ConditionalCheckFailedException' || e.name === 'TransactionCanceledException');

const seconds = (ms: number): number => Math.ceil(ms / 1000);

type Item = Record<string, unknown>;

const DONE_OUTCOMES: readonly DoneOutcome[] = ['sent', 'suppressed', 'held'];

/** DynamoDB-backed AlertStore. */
class DynamoAlertStore implements AlertStore {
  private readonly doc: DynamoDBDocumentClient;
  private readonly table: string;

  constructor(client: DynamoDBClient, tableName: string) {
    this.doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
    this.table = tableName;
  }

  private async get(pk: string): Promise<Item | undefined> {
    const r = await this.doc.send(new GetCommand({ TableName: this.table, Key: { pk }, ConsistentRead: true }));
    return r.Item;
  }

  /** An UpdateItem that may fail its condition: the new item, or null when the condition failed. */
  private async update(
    pk: string,
    expr: string,
    condition: string,
    values: Record<string, unknown>,
    names?: Record<string, string>,
  ): Promise<Item | null> {
    try {
      const r = await this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { pk },
          UpdateExpression: expr,
          ConditionExpression: condition,
          ExpressionAttributeValues: values,
          ...(names ? { ExpressionAttributeNames: names } : {}),
          ReturnValues: 'ALL_NEW',
        }),
      );
      return r.Attributes ?? {};
    } catch (e) {
      if (isConditionFailed(e)) return null;
      throw e;
    }
  }

  async claim(pk: string, owner: string, now: number, leaseUntil: number): Promise<ClaimResult> {
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.table,
          Item: {
            pk,
            kind: 'dedup',
            state: 'pending',
            owner,
            leaseUntil,
            sent: [],
            createdAt: now,
            expiresAt: seconds(now + DEDUP_RETENTION_MS),
          },
          ConditionExpression: 'attribute_not_exists(pk) OR expiresAt < :nowSec',
          ExpressionAttributeValues: { ':nowSec': seconds(now) },
        }),
      );
      return { kind: 'claimed', sent: [], decision: null };
    } catch (e) {
      if (!isConditionFailed(e)) throw e;
    }
    const a = await this.update(
      pk,
      'SET #owner = :owner, leaseUntil = :lease',
      '#state = :pending AND leaseUntil < :now',
      { ':owner': owner, ':lease': leaseUntil, ':pending': 'pending', ':now': now },
      { '#owner': 'owner', '#state': 'state' },
    );
    if (a) {
      return {
        kind: 'claimed',
        sent: Array.isArray(a.sent) ? (a.sent as Channel[]) : [],
        decision:
          a.decided === true
            ? {
                count: Number(a.reported ?? 0),
                sinceMs: Number(a.reportedSince ?? now),
                held: Array.isArray(a.heldChannels) ? (a.heldChannels as Channel[]) : [],
              }
            : null,
      };
    }
    const item = await this.get(pk);
    if (item?.state === 'done') {
      const o = DONE_OUTCOMES.find((x) => x === item.outcome) ?? 'sent';
      return { kind: 'done', outcome: o };
    }
    return { kind: 'busy' };
  }

  /** SET clauses and values describing a window's owner (rule, channel, sealed key text). */
  private holdAttributes(hold: HoldInput): { set: string; values: Record<string, unknown> } {
    const parts = ['holdKind = :hold', 'ruleId = :ruleId'];
    const values: Record<string, unknown> = { ':hold': hold.kind, ':ruleId': hold.ruleId };
    if (hold.channel) {
      parts.push('channel = :channel');
      values[':channel'] = hold.channel;
    }
    if (hold.keyText) {
      parts.push('keyText = :keyText');
      values[':keyText'] = hold.keyText;
    }
    return { set: parts.join(', '), values };
  }

  /** Count one held match into a live window (entry set capped), or null when `condition` fails. */
  private async hold(
    pk: string,
    condition: string,
    values: Record<string, unknown>,
    entry: string,
  ): Promise<Item | null> {
    const due = `SET ${DUE_INDEX.partitionKey} = :dueShard, ${DUE_INDEX.sortKey} = windowEnd`;
    const v = { ...values, ':one': 1, ':dueShard': DUE_INDEX.shard };
    const withEntry = await this.update(
      pk,
      `ADD suppressed :one, entries :entry ${due}`,
      `(${condition}) AND (attribute_not_exists(entries) OR size(entries) < :maxEntries)`,
      { ...v, ':entry': new Set([entry]), ':maxEntries': MAX_WINDOW_ENTRIES },
    );
    if (withEntry) return withEntry;
    // the entry set is full (or the condition failed): count only
    return this.update(pk, `ADD suppressed :one ${due}`, condition, v);
  }

  async throttle(
    pk: string,
    dedupKey: string,
    now: number,
    windowMs: number,
    severity: number,
    hold: HoldInput,
  ): Promise<ThrottleResult> {
    // a window can end between two of these writes: try again (bounded) rather than misfile the alert
    for (let attempt = 0; attempt < 3; attempt++) {
      const h = this.holdAttributes(hold);
      // right-hand sides read the item as it was before this update (DynamoDB semantics)
      const opened = await this.update(
        pk,
        'SET kind = :kind, reported = if_not_exists(suppressed, :zero), reportedSince = if_not_exists(windowStart, :now), ' +
          `suppressed = :zero, windowStart = :now, windowEnd = :end, openedBy = :me, sev = :sev, expiresAt = :exp, ${h.set} ` +
          'REMOVE entries, summarizedAt',
        'attribute_not_exists(pk) OR (windowEnd <= :now AND attribute_not_exists(dueAt))',
        {
          ':kind': 'throttle',
          ':zero': 0,
          ':now': now,
          ':end': now + windowMs,
          ':me': dedupKey,
          ':sev': severity,
          ':exp': seconds(now + windowMs + THROTTLE_RETENTION_MS),
          ...h.values,
        },
      );
      if (opened) {
        return {
          kind: 'open',
          suppression: { count: Number(opened.reported ?? 0), sinceMs: Number(opened.reportedSince ?? now) },
        };
      }
      const live = 'windowEnd > :now AND (attribute_not_exists(openedBy) OR openedBy <> :me)';
      const suppressed = await this.hold(
        pk,
        `${live} AND (attribute_not_exists(sev) OR sev >= :sev)`,
        { ':now': now, ':me': dedupKey, ':sev': severity },
        hold.entry,
      );
      if (suppressed) return { kind: 'suppressed', count: Number(suppressed.suppressed ?? 1) };
      const escalated = await this.update(pk, 'SET sev = :sev', `${live} AND sev < :sev`, {
        ':now': now,
        ':me': dedupKey,
        ':sev': severity,
      });
      if (escalated) return { kind: 'escalate' };
      const w = await this.get(pk);
      if (w && w.openedBy === dedupKey && Number(w.windowEnd) > now) {
        return {
          kind: 'open',
          suppression: { count: Number(w.reported ?? 0), sinceMs: Number(w.reportedSince ?? now) },
        };
      }
      if (w && Number(w.windowEnd) <= now && w.dueAt !== undefined) return { kind: 'due' };
    }
    throw new Error(`throttle window ${pk} kept changing; giving up for this attempt`);
  }

  async rateCap(pk: string, now: number, windowMs: number, max: number, hold: HoldInput): Promise<CapResult> {
    const ws = Math.floor(now / windowMs) * windowMs;
    for (let attempt = 0; attempt < 3; attempt++) {
      const counted = await this.update(pk, 'ADD sentCount :one', 'windowStart = :ws AND sentCount < :max', {
        ':one': 1,
        ':ws': ws,
        ':max': max,
      });
      if (counted) return { kind: 'ok' };
      const h = this.holdAttributes(hold);
      const opened = await this.update(
        pk,
        `SET kind = :kind, windowStart = :ws, windowEnd = :end, sentCount = :one, suppressed = :zero, expiresAt = :exp, ${h.set} ` +
          'REMOVE entries, summarizedAt',
        'attribute_not_exists(pk) OR (windowStart < :ws AND attribute_not_exists(dueAt))',
        {
          ':kind': 'cap',
          ':ws': ws,
          ':end': ws + windowMs,
          ':one': 1,
          ':zero': 0,
          ':exp': seconds(ws + windowMs + THROTTLE_RETENTION_MS),
          ...h.values,
        },
      );
      if (opened) return { kind: 'ok' };
      const held = await this.hold(
        pk,
        'windowStart = :ws AND sentCount >= :max',
        { ':ws': ws, ':max': max },
        hold.entry,
      );
      if (held) return { kind: 'held', count: Number(held.suppressed ?? 1) };
      const w = await this.get(pk);
      if (w && Number(w.windowStart) < ws && w.dueAt !== undefined) return { kind: 'due' };
    }
    throw new Error(`rate-cap window ${pk} kept changing; giving up for this attempt`);
  }

  async finish(pk: string, owner: string, outcome: DoneOutcome, sent: readonly Channel[], now: number): Promise<void> {
    // a failed condition: the lease was taken over (this invocation overran it); the new holder decides
    await this.update(
      pk,
      'SET #state = :done, outcome = :outcome, sent = :sent, finishedAt = :now',
      '#owner = :owner',
      { ':done': 'done', ':outcome': outcome, ':sent': [...sent], ':now': now, ':owner': owner },
      { '#owner': 'owner', '#state': 'state' },
    );
  }

  async release(pk: string, owner: string, sent: readonly Channel[], decision: Decision | null): Promise<void> {
    await this.update(
      pk,
      decision
        ? 'SET leaseUntil = :zero, sent = :sent, decided = :true, reported = :n, reportedSince = :since, heldChannels = :held'
        : 'SET leaseUntil = :zero, sent = :sent',
      '#owner = :owner',
      {
        ':zero': 0,
        ':sent': [...sent],
        ':owner': owner,
        ...(decision
          ? { ':true': true, ':n': decision.count, ':since': decision.sinceMs, ':held': [...decision.held] }
          : {}),
      },
      { '#owner': 'owner' },
    );
  }

  async dueWindows(now: number, limit: number): Promise<string[]> {
    const r = await this.doc.send(
      new QueryCommand({
        TableName: this.table,
        IndexName: DUE_INDEX.name,
        KeyConditionExpression: '#shard = :shard AND #due <= :now',
        ExpressionAttributeNames: { '#shard': DUE_INDEX.partitionKey, '#due': DUE_INDEX.sortKey },
        ExpressionAttributeValues: { ':shard': DUE_INDEX.shard, ':now': now },
        Limit: limit,
      }),
    );
    return (r.Items ?? []).map((i) => String(i.pk));
  }

  async readWindow(pk: string): Promise<HeldWindow | null> {
    const w = await this.get(pk);
    if (!w || (w.kind !== 'throttle' && w.kind !== 'cap')) return null;
    const holdKinds: readonly HoldKind[] = ['throttle', 'rule-cap', 'channel-cap'];
    return {
      pk,
      kind: holdKinds.find((k) => k === w.holdKind) ?? (w.kind === 'throttle' ? 'throttle' : 'rule-cap'),
      ruleId: String(w.ruleId ?? ''),
      channel: typeof w.channel === 'string' ? (w.channel as Channel) : null,
      keyText: typeof w.keyText === 'string' ? w.keyText : null,
      windowStart: Number(w.windowStart),
      windowEnd: Number(w.windowEnd),
      count: Number(w.suppressed ?? 0),
      entries: w.entries instanceof Set ? [...(w.entries as Set<string>)] : [],
      due: w[DUE_INDEX.sortKey] !== undefined,
    };
  }

  async closeWindow(pk: string, windowStart: number, now: number): Promise<void> {
    await this.update(
      pk,
      `REMOVE ${DUE_INDEX.partitionKey}, ${DUE_INDEX.sortKey} SET summarizedAt = :now`,
      'windowStart = :ws',
      { ':ws': windowStart, ':now': now },
    );
  }
}

export { DUE_INDEX, DynamoAlertStore };
