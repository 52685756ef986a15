/**
 * An AWS Lambda protocol double for one read-only call, `ListEventSourceMappings` (REST-JSON,
 * `GET /2015-03-31/event-source-mappings/?FunctionName=&EventSourceArn=&Marker=&MaxItems=`), so
 * `segura-relay doctor` reads the local relay's pollers with the real `@aws-sdk/client-lambda`
 * exactly as it reads a deployed stack's event source mappings.
 * https://docs.aws.amazon.com/lambda/latest/api/API_ListEventSourceMappings.html
 *
 * Each poller is one mapping: `Enabled` while it polls, `Disabled` once stopped;
 * `LastProcessingResult` is the outcome of its last invocation. Every other request gets Lambda's
 * `{"Type":"User","message":…}` error with HTTP 404 or 400.
 *
 * @example
 * ```ts
 * const lambda = await startLambdaDouble(() => relay.pollers.map(mappingOf));
 * new LambdaClient({ endpoint: lambda.endpoint, region: 'us-east-1', credentials });
 * ```
 */
import { createHash } from 'node:crypto';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the double reports of one mapping (the fields doctor reads, in the API's names). */
interface LocalMapping {
  readonly functionName: string;
  readonly eventSourceArn: string;
  readonly batchSize: number;
  readonly enabled: boolean;
  readonly lastProcessingResult: string;
  /** ms since the epoch */
  readonly lastModified: number;
}

interface LambdaDouble {
  /** `http://127.0.0.1:PORT`, for the client's `endpoint` */
  readonly endpoint: string;
  readonly calls: number;
  stop(): Promise<void>;
}

const ACCOUNT = '000000000000';
const REGION = 'us-east-1';

function functionArn(name: string): string {
  return `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${name}`;
}

/** A stable UUID-shaped id per (function, source), as a mapping keeps its UUID. */
function uuidOf(m: LocalMapping): string {
  const h = createHash('sha256').update(`${m.functionName}|${m.eventSourceArn}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

async function startLambdaDouble(mappings: () => readonly LocalMapping[], port = 0): Promise<LambdaDouble> {
  let calls = 0;
  const reply = (res: ServerResponse, status: number, doc: unknown, errorType?: string): void => {
    const text = JSON.stringify(doc);
    res.writeHead(status, {
      'Content-Type': 'application/json',
      'Content-Length': Buffer.byteLength(text),
      ...(errorType ? { 'x-amzn-ErrorType': errorType } : {}),
    });
    res.end(text);
  };
  const server = createServer((req, res) => {
    calls++;
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    req.resume();
    if (req.method !== 'GET' || url.pathname.replace(/\/$/, '') !== '/2015-03-31/event-source-mappings') {
      reply(
        res,
        404,
        {
          Type: 'User',
          message: `the local Lambda double answers ListEventSourceMappings only, not ${req.method} ${url.pathname}`,
        },
        'ResourceNotFoundException',
      );
      return;
    }
    const q = url.searchParams;
    const fn = q.get('FunctionName');
    const source = q.get('EventSourceArn');
    const maxItems = Math.min(100, Math.max(1, Number(q.get('MaxItems') ?? 100) || 100));
    const start = Number(q.get('Marker') ?? 0) || 0;
    // FunctionName may be a name or an ARN
    const wanted = fn?.replace(/^arn:aws:lambda:[^:]+:\d+:function:/, '');
    const all = mappings().filter(
      (m) => (wanted === undefined || m.functionName === wanted) && (source === null || m.eventSourceArn === source),
    );
    const page = all.slice(start, start + maxItems);
    reply(res, 200, {
      EventSourceMappings: page.map((m) => ({
        UUID: uuidOf(m),
        BatchSize: m.batchSize,
        EventSourceArn: m.eventSourceArn,
        FunctionArn: functionArn(m.functionName),
        LastModified: Math.floor(m.lastModified / 1000),
        LastProcessingResult: m.lastProcessingResult,
        State: m.enabled ? 'Enabled' : 'Disabled',
        StateTransitionReason: 'USER_INITIATED',
        FunctionResponseTypes: ['ReportBatchItemFailures'],
      })),
      ...(start + maxItems < all.length ? { NextMarker: String(start + maxItems) } : {}),
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port: bound } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${bound}`,
    get calls() {
      return calls;
    },
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.close((e) => (e ? reject(e) : resolve()));
        server.closeAllConnections();
      }),
  };
}

export type { LambdaDouble, LocalMapping };
export { functionArn, startLambdaDouble };
