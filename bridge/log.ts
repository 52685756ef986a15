/**
 * JSON-lines logging for the operator tools: one object per line on stderr, counts and codes only,
 * never a message's content (they are security events). Repetitive warnings go through a
 * {@link RateLimitedLog} so a flood of oversize datagrams cannot flood the journal too.
 *
 * @example
 * ```ts
 * const log = jsonLineLogger(process.stderr);
 * log('warn', 'SQS unavailable: spooling to disk', { error: 'ECONNREFUSED' });
 * // {"time":"2026-01-19T13:41:00.000Z","level":"warn","msg":"SQS unavailable: spooling to disk","error":"ECONNREFUSED"}
 * ```
 */

type LogLevel = 'debug' | 'info' | 'warn' | 'error';
type ToolLog = (level: LogLevel, msg: string, fields?: Record<string, unknown>) => void;

/** A logger writing one JSON object per line to `out`. */
function jsonLineLogger(out: NodeJS.WritableStream, minLevel: LogLevel = 'info'): ToolLog {
  const order: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };
  return (level, msg, fields) => {
    if (order[level] < order[minLevel]) return;
    out.write(`${JSON.stringify({ time: new Date().toISOString(), level, msg, ...fields })}\n`);
  };
}

/**
 * Logs the first occurrence of each key at once, then at most one line per `intervalMs` carrying
 * how many occurrences were folded into it (`suppressed`).
 */
class RateLimitedLog {
  readonly #log: ToolLog;
  readonly #intervalMs: number;
  readonly #state = new Map<string, { last: number; suppressed: number }>();

  constructor(log: ToolLog, intervalMs = 10_000) {
    this.#log = log;
    this.#intervalMs = intervalMs;
  }

  log(key: string, msg: string, level: LogLevel, fields?: Record<string, unknown>, now = Date.now()): void {
    const s = this.#state.get(key);
    if (s !== undefined && now - s.last < this.#intervalMs) {
      s.suppressed++;
      return;
    }
    const suppressed = s?.suppressed ?? 0;
    this.#state.set(key, { last: now, suppressed: 0 });
    this.#log(level, msg, suppressed > 0 ? { ...fields, suppressed } : fields);
  }
}

export type { LogLevel, ToolLog };
export { jsonLineLogger, RateLimitedLog };
