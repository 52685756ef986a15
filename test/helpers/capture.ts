/**
 * Capture what the functions print (Powertools JSON logs and EMF metrics) so tests
 * can assert that failures are loud: a log line and a metric.
 */
import { vi } from 'vitest';

interface Captured {
  readonly lines: () => string[];
  readonly json: () => Array<Record<string, unknown>>;
  /** sum of an EMF metric across captured documents (optionally for one Destination dimension) */
  readonly metric: (name: string, destination?: string) => number;
  readonly restore: () => void;
}

function captureStdout(): Captured {
  const buf: string[] = [];
  const sink = (chunk: string | Uint8Array) => {
    buf.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
    return true;
  };
  // Powertools writes INFO and EMF to stdout, WARN and ERROR to stderr
  const out = vi.spyOn(process.stdout, 'write').mockImplementation(sink);
  const err = vi.spyOn(process.stderr, 'write').mockImplementation(sink);
  const lines = () =>
    buf
      .join('')
      .split('\n')
      .filter((l) => l.trim() !== '');
  const json = () =>
    lines()
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  const metric = (name: string, destination?: string) => {
    let sum = 0;
    for (const d of json()) {
      if (!('_aws' in d) || typeof d[name] !== 'number') continue;
      if (destination !== undefined && d.Destination !== destination) continue;
      sum += d[name] as number;
    }
    return sum;
  };
  return {
    lines,
    json,
    metric,
    restore: () => {
      out.mockRestore();
      err.mockRestore();
    },
  };
}

export type { Captured };
export { captureStdout };
