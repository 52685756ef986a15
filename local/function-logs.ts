/**
 * What the functions log, in a local run: every `logger.warn` / `logger.error` (and, verbose,
 * `info` / `debug`) of the shared Powertools logger, attributed to the function whose invocation
 * made it, so the summary can say why a destination failed (`ECONNREFUSED 127.0.0.1:45999 × 12`)
 * without showing the JSON log stream, and `npm start -- --verbose` can show the stream itself.
 *
 * The handlers all log through one logger instance (shared/observability); the pollers run each
 * invocation inside `FunctionLogs.run(fn, …)`, and an AsyncLocalStorage carries the function name
 * through every await and socket callback of that invocation. Observes only: the logger's own
 * output (level, format) is unchanged.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { logger } from '../shared/observability/index.js';

type Level = 'debug' | 'info' | 'warn' | 'error';
const LEVELS: readonly Level[] = ['debug', 'info', 'warn', 'error'];

interface LogRecord {
  readonly fn: string;
  readonly level: Level;
  /** the log message and its cause, e.g. `syslog batch partially failed…: connect ECONNREFUSED 127.0.0.1:45999` */
  readonly text: string;
  /** the extra fields, as logged */
  readonly extra: Record<string, unknown>;
}

type Sink = (r: LogRecord) => void;
const scope = new AsyncLocalStorage<{ fn: string; sink: Sink }>();
let installed = false;

/** The cause in a log entry's extra fields: `error`, `reason` or `kind`, as text. */
function causeOf(extra: Record<string, unknown>): string | null {
  for (const k of ['error', 'reason', 'note']) {
    const v = extra[k];
    if (v instanceof Error) return v.message;
    if (typeof v === 'string' && v !== '') return v;
    if (v && typeof v === 'object' && typeof (v as { message?: unknown }).message === 'string')
      return (v as { message: string }).message;
  }
  return null;
}

function install(): void {
  if (installed) return;
  installed = true;
  for (const level of LEVELS) {
    const original = logger[level].bind(logger) as (...a: unknown[]) => void;
    (logger as unknown as Record<Level, (...a: unknown[]) => void>)[level] = (...args: unknown[]) => {
      const s = scope.getStore();
      if (s) {
        const [input, ...rest] = args;
        const message =
          typeof input === 'string' ? input : String((input as { message?: unknown } | undefined)?.message ?? '');
        const extra: Record<string, unknown> = {};
        for (const x of rest) {
          if (x instanceof Error) extra.error = x;
          else if (x && typeof x === 'object') Object.assign(extra, x);
        }
        const cause = causeOf(extra);
        s.sink({ fn: s.fn, level, text: cause ? `${message}: ${cause}` : message, extra });
      }
      original(...args);
    };
  }
}

interface Tally {
  count: number;
  /** when it last happened (ms) */
  lastAt: number;
}

/** The log records of one local relay, counted per function and text. */
class FunctionLogs {
  private readonly byFn = new Map<string, Map<string, Tally>>();
  private readonly last = new Map<string, string>();

  constructor(private readonly verbose: ((line: string) => void) | null = null) {
    install();
  }

  /** Run one invocation of `fn` so that what it logs is attributed to it. */
  run<T>(fn: string, f: () => T): T {
    return scope.run({ fn, sink: (r) => this.record(r) }, f);
  }

  private record(r: LogRecord): void {
    if (this.verbose) {
      const extra = Object.keys(r.extra).length ? ` ${safeJson(r.extra)}` : '';
      this.verbose(`[${r.fn}] ${r.level.toUpperCase()} ${r.text}${extra}`);
    }
    if (r.level !== 'warn' && r.level !== 'error') return;
    let m = this.byFn.get(r.fn);
    if (!m) {
      m = new Map();
      this.byFn.set(r.fn, m);
    }
    const t = m.get(r.text) ?? { count: 0, lastAt: 0 };
    t.count++;
    t.lastAt = Date.now();
    m.set(r.text, t);
    this.last.set(r.fn, r.text);
  }

  /** A poller's own line (receive failed, invocation failed…) counts like a log record of its function. */
  note(fn: string, text: string): void {
    this.record({ fn, level: 'warn', text, extra: {} });
  }

  /** The last warning or error of `fn` and how many times that same text was logged; null if none. */
  lastError(fn: string): { text: string; count: number; kinds: number; total: number } | null {
    const text = this.last.get(fn);
    const m = this.byFn.get(fn);
    if (text === undefined || !m) return null;
    let total = 0;
    for (const t of m.values()) total += t.count;
    return { text, count: m.get(text)?.count ?? 0, kinds: m.size, total };
  }

  /** Every distinct warning or error, most frequent first. */
  all(): { fn: string; text: string; count: number }[] {
    const out: { fn: string; text: string; count: number }[] = [];
    for (const [fn, m] of this.byFn) for (const [text, t] of m) out.push({ fn, text, count: t.count });
    return out.sort((a, b) => b.count - a.count);
  }
}

/** JSON of log extras; an Error becomes its message, a cycle or BigInt never throws. */
function safeJson(v: Record<string, unknown>): string {
  const seen = new WeakSet<object>();
  return JSON.stringify(v, (_k, x: unknown) => {
    if (x instanceof Error) return x.message;
    if (typeof x === 'bigint') return x.toString();
    if (x && typeof x === 'object') {
      if (seen.has(x)) return '[cycle]';
      seen.add(x);
    }
    return x;
  });
}

export type { LogRecord };
export { FunctionLogs };
