/**
 * An HTTP fault proxy for the local relay: a `node:http` server on 127.0.0.1 that forwards every
 * request to one AWS emulator endpoint (fauxqs, dynalite) and, for the requests a rule matches,
 * answers with an AWS-style error instead, forwards and then loses the answer, or holds the request
 * before forwarding. The fault tests put it in front of one service only (SNS through
 * `AWS_ENDPOINT_URL_SNS`, later DynamoDB through `AWS_ENDPOINT_URL_DYNAMODB`), so the other services
 * on the same emulator stay healthy.
 *
 * Error bodies follow the protocol of the matched request, so the SDK parses them as the service's:
 * - AWS query (SNS, form-encoded `Action=…`): `<ErrorResponse><Error><Type/><Code/><Message/>…`
 *   (https://docs.aws.amazon.com/sns/latest/api/CommonErrors.html);
 * - AWS JSON 1.0/1.1 (DynamoDB, Firehose; `X-Amz-Target`): `{"__type": "…", "message": "…"}`.
 *
 * @example
 * ```ts
 * const proxy = await startFaultProxy({ target: 'http://127.0.0.1:4566' });
 * proxy.failNext(3, { match: snsAction('PublishBatch'), status: 500, code: 'InternalError' });
 * // point only the SNS client at proxy.endpoint …
 * proxy.stats.injected; // 3 once three PublishBatch calls came through
 * await proxy.stop();
 * ```
 */
import { randomUUID } from 'node:crypto';
import { createServer, request as httpRequest, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What a rule sees of a request. */
interface ProxiedRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  /** the body as UTF-8 text (AWS query forms and JSON documents are text) */
  readonly body: string;
}

type RequestMatcher = (req: ProxiedRequest) => boolean;

/** An injected whole-call error. */
interface ErrorAnswer {
  readonly match: RequestMatcher;
  /** HTTP status. @default 500 */
  readonly status?: number;
  /** AWS error code. @default 'InternalError' (503 → 'ServiceUnavailable') */
  readonly code?: string;
  /** @default 'injected by the fault proxy' */
  readonly message?: string;
}

/** A hand-made answer (e.g. a 200 whose batch entries all failed). */
interface CannedAnswer {
  readonly status: number;
  readonly contentType: string;
  readonly body: string;
}

/** Counters, across every rule. */
interface FaultProxyStats {
  /** requests received */
  requests: number;
  /** requests forwarded to the target (including those whose answer was then dropped) */
  forwarded: number;
  /** requests any rule matched and acted on */
  injected: number;
  /** requests answered with an error or a canned answer without reaching the target */
  failed: number;
  /** requests forwarded whose real answer was replaced by an error (the call did take effect) */
  answersLost: number;
  /** requests held before forwarding */
  delayed: number;
  /** requests a rule matched, per action, by the `Action=` or `X-Amz-Target` name */
  readonly byOperation: Record<string, number>;
}

interface FaultProxy {
  /** `http://127.0.0.1:PORT`, for a client's `endpoint` */
  readonly endpoint: string;
  readonly stats: FaultProxyStats;
  /** Answer the next `n` matching requests with an error; they never reach the target. */
  failNext(n: number, answer: ErrorAnswer): void;
  /** Answer every matching request with an error for the next `ms` milliseconds. */
  failFor(ms: number, answer: ErrorAnswer): void;
  /**
   * Forward the next `n` matching requests, then answer the client with an error instead of the
   * target's answer: the call took effect but the client believes it failed (a lost response).
   */
  loseAnswerNext(n: number, answer: ErrorAnswer): void;
  /** Hold the next `n` matching requests for `ms` before forwarding them (after letting `skip` pass). */
  delayNext(n: number, ms: number, match: RequestMatcher, skip?: number): void;
  /** Answer the next `n` matching requests with `answer(request)`; they never reach the target. */
  respondNext(n: number, match: RequestMatcher, answer: (req: ProxiedRequest) => CannedAnswer): void;
  /** Call `listener` with every request as it arrives, before any rule (for tests' timelines). */
  observe(listener: (req: ProxiedRequest) => void): void;
  /** Remove every rule; counters are kept. */
  clear(): void;
  /** Close the server and its connections; requests still held are answered 503. */
  stop(): Promise<void>;
}

interface FaultProxyOptions {
  /** upstream base URL, e.g. the fauxqs endpoint `http://127.0.0.1:PORT` */
  readonly target: string;
  /** port on 127.0.0.1. @default 0 (ephemeral) */
  readonly port?: number;
}

