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
 * ```
 * A segment is the 8-byte magic `SGRSPL1\n` followed by records:
 * ```
 * u32 BE payload length | u32 BE CRC-32 of (seq ‖ payload) | u64 BE seq | payload (UTF-8 message)
 * ```
 * Appends are buffered and written + `fdatasync`ed together every `fsyncIntervalMs` (or sooner once
 * `flushBytes` are pending); a reader only ever sees records that are on disk. After a crash, the
 * open scans every segment, cuts a torn tail (a record half-written when the power went) and
 * resumes at the cursor. The cursor is written after each accepted batch without fsync, so a crash
 * can replay a batch SQS already accepted: at-least-once across a crash, never out of order.
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
import { type FileHandle, mkdir, open, readdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';

const MAGIC = Buffer.from('SGRSPL1\n', 'latin1');
const HEADER = 16;
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
}

/** Another live process owns the spool directory. */
class SpoolLockedError extends Error {
  constructor(dir: string, pid: number) {
    super(`spool directory ${dir} is in use by process ${pid} (one bridge per spool directory)`);
    this.name = 'SpoolLockedError';
  }
}

interface Segment {
  readonly name: string;
  readonly path: string;
  /** bytes on disk (valid records only) */
  size: number;
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
  rec.writeUInt32BE(len, 0);
  rec.writeUInt32BE(Math.floor(seq / 2 ** 32), 8);
  rec.writeUInt32BE(seq >>> 0, 12);
  rec.write(body, HEADER, 'utf8');
  rec.writeUInt32BE(crc32(rec, 8, HEADER + len), 4);
  return rec;
}

/** Parse the record at `off` of `buf`: the record, 'short' (needs more bytes) or 'corrupt'. */
function decodeRecord(buf: Buffer, off: number, end: number): { rec: SpoolRecord; size: number } | 'short' | 'corrupt' {
  if (end - off < HEADER) return 'short';
  const len = buf.readUInt32BE(off);
  if (len > MAX_RECORD_PAYLOAD) return 'corrupt';
  if (end - off < HEADER + len) return 'short';
  if (crc32(buf, off + 8, off + HEADER + len) !== buf.readUInt32BE(off + 4)) return 'corrupt';
  const seq = buf.readUInt32BE(off + 8) * 2 ** 32 + buf.readUInt32BE(off + 12);
  return { rec: { seq, body: buf.toString('utf8', off + HEADER, off + HEADER + len), bytes: len }, size: HEADER + len };
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
  /** records lost to corruption found while reading (recovery reports its own) */
  corruptRecords = 0;

  private constructor(o: SpoolOptions) {
    this.dir = resolve(o.dir);
    this.maxBytes = o.maxBytes;
    this.#segmentBytes = o.segmentBytes ?? Math.min(16 * 2 ** 20, Math.max(64 * 1024, Math.floor(o.maxBytes / 8)));
    this.#fsyncMs = o.fsyncIntervalMs ?? 50;
    this.#flushBytes = o.flushBytes ?? 1_048_576;
    this.#maxPending = o.maxPendingBytes ?? 16 * this.#flushBytes;
    this.#log = o.log ?? (() => undefined);
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
        w.seg.size += len;
        this.#diskBytes += len;
      }
      this.#flushRetryMs = 0;
    } catch (e) {
      // keep the records pending (they still count against maxBytes) and try again later
      this.#flushRetryMs = Math.min(5_000, Math.max(250, this.#flushRetryMs * 2));
      this.#log('error', 'spool write failed; retrying', {
        error: (e as Error).message,
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
    const seg: Segment = { name, path: join(this.dir, name), size: 0 };
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
          if (this.#pending.length === 0) return { records: [], end: { segment: '', offset: 0 } };
          await this.#flushNow();
          continue;
        }
        this.#read = { segment: first.name, offset: MAGIC.length };
      }
      const idx = this.#segments.findIndex((s) => s.name === (this.#read as Position).segment);
      const seg = this.#segments[idx];
      if (seg === undefined) {
        // its segment was removed (drained): start over from the oldest one
        this.#read = null;
        if (this.#segments.length === 0 && this.#pending.length === 0) {
          return { records: [], end: { segment: '', offset: 0 } };
        }
        continue;
      }
      const pos = this.#read;
      if (pos.offset >= seg.size) {
        const next = this.#segments[idx + 1];
        if (next !== undefined) {
          this.#read = { segment: next.name, offset: MAGIC.length };
          continue;
        }
        if (this.#pending.length > 0) {
          await this.#flushNow();
          continue;
        }
        return { records: [], end: pos };
      }
      const left = seg.size - pos.offset;
      // small first read (a batch of syslog lines is a few KiB); grow only for a big record
      let want = Math.min(left, 65_536);
      let buf = Buffer.allocUnsafe(want);
      let got = 0;
      const fh = await open(seg.path, 'r');
      try {
        for (;;) {
          ({ bytesRead: got } = await fh.read(buf, 0, want, pos.offset));
          if (got < want || want >= left || decodeRecord(buf, 0, got) !== 'short') break;
          want = Math.min(left, HEADER + Math.max(buf.readUInt32BE(0), want));
          buf = Buffer.allocUnsafe(want);
        }
      } finally {
        await fh.close();
      }
      const records: SpoolRecord[] = [];
      let off = 0;
      let bytes = 0;
      while (records.length < maxCount) {
        const r = decodeRecord(buf, off, got);
        if (r === 'short') {
          if (records.length === 0) {
            // the file ends inside a record: only a bug or an outside writer can do that
            this.corruptRecords++;
            this.#log('error', 'spool segment ends inside a record: skipping the rest of it', {
              segment: seg.name,
              offset: pos.offset,
            });
            off = left;
          }
          break;
        }
        if (r === 'corrupt') {
          const lost = seg.size - (pos.offset + off);
          this.corruptRecords++;
          this.#log('error', 'spool segment corrupt: skipping the rest of it', {
            segment: seg.name,
            offset: pos.offset + off,
            bytesLost: lost,
          });
          off = seg.size - pos.offset;
          break;
        }
        if (records.length > 0 && bytes + r.rec.bytes > maxBytes) break;
        records.push(r.rec);
        bytes += r.rec.bytes;
        off += r.size;
      }
      this.#read = { segment: seg.name, offset: pos.offset + off };
      if (records.length === 0) continue;
      return { records, end: this.#read };
    }
  }

  async #ackNow(batch: SpoolBatch): Promise<void> {
    if (batch.records.length === 0) return;
    this.#ack = batch.end;
    this.#unacked -= batch.records.length;
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
      if (cursor !== null && name < cursor.segment) {
        await unlink(path);
        continue;
      }
      const scan = await scanSegment(path);
      if (scan === 'foreign') throw new Error(`${path} is not a spool segment (bad magic); move it away`);
      if (scan.validEnd < scan.size) {
        const last = i === names.length - 1;
        this.#log(
          last ? 'warn' : 'error',
          last ? 'spool: cut a torn tail' : 'spool: segment corrupt, rest of it lost',
          {
            segment: name,
            bytes: scan.size - scan.validEnd,
          },
        );
        const fh = await open(path, 'r+');
        try {
          await fh.truncate(scan.validEnd);
        } finally {
          await fh.close();
        }
      }
      let from = MAGIC.length;
      if (cursor !== null && name === cursor.segment) {
        if (scan.boundaries.has(cursor.offset)) from = cursor.offset;
        else
          this.#log('warn', 'spool cursor does not point at a record: replaying the whole segment', { segment: name });
      }
      const count = scan.offsets.filter((o) => o >= from).length;
      if (scan.lastSeq > lastSeq) lastSeq = scan.lastSeq;
      if (count === 0) {
        await unlink(path);
        continue;
      }
      if (resumeAt === null) resumeAt = { segment: name, offset: from };
      this.#segments.push({ name, path, size: scan.validEnd });
      total += scan.validEnd;
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
          error: (e as Error).message,
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

/** Validate a segment: where its valid records end, their offsets, the last seq. */
async function scanSegment(path: string): Promise<
  | 'foreign'
  | {
      size: number;
      validEnd: number;
      offsets: number[];
      boundaries: Set<number>;
      lastSeq: number;
    }
> {
  const fh = await open(path, 'r');
  try {
    const size = (await fh.stat()).size;
    const offsets: number[] = [];
    if (size < MAGIC.length) return { size, validEnd: 0, offsets, boundaries: new Set(), lastSeq: -1 };
    const magic = Buffer.alloc(MAGIC.length);
    await fh.read(magic, 0, MAGIC.length, 0);
    if (!magic.equals(MAGIC)) return 'foreign';
    let pos = MAGIC.length;
    let lastSeq = -1;
    const chunk = Buffer.allocUnsafe(MAX_RECORD_PAYLOAD + HEADER + 65_536);
    for (;;) {
      const { bytesRead } = await fh.read(chunk, 0, chunk.length, pos);
      if (bytesRead === 0) break;
      let off = 0;
      let stop = false;
      for (;;) {
        const r = decodeRecord(chunk, off, bytesRead);
        if (r === 'corrupt') {
          stop = true;
          break;
        }
        if (r === 'short') {
          // a record cut by the end of the file (not by our chunk) is a torn tail
          if (pos + bytesRead >= size) stop = true;
          break;
        }
        offsets.push(pos + off);
        lastSeq = r.rec.seq;
        off += r.size;
      }
      pos += off;
      if (stop || off === 0) break;
    }
    const boundaries = new Set(offsets);
    boundaries.add(pos);
    return { size, validEnd: pos, offsets, boundaries, lastSeq };
  } finally {
    await fh.close();
  }
}

export type { SpoolBatch, SpoolLog, SpoolOptions, SpoolRecord };
export { Spool, SpoolLockedError };
