/**
 * The bridge's on-disk journal: an append-only, size-bounded FIFO of messages that SQS has not
 * accepted yet. Used while SQS is unreachable or slow (and for every message with `--spool-always`),
 * replayed in order, a segment deleted only after every message in it was accepted.
 *
 * Layout of the spool directory (mode 0700: it holds security events):
 * ```
 * lock                      pid of the bridge that owns the directory (one bridge per spool)
 * seg-<first seq, 16 digits>.spool   segments, replayed in name order
 * cursor.json               {"segment":"seg-….spool","offset":N}: everything before it was accepted
 * quarantine/               segments that could not be read, moved aside (never read again)
 * ```
 * A segment is the 8-byte magic `SGRSPL2\n` followed by records:
 * ```
 * FF FE 53 52 (record magic) | u32 BE payload length | u32 BE CRC-32 of (length ‖ seq ‖ payload)
 *   | u64 BE seq | payload (UTF-8 message)
 * ```
 * The record magic starts with FF FE, two bytes that never occur in UTF-8, so it cannot appear
 * inside a payload. Segments written by bridges before 0.2 (`SGRSPL1\n`, records without the magic
 * and a CRC over seq ‖ payload) are still read.
 *
 * Appends are buffered and written + `fdatasync`ed together every `fsyncIntervalMs` (or sooner once
 * `flushBytes` are pending); a reader only ever sees records that are on disk. After a crash, the
 * open scans every segment, cuts a torn tail (a record half-written when the power went) and
 * resumes at the cursor. The cursor is written after each accepted batch without fsync, so a crash
 * can replay a batch SQS already accepted: at-least-once across a crash, never out of order.
 *
 * **Damage** (a flipped byte, a bad sector) costs only the records it touches: at a record that
 * does not check out, the reader scans forward for the next record magic whose record passes its
 * CRC and goes on from there, counting the records (magics passed) and bytes it skipped, per
 * segment ({@link Spool.lostRecords}, {@link Spool.lostBytes}). A segment with a damaged header is
 * read the same way. A segment that cannot be read at all (I/O errors, no header and no intact
 * record) is moved to `quarantine/` and the spool opens without it
 * ({@link Spool.quarantinedSegments}): a damaged spool never stops the bridge.
 *
 * @example
 * ```ts
 * const spool = await Spool.open({ dir: '/var/lib/segura-relay-bridge', maxBytes: 256 * 2 ** 20 });
 * spool.append(spool.nextSeq(), '<13>1 …');  // false when full: the caller reports it loudly
 * const batch = await spool.read(10, 1_048_576);
 * // … SendMessageBatch(batch.records) accepted …
 * await spool.ack(batch);
 * await spool.close();
 * ```
 */
import { constants } from 'node:fs';
import { type FileHandle, mkdir, open, readdir, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { errorMessage } from '../shared/errors.js';
import { RateLimitedLog } from './log.js';

const MAGIC = Buffer.from('SGRSPL2\n', 'latin1');
/** segments written before 0.2: no record magic, CRC over seq ‖ payload */
const MAGIC_V1 = Buffer.from('SGRSPL1\n', 'latin1');
const SEGMENT_HEADER = 8;
/** FF FE never occurs in UTF-8, so the record magic cannot occur inside a payload */
const RECORD_MAGIC = Buffer.from([0xff, 0xfe, 0x53, 0x52]);
const HEADER = 20;
const HEADER_V1 = 16;
/** first read when scanning a segment; grown to a record's size when one is bigger */
const WINDOW = 65_536;
/** consecutive read failures of one segment before it is quarantined */
const MAX_READ_FAILURES = 3;
const QUARANTINE = 'quarantine';
/** Largest payload a record may carry (SQS's 1 MiB message limit); a bigger length is corruption. */
const MAX_RECORD_PAYLOAD = 1_048_576;
const SEGMENT_RE = /^seg-(\d{16})\.spool$/;
const CURSOR = 'cursor.json';
const LOCK = 'lock';

/** One spooled message. `seq` is unique and increasing across restarts. */
interface SpoolRecord {
  readonly seq: number;
  readonly body: string;
  /** UTF-8 bytes of `body` */
  readonly bytes: number;
}

/** Records returned by {@link Spool.read}; pass it back to {@link Spool.ack} once SQS accepted all. */
interface SpoolBatch {
  readonly records: readonly SpoolRecord[];
  /** @internal position after the last record */
  readonly end: Position;
}

interface Position {
  readonly segment: string;
  readonly offset: number;
}

type SpoolLog = (level: 'info' | 'warn' | 'error', msg: string, fields?: Record<string, unknown>) => void;

/** Spool options. */
interface SpoolOptions {
  /** directory (created with mode 0700) */
  readonly dir: string;
  /** bound on the bytes on disk plus pending writes; `append` refuses beyond it */
  readonly maxBytes: number;
  /**
   * Start a new segment once the current one reaches this size.
   * @default maxBytes / 8, between 64 KiB and 16 MiB
   */
  readonly segmentBytes?: number;
  /**
   * Longest time an appended record waits before it is written and fsynced.
   * @default 50
   */
  readonly fsyncIntervalMs?: number;
  /**
   * Write at once when this many bytes are pending.
   * @default 1_048_576
   */
  readonly flushBytes?: number;
  /**
   * Bound on appended-but-unwritten bytes held in memory (reached only while the disk fails):
   * beyond it `append` refuses, like a full spool.
   * @default 16 × flushBytes
   */
  readonly maxPendingBytes?: number;
  /** diagnostics (recovery, corruption, I/O errors) @default none */
  readonly log?: SpoolLog;
  /** repeated runtime errors are logged at most once per interval @default 10_000 */
  readonly logIntervalMs?: number;
}

/** Another live process owns the spool directory. */
class SpoolLockedError extends Error {
  constructor(dir: string, pid: number) {
    super(`spool directory ${dir} is in use by process ${pid} (one bridge per spool directory)`);
    this.name = 'SpoolLockedError';
  }
}

type Version = 1 | 2;

interface Segment {
  readonly name: string;
  readonly path: string;
  /** bytes on disk */
  size: number;
  readonly version: Version;
  /** damaged ranges already found and counted: start offset → end offset (the next intact record) */
  readonly holes: Map<number, number>;
  /** records in it not yet acknowledged */
  unacked: number;
  /** consecutive failed reads */
  readFailures: number;
}

// CRC-32 (IEEE 802.3), table-driven: zlib.crc32 needs Node ≥ 20.15 and we support 20.11.
const CRC_TABLE = (() => {
  const t = new Int32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c;
  }
  return t;
})();