/** Matches AWS query requests (SNS, SQS query) for `action`, e.g. `PublishBatch`. */
function snsAction(action: string): RequestMatcher {
  const needle = `Action=${action}`;
  return (r) => r.body.startsWith(`${needle}&`) || r.body.includes(`&${needle}&`) || r.body.endsWith(needle);
}

/** Matches AWS JSON requests by `X-Amz-Target`, e.g. `DynamoDB_20120810.PutItem`. */
function amzTarget(target: string): RequestMatcher {
  return (r) => r.headers['x-amz-target'] === target;
}

/** The entry ids of an SNS `PublishBatch` request (form-encoded), in order. */
function publishBatchEntryIds(body: string): string[] {
  const ids: string[] = [];
  for (const m of body.matchAll(/(?:^|&)PublishBatchRequestEntries\.member\.\d+\.Id=([^&]*)/g)) {
    ids.push(decodeURIComponent((m[1] ?? '').replace(/\+/g, ' ')));
  }
  return ids;
}

/**
 * A 200 `PublishBatch` answer in which every entry failed, as SNS answers when it cannot take the
 * entries (https://docs.aws.amazon.com/sns/latest/api/API_PublishBatch.html, `Failed`).
 */
function publishBatchAllFailed(req: ProxiedRequest, code = 'InternalError'): CannedAnswer {
  const members = publishBatchEntryIds(req.body)
    .map(
      (id) =>
        `<member><Id>${id}</Id><Code>${code}</Code><Message>injected by the fault proxy</Message><SenderFault>false</SenderFault></member>`,
    )
    .join('');
  return {
    status: 200,
    contentType: 'text/xml',
    body: `<PublishBatchResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><PublishBatchResult><Successful/><Failed>${members}</Failed></PublishBatchResult><ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></PublishBatchResponse>`,
  };
}

/** The operation name of a request, for counters. */
function operationOf(r: ProxiedRequest): string {
  const target = r.headers['x-amz-target'];
  if (typeof target === 'string') return target;
  const m = /(?:^|&)Action=([A-Za-z]+)/.exec(r.body);
  return m?.[1] ?? `${r.method} ${r.url}`;
}

function errorBody(r: ProxiedRequest, a: ErrorAnswer): { status: number; type: string; text: string } {
  const status = a.status ?? 500;
  const code = a.code ?? (status === 503 ? 'ServiceUnavailable' : 'InternalError');
  const message = a.message ?? 'injected by the fault proxy';
  const json = typeof r.headers['x-amz-target'] === 'string';
  if (json) {
    return {
      status,
      type: 'application/x-amz-json-1.0',
      text: JSON.stringify({ __type: code, message }),
    };
  }
  const kind = status >= 500 ? 'Receiver' : 'Sender';
  return {
    status,
    type: 'text/xml',
    text: `<ErrorResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><Error><Type>${kind}</Type><Code>${code}</Code><Message>${message}</Message></Error><RequestId>${randomUUID()}</RequestId></ErrorResponse>`,
  };
}

interface CountRule {
  readonly kind: 'fail' | 'lose' | 'delay' | 'respond';
  readonly match: RequestMatcher;
  skip: number;
  remaining: number;
  readonly answer?: ErrorAnswer;
  readonly canned?: (req: ProxiedRequest) => CannedAnswer;
  readonly ms?: number;
}

/**
 * Start a proxy in front of `target`. Resolves once it listens.
 *
 * @example
 * ```ts
 * const proxy = await startFaultProxy({ target: relay.endpoint });
 * proxy.failFor(2_000, { match: snsAction('PublishBatch'), status: 503 });
 * ```
 */
