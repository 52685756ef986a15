/**
 * Shared helpers for the loopback syslog integration tests: TEST-ONLY certificates, item factories,
 * a recording logger and small bounded waits. Every socket in these tests binds 127.0.0.1.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type SyslogReceiver, startSyslogReceiver } from '../../../local/syslog-receiver.js';
import type { DeliveryLogger, OutboundItem } from '../../../shared/deliver/sink.js';
import { createSyslogSink, type SyslogSink, type SyslogSinkConfig } from '../../../shared/deliver/syslog/index.js';

const FIXTURES = fileURLToPath(new URL('../../fixtures/tls/', import.meta.url));

/** TEST-ONLY PEM material from test/fixtures/tls (see its README). */
const certs = {
  ca: readFileSync(`${FIXTURES}ca.pem`, 'utf8'),
  otherCa: readFileSync(`${FIXTURES}other-ca.pem`, 'utf8'),
  server: { key: readFileSync(`${FIXTURES}server.key`, 'utf8'), cert: readFileSync(`${FIXTURES}server.pem`, 'utf8') },
  wrongHost: {
    key: readFileSync(`${FIXTURES}wronghost.key`, 'utf8'),
    cert: readFileSync(`${FIXTURES}wronghost.pem`, 'utf8'),
  },
} as const;

/**
 * `count` items `<prefix>-<i>`; payloads carry the id, non-ASCII text (byte vs char counting) and
 * optional padding up to roughly `size` bytes.
 */
function makeItems(count: number, prefix = 'm', size = 0): OutboundItem[] {
  const pad = size > 0 ? ` ${'x'.repeat(size)}` : '';
  return Array.from({ length: count }, (_, i) => ({
    id: `${prefix}-${i}`,
    payload: `<134>1 2026-01-01T00:00:00.000Z vault segura - ${prefix}-${i} - José 😀 #${i}${pad}`,
  }));
}

interface LogEntry {
  readonly level: 'info' | 'warn' | 'error';
  readonly message: string;
  readonly extra: Record<string, unknown> | undefined;
}

/** A logger that records entries, so tests can assert on what was logged and the console stays quiet. */
function recordingLogger(): { logger: DeliveryLogger; entries: LogEntry[] } {
  const entries: LogEntry[] = [];
  const at =
    (level: LogEntry['level']) =>
    (message: string, extra?: Record<string, unknown>): void => {
      entries.push({ level, message, extra });
    };
  return { logger: { info: at('info'), warn: at('warn'), error: at('error') }, entries };
}

/** A deadline `ms` from now. */
function deadlineIn(ms: number): { deadlineMs: number } {
  return { deadlineMs: Date.now() + ms };
}

/** A TLS receiver with the TEST-ONLY server certificate. */
function startTlsReceiver(options: Partial<Parameters<typeof startSyslogReceiver>[0]> = {}): Promise<SyslogReceiver> {
  return startSyslogReceiver({ transport: 'tls', tls: certs.server, ...options });
}

/**
 * A TLS syslog sink to a loopback receiver, verifying its TEST-ONLY certificate against the test
 * CA, with a quiet recording logger unless `overrides` gives one.
 */
function tlsSinkTo(port: number, overrides: Partial<SyslogSinkConfig> = {}): SyslogSink {
  return createSyslogSink({
    name: 'siem',
    transport: 'tls',
    host: '127.0.0.1',
    port,
    ca: certs.ca,
    logger: recordingLogger().logger,
    ...overrides,
  });
}

/** How many payloads arrived more than once (at-least-once duplicates). */
function countDuplicates(messages: readonly string[]): number {
  return messages.length - new Set(messages).size;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Poll `predicate` every 10 ms; reject after `timeoutMs` (bounded in time and iterations). */
async function waitUntil(predicate: () => boolean, timeoutMs: number, what = 'condition'): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (let i = 0; i < Math.ceil(timeoutMs / 10) + 1; i++) {
    if (predicate()) return;
    if (Date.now() >= until) break;
    await sleep(10);
  }
  if (!predicate()) throw new Error(`waitUntil: ${what} not met within ${timeoutMs} ms`);
}

/** Resolve once the receiver holds every payload of `items` at least once. */
function waitForAll(receiver: SyslogReceiver, items: readonly OutboundItem[], timeoutMs: number): Promise<void> {
  return waitUntil(
    () => {
      const have = new Set(receiver.messages);
      return items.every((i) => have.has(i.payload));
    },
    timeoutMs,
    `all ${items.length} payloads at the receiver`,
  );
}

export type { LogEntry };
export {
  certs,
  countDuplicates,
  deadlineIn,
  makeItems,
  recordingLogger,
  sleep,
  startTlsReceiver,
  tlsSinkTo,
  waitForAll,
  waitUntil,
};