function crc32(buf: Buffer, start: number, end: number, init = 0): number {
  let c = ~init;
  for (let i = start; i < end; i++) c = (CRC_TABLE[(c ^ (buf[i] as number)) & 0xff] as number) ^ (c >>> 8);
  return ~c >>> 0;
}

function encodeRecord(seq: number, body: string): Buffer {
  const len = Buffer.byteLength(body, 'utf8');
  const rec = Buffer.allocUnsafe(HEADER + len);
  RECORD_MAGIC.copy(rec, 0);
  rec.writeUInt32BE(len, 4);
  rec.writeUInt32BE(Math.floor(seq / 2 ** 32), 12);
  rec.writeUInt32BE(seq >>> 0, 16);
  rec.write(body, HEADER, 'utf8');
  rec.writeUInt32BE(recordCrc(rec, 0, len), 8);
  return rec;
}

/** CRC-32 of a v2 record at `off`: length ‖ seq ‖ payload. */
function recordCrc(buf: Buffer, off: number, len: number): number {
  return crc32(buf, off + 12, off + HEADER + len, crc32(buf, off + 4, off + 8));
}

type Decoded = { rec: SpoolRecord; size: number } | 'short' | 'corrupt';

/** Parse the record at `off` of `buf`: the record, 'short' (needs bytes past `end`) or 'corrupt'. */
function decodeRecord(buf: Buffer, off: number, end: number, version: Version): Decoded {
  if (version === 1) return decodeRecordV1(buf, off, end);
  const avail = end - off;
  const m = Math.min(avail, RECORD_MAGIC.length);
  if (buf.compare(RECORD_MAGIC, 0, m, off, off + m) !== 0) return 'corrupt';
  if (avail < HEADER) return 'short';
  const len = buf.readUInt32BE(off + 4);
  if (len > MAX_RECORD_PAYLOAD) return 'corrupt';
  if (avail < HEADER + len) return 'short';
  if (recordCrc(buf, off, len) !== buf.readUInt32BE(off + 8)) return 'corrupt';
  const seq = buf.readUInt32BE(off + 12) * 2 ** 32 + buf.readUInt32BE(off + 16);
  return { rec: { seq, body: buf.toString('utf8', off + HEADER, off + HEADER + len), bytes: len }, size: HEADER + len };
}

function decodeRecordV1(buf: Buffer, off: number, end: number): Decoded {
  if (end - off < HEADER_V1) return 'short';
  const len = buf.readUInt32BE(off);
  if (len > MAX_RECORD_PAYLOAD) return 'corrupt';
  if (end - off < HEADER_V1 + len) return 'short';
  if (crc32(buf, off + 8, off + HEADER_V1 + len) !== buf.readUInt32BE(off + 4)) return 'corrupt';
  const seq = buf.readUInt32BE(off + 8) * 2 ** 32 + buf.readUInt32BE(off + 12);
  return {
    rec: { seq, body: buf.toString('utf8', off + HEADER_V1, off + HEADER_V1 + len), bytes: len },
    size: HEADER_V1 + len,
  };
}

/** What walking a segment finds, in file order. */
type WalkItem =
  | { readonly kind: 'record'; readonly offset: number; readonly size: number; readonly rec: SpoolRecord }
  /**
   * Bytes [offset, end) that hold no intact record; `end` is the next intact record (or the end of
   * the file). `records`: record starts in it (v2: magics passed; v1: at least 1). `torn`: one
   * record cut by the end of the file and nothing after it (a write cut short by a crash).
   */
  | {
      readonly kind: 'damaged';
      readonly offset: number;
      readonly end: number;
      readonly records: number;
      readonly torn: boolean;
    };

/** A sliding read window over a file. */
class Window {
  buf: Buffer = Buffer.alloc(0);
  /** file offset of buf[0] */
  start = 0;
  /** valid bytes in buf */
  len = 0;
  readonly #fh: FileHandle;
  readonly #size: number;