async function startFaultProxy(o: FaultProxyOptions): Promise<FaultProxy> {
  const target = new URL(o.target);
  const stats: FaultProxyStats = {
    requests: 0,
    forwarded: 0,
    injected: 0,
    failed: 0,
    answersLost: 0,
    delayed: 0,
    byOperation: {},
  };
  let rules: CountRule[] = [];
  let window: { until: number; answer: ErrorAnswer } | undefined;
  const held = new Set<{ timer: NodeJS.Timeout; res: ServerResponse }>();
  const listeners: Array<(req: ProxiedRequest) => void> = [];

  const reply = (res: ServerResponse, status: number, type: string, text: string): void => {
    if (res.headersSent || res.destroyed) return;
    res.writeHead(status, {
      'content-type': type,
      'content-length': Buffer.byteLength(text),
      'x-amzn-requestid': randomUUID(),
    });
    res.end(text);
  };

  const injectError = (req: ProxiedRequest, res: ServerResponse, a: ErrorAnswer): void => {
    const e = errorBody(req, a);
    reply(res, e.status, e.type, e.text);
  };

  /** Forward to the target; with `replaceAnswer`, the target's answer is dropped and that error sent instead. */
  const forward = (
    req: ProxiedRequest,
    raw: Buffer,
    res: ServerResponse,
    replaceAnswer: ErrorAnswer | undefined,
  ): void => {
    stats.forwarded++;
    // the Host header is kept as signed (SigV4 covers it); the emulator does not check it
    const up = httpRequest(
      { hostname: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        const chunks: Buffer[] = [];
        answer.on('data', (c: Buffer) => chunks.push(c));
        answer.on('end', () => {
          if (replaceAnswer !== undefined) {
            injectError(req, res, replaceAnswer);
            return;
          }
          if (res.headersSent || res.destroyed) return;
          const body = Buffer.concat(chunks);
          const out: Record<string, string | string[]> = {};
          for (const [k, v] of Object.entries(answer.headers)) {
            if (v === undefined || k === 'transfer-encoding' || k === 'connection' || k === 'keep-alive') continue;
            out[k] = v;
          }
          out['content-length'] = String(body.length);
          res.writeHead(answer.statusCode ?? 502, out);
          res.end(body);
        });
        answer.on('error', () => reply(res, 502, 'text/plain', 'fault proxy: upstream answer broke'));
      },
    );
    up.on('error', (e) => reply(res, 502, 'text/plain', `fault proxy: upstream unreachable: ${e.message}`));
    up.end(raw);
  };

  const handle = (req: ProxiedRequest, raw: Buffer, res: ServerResponse): void => {
    stats.requests++;
    for (const l of listeners) l(req);
    const count = (): void => {
      stats.injected++;
      const op = operationOf(req);
      stats.byOperation[op] = (stats.byOperation[op] ?? 0) + 1;
    };
    if (window !== undefined && Date.now() < window.until && window.answer.match(req)) {
      count();
      stats.failed++;
      injectError(req, res, window.answer);
      return;
    }
    for (const rule of rules) {
      if (rule.remaining <= 0 || !rule.match(req)) continue;
      if (rule.skip > 0) {
        rule.skip--;
        continue;
      }
      rule.remaining--;
      count();
      if (rule.kind === 'fail') {
        stats.failed++;
        injectError(req, res, rule.answer as ErrorAnswer);
      } else if (rule.kind === 'respond') {
        stats.failed++;
        const a = (rule.canned as (r: ProxiedRequest) => CannedAnswer)(req);
        reply(res, a.status, a.contentType, a.body);
      } else if (rule.kind === 'lose') {
        stats.answersLost++;
        forward(req, raw, res, rule.answer);
      } else {
        stats.delayed++;
        const entry = {
          res,
          timer: setTimeout(() => {
            held.delete(entry);
            forward(req, raw, res, undefined);
          }, rule.ms ?? 0),
        };
        held.add(entry);
      }
      return;
    }
    forward(req, raw, res, undefined);
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      handle(
        { method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers, body: raw.toString('utf8') },
        raw,
        res,
      );
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;

  const addRule = (r: Omit<CountRule, 'skip' | 'remaining'> & { n: number; skip?: number }): void => {
    if (!Number.isInteger(r.n) || r.n < 0)
      throw new RangeError(`fault proxy: count must be an integer ≥ 0, got ${r.n}`);
    rules.push({ ...r, remaining: r.n, skip: r.skip ?? 0 });
  };

  return {
    endpoint: `http://127.0.0.1:${port}`,
    stats,
    failNext: (n, answer) => addRule({ kind: 'fail', match: answer.match, answer, n }),
    failFor: (ms, answer) => {
      window = { until: Date.now() + ms, answer };
    },
    loseAnswerNext: (n, answer) => addRule({ kind: 'lose', match: answer.match, answer, n }),
    delayNext: (n, ms, match, skip = 0) => addRule({ kind: 'delay', match, ms, n, skip }),
    respondNext: (n, match, canned) => addRule({ kind: 'respond', match, canned, n }),
    observe: (listener) => {
      listeners.push(listener);
    },
    clear: () => {
      rules = [];
      window = undefined;
    },
    async stop() {
      for (const h of held) {
        clearTimeout(h.timer);
        reply(h.res, 503, 'text/plain', 'fault proxy stopping');
      }
      held.clear();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

export type {
  CannedAnswer,
  ErrorAnswer,
  FaultProxy,
  FaultProxyOptions,
  FaultProxyStats,
  ProxiedRequest,
  RequestMatcher,
};
export { amzTarget, publishBatchAllFailed, publishBatchEntryIds, snsAction, startFaultProxy };
