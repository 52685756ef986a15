/**
 * A Secrets Manager protocol double: a tiny `node:http` server on 127.0.0.1 speaking the AWS JSON
 * 1.1 protocol of `secretsmanager.GetSecretValue` well enough for the real
 * `@aws-sdk/client-secrets-manager` (no Secrets Manager emulator exists on npm). `npm start` and
 * the tests serve the alert identity key through it, so the local run reads the key exactly as the
 * deployed function does: by ARN, at cold start.
 *
 * Wire contract (https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_GetSecretValue.html):
 * `POST /` with `X-Amz-Target: secretsmanager.GetSecretValue`, `Content-Type:
 * application/x-amz-json-1.1`, body `{"SecretId": "<name or ARN>"}`; reply `{ARN, Name, VersionId,
 * SecretString, VersionStages, CreatedDate}` (CreatedDate in epoch seconds), or status 400 with
 * `{"__type": "ResourceNotFoundException", "message": …}`. Other operations answer
 * `UnknownOperationException`.
 *
 * @example
 * ```ts
 * const sm = await startSecretsManagerDouble();
 * const arn = sm.put('segura/alert-id-key', randomBytes(48).toString('base64url'));
 * // env: ALERT_ID_KEY_SECRET_ARN=arn, AWS_ENDPOINT_URL_SECRETS_MANAGER=sm.endpoint
 * await sm.stop();
 * ```
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { errorMessage } from '../shared/errors.js';

const TARGET = 'secretsmanager.GetSecretValue';
const JSON_CONTENT_TYPE = 'application/x-amz-json-1.1';
const MAX_BODY_BYTES = 64 * 1024;

interface StoredSecret {
  readonly arn: string;
  readonly name: string;
  readonly value: string;
  readonly versionId: string;
  readonly createdDate: number;
}

interface SecretsManagerDoubleOptions {
  /** @default 'us-east-1' */
  readonly region?: string;
  /** @default '000000000000' */
  readonly account?: string;
}

interface SecretsManagerDouble {
  /** `http://127.0.0.1:PORT`, for the client's `endpoint` */
  readonly endpoint: string;
  /** Store (or replace) a secret; returns its ARN (name + a 6-character suffix, as the service does). */
  put(name: string, value: string): string;
  /** GetSecretValue calls answered (successfully or not) */
  readonly calls: number;
  /** Answer the next `n` calls with `type` (e.g. AccessDeniedException, status 400). */
  failNext(n: number, type?: string): void;
  stop(): Promise<void>;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY_BYTES) {
        reject(new Error('request body too large'));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function reply(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': JSON_CONTENT_TYPE,
    'content-length': Buffer.byteLength(text),
    'x-amzn-requestid': randomUUID(),
  });
  res.end(text);
}

function error(res: ServerResponse, status: number, type: string, message: string): void {
  reply(res, status, { __type: type, message });
}

async function startSecretsManagerDouble(o: SecretsManagerDoubleOptions = {}): Promise<SecretsManagerDouble> {
  const region = o.region ?? 'us-east-1';
  const account = o.account ?? '000000000000';
  const byArn = new Map<string, StoredSecret>();
  const byName = new Map<string, StoredSecret>();
  let calls = 0;
  const fault = { remaining: 0, type: 'AccessDeniedException' };

  const server = createServer((req, res) => {
    void (async () => {
      if (req.method !== 'POST') return error(res, 400, 'UnknownOperationException', 'POST only');
      const target = String(req.headers['x-amz-target'] ?? '');
      let body: string;
      try {
        body = await readBody(req);
      } catch (e) {
        return error(res, 400, 'InvalidRequestException', errorMessage(e));
      }
      if (target !== TARGET) return error(res, 400, 'UnknownOperationException', `unsupported operation ${target}`);
      calls++;
      if (fault.remaining > 0) {
        fault.remaining--;
        return error(res, 400, fault.type, `injected ${fault.type}`);
      }
      let input: { SecretId?: unknown };
      try {
        input = JSON.parse(body) as { SecretId?: unknown };
      } catch {
        return error(res, 400, 'SerializationException', 'body is not JSON');
      }
      if (typeof input.SecretId !== 'string' || input.SecretId === '')
        return error(res, 400, 'InvalidParameterException', 'SecretId is required');
      const s = byArn.get(input.SecretId) ?? byName.get(input.SecretId);
      if (!s) return error(res, 400, 'ResourceNotFoundException', "Secrets Manager can't find the specified secret.");
      reply(res, 200, {
        ARN: s.arn,
        Name: s.name,
        VersionId: s.versionId,
        SecretString: s.value,
        VersionStages: ['AWSCURRENT'],
        CreatedDate: s.createdDate,
      });
    })().catch((e: unknown) => {
      if (!res.headersSent) error(res, 500, 'InternalServiceError', errorMessage(e));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    put(name, value) {
      const old = byName.get(name);
      if (old) byArn.delete(old.arn);
      const suffix = randomBytes(6).toString('base64url').replace(/[-_]/g, 'x').slice(0, 6);
      const arn = old?.arn ?? `arn:aws:secretsmanager:${region}:${account}:secret:${name}-${suffix}`;
      const s = { arn, name, value, versionId: randomUUID(), createdDate: Math.floor(Date.now() / 1000) };
      byArn.set(arn, s);
      byName.set(name, s);
      return arn;
    },
    get calls() {
      return calls;
    },
    failNext(n, type = 'AccessDeniedException') {
      fault.remaining = n;
      fault.type = type;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export type { SecretsManagerDouble, SecretsManagerDoubleOptions };
export { startSecretsManagerDouble };