  constructor(fh: FileHandle, size: number) {
    this.#fh = fh;
    this.#size = size;
  }

  /** Make [at, at + need) readable (clamped to the end of the file); returns at's index in buf. */
  async cover(at: number, need: number): Promise<number> {
    const want = Math.min(need, this.#size - at);
    if (at >= this.start && at + want <= this.start + this.len) return at - this.start;
    const n = Math.max(0, Math.min(this.#size - at, Math.max(need, WINDOW)));
    if (this.buf.length < n) this.buf = Buffer.allocUnsafe(n);
    let got = 0;
    while (got < n) {
      const { bytesRead } = await this.#fh.read(this.buf, got, n - got, at + got);
      if (bytesRead === 0) break;
      got += bytesRead;
    }
    this.start = at;
    this.len = got;
    return 0;
  }

  /** true when the window reaches the end of the file */
  get atEof(): boolean {
    return this.start + this.len >= this.#size;
  }
}

/**
 * Walk the records of a segment from `from`, resynchronizing after damage (see the module
 * comment). v1 records have no magic, so a v1 candidate must also carry a plausible seq: after
 * the last good one, or (none yet) one the bridge could have made (milliseconds × 1024).
 */
async function* walkSegment(fh: FileHandle, size: number, from: number, version: Version): AsyncGenerator<WalkItem> {
  let lastSeq = -1;
  const win = new Window(fh, size);
  const headerLen = version === 2 ? HEADER : HEADER_V1;
  const lenAt = version === 2 ? 4 : 0;
  /** decode the record at `at`, reading as much of the file as it needs */
  const decodeAt = async (at: number): Promise<Decoded> => {
    let off = await win.cover(at, headerLen);
    let r = decodeRecord(win.buf, off, win.len, version);
    if (r === 'short' && !win.atEof && win.len - off >= headerLen) {
      off = await win.cover(at, headerLen + win.buf.readUInt32BE(off + lenAt));
      r = decodeRecord(win.buf, off, win.len, version);
    }
    return r;
  };
  const plausible = (seq: number): boolean =>
    version === 2 || (lastSeq >= 0 ? seq > lastSeq && seq - lastSeq < 2 ** 40 : seq >= 2 ** 40 && seq < 2 ** 53);
  let pos = from;
  while (pos < size) {
    const r = await decodeAt(pos);
    if (typeof r === 'object') {
      yield { kind: 'record', offset: pos, size: r.size, rec: r.rec };
      lastSeq = r.rec.seq;
      pos += r.size;
      continue;
    }
    // damage at pos: find the next record that checks out
    const cutAtEof = r === 'short';
    let records = 1;
    let next = -1;
    let c = pos + 1;
    while (c < size) {
      let cand: number;
      if (version === 2) {
        const off = await win.cover(c, RECORD_MAGIC.length);
        const at = win.buf.subarray(0, win.len).indexOf(RECORD_MAGIC, off);
        if (at === -1) {
          if (win.atEof) break;
          // the magic may straddle the window's end: rescan its last 3 bytes
          c = Math.max(c + 1, win.start + win.len - (RECORD_MAGIC.length - 1));
          continue;
        }
        cand = win.start + at;
      } else {
        // v1: any offset may start a record; check length and seq before paying for a CRC
        cand = c;
        const off = await win.cover(c, HEADER_V1);
        if (win.len - off < HEADER_V1) break;
        const len = win.buf.readUInt32BE(off);
        const seq = win.buf.readUInt32BE(off + 8) * 2 ** 32 + win.buf.readUInt32BE(off + 12);
        if (len > MAX_RECORD_PAYLOAD || c + HEADER_V1 + len > size || !plausible(seq)) {
          c++;
          continue;
        }
      }
      const d = await decodeAt(cand);
      if (typeof d === 'object' && plausible(d.rec.seq)) {
        next = cand;
        break;
      }
      if (version === 2) records++;
      c = cand + 1;
    }
    if (next === -1) {
      yield { kind: 'damaged', offset: pos, end: size, records, torn: cutAtEof && records === 1 };
      return;
    }
    yield { kind: 'damaged', offset: pos, end: next, records, torn: false };
    pos = next;
  }
}

const segmentName = (seq: number): string => `seg-${String(seq).padStart(16, '0')}.spool`;

/** See the module comment. All file operations are serialized; `append` is synchronous. */
class Spool {
  readonly dir: string;
  readonly maxBytes: number;
  readonly #segmentBytes: number;
  readonly #fsyncMs: number;
  readonly #flushBytes: number;
  readonly #maxPending: number;
  readonly #log: SpoolLog;
  #segments: Segment[] = [];
  #diskBytes = 0;
  /** appended, not yet written: encoded records with their seq (a segment is named by its first) */
  #pending: Array<{ readonly seq: number; readonly buf: Buffer }> = [];
  #pendingBytes = 0;
  #writer: { seg: Segment; fh: FileHandle } | null = null;
  #read: Position | null = null;
  #ack: Position | null = null;
  #unacked = 0;
  #nextSeq = 0;
  #chain: Promise<unknown> = Promise.resolve();
  #timer: NodeJS.Timeout | null = null;
  #flushRetryMs = 0;
  #closed = false;
  #closing = false;
  #lostRecords = 0;
  #lostBytes = 0;
  #quarantined = 0;
  /** records handed out by read() and not yet acknowledged */
  #outstanding = 0;
  /** repeated runtime errors (write failures, damage found while reading) */
  readonly #rl: RateLimitedLog;

  private constructor(o: SpoolOptions) {
    this.dir = resolve(o.dir);
    this.maxBytes = o.maxBytes;
    this.#segmentBytes = o.segmentBytes ?? Math.min(16 * 2 ** 20, Math.max(64 * 1024, Math.floor(o.maxBytes / 8)));
    this.#fsyncMs = o.fsyncIntervalMs ?? 50;
    this.#flushBytes = o.flushBytes ?? 1_048_576;
    this.#maxPending = o.maxPendingBytes ?? 16 * this.#flushBytes;
    this.#log = o.log ?? (() => undefined);
    this.#rl = new RateLimitedLog((level, msg, fields) => {
      if (level !== 'debug') this.#log(level, msg, fields);
    }, o.logIntervalMs ?? 10_000);
  }

  /**
   * Lock the directory, recover what a previous run left (torn tail cut, cursor applied) and
   * return the spool.
   * @throws {SpoolLockedError} when another live process holds the directory
   */
  static async open(o: SpoolOptions): Promise<Spool> {
    const s = new Spool(o);
    await mkdir(s.dir, { recursive: true, mode: 0o700 });
    await s.#lock();
    try {
      await s.#recover();
    } catch (e) {
      await unlink(join(s.dir, LOCK)).catch(() => undefined);
      OPEN_DIRS.delete(s.dir);
      throw e;
    }
    return s;
  }

  /** A new sequence number (unique across restarts: starts at max(last spooled + 1, now × 1024)). */
  nextSeq(): number {
    return this.#nextSeq++;
  }

  /** Messages appended and not yet acknowledged (on disk or pending). */
  get records(): number {
    return this.#unacked;
  }

  /** Bytes counted against `maxBytes`: segments on disk plus pending writes. */
  get bytes(): number {
    return this.#diskBytes + this.#pendingBytes;
  }

  /** Segment files on disk. */
  get segments(): number {
    return this.#segments.length;
  }

  /** Records lost to damage since open (found at open or while reading), quarantined segments' aside. */
  get lostRecords(): number {
    return this.#lostRecords;
  }

  /** Bytes skipped over damage since open. */
  get lostBytes(): number {
    return this.#lostBytes;
  }

  /** Segments moved to `quarantine/` since open. */
  get quarantinedSegments(): number {
    return this.#quarantined;
  }

  /** true when every appended message was acknowledged. */
  isEmpty(): boolean {
    return this.#unacked === 0;
  }

  /**
   * Queue a message for the journal (written and fsynced within `fsyncIntervalMs`). Returns false,
   * writing nothing, when it would exceed `maxBytes`.
   */
  append(seq: number, body: string): boolean {
    if (this.#closed) throw new Error('spool is closed');
    const rec = encodeRecord(seq, body);
    // (a new segment's 8-byte magic is not reserved here: the bound may be passed by 8 bytes)
    if (this.bytes + rec.length > this.maxBytes) return false;
    // memory stays bounded even while writes fail (disk full): refuse like a full spool
    if (this.#pendingBytes > 0 && this.#pendingBytes + rec.length > this.#maxPending) return false;
    this.#pending.push({ seq, buf: rec });
    this.#pendingBytes += rec.length;
    this.#unacked++;
    this.#schedule();
    return true;
  }

  /** Write and fsync what is pending. */
  flush(): Promise<void> {
    return this.#serial(() => this.#flushNow());
  }

  /**
   * The next records after those already read (at most `maxCount`, and `maxBytes` of payload unless
   * a single record is bigger), flushing pending appends first if nothing else is on disk. An empty
   * batch means the spool is drained. Records stay in the spool until {@link ack}.
   */
  read(maxCount: number, maxBytes: number): Promise<SpoolBatch> {
    return this.#serial(() => this.#readNow(maxCount, maxBytes));
  }

  /** SQS accepted every record of `batch` (batches are acknowledged in read order). */
  ack(batch: SpoolBatch): Promise<void> {
    return this.#serial(() => this.#ackNow(batch));
  }

  /**
   * Flush, persist the cursor and release the lock. A drained spool leaves no segment behind.
   */
  close(): Promise<void> {
    return this.#serial(async () => {
      if (this.#closed) return;
      this.#closing = true;
      if (this.#timer) clearTimeout(this.#timer);
      this.#timer = null;
      try {
        await this.#flushNow();
      } finally {
        this.#closed = true;
        await this.#writer?.fh.close().catch(() => undefined);
        this.#writer = null;
        if (this.#unacked === 0) await this.#removeAll();
        else await this.#saveCursor();
        await unlink(join(this.dir, LOCK)).catch(() => undefined);
        OPEN_DIRS.delete(this.dir);
      }
    });
  }

  /**
   * Test hook: stop like a killed process would, without flushing, writing the cursor or removing
   * the lock file (pending appends are lost, as in a crash).
   * @internal
   */
  async simulateCrash(): Promise<void> {
    this.#closing = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    await this.#serial(async () => {
      this.#closed = true;
      await this.#writer?.fh.close().catch(() => undefined);
      this.#writer = null;
      OPEN_DIRS.delete(this.dir);
    });
  }

  #serial<T>(op: () => Promise<T>): Promise<T> {
    const p = this.#chain.then(op);
    this.#chain = p.catch(() => undefined);
    return p;
  }

  #needsNewSegment(): boolean {
    return this.#writer === null || this.#writer.seg.size >= this.#segmentBytes;
  }

