/**
 * An Amazon S3 protocol double: a small `node:http` server on 127.0.0.1 that speaks the S3 REST API
 * (path-style addressing, XML) well enough for the real `@aws-sdk/client-s3` with
 * `forcePathStyle: true`. No S3 emulator is among the project's dependencies; the relay needs only
 * the calls `segura-relay redrive --from-s3` makes, plus PutObject to seed it:
 * - ListObjectsV2 (`GET /bucket?list-type=2&prefix=&continuation-token=&max-keys=&start-after=`),
 *   keys in UTF-8 binary order, at most 1,000 per page:
 *   https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjectsV2.html
 * - GetObject, PutObject, DeleteObject (204 also for a missing key, as S3 answers):
 *   https://docs.aws.amazon.com/AmazonS3/latest/API/API_DeleteObject.html
 * - GetObjectTagging / PutObjectTagging (PutObjectTagging replaces the whole set; at most 10 tags,
 *   keys ≤ 128 and values ≤ 256 Unicode characters, else `InvalidTag`):
 *   https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutObjectTagging.html,
 *   https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-tagging.html
 * Errors are S3's XML documents (`NoSuchBucket`, `NoSuchKey`, `InvalidTag`, `InternalError`).
 * Signatures are not checked. Buckets exist once created with {@link S3Double.createBucket}.
 *
 * In-process writers (the Firehose double's backup path) use {@link S3Store} directly.
 *
 * @example
 * ```ts
 * const s3 = await startS3Double({ buckets: ['archive'] });
 * const client = new S3Client({ endpoint: s3.endpoint, forcePathStyle: true, region: 'us-east-1',
 *   credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
 * await client.send(new ListObjectsV2Command({ Bucket: 'archive', Prefix: 'splunk-failed/' }));
 * await s3.stop();
 * ```
 */
import { createHash, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { errorMessage } from '../shared/errors.js';

/** S3 limits the double enforces. */
const S3_LIMITS = {
  maxKeysPerPage: 1_000,
  maxTags: 10,
  maxTagKeyChars: 128,
  maxTagValueChars: 256,
  maxBodyBytes: 64 * 1024 * 1024,
} as const;

interface StoredObject {
  readonly body: Buffer;
  readonly etag: string;
  readonly lastModified: Date;
  readonly contentType: string;
  tags: Map<string, string>;
}

/** The double's contents, for in-process writers and test assertions. */
interface S3Store {
  createBucket(bucket: string): void;
  /** Store an object (replacing one with the same key, tags included). */
  put(bucket: string, key: string, body: Buffer | string, contentType?: string): void;
  get(bucket: string, key: string): Buffer | undefined;
  /** Keys under `prefix`, in S3's order. */
  keys(bucket: string, prefix?: string): string[];
  tags(bucket: string, key: string): ReadonlyMap<string, string> | undefined;
}

/** Operations a fault rule can target. */
type S3Operation =
  | 'ListObjectsV2'
  | 'GetObject'
  | 'PutObject'
  | 'DeleteObject'
  | 'GetObjectTagging'
  | 'PutObjectTagging';

interface S3Double extends S3Store {
  /** `http://127.0.0.1:PORT`, for the client's `endpoint` (with `forcePathStyle: true`). */
  readonly endpoint: string;
  /** Requests received, by operation. */
  readonly calls: Readonly<Record<S3Operation, number>>;
  /** Answer the next `n` calls of `operation` with HTTP 500 `InternalError` (nothing is changed). */
  failNext(operation: S3Operation, n: number): void;
  stop(): Promise<void>;
}

interface S3DoubleOptions {
  /** TCP port on 127.0.0.1. @default 0 */
  readonly port?: number;
  /** buckets to create. @default none */
  readonly buckets?: readonly string[];
}

class S3Error extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly resource = '',
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'S3Error';
  }
}

const XMLNS = 'http://s3.amazonaws.com/doc/2006-03-01/';

