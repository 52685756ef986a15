/**
 * The bridge's core: syslog messages in (from the listeners), SendMessageBatch out, in arrival
 * order, with bounded memory and an on-disk spool for when SQS is slow or unreachable.
 *
 * Two modes:
 * - **direct** (healthy): messages wait in a small in-memory queue and are sent in batches of up
 *   to 10 (and 1 MiB), one call at a time, so they reach the queue in arrival order.
 * - **spooling**: entered when a call fails with a retryable error, or when the memory queue
 *   passes its high-water mark (SQS slow). The failed batch, then the memory queue, then every new
 *   message is appended to the {@link Spool} (fsynced) and sent from there, oldest first, retrying
 *   with exponential backoff and jitter for as long as it takes. Once the spool is drained the
 *   bridge goes back to direct. A message is never sent directly while older ones are spooled, so
 *   the order holds across an outage.
 *
 * Nothing is dropped silently: an oversize message, a full spool and a message SQS refuses for good
 * are each counted and logged as errors (rate-limited lines with counts), and shown in the periodic
 * status line and the final summary. A message SQS refuses for good is also kept in the
 * rejected-messages file ({@link RejectedFile}) for an operator to resend. What the listeners do to
 * hostile clients (refused, evicted, timed-out connections, discarded partial frames, UDP datagrams
 * the kernel dropped) is counted here too.
 *
 * The bridge forwards each message byte for byte as the SQS body (the relay's normalize function
 * parses it). It only changes what SQS cannot carry: invalid UTF-8 and characters SQS refuses
 * become U+FFFD (counted as `sanitized`). It also parses each message the way the relay will and
 * counts the ones the relay will reject (`flaggedInvalid`), without dropping them: the relay parks
 * them in its DLQ with the reason.
 */
import { isUtf8 } from 'node:buffer';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { errorMessage, InvalidEventError } from '../shared/errors.js';
import { parseInput } from '../shared/parse/parse-payload.js';
import type { ListenerNote } from './listeners.js';
import { RateLimitedLog, type ToolLog } from './log.js';
import type { RejectedFile } from './rejected.js';
import type { Spool, SpoolBatch, SpoolRecord } from './spool.js';
import { backoffMs, isConfigError, MAX_BATCH_BYTES, MAX_BATCH_ENTRIES, sendMessageBatch } from './sqs.js';

type Transport = 'udp' | 'tcp' | 'tls';

/** Bridge options. */
interface BridgeOptions {
  readonly client: SQSClient;
  readonly queueUrl: string;
  readonly spool: Spool;
  readonly log: ToolLog;
  /** where messages SQS refuses for good are kept @default none (counted and logged only) */
  readonly rejected?: RejectedFile;
  /**
   * Largest accepted message in bytes; bigger ones are dropped and counted (`droppedOversize`).
   * The vault sends at most 1,024.
   * @default 65_536
   */
  readonly maxMessageBytes?: number;
  /** @default 1_048_576 (the SendMessageBatch limit) */
  readonly maxBatchBytes?: number;
  /**
   * Wait up to this long for a batch to fill (10 messages) before sending it.
   * @default 5
   */
  readonly lingerMs?: number;
  /**
   * High-water mark of the in-memory queue, in bytes; past it new messages go to the spool.
   * @default 8_388_608
   */
  readonly memoryMaxBytes?: number;
  /** @default 10_000 */
  readonly memoryMaxMessages?: number;
  /** @default 200 */
  readonly retryBaseMs?: number;
  /** @default 10_000 */
  readonly retryMaxMs?: number;
  /**
   * Journal every message before sending it (crash-durable, one fsync per `fsyncIntervalMs`).
   * @default false
   */
  readonly spoolAlways?: boolean;
  /** FIFO queues: the MessageGroupId of every message (one group keeps the vault's order) */
  readonly fifoGroupId?: string;
  /**
   * Parse each message as the relay will and count the ones it will reject.
   * @default true
   */
  readonly checkInput?: boolean;
  /** @default 10_000 */
  readonly logIntervalMs?: number;
}

