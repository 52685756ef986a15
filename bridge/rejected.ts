/**
 * Messages SQS refused for good (too big for the queue, characters it does not take), kept for an
 * operator to inspect and resend, the way the relay parks a bad event in a DLQ: an append-only
 * NDJSON file (mode 0600, next to the spool, as it holds security events), one object per message:
 *
 * ```json
 * {"time":"2026-01-19T13:41:00.000Z","seq":1816…,"code":"InvalidParameterValue","reason":"…","bytes":2048,"body":"<13>1 …"}
 * ```
 *
 * `segura-relay send --rejected FILE` sends each `body` again once the cause is fixed. The file is
 * bounded by `maxBytes`: beyond it a refused message is not kept, and the caller counts and logs
 * that (the oldest entries win, as in the spool). Each entry is written and fsynced before the
 * bridge lets the message go (acknowledges it in the spool).
 *
 * @example
 * ```ts
 * const kept = await RejectedFile.open({ path: '/var/lib/segura-relay-bridge/rejected.ndjson', maxBytes: 16 * 2 ** 20 });
 * await kept.keep({ seq: 42, code: 'InvalidParameterValue', reason: 'Message must be shorter than 1024 bytes.', body });
 * // → 'kept' | 'full'
 * ```
 */
import { open, stat } from 'node:fs/promises';

/** One refused message. */
interface RejectedEntry {
  readonly seq: number;
  readonly code: string;
  readonly reason: string;
  readonly body: string;
}

/** See the module comment. Appends are serialized. */
class RejectedFile {
  readonly path: string;
  readonly maxBytes: number;
  #size: number;
  #chain: Promise<unknown> = Promise.resolve();

  private constructor(path: string, maxBytes: number, size: number) {
    this.path = path;
    this.maxBytes = maxBytes;
    this.#size = size;
  }

  /** Size of what a previous run left counts against the bound. */
  static async open(o: { readonly path: string; readonly maxBytes: number }): Promise<RejectedFile> {
    let size = 0;
    try {
      size = (await stat(o.path)).size;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
    return new RejectedFile(o.path, o.maxBytes, size);
  }

  /** Bytes in the file. */
  get bytes(): number {
    return this.#size;
  }

  /**
   * Append and fsync one entry: 'kept', or 'full' (nothing written) when it would pass `maxBytes`.
   * @throws the write error (disk full, permissions): the caller counts the message as not kept
   */
  keep(e: RejectedEntry, now = new Date()): Promise<'kept' | 'full'> {
    const run = async (): Promise<'kept' | 'full'> => {
      const line = `${JSON.stringify({
        time: now.toISOString(),
        seq: e.seq,
        code: e.code,
        reason: e.reason,
        bytes: Buffer.byteLength(e.body, 'utf8'),
        body: e.body,
      })}\n`;
      const len = Buffer.byteLength(line, 'utf8');
      if (this.#size + len > this.maxBytes) return 'full';
      const fh = await open(this.path, 'a', 0o600);
      try {
        await fh.write(line);
        await fh.datasync();
      } finally {
        await fh.close();
      }
      this.#size += len;
      return 'kept';
    };
    const p = this.#chain.then(run);
    this.#chain = p.catch(() => undefined);
    return p;
  }
}

export type { RejectedEntry };
export { RejectedFile };