function xmlEscape(s: string): string {
  return s.replace(
    /[<>&'"]/g,
    (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c] ?? c,
  );
}

function xmlUnescape(s: string): string {
  return s.replace(/&(lt|gt|amp|apos|quot|#\d+|#x[0-9a-fA-F]+);/g, (_, e: string) => {
    if (e === 'lt') return '<';
    if (e === 'gt') return '>';
    if (e === 'amp') return '&';
    if (e === 'apos') return "'";
    if (e === 'quot') return '"';
    return String.fromCodePoint(e.startsWith('#x') ? Number.parseInt(e.slice(2), 16) : Number(e.slice(1)));
  });
}

/** `<Tagging><TagSet><Tag><Key>k</Key><Value>v</Value></Tag>…` → pairs, in order. */
function parseTagging(xml: string): Array<[string, string]> {
  if (!/<Tagging[\s>]/.test(xml)) throw new S3Error(400, 'MalformedXML', 'expected a Tagging document');
  const out: Array<[string, string]> = [];
  for (const m of xml.matchAll(/<Tag>\s*<Key>([\s\S]*?)<\/Key>\s*<Value>([\s\S]*?)<\/Value>\s*<\/Tag>/g)) {
    out.push([xmlUnescape(m[1] as string), xmlUnescape(m[2] as string)]);
  }
  return out;
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > S3_LIMITS.maxBodyBytes) {
        reject(new S3Error(400, 'EntityTooLarge', 'body too large for the double'));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** Keys compare as UTF-8 bytes (S3's list order). */
function byteOrder(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

async function startS3Double(o: S3DoubleOptions = {}): Promise<S3Double> {
  const buckets = new Map<string, Map<string, StoredObject>>();
  const calls: Record<S3Operation, number> = {
    ListObjectsV2: 0,
    GetObject: 0,
    PutObject: 0,
    DeleteObject: 0,
    GetObjectTagging: 0,
    PutObjectTagging: 0,
  };
  const faults = new Map<S3Operation, number>();

  const bucketOf = (name: string): Map<string, StoredObject> => {
    const b = buckets.get(name);
    if (!b) throw new S3Error(404, 'NoSuchBucket', 'The specified bucket does not exist', name);
    return b;
  };
  const objectOf = (bucket: string, key: string): StoredObject => {
    const obj = bucketOf(bucket).get(key);
    if (!obj) throw new S3Error(404, 'NoSuchKey', 'The specified key does not exist.', key);
    return obj;
  };
  const store: S3Store = {
    createBucket(name) {
      if (!buckets.has(name)) buckets.set(name, new Map());
    },
    put(bucket, key, body, contentType = 'application/octet-stream') {
      const data = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
      bucketOf(bucket).set(key, {
        body: data,
        etag: `"${createHash('md5').update(data).digest('hex')}"`,
        lastModified: new Date(),
        contentType,
        tags: new Map(),
      });
    },
    get: (bucket, key) => buckets.get(bucket)?.get(key)?.body,
    keys: (bucket, prefix = '') =>
      [...(buckets.get(bucket)?.keys() ?? [])].filter((k) => k.startsWith(prefix)).sort(byteOrder),
    tags: (bucket, key) => buckets.get(bucket)?.get(key)?.tags,
  };
  for (const b of o.buckets ?? []) store.createBucket(b);

  function count(op: S3Operation): void {
    calls[op]++;
    const n = faults.get(op) ?? 0;
    if (n > 0) {
      faults.set(op, n - 1);
      throw new S3Error(500, 'InternalError', 'We encountered an internal error. Please try again.');
    }
  }

  function xml(res: ServerResponse, status: number, doc: string): void {
    const text = `<?xml version="1.0" encoding="UTF-8"?>\n${doc}`;
    res.writeHead(status, {
      'Content-Type': 'application/xml',
      'Content-Length': Buffer.byteLength(text),
      'x-amz-request-id': randomUUID().replaceAll('-', '').slice(0, 16).toUpperCase(),
    });
    res.end(text);
  }

  function list(res: ServerResponse, bucket: string, q: URLSearchParams): void {
    count('ListObjectsV2');
    const b = bucketOf(bucket);
    const prefix = q.get('prefix') ?? '';
    const max = Math.min(S3_LIMITS.maxKeysPerPage, Math.max(0, Number(q.get('max-keys') ?? S3_LIMITS.maxKeysPerPage)));
    // the continuation token is opaque to clients: here, the last key returned, base64
    const token = q.get('continuation-token');
    const after = token ? Buffer.from(token, 'base64').toString('utf8') : (q.get('start-after') ?? '');
    const keys = [...b.keys()].filter((k) => k.startsWith(prefix) && byteOrder(k, after) > 0).sort(byteOrder);
    const page = keys.slice(0, max);
    const truncated = keys.length > page.length;
    const contents = page
      .map((k) => {
        const obj = b.get(k) as StoredObject;
        return `<Contents><Key>${xmlEscape(k)}</Key><LastModified>${obj.lastModified.toISOString()}</LastModified><ETag>${xmlEscape(obj.etag)}</ETag><Size>${obj.body.length}</Size><StorageClass>STANDARD</StorageClass></Contents>`;
      })
      .join('');
    const next =
      truncated && page.length > 0
        ? `<NextContinuationToken>${Buffer.from(page[page.length - 1] as string, 'utf8').toString('base64')}</NextContinuationToken>`
        : '';
    xml(
      res,
      200,
      `<ListBucketResult xmlns="${XMLNS}"><Name>${xmlEscape(bucket)}</Name><Prefix>${xmlEscape(prefix)}</Prefix>` +
        `<KeyCount>${page.length}</KeyCount><MaxKeys>${max}</MaxKeys><IsTruncated>${truncated}</IsTruncated>` +
        `${token ? `<ContinuationToken>${xmlEscape(token)}</ContinuationToken>` : ''}${next}${contents}</ListBucketResult>`,
    );
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const q = url.searchParams;
    // path-style: /bucket or /bucket/key (the SDK encodes each key segment)
    const path = url.pathname.replace(/^\//, '');
    const slash = path.indexOf('/');
    const bucket = decodeURIComponent(slash < 0 ? path : path.slice(0, slash));
    const key = slash < 0 ? '' : decodeURIComponent(path.slice(slash + 1));
    const method = req.method ?? 'GET';
    const body = await readBody(req);
    if (bucket === '') throw new S3Error(400, 'InvalidRequest', 'path-style requests only: /bucket/key');
    if (key === '') {
      if (method === 'GET' && q.get('list-type') === '2') return list(res, bucket, q);
      throw new S3Error(501, 'NotImplemented', `${method} on a bucket is not implemented by the double`);
    }
    if (q.has('tagging')) {
      if (method === 'GET') {
        count('GetObjectTagging');
        const obj = objectOf(bucket, key);
        const tags = [...obj.tags]
          .map(([k, v]) => `<Tag><Key>${xmlEscape(k)}</Key><Value>${xmlEscape(v)}</Value></Tag>`)
          .join('');
        return xml(res, 200, `<Tagging xmlns="${XMLNS}"><TagSet>${tags}</TagSet></Tagging>`);
      }
      if (method === 'PUT') {
        count('PutObjectTagging');
        const obj = objectOf(bucket, key);
        const pairs = parseTagging(body.toString('utf8'));
        if (pairs.length > S3_LIMITS.maxTags)
          throw new S3Error(400, 'BadRequest', `Object tags cannot be greater than ${S3_LIMITS.maxTags}`);
        const seen = new Set<string>();
        for (const [k, v] of pairs) {
          if (seen.has(k)) throw new S3Error(400, 'InvalidTag', 'Cannot provide multiple Tags with the same key');
          seen.add(k);
          if ([...k].length > S3_LIMITS.maxTagKeyChars || [...k].length === 0)
            throw new S3Error(400, 'InvalidTag', 'The TagKey you have provided is invalid');
          if ([...v].length > S3_LIMITS.maxTagValueChars)
            throw new S3Error(400, 'InvalidTag', 'The TagValue you have provided is too long, max length is 256');
        }
        obj.tags = new Map(pairs);
        res.writeHead(200, { 'Content-Length': 0 });
        res.end();
        return;
      }
    }
    if (method === 'GET' || method === 'HEAD') {
      count('GetObject');
      const obj = objectOf(bucket, key);
      res.writeHead(200, {
        'Content-Type': obj.contentType,
        'Content-Length': obj.body.length,
        ETag: obj.etag,
        'Last-Modified': obj.lastModified.toUTCString(),
      });
      res.end(method === 'HEAD' ? undefined : obj.body);
      return;
    }
    if (method === 'PUT') {
      count('PutObject');
      store.put(bucket, key, body, req.headers['content-type'] ?? 'application/octet-stream');
      res.writeHead(200, { ETag: (bucketOf(bucket).get(key) as StoredObject).etag, 'Content-Length': 0 });
      res.end();
      return;
    }
    if (method === 'DELETE') {
      count('DeleteObject');
      bucketOf(bucket).delete(key);
      res.writeHead(204);
      res.end();
      return;
    }
    throw new S3Error(405, 'MethodNotAllowed', `${method} is not allowed against this resource`);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      const err = e instanceof S3Error ? e : new S3Error(500, 'InternalError', `s3 double: ${errorMessage(e)}`);
      if (res.headersSent) {
        res.destroy();
        return;
      }
      xml(
        res,
        err.status,
        `<Error><Code>${err.code}</Code><Message>${xmlEscape(err.message)}</Message><Resource>${xmlEscape(err.resource)}</Resource><RequestId>${randomUUID()}</RequestId></Error>`,
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
  return {
    ...store,
    endpoint: `http://127.0.0.1:${port}`,
    calls,
    failNext(operation, n) {
      faults.set(operation, n);
    },
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.close((e) => (e ? reject(e) : resolve()));
        server.closeAllConnections();
      }),
  };
}

export type { S3Double, S3DoubleOptions, S3Operation, S3Store };
export { S3_LIMITS, startS3Double };