/** Counters (monotonic) shown in the status line and the summary. */
interface BridgeCounters {
  received: { udp: number; tcp: number; tls: number };
  /** accepted by SQS */
  sent: number;
  /** of `sent`, sent from the spool */
  replayed: number;
  /** appended to the spool */
  spooled: number;
  droppedOversize: number;
  /** dropped because the spool was full (logged as errors) */
  droppedSpoolFull: number;
  /** refused by SQS for good (logged as errors) */
  rejected: number;
  /** of `rejected`, kept in the rejected-messages file */
  rejectedKept: number;
  /** of `rejected`, not kept: the file was full or could not be written */
  rejectedNotKept: number;
  /** forwarded, but the relay will park them in its DLQ (not a valid vault event) */
  flaggedInvalid: number;
  /** had invalid UTF-8 or characters SQS refuses, replaced by U+FFFD */
  sanitized: number;
  /** SendMessageBatch calls or entries that failed and were retried */
  sendFailures: number;
  /** octet-counted frames cut short by the peer closing */
  truncatedFrames: number;
  /** partial frames dropped with their connection (shutdown grace over, timeout, eviction, reset) */
  discardedPartial: number;
  discardedPartialBytes: number;
  /** frames dropped because the partial-frame memory budget was exhausted */
  droppedOverBudget: number;
  /** datagrams the kernel dropped on the UDP sockets (receive buffer full), where it says */
  udpDrops: number;
  connections: number;
  /** new connections refused: caps reached and nothing idle to evict */
  refusedConnections: number;
  /** idle connections closed to make room for a new one */
  evictedConnections: number;
  /** connections closed after idleTimeout without a byte */
  closedIdle: number;
  /** connections closed stuck inside one frame (frameTimeout) or in the TLS handshake */
  closedStalled: number;
  /** connections closed at maxLifetime */
  closedLifetime: number;
  deniedPeers: number;
  /** TLS handshakes that failed (not counting denied, refused or timed-out peers) */
  tlsErrors: number;
}

interface Rec {
  readonly seq: number;
  readonly body: string;
  readonly bytes: number;
}

// Characters an SQS body may not contain (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SendMessage.html)
const SQS_INVALID = /[^\x09\x0a\x0d\x20-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]/u;
const SQS_INVALID_ALL = /[^\x09\x0a\x0d\x20-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]/gu;

/** Simple FIFO with O(1) shift. */
class Fifo<T> {
  #items: (T | undefined)[] = [];
  #head = 0;
  get length(): number {
    return this.#items.length - this.#head;
  }
  push(v: T): void {
    this.#items.push(v);
  }
  peek(): T | undefined {
    return this.#items[this.#head];
  }
  shift(): T | undefined {
    if (this.#head >= this.#items.length) return undefined;
    const v = this.#items[this.#head];
    this.#items[this.#head++] = undefined;
    if (this.#head > 1024 && this.#head * 2 > this.#items.length) {
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    }
    return v;
  }
  drain(): T[] {
    const out = this.#items.slice(this.#head) as T[];
    this.#items = [];
    this.#head = 0;
    return out;
  }
}

/** See the module comment. */
class Bridge {
  readonly counters: BridgeCounters = {
    received: { udp: 0, tcp: 0, tls: 0 },
    sent: 0,
    replayed: 0,
    spooled: 0,
    droppedOversize: 0,
    droppedSpoolFull: 0,
    rejected: 0,
    rejectedKept: 0,
    rejectedNotKept: 0,
    flaggedInvalid: 0,
    sanitized: 0,
    sendFailures: 0,
    truncatedFrames: 0,
    discardedPartial: 0,
    discardedPartialBytes: 0,
    droppedOverBudget: 0,
    udpDrops: 0,
    connections: 0,
    refusedConnections: 0,
    evictedConnections: 0,
    closedIdle: 0,
    closedStalled: 0,
    closedLifetime: 0,
    deniedPeers: 0,
    tlsErrors: 0,
  };
  readonly #o: BridgeOptions;
  readonly #spool: Spool;
  readonly #log: ToolLog;
  readonly #rl: RateLimitedLog;
  readonly #maxMessage: number;
  readonly #maxBatchBytes: number;
  readonly #memMaxBytes: number;
  readonly #memMaxMessages: number;
  #mode: 'direct' | 'spooling';
  readonly #memory = new Fifo<Rec>();
  #memoryBytes = 0;
  /** direct-mode batch being sent; #inflightSpooled once it was also written to the spool */
  #inflight: Rec[] | null = null;
  #inflightSpooled = false;
  /** seqs SQS already took that are also in the spool (a direct batch that was spooled in flight) */
  readonly #skip = new Set<number>();
  /** spool batch being sent: `remaining` still needs SQS */
  #held: { batch: SpoolBatch; remaining: SpoolRecord[] } | null = null;
  #failures = 0;
  #woken = false;
  #wake: (() => void) | null = null;
  #stopNow = false;
  /** shutdown began: send what is held now, no lingering */
  #stopping = false;
  #abort = new AbortController();
  #loop: Promise<void> | null = null;
  #lastError = '';

