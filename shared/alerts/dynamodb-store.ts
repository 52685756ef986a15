/**
 * The dedup + throttle store on DynamoDB: one table, partition key `pk` (S), TTL attribute
 * `expiresAt` (epoch seconds). Every decision is a single conditional write, so concurrent
 * invocations (SNS delivers at least once; two Lambda instances may hold one event) agree:
 *
 * - claim:    PutItem  if absent or expired            → else UpdateItem take-over if the lease lapsed
 *                                                      → else GetItem: done (duplicate) or busy
 * - throttle: UpdateItem open a window if none is live (ALL_NEW gives what the previous window suppressed)
 *             → else UpdateItem ADD suppressed 1 unless this alert opened the window
 *             → else (this alert's own window, a retry after a crash) GetItem and send
 * - finish / release: UpdateItem conditioned on holding the lease.
 *
 * TTL deletion is lazy (typically within 48 h), so conditions compare `expiresAt`/`windowEnd`
 * themselves and never rely on an expired item being gone.
 * @see https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.ConditionExpressions.html
 * @see https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/howitworks-ttl.html
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import {
  type AlertStore,
  type ClaimResult,
  DEDUP_RETENTION_MS,
  THROTTLE_RETENTION_MS,
  type ThrottleResult,
} from './store.js';
import type { Channel } from './types.js';
import type { Suppression } from './view.js';

const isConditionFailed = (e: unknown): boolean =>
  e instanceof Error && (e.name === 'ConditionalCheckFailedException' || e.name === 'TransactionCanceledException');

const seconds = (ms: number): number => Math.ceil(ms / 1000);

type Item = Record<string, unknown>;

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
    try {
      const r = await this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { pk },
          UpdateExpression: 'SET #owner = :owner, leaseUntil = :lease',
          ConditionExpression: '#state = :pending AND leaseUntil < :now',
          ExpressionAttributeNames: { '#owner': 'owner', '#state': 'state' },
          ExpressionAttributeValues: { ':owner': owner, ':lease': leaseUntil, ':pending': 'pending', ':now': now },
          ReturnValues: 'ALL_NEW',
        }),
      );
      const a = r.Attributes ?? {};
      return {
        kind: 'claimed',
        sent: Array.isArray(a.sent) ? (a.sent as Channel[]) : [],
        decision:
          a.decided === true ? { count: Number(a.reported ?? 0), sinceMs: Number(a.reportedSince ?? now) } : null,
      };
    } catch (e) {
      if (!isConditionFailed(e)) throw e;
    }
    const item = await this.get(pk);
    if (item?.state === 'done') return { kind: 'done', outcome: item.outcome === 'suppressed' ? 'suppressed' : 'sent' };
    return { kind: 'busy' };
  }

  async throttle(pk: string, dedupKey: string, now: number, windowMs: number): Promise<ThrottleResult> {
    // a window can end between two of these writes: try again (bounded) rather than misfile the alert
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        const r = await this.doc.send(
          new UpdateCommand({
            TableName: this.table,
            Key: { pk },
            // right-hand sides read the item as it was before this update (DynamoDB semantics)
            UpdateExpression:
              'SET kind = :kind, reported = if_not_exists(suppressed, :zero), reportedSince = if_not_exists(windowStart, :now), ' +
              'suppressed = :zero, windowStart = :now, windowEnd = :end, openedBy = :me, expiresAt = :exp',
            ConditionExpression: 'attribute_not_exists(pk) OR windowEnd <= :now',
            ExpressionAttributeValues: {
              ':kind': 'throttle',
              ':zero': 0,
              ':now': now,
              ':end': now + windowMs,
              ':me': dedupKey,
              ':exp': seconds(now + windowMs + THROTTLE_RETENTION_MS),
            },
            ReturnValues: 'ALL_NEW',
          }),
        );
        const a = r.Attributes ?? {};
        return {
          kind: 'open',
          suppression: { count: Number(a.reported ?? 0), sinceMs: Number(a.reportedSince ?? now) },
        };
      } catch (e) {
        if (!isConditionFailed(e)) throw e;
      }
      try {
        const r = await this.doc.send(
          new UpdateCommand({
            TableName: this.table,
            Key: { pk },
            UpdateExpression: 'ADD suppressed :one',
            ConditionExpression: 'windowEnd > :now AND (attribute_not_exists(openedBy) OR openedBy <> :me)',
            ExpressionAttributeValues: { ':one': 1, ':now': now, ':me': dedupKey },
            ReturnValues: 'ALL_NEW',
          }),
        );
        return { kind: 'suppressed', count: Number(r.Attributes?.suppressed ?? 1) };
      } catch (e) {
        if (!isConditionFailed(e)) throw e;
      }
      const w = await this.get(pk);
      if (w && w.openedBy === dedupKey && Number(w.windowEnd) > now) {
        return {
          kind: 'open',
          suppression: { count: Number(w.reported ?? 0), sinceMs: Number(w.reportedSince ?? now) },
        };
      }
    }
    throw new Error(`throttle window ${pk} kept changing; giving up for this attempt`);
  }

  async finish(
    pk: string,
    owner: string,
    outcome: 'sent' | 'suppressed',
    sent: readonly Channel[],
    now: number,
  ): Promise<void> {
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { pk },
          UpdateExpression: 'SET #state = :done, outcome = :outcome, sent = :sent, finishedAt = :now',
          ConditionExpression: '#owner = :owner',
          ExpressionAttributeNames: { '#owner': 'owner', '#state': 'state' },
          ExpressionAttributeValues: {
            ':done': 'done',
            ':outcome': outcome,
            ':sent': [...sent],
            ':now': now,
            ':owner': owner,
          },
        }),
      );
    } catch (e) {
      // the lease was taken over (this invocation overran it): the new holder decides
      if (!isConditionFailed(e)) throw e;
    }
  }

  async release(pk: string, owner: string, sent: readonly Channel[], decision: Suppression | null): Promise<void> {
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { pk },
          UpdateExpression: decision
            ? 'SET leaseUntil = :zero, sent = :sent, decided = :true, reported = :n, reportedSince = :since'
            : 'SET leaseUntil = :zero, sent = :sent',
          ConditionExpression: '#owner = :owner',
          ExpressionAttributeNames: { '#owner': 'owner' },
          ExpressionAttributeValues: {
            ':zero': 0,
            ':sent': [...sent],
            ':owner': owner,
            ...(decision ? { ':true': true, ':n': decision.count, ':since': decision.sinceMs } : {}),
          },
        }),
      );
    } catch (e) {
      if (!isConditionFailed(e)) throw e;
    }
  }
}

export { DynamoAlertStore };
