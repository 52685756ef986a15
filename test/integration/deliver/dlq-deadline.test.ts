/**
 * DLQ parking is bounded by the invocation's end like every other call: against an SQS endpoint
 * that accepts the connection and never answers (a real SDK client on loopback), deliverBatch
 * returns by `endMs` and reports the record it could not park for a retry.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { SQSEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleEvents } from '../../../local/sample-events.js';
import { sqsClient } from '../../../shared/aws-clients.js';
import { deliverBatch, INTERNAL_PARK_AFTER } from '../../../shared/deliver/deliver-batch.js';
import { toWire } from '../../../shared/model/wire.js';
import { parseInput } from '../../../shared/parse/parse-payload.js';
import { createRenderer } from '../../../shared/render/index.js';
import { type Captured, captureStdout } from '../../helpers/capture.js';

let server: Server;
let endpoint = '';
let cap: Captured;
beforeAll(async () => {
  cap = captureStdout();
  // reads every request and never answers
  server = createServer((req) => req.resume());
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  cap.restore();
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

describe('DLQ parking is bounded by the invocation deadline', () => {
  it('a stalled SendMessageBatch is cut at endMs and the record is retried', async () => {
    const wire = [...sampleEvents(3, 5)].map((e) => toWire(parseInput(JSON.stringify(e))));
    const event: SQSEvent = {
      Records: wire.map((body, i) => ({
        messageId: `m${i}`,
        receiptHandle: `rh${i}`,
        body,
        attributes: {
          ApproximateReceiveCount: String(INTERNAL_PARK_AFTER),
          SentTimestamp: '1',
          SenderId: 't',
          ApproximateFirstReceiveTimestamp: '1',
        },
        messageAttributes: {},
        md5OfBody: '',
        eventSource: 'aws:sqs',
        eventSourceARN: 'arn:aws:sqs:us-east-1:111122223333:q',
        awsRegion: 'us-east-1',
      })),
    };
    const real = createRenderer('cef');
    const endMs = Date.now() + 800;
    const out = await deliverBatch(event, {
      destination: 'dest',
      renderer: {
        format: real.format,
        render: real.render,
        // the middle record hits a bug on its third receive: it must be parked as internal
        renderWithInfo: (e) => {
          if (toWire(e) === wire[1]) throw new TypeError('boom');
          return real.renderWithInfo(e);
        },
      },
      sink: {
        name: 's',
        send: async (items) => ({ delivered: items.map((i) => i.id), failed: [], bytes: 0 }),
        close: async () => undefined,
      },
      sqs: sqsClient({ endpoint, maxAttempts: 1 }),
      deadLetterQueueUrl: 'https://sqs.us-east-1.amazonaws.com/111122223333/q-dlq',
      functionName: 'deliver-test',
      deadlineMs: endMs - 300,
      endMs,
    });
    // the invocation's response is ready by its end: the stall did not hold it
    const returnedAt = Date.now();
    expect(returnedAt).toBeGreaterThanOrEqual(endMs - 5);
    expect(out).toMatchObject({ delivered: 2, parked: 0, batchItemFailures: [{ itemIdentifier: 'm1' }] });
    expect(cap.json().some((j) => j.message === 'DLQ parking failed; SQS will retry' && j.sqsMessageId === 'm1')).toBe(
      true,
    );
  });
});