  constructor(o: BridgeOptions) {
    this.#o = o;
    this.#spool = o.spool;
    this.#log = o.log;
    this.#rl = new RateLimitedLog(o.log, o.logIntervalMs ?? 10_000);
    this.#maxMessage = o.maxMessageBytes ?? 65_536;
    this.#maxBatchBytes = Math.min(o.maxBatchBytes ?? MAX_BATCH_BYTES, MAX_BATCH_BYTES);
    this.#memMaxBytes = o.memoryMaxBytes ?? 8 * 2 ** 20;
    this.#memMaxMessages = o.memoryMaxMessages ?? 10_000;
    // a spool left by a previous run is replayed before anything new
    this.#mode = o.spoolAlways || !o.spool.isEmpty() ? 'spooling' : 'direct';
  }

  /** 'direct' or 'spooling' */
  get mode(): 'direct' | 'spooling' {
    return this.#mode;
  }

  /** Gauges for the status line. */
  gauges(): Record<string, number | string> {
    return {
      mode: this.#mode,
      memoryMessages: this.#memory.length + (this.#inflight?.length ?? 0),
      memoryBytes: this.#memoryBytes,
      spoolMessages: this.#spool.records,
      spoolBytes: this.#spool.bytes,
      spoolSegments: this.#spool.segments,
      spoolLostRecords: this.#spool.lostRecords,
      spoolLostBytes: this.#spool.lostBytes,
      spoolQuarantinedSegments: this.#spool.quarantinedSegments,
    };
  }

  /** Start sending. */
  start(): void {
    if (this.#loop) return;
    if (this.#mode === 'spooling' && !this.#spool.isEmpty()) {
      this.#log('info', 'replaying the spool before new messages', { spoolMessages: this.#spool.records });
    }
    this.#loop = this.#run().catch((e: unknown) => {
      // a bug, not an outage: say so loudly; what is spooled stays spooled
      this.#log('error', 'bridge sender stopped on an internal error', { error: String(e) });
    });
  }