  #schedule(): void {
    if (this.#pendingBytes >= this.#flushBytes) {
      if (this.#timer) clearTimeout(this.#timer);
      this.#timer = null;
      this.#serial(() => this.#flushNow()).catch(() => undefined);
      return;
    }
    if (this.#timer) return;
    this.#timer = setTimeout(() => {
      this.#timer = null;
      this.#serial(() => this.#flushNow()).catch(() => undefined);
    }, this.#fsyncMs + this.#flushRetryMs);
  }

  async #flushNow(): Promise<void> {
    try {
      while (this.#pending.length > 0) {
        if (this.#needsNewSegment()) await this.#rotate((this.#pending[0] as { seq: number }).seq);
        const w = this.#writer as { seg: Segment; fh: FileHandle };
        // fill the current segment up to segmentBytes (at least one record), one write + fdatasync
        let n = 0;
        let len = 0;
        while (n < this.#pending.length && (n === 0 || w.seg.size + len < this.#segmentBytes)) {
          len += (this.#pending[n] as { buf: Buffer }).buf.length;
          n++;
        }
        const parts = this.#pending.slice(0, n).map((p) => p.buf);
        const data = n === 1 ? (parts[0] as Buffer) : Buffer.concat(parts, len);
        try {
          let done = 0;
          while (done < data.length) {
            const { bytesWritten } = await w.fh.write(data, done, data.length - done, w.seg.size + done);
            done += bytesWritten;
          }
          await w.fh.datasync();
        } catch (e) {
          // never leave half a batch behind: a later write would land after the fragment
          await w.fh.truncate(w.seg.size).catch(() => undefined);
          throw e;
        }
        this.#pending.splice(0, n);
        this.#pendingBytes -= len;
        w.seg.unacked += n;
        w.seg.size += len;
        this.#diskBytes += len;
      }
      this.#flushRetryMs = 0;
    } catch (e) {
      // keep the records pending (they still count against maxBytes) and try again later
      this.#flushRetryMs = Math.min(5_000, Math.max(250, this.#flushRetryMs * 2));
      this.#rl.log('write-failed', 'spool write failed; retrying', 'error', {
        error: errorMessage(e),
        pendingMessages: this.#pending.length,
        retryInMs: this.#flushRetryMs,
      });
      if (!this.#closing) this.#schedule();
      throw e;
    }
  }

