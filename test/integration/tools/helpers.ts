/**
 * Helpers for the operator-tool integration tests: an embedded fauxqs (SQS) that can be stopped and
 * started again on the same port, loopback syslog senders, bounded waits. Everything binds or
 * connects to 127.0.0.1.
 */
import { createSocket } from 'node:dgram';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect as tcpConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as tlsConnect } from 'node:tls';
import { fileURLToPath } from 'node:url';
import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  type Message,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { type FauxqsServer, startFauxqs } from 'fauxqs';
import { afterEach, beforeEach } from 'vitest';
import type { ToolLog } from '../../../bridge/log.js';
import { type BridgeConfig, type RunningBridge, startBridge } from '../../../bridge/run.js';

const FIXTURES = fileURLToPath(new URL('../../fixtures/tls/', import.meta.url));

/** TEST-ONLY certificates (test/fixtures/tls/README.md). */
const tlsFixtures = {
  ca: readFileSync(`${FIXTURES}ca.pem`),
  key: readFileSync(`${FIXTURES}server.key`),
  cert: readFileSync(`${FIXTURES}server.pem`),
} as const;

/** The vault's own example line (the syslog event catalog), byte for byte: no STRUCTURED-DATA field. */
const SEED_LINE = '<13>1 2018-06-18T17:49:41-03:00 vm-andrew-dev senhasegura 1426 - Autenticado com sucesso.';

/** fauxqs that can go down and come back on the same port (queues must be created again). */
class Sqs {
  server: FauxqsServer | null = null;
  port = 0;
  readonly client: SQSClient;
  private constructor(port: number) {
    this.port = port;
    this.client = new SQSClient({
      endpoint: `http://127.0.0.1:${port}`,
      region: 'us-east-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      maxAttempts: 1,
    });
  }

  get endpoint(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  static async start(): Promise<Sqs> {
    const server = await startFauxqs({ port: 0, logger: false, host: '127.0.0.1' });
    const s = new Sqs(server.port);
    s.server = server;
    return s;
  }

  async stop(): Promise<void> {
    await this.server?.stop();
    this.server = null;
  }

  async restart(): Promise<void> {
    if (this.server) throw new Error('still running');
    this.server = await startFauxqs({ port: this.port, logger: false, host: '127.0.0.1' });
  }

  async queue(name: string, attributes: Record<string, string> = {}): Promise<string> {
    const r = await this.client.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }));
    return r.QueueUrl as string;
  }

  /** Receive (and delete) until `count` messages arrived or `timeoutMs` passed; then check nothing more is there. */
  async drain(url: string, count: number, timeoutMs: number): Promise<Message[]> {
    const got: Message[] = [];
    const end = Date.now() + timeoutMs;
    while (got.length < count && Date.now() < end) {
      const r = await this.client.send(
        new ReceiveMessageCommand({
          QueueUrl: url,
          MaxNumberOfMessages: 10,
          WaitTimeSeconds: 0,
          MessageAttributeNames: ['All'],
          MessageSystemAttributeNames: ['All'],
        }),
      );
      const msgs = r.Messages ?? [];
      if (msgs.length === 0) {
        await sleep(25);
        continue;
      }
      got.push(...msgs);
      await this.client.send(
        new DeleteMessageBatchCommand({
          QueueUrl: url,
          Entries: msgs.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle as string })),
        }),
      );
    }
    // anything beyond `count` (a duplicate) would be visible now
    const extra = await this.client.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10 }));
    got.push(...(extra.Messages ?? []));
    return got;
  }

  destroy(): void {
    this.client.destroy();
  }
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Poll `cond` every 10 ms up to `timeoutMs`; throws with `what` on timeout. */
async function waitFor(cond: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(10);
  }
}

/** One datagram per message (RFC 5426). */
async function sendUdp(port: number, messages: readonly (string | Buffer)[]): Promise<void> {
  const s = createSocket('udp4');
  try {
    for (const m of messages) {
      await new Promise<void>((resolve, reject) => s.send(m, port, '127.0.0.1', (e) => (e ? reject(e) : resolve())));
    }
  } finally {
    s.close();
  }
}

/** Write `data` on one TCP (or TLS, trusting the test CA) connection, end it, wait for the close. */
async function sendStream(port: number, data: string | Buffer, tls = false): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const onReady = () => {
      sock.end(data);
    };
    const sock = tls
      ? tlsConnect({ host: '127.0.0.1', port, ca: tlsFixtures.ca, servername: 'localhost' }, onReady)
      : tcpConnect({ host: '127.0.0.1', port }, onReady);
    sock.on('error', reject);
    sock.on('close', () => resolve());
    sock.resume();
  });
}

/** RFC 6587 octet counting. */
const octet = (m: string): string => `${Buffer.byteLength(m, 'utf8')} ${m}`;

/** A ToolLog that records entries (and keeps the console quiet). */
function recordingLog(): {
  log: ToolLog;
  entries: Array<{ level: string; msg: string; fields: Record<string, unknown> }>;
} {
  const entries: Array<{ level: string; msg: string; fields: Record<string, unknown> }> = [];
  return { log: (level, msg, fields) => entries.push({ level, msg, fields: fields ?? {} }), entries };
}

/**
 * Per-test fixture for in-process bridges: a fresh fauxqs and temp dir before each test, the
 * running bridge, fauxqs and dir cleaned up after it. `start` applies the file's defaults.
 */
interface BridgeHarness {
  sqs: Sqs;
  dir: string;
  start(
    queueUrl: string,
    extra?: Partial<BridgeConfig>,
  ): Promise<{ b: RunningBridge; rec: ReturnType<typeof recordingLog>; port: (transport: string) => number }>;
}

function bridgeHarness(prefix: string, defaults: Partial<BridgeConfig>): BridgeHarness {
  let running: RunningBridge | null = null;
  const h: BridgeHarness = {
    sqs: undefined as unknown as Sqs,
    dir: '',
    async start(queueUrl, extra = {}) {
      const rec = recordingLog();
      const b = await startBridge(
        {
          queueUrl,
          endpoint: h.sqs.endpoint,
          spoolDir: join(h.dir, 'spool'),
          statusIntervalMs: 0,
          ...defaults,
          ...extra,
        },
        rec.log,
      );
      running = b;
      return { b, rec, port: (t) => b.addresses.find((a) => a.transport === t)?.port as number };
    },
  };
  beforeEach(async () => {
    h.sqs = await Sqs.start();
    h.dir = mkdtempSync(join(tmpdir(), prefix));
  });
  afterEach(async () => {
    await running?.stop();
    running = null;
    await h.sqs.stop();
    h.sqs.destroy();
    rmSync(h.dir, { recursive: true, force: true });
  });
  return h;
}

export type { BridgeHarness };
export { bridgeHarness, octet, recordingLog, SEED_LINE, Sqs, sendStream, sendUdp, sleep, tlsFixtures, waitFor };