  /** One message from a listener (already deframed). */
  message(body: Buffer, transport: Transport): void {
    this.counters.received[transport]++;
    if (body.length > this.#maxMessage) {
      this.#oversize(body.length, transport, {});
      return;
    }
    let text = body.toString('utf8');
    let changed = !isUtf8(body);
    if (SQS_INVALID.test(text)) {
      text = text.replace(SQS_INVALID_ALL, '\ufffd');
      changed = true;
    }
    if (changed) {
      this.counters.sanitized++;
      this.#rl.log('sanitized', 'message had invalid UTF-8 or characters SQS refuses: replaced with U+FFFD', 'warn', {
        transport,
        bytes: body.length,
      });
    }
    if (this.#o.checkInput !== false) this.#check(text, transport);
    const rec: Rec = { seq: this.#spool.nextSeq(), body: text, bytes: changed ? Buffer.byteLength(text) : body.length };
    if (
      this.#mode === 'direct' &&
      this.#memoryBytes + rec.bytes <= this.#memMaxBytes &&
      this.#memory.length < this.#memMaxMessages
    ) {
      this.#memory.push(rec);
      this.#memoryBytes += rec.bytes;
      this.#signal();
      return;
    }
    if (this.#mode === 'direct') this.#enterSpooling('memory high-water mark reached (SQS slow)');
    this.#toSpool(rec);
  }

  /**
   * A message over the size limit, reported by a listener when it detects it: `bytes` received of
   * it so far (`fields.announced`: an octet-counted frame's MSG-LEN).
   */
  oversize(bytes: number, transport: Transport, fields: Record<string, unknown> = {}): void {
    this.counters.received[transport]++;
    this.#oversize(bytes, transport, fields);
  }

  #oversize(bytes: number, transport: Transport, fields: Record<string, unknown>): void {
    this.counters.droppedOversize++;
    this.#rl.log('oversize', `message over ${this.#maxMessage} bytes dropped`, 'error', {
      transport,
      bytes,
      ...fields,
      droppedOversize: this.counters.droppedOversize,
    });
  }

  /** A listener event worth counting (see {@link ListenerNote}). */
  note(kind: ListenerNote, transport: Transport, fields: Record<string, unknown> = {}): void {
    const c = this.counters;
    switch (kind) {
      case 'connection':
        c.connections++;
        return;
      case 'denied':
        c.deniedPeers++;
        this.#rl.log('denied', 'peer not in --allow-from: refused', 'warn', { transport, ...fields });
        return;
      case 'tlsError':
        c.tlsErrors++;
        this.#rl.log('tls', 'TLS handshake failed', 'warn', { transport, ...fields, tlsErrors: c.tlsErrors });
        return;
      case 'truncated':
        c.truncatedFrames++;
        this.#rl.log('truncated', 'connection closed inside an octet-counted frame: partial message dropped', 'error', {
          transport,
          ...fields,
          truncatedFrames: c.truncatedFrames,
        });
        return;
      case 'refused':
        c.refusedConnections++;
        this.#rl.log(
          'refused',
          'connection refused: listener full and no idle connection to evict (see --max-connections, --max-connections-per-source)',
          'warn',
          { transport, ...fields, refusedConnections: c.refusedConnections },
        );
        return;
      case 'evicted':
        c.evictedConnections++;
        this.#rl.log('evicted', 'listener full: closed the longest-idle connection to make room', 'warn', {
          transport,
          ...fields,
          evictedConnections: c.evictedConnections,
        });
        return;
      case 'closed': {
        const reason = fields.reason;
        if (reason === 'idle') c.closedIdle++;
        else if (reason === 'lifetime') c.closedLifetime++;
        else c.closedStalled++;
        const msg =
          reason === 'idle'
            ? 'connection closed: idle (--idle-timeout)'
            : reason === 'lifetime'
              ? 'connection closed: maximum lifetime reached (--max-connection-lifetime); the peer reconnects'
              : fields.stage === 'handshake'
                ? 'connection closed: TLS handshake stalled (--tls-handshake-timeout)'
                : 'connection closed: stalled inside a message (--frame-timeout)';
        this.#rl.log(
          `closed-${String(reason)}-${String(fields.stage ?? '')}`,
          msg,
          reason === 'stalled' ? 'warn' : 'info',
          {
            transport,
            ...fields,
            closedIdle: c.closedIdle,
            closedStalled: c.closedStalled,
            closedLifetime: c.closedLifetime,
          },
        );
        return;
      }
      case 'discarded':
        c.discardedPartial++;
        c.discardedPartialBytes += typeof fields.bytes === 'number' ? fields.bytes : 0;
        this.#rl.log('discarded', 'partial message discarded with its connection', 'warn', {
          transport,
          ...fields,
          discardedPartial: c.discardedPartial,
        });
        return;
      case 'overBudget':
        c.droppedOverBudget++;
        this.#rl.log(
          'over-budget',
          'partial-message memory budget exhausted: message dropped (see --partial-budget-bytes)',
          'error',
          { transport, ...fields, droppedOverBudget: c.droppedOverBudget },
        );
        return;
      case 'udpDrops': {
        const dropped = typeof fields.dropped === 'number' ? fields.dropped : 0;
        c.udpDrops += dropped;
        this.#rl.log(
          'udp-drops',
          'the kernel dropped UDP datagrams: receive buffer full (raise --udp-receive-buffer and net.core.rmem_max, or use TCP/TLS)',
          'error',
          { transport, dropped, udpDrops: c.udpDrops },
        );
        return;
      }
    }
  }

  /**
   * Deliver what is held within `timeoutMs` (memory to SQS; the spool too if SQS takes it in
   * time), spool whatever is left, and stop. Call after the listeners are closed.
   */
  async shutdown(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    this.#stopping = true;
    this.#signal();
    while (Date.now() < deadline && !this.#drained()) {
      await new Promise((r) => setTimeout(r, 20));
    }
    if (this.#mode === 'direct' && !this.#drained()) {
      this.#enterSpooling('shutdown: SQS did not take the in-memory messages in time');
    }
    this.#stopNow = true;
    this.#abort.abort();
    this.#signal();
    await this.#loop;
    await this.#spool.flush().catch(() => undefined);
  }

  #drained(): boolean {
    return this.#memory.length === 0 && this.#inflight === null && this.#held === null && this.#spool.isEmpty();
  }

  #check(text: string, transport: Transport): void {
    try {
      parseInput(text);
    } catch (e) {
      // the check is advisory: even a parser bug must not stop a message from being forwarded
      this.counters.flaggedInvalid++;
      this.#rl.log('invalid', 'forwarded a message the relay will reject (it will be in the ingest DLQ)', 'warn', {
        transport,
        code: e instanceof InvalidEventError ? e.code : 'internal',
        field: e instanceof InvalidEventError ? e.field : String(e),
        flaggedInvalid: this.counters.flaggedInvalid,
      });
    }
  }

  #toSpool(rec: Rec): void {
    let appended: boolean;
    try {
      appended = this.#spool.append(rec.seq, rec.body);
    } catch (e) {
      // only after shutdown closed the spool; counted with the spool-full drops, but said apart
      this.counters.droppedSpoolFull++;
      this.#rl.log('spool-closed', 'spool unavailable: message dropped', 'error', { error: errorMessage(e) });
      return;
    }
    if (appended) {
      this.counters.spooled++;
      this.#signal();
      return;
    }
    this.counters.droppedSpoolFull++;
    this.#rl.log(
      'spool-full',
      'SPOOL FULL: message dropped (raise --spool-max-bytes or restore SQS access)',
      'error',
      {
        droppedSpoolFull: this.counters.droppedSpoolFull,
        spoolBytes: this.#spool.bytes,
        spoolMaxBytes: this.#spool.maxBytes,
      },
      Date.now(),
    );
  }

  #enterSpooling(reason: string): void {
    if (this.#mode === 'spooling') return;
    this.#mode = 'spooling';
    // a slow SQS can flip the mode often: one line per interval, with the count folded in
    this.#rl.log('mode-spooling', 'spooling to disk', 'warn', {
      reason,
      memoryMessages: this.#memory.length + (this.#inflight?.length ?? 0),
    });
    // oldest first: the batch in flight, then the memory queue; new messages follow
    if (this.#inflight !== null) {
      for (const r of this.#inflight) this.#toSpool(r);
      this.#inflightSpooled = true;
    }
    for (const r of this.#memory.drain()) this.#toSpool(r);
    this.#memoryBytes = 0;
  }

  #signal(): void {
    this.#woken = true;
    const w = this.#wake;
    this.#wake = null;
    w?.();
  }

  /** Sleep until signalled or `ms` passed; returns at once if a signal came since the last sleep. */
  async #sleep(ms: number): Promise<void> {
    if (this.#woken || this.#stopNow) {
      this.#woken = false;
      return;
    }
    await new Promise<void>((resolve) => {
      const t = setTimeout(() => {
        this.#wake = null;
        resolve();
      }, ms);
      this.#wake = () => {
        clearTimeout(t);
        resolve();
      };
    });
    this.#woken = false;
  }

  /** Backoff pause that only a stop interrupts (new messages must not shorten it). */
  async #pause(ms: number): Promise<void> {
    const end = Date.now() + ms;
    while (!this.#stopNow && Date.now() < end) await this.#sleep(Math.min(100, end - Date.now()));
  }

  async #run(): Promise<void> {
    while (!this.#stopNow) {
      if (this.#mode === 'direct') await this.#directStep();
      else await this.#spoolStep();
    }
  }

  async #directStep(): Promise<void> {
    if (this.#memory.length === 0) {
      await this.#sleep(1_000);
      return;
    }
    const linger = this.#o.lingerMs ?? 5;
    if (linger > 0 && this.#memory.length < MAX_BATCH_ENTRIES && !this.#stopping) {
      const end = Date.now() + linger;
      while (this.#memory.length < MAX_BATCH_ENTRIES && Date.now() < end && !this.#stopping) {
        await this.#sleep(end - Date.now());
      }
      if (this.#mode !== 'direct' || this.#memory.length === 0) return;
    }
    const batch: Rec[] = [];
    let bytes = 0;
    for (let r = this.#memory.peek(); r !== undefined; r = this.#memory.peek()) {
      if (batch.length >= MAX_BATCH_ENTRIES || (batch.length > 0 && bytes + r.bytes > this.#maxBatchBytes)) break;
      this.#memory.shift();
      this.#memoryBytes -= r.bytes;
      batch.push(r);
      bytes += r.bytes;
    }
    this.#inflight = batch;
    this.#inflightSpooled = false;
    const out = await this.#send(batch, false);
    const spooled = this.#inflightSpooled;
    this.#inflight = null;
    if (spooled) {
      // the spool has a copy of this batch: skip what SQS took (or refused for good) when replaying
      for (const i of out.done) this.#skip.add((batch[i] as Rec).seq);
    }
    if (out.retry.length === 0) {
      this.#failures = 0;
      return;
    }
    if (!spooled) {
      // keep the failed messages first in line: they go to the spool before the memory queue
      this.#inflight = out.retry.map((i) => batch[i] as Rec);
      this.#enterSpooling(`SQS unavailable: ${this.#lastError}`);
      this.#inflight = null;
    }
    await this.#pause(backoffMs(this.#failures++, this.#o.retryBaseMs ?? 200, this.#o.retryMaxMs ?? 10_000));
  }

  async #spoolStep(): Promise<void> {
    if (this.#held === null) {
      let batch: SpoolBatch;
      try {
        batch = await this.#spool.read(MAX_BATCH_ENTRIES, this.#maxBatchBytes);
      } catch (e) {
        this.#rl.log('spool-read', 'spool read failed; retrying', 'error', { error: errorMessage(e) });
        await this.#pause(1_000);
        return;
      }
      if (batch.records.length === 0) {
        if (this.#spool.isEmpty() && !this.#o.spoolAlways) {
          this.#mode = 'direct';
          this.#skip.clear();
          this.#rl.log('mode-direct', 'spool drained: back to direct sending', 'info', { sent: this.counters.sent });
          return;
        }
        await this.#sleep(1_000);
        return;
      }
      const remaining: SpoolRecord[] = [];
      for (const r of batch.records) {
        if (this.#skip.delete(r.seq)) continue;
        remaining.push(r);
      }
      this.#held = { batch, remaining };
    }
    const held = this.#held;
    if (held.remaining.length > 0) {
      const out = await this.#send(held.remaining, true);
      if (out.retry.length > 0) {
        held.remaining = out.retry.map((i) => held.remaining[i] as SpoolRecord);
        await this.#pause(backoffMs(this.#failures++, this.#o.retryBaseMs ?? 200, this.#o.retryMaxMs ?? 10_000));
        return;
      }
      this.#failures = 0;
    }
    try {
      await this.#spool.ack(held.batch);
    } catch (e) {
      // the batch was delivered; a failed delete only means it is replayed after a restart
      this.#rl.log('spool-ack', 'spool cursor/segment update failed', 'error', { error: errorMessage(e) });
    }
    this.#held = null;
  }

  /** SQS refused `r` for good: keep it in the rejected-messages file (before it leaves the spool). */
  async #reject(r: Rec | SpoolRecord, code: string, reason: string): Promise<void> {
    let kept: 'kept' | 'full' | 'none' = 'none';
    let error: string | undefined;
    if (this.#o.rejected !== undefined) {
      try {
        kept = await this.#o.rejected.keep({ seq: r.seq, code, reason, body: r.body });
      } catch (e) {
        error = errorMessage(e);
      }
    }
    // counted once its fate is known, so `rejected` = `rejectedKept` + `rejectedNotKept` in every status line
    this.counters.rejected++;
    if (kept === 'kept') this.counters.rejectedKept++;
    else this.counters.rejectedNotKept++;
    const file = this.#o.rejected?.path;
    this.#rl.log(
      `rejected-${kept}`,
      kept === 'kept'
        ? 'SQS refused a message for good: kept in the rejected-messages file (resend: segura-relay send --rejected FILE)'
        : kept === 'full'
          ? 'SQS refused a message for good: rejected-messages file full, message dropped (see --rejected-max-bytes)'
          : 'SQS refused a message for good: dropped (could not keep it)',
      'error',
      {
        code,
        error: reason,
        bytes: r.bytes,
        seq: r.seq,
        ...(file !== undefined ? { file } : {}),
        ...(error !== undefined ? { writeError: error } : {}),
        rejected: this.counters.rejected,
        rejectedNotKept: this.counters.rejectedNotKept,
      },
    );
  }

  /** One SendMessageBatch; counts and logs. `done` = accepted or refused for good. */
  async #send(batch: readonly (Rec | SpoolRecord)[], fromSpool: boolean): Promise<{ done: number[]; retry: number[] }> {
    const fifo = this.#o.fifoGroupId;
    const out = await sendMessageBatch(
      this.#o.client,
      this.#o.queueUrl,
      batch.map((r) => ({
        body: r.body,
        // FIFO: the seq is unique and survives a crash, so a replay within 5 minutes is deduplicated
        ...(fifo !== undefined ? { groupId: fifo, dedupId: `b${r.seq}` } : {}),
      })),
      this.#abort.signal,
    );
    this.counters.sent += out.accepted.length;
    if (fromSpool) this.counters.replayed += out.accepted.length;
    for (const r of out.rejected) await this.#reject(batch[r.index] as Rec | SpoolRecord, r.code, r.message);
    if (out.retry.length > 0 && !this.#stopNow) {
      this.counters.sendFailures += out.callError ? 1 : out.retry.length;
      const err = out.callError ?? { name: 'EntryFailed', message: `${out.retry.length} entries failed` };
      this.#lastError = `${err.name}: ${err.message}`;
      const config = out.callError !== undefined && isConfigError(out.callError);
      this.#rl.log(
        config ? 'sqs-config' : 'sqs-down',
        config
          ? 'SQS refused the call: check --queue-url, credentials and IAM (sqs:SendMessage); messages are kept in the spool'
          : 'SendMessageBatch failed; retrying with backoff, messages are kept in the spool',
        'error',
        { error: this.#lastError, messages: out.retry.length, attempt: this.#failures + 1 },
      );
    }
    return { done: [...out.accepted, ...out.rejected.map((r) => r.index)], retry: out.retry };
  }
}

export type { BridgeCounters, BridgeOptions, Transport };
export { Bridge };