  async #rotate(firstSeq: number): Promise<void> {
    if (this.#writer) {
      await this.#writer.fh.close();
      this.#writer = null;
    }
    const name = segmentName(firstSeq);
    const seg: Segment = {
      name,
      path: join(this.dir, name),
      size: 0,
      version: 2,
      holes: new Map(),
      unacked: 0,
      readFailures: 0,
    };
    const fh = await open(seg.path, constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY, 0o600);
    try {
      await fh.write(MAGIC, 0, MAGIC.length, 0);
      await fh.datasync();
    } catch (e) {
      await fh.close().catch(() => undefined);
      await unlink(seg.path).catch(() => undefined);
      throw e;
    }
    seg.size = MAGIC.length;
    this.#diskBytes += MAGIC.length;
    this.#segments.push(seg);
    this.#writer = { seg, fh };
    await this.#syncDir();
  }

  async #syncDir(): Promise<void> {
    // make the new directory entry durable too (ext4/xfs need the directory fsynced)
    try {
      const d = await open(this.dir, 'r');
      try {
        await d.datasync();
      } finally {
        await d.close();
      }
    } catch {
      // not supported on every platform; the data itself is fsynced
    }
  }

  async #readNow(maxCount: number, maxBytes: number): Promise<SpoolBatch> {
    for (;;) {
      if (this.#read === null) {
        const first = this.#segments[0];
        if (first === undefined) {
          if (this.#pending.length === 0) return this.#drained({ segment: '', offset: 0 });
          await this.#flushNow();
          continue;
        }
        this.#read = { segment: first.name, offset: SEGMENT_HEADER };
      }
      const idx = this.#segments.findIndex((s) => s.name === (this.#read as Position).segment);
      const seg = this.#segments[idx];
      if (seg === undefined) {
        // its segment was removed (drained or quarantined): start over from the oldest one
        this.#read = null;
        if (this.#segments.length === 0 && this.#pending.length === 0) return this.#drained({ segment: '', offset: 0 });
        continue;
      }
      const pos = this.#read;
      const hole = seg.holes.get(pos.offset);
      if (hole !== undefined) {
        // damage already found and counted: skip it
        this.#read = { segment: seg.name, offset: hole };
        continue;
      }
      if (pos.offset >= seg.size) {
        const next = this.#segments[idx + 1];
        if (next !== undefined) {
          this.#read = { segment: next.name, offset: SEGMENT_HEADER };
          continue;
        }
        if (this.#pending.length > 0) {
          await this.#flushNow();
          continue;
        }
        return this.#drained(pos);
      }
      let batch: { records: SpoolRecord[]; end: number };
      try {
        batch = await this.#readSegment(seg, pos.offset, maxCount, maxBytes);
        seg.readFailures = 0;
      } catch (e) {
        seg.readFailures++;
        if (seg.readFailures < MAX_READ_FAILURES) throw e;
        await this.#quarantine(seg, `${MAX_READ_FAILURES} reads failed: ${errorMessage(e)}`);
        continue;
      }
      this.#read = { segment: seg.name, offset: batch.end };
      if (batch.records.length === 0) continue;
      this.#outstanding += batch.records.length;
      return { records: batch.records, end: this.#read };
    }
  }

  /** Records of `seg` from `from` (damage found on the way is counted and skipped). */
  async #readSegment(
    seg: Segment,
    from: number,
    maxCount: number,
    maxBytes: number,
  ): Promise<{ records: SpoolRecord[]; end: number }> {
    const records: SpoolRecord[] = [];
    let bytes = 0;
    let end = from;
    const fh = await open(seg.path, 'r');
    try {
      for await (const item of walkSegment(fh, seg.size, from, seg.version)) {
        if (item.kind === 'damaged') {
          if (!seg.holes.has(item.offset)) {
            // damage that appeared after open (the disk, or an outside writer)
            seg.holes.set(item.offset, item.end);
            const lost = Math.min(item.records, seg.unacked);
            seg.unacked -= lost;
            this.#unacked -= lost;
            this.#lostRecords += item.records;
            this.#lostBytes += item.end - item.offset;
            this.#rl.log('damaged', 'spool segment damaged: skipped to the next intact record', 'error', {
              segment: seg.name,
              offset: item.offset,
              lostRecords: item.records,
              lostBytes: item.end - item.offset,
              spoolLostRecords: this.#lostRecords,
            });
          }
          end = item.end;
          // hand out what precedes the damage first; the next read starts after it
          if (records.length > 0) break;
          continue;
        }
        if (records.length >= maxCount || (records.length > 0 && bytes + item.rec.bytes > maxBytes)) break;
        records.push(item.rec);
        bytes += item.rec.bytes;
        end = item.offset + item.size;
      }
    } finally {
      await fh.close();
    }
    return { records, end };
  }

  /**
   * Nothing left to read: once every record handed out is acknowledged the spool is empty, whatever
   * the counts say (damage may have hidden records the counts still held).
   */
  #drained(end: Position): SpoolBatch {
    if (this.#outstanding === 0 && this.#pending.length === 0 && this.#unacked !== 0) {
      this.#log('warn', 'spool: nothing left to read; correcting the unacknowledged count', {
        counted: this.#unacked,
      });
      this.#unacked = 0;
      for (const seg of this.#segments) seg.unacked = 0;
    }
    return { records: [], end };
  }

  /** Move an unreadable segment to quarantine/ (kept for an operator, never read again). */
  async #quarantine(seg: Segment | { name: string; path: string }, reason: string): Promise<void> {
    const dir = join(this.dir, QUARANTINE);
    let movedTo: string | null = join(dir, seg.name);
    try {
      await mkdir(dir, { recursive: true, mode: 0o700 });
      try {
        await stat(movedTo);
        movedTo = join(dir, `${seg.name}.${Date.now()}`);
      } catch {
        // no earlier copy of that name: keep the name
      }
      await rename(seg.path, movedTo);
    } catch (e) {
      this.#log('error', 'spool: could not move an unreadable segment to quarantine/; skipping it', {
        segment: seg.name,
        error: errorMessage(e),
      });
      movedTo = null;
    }
    this.#quarantined++;
    const known = 'unacked' in seg ? seg : null;
    if (known !== null) {
      // at run time the records it still held are known: count them as lost
      this.#lostRecords += known.unacked;
      this.#unacked -= known.unacked;
      this.#diskBytes -= known.size;
      const next = this.#segments[this.#segments.indexOf(known) + 1];
      this.#segments = this.#segments.filter((s) => s !== known);
      if (this.#writer?.seg === known) {
        await this.#writer.fh.close().catch(() => undefined);
        this.#writer = null;
      }
      if (this.#read?.segment === known.name) {
        // go on after it; never back to an older segment's start (its records were acknowledged)
        const ack = this.#ack;
        this.#read =
          next !== undefined
            ? { segment: next.name, offset: SEGMENT_HEADER }
            : ack !== null && this.#segments.some((s) => s.name === ack.segment)
              ? ack
              : null;
      }
    }
    this.#log('error', 'spool segment unreadable: moved aside, the bridge goes on without it', {
      segment: seg.name,
      reason,
      movedTo,
      ...(known !== null ? { lostRecords: known.unacked } : {}),
      spoolQuarantinedSegments: this.#quarantined,
    });
  }

  async #ackNow(batch: SpoolBatch): Promise<void> {
    if (batch.records.length === 0) return;
    this.#ack = batch.end;
    this.#outstanding = Math.max(0, this.#outstanding - batch.records.length);
    const seg = this.#segments.find((s) => s.name === batch.end.segment);
    if (seg !== undefined) seg.unacked = Math.max(0, seg.unacked - batch.records.length);
    this.#unacked = Math.max(0, this.#unacked - batch.records.length);
    // segments before the cursor's are fully acknowledged
    while (this.#segments.length > 1 && (this.#segments[0] as Segment).name < batch.end.segment) {
      await this.#removeSegment(this.#segments[0] as Segment);
    }
    if (this.#unacked === 0 && this.#pending.length === 0) {
      await this.#removeAll();
      return;
    }
    await this.#saveCursor();
  }

  async #removeSegment(seg: Segment): Promise<void> {
    if (this.#writer?.seg === seg) {
      await this.#writer.fh.close().catch(() => undefined);
      this.#writer = null;
    }
    await unlink(seg.path).catch((e: NodeJS.ErrnoException) => {
      if (e.code !== 'ENOENT') throw e;
    });
    this.#segments = this.#segments.filter((s) => s !== seg);
    this.#diskBytes -= seg.size;
  }

  /** Everything is acknowledged: remove every segment and the cursor, start afresh. */
  async #removeAll(): Promise<void> {
    for (const seg of [...this.#segments]) await this.#removeSegment(seg);
    this.#read = null;
    this.#ack = null;
    this.#outstanding = 0;
    await unlink(join(this.dir, CURSOR)).catch(() => undefined);
  }

  async #saveCursor(): Promise<void> {
    if (this.#ack === null) return;
    const tmp = join(this.dir, `${CURSOR}.tmp`);
    // no fsync: a lost cursor only means replaying accepted records (at-least-once)
    await writeFile(tmp, JSON.stringify(this.#ack), { mode: 0o600 });
    await rename(tmp, join(this.dir, CURSOR));
  }

  async #lock(): Promise<void> {
    if (OPEN_DIRS.has(this.dir)) throw new SpoolLockedError(this.dir, process.pid);
    const path = join(this.dir, LOCK);
    const me = JSON.stringify({ pid: process.pid, start: await processStart(process.pid) });
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        await writeFile(path, me, { flag: 'wx', mode: 0o600 });
        OPEN_DIRS.add(this.dir);
        return;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      }
      let holder: { pid?: unknown; start?: unknown } = {};
      try {
        holder = JSON.parse(await readFile(path, 'utf8')) as typeof holder;
      } catch {
        // unreadable or half-written lock: stale
      }
      const pid = typeof holder.pid === 'number' ? holder.pid : 0;
      // a live pid is the owner only if it is the same process (pids are reused after a reboot)
      if (pid > 0 && pid !== process.pid && alive(pid)) {
        const start = await processStart(pid);
        if (start === null || holder.start === null || start === holder.start)
          throw new SpoolLockedError(this.dir, pid);
      }
      this.#log('warn', 'removing a stale spool lock', { pid: pid || null });
      await unlink(path).catch(() => undefined);
    }
    throw new Error(`could not lock spool directory ${this.dir}`);
  }

  async #recover(): Promise<void> {
    const names = (await readdir(this.dir)).filter((n) => SEGMENT_RE.test(n)).sort();
    const cursor = await this.#readCursor();
    let lastSeq = -1;
    let total = 0;
    let unacked = 0;
    let resumeAt: Position | null = null;
    for (let i = 0; i < names.length; i++) {
      const name = names[i] as string;
      const path = join(this.dir, name);
      // a segment's name is its first seq: new ones must sort after every name, even unreadable ones
      lastSeq = Math.max(lastSeq, Number(SEGMENT_RE.exec(name)?.[1] ?? -1));
      if (cursor !== null && name < cursor.segment) {
        await unlink(path);
        continue;
      }
      const from = cursor !== null && name === cursor.segment ? cursor.offset : SEGMENT_HEADER;
      let scan: Awaited<ReturnType<typeof scanSegment>>;
      try {
        scan = await scanSegment(path, from);
      } catch (e) {
        await this.#quarantine({ name, path }, `cannot read it: ${errorMessage(e)}`);
        continue;
      }
      if (scan === 'unreadable') {
        await this.#quarantine({ name, path }, 'no spool header and no intact record');
        continue;
      }
      if (scan.lostRecords > 0 || scan.headerDamaged) {
        this.#lostRecords += scan.lostRecords;
        this.#lostBytes += scan.lostBytes;
        this.#log('error', 'spool segment damaged: intact records recovered, damaged ones skipped', {
          segment: name,
          ...(scan.headerDamaged ? { headerDamaged: true } : {}),
          ...(scan.version === 1 ? { format: 'v1 (lost counts are a lower bound)' } : {}),
          recoveredRecords: scan.records,
          lostRecords: scan.lostRecords,
          lostBytes: scan.lostBytes,
          damagedRanges: scan.holes.size,
        });
      }
      let size = scan.size;
      if (scan.tornAt !== null) {
        this.#log('warn', 'spool: cut a torn tail', { segment: name, bytes: scan.size - scan.tornAt });
        const fh = await open(path, 'r+');
        try {
          await fh.truncate(scan.tornAt);
        } finally {
          await fh.close();
        }
        size = scan.tornAt;
      }
      let count = scan.fromCount;
      let start = from;
      if (!scan.cursorOk) {
        this.#log('warn', 'spool cursor does not point at a record: replaying the whole segment', { segment: name });
        count = scan.records;
        start = SEGMENT_HEADER;
      }
      if (scan.lastSeq > lastSeq) lastSeq = scan.lastSeq;
      if (count === 0) {
        await unlink(path);
        continue;
      }
      if (resumeAt === null) resumeAt = { segment: name, offset: start };
      this.#segments.push({
        name,
        path,
        size,
        version: scan.version,
        holes: scan.holes,
        unacked: count,
        readFailures: 0,
      });
      total += size;
      unacked += count;
    }
    this.#diskBytes = total;
    this.#unacked = unacked;
    this.#read = resumeAt;
    this.#ack = resumeAt;
    this.#nextSeq = Math.max(lastSeq + 1, Date.now() * 1024);
    if (unacked === 0) await unlink(join(this.dir, CURSOR)).catch(() => undefined);
    else this.#log('info', 'spool recovered', { messages: unacked, bytes: total, segments: this.#segments.length });
  }

  async #readCursor(): Promise<Position | null> {
    try {
      const v = JSON.parse(await readFile(join(this.dir, CURSOR), 'utf8')) as Partial<Position>;
      if (typeof v.segment === 'string' && SEGMENT_RE.test(v.segment) && Number.isInteger(v.offset)) {
        return { segment: v.segment, offset: v.offset as number };
      }
      this.#log('warn', 'spool cursor unreadable: replaying from the oldest segment');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') {
        this.#log('warn', 'spool cursor unreadable: replaying from the oldest segment', {
          error: errorMessage(e),
        });
      }
    }
    return null;
  }
}

/** Directories this process has open (a second open in-process is refused like another owner). */
const OPEN_DIRS = new Set<string>();

/** Start time of a process in clock ticks since boot (Linux /proc), or null where unknown. */
async function processStart(pid: number): Promise<string | null> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    // fields after "(comm)": state is field 3, starttime field 22
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null;
  } catch {
    return null;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** What a segment holds, found at open. */
interface SegmentScan {
  readonly size: number;
  readonly version: Version;
  readonly headerDamaged: boolean;
  /** intact records, and those at or after `from` */
  readonly records: number;
  readonly fromCount: number;
  /** `from` is a record boundary (a record's start, a damaged range's start, or the end) */
  readonly cursorOk: boolean;
  readonly lastSeq: number;
  readonly holes: Map<number, number>;
  readonly lostRecords: number;
  readonly lostBytes: number;
  /** where a torn tail starts (cut it off), or null */
  readonly tornAt: number | null;
}

/**
 * Walk a whole segment: intact records, damaged ranges (holes), torn tail. A damaged header is
 * survived by looking for records of either format; 'unreadable' when it has no spool header and
 * no intact record.
 */
async function scanSegment(path: string, from: number): Promise<SegmentScan | 'unreadable'> {
  const fh = await open(path, 'r');
  try {
    const size = (await fh.stat()).size;
    const empty: SegmentScan = {
      size,
      version: 2,
      headerDamaged: false,
      records: 0,
      fromCount: 0,
      cursorOk: true,
      lastSeq: -1,
      holes: new Map(),
      lostRecords: 0,
      lostBytes: 0,
      tornAt: null,
    };
    // shorter than its header: the bridge stopped while creating it, nothing was written
    if (size < SEGMENT_HEADER) return empty;
    const magic = Buffer.alloc(SEGMENT_HEADER);
    await fh.read(magic, 0, SEGMENT_HEADER, 0);
    const known: Version | null = magic.equals(MAGIC) ? 2 : magic.equals(MAGIC_V1) ? 1 : null;
    for (const version of known !== null ? [known] : ([2, 1] as const)) {
      const scan = await scanRecords(fh, size, from, version);
      if (known !== null || scan.records > 0) return { ...scan, headerDamaged: known === null };
    }
    return 'unreadable';
  } finally {
    await fh.close();
  }
}

async function scanRecords(
  fh: FileHandle,
  size: number,
  from: number,
  version: Version,
): Promise<Omit<SegmentScan, 'headerDamaged'>> {
  let records = 0;
  let fromCount = 0;
  let cursorOk = from === SEGMENT_HEADER || from === size;
  let lastSeq = -1;
  let lostRecords = 0;
  let lostBytes = 0;
  let tornAt: number | null = null;
  const holes = new Map<number, number>();
  for await (const item of walkSegment(fh, size, SEGMENT_HEADER, version)) {
    if (item.offset === from) cursorOk = true;
    if (item.kind === 'record') {
      records++;
      if (item.offset >= from) fromCount++;
      lastSeq = item.rec.seq;
      if (item.offset + item.size === from) cursorOk = true;
    } else if (item.torn) {
      tornAt = item.offset;
    } else {
      holes.set(item.offset, item.end);
      lostRecords += item.records;
      lostBytes += item.end - item.offset;
      if (item.end === from) cursorOk = true;
    }
  }
  return { size, version, records, fromCount, cursorOk, lastSeq, holes, lostRecords, lostBytes, tornAt };
}

export type { SpoolBatch, SpoolLog, SpoolOptions, SpoolRecord };
export { Spool, SpoolLockedError };
