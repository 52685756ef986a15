/**
 * The syslog sink refuses to speak to a collector that offers only an obsolete TLS version, or
 * presents a certificate for another host, and then sends nothing: no event ever leaves in clear
 * or over a downgraded channel.
 */
import { readdirSync, readFileSync } from 'node:fs';
import tls from 'node:tls';
import { afterEach, describe, expect, it } from 'vitest';
import { createSyslogSink } from '../../shared/deliver/syslog/index.js';

const dir = new URL('../fixtures/tls/', import.meta.url);
const ca = readFileSync(new URL('ca.pem', dir), 'utf8');
const key = readFileSync(new URL('server.key', dir));
const cert = readFileSync(new URL('server.pem', dir));
const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };

let server: tls.Server | null = null;
afterEach(async () => {
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  server = null;
});

/** A TLS listener on 127.0.0.1 that counts handshakes and application bytes. */
async function listen(opts: tls.TlsOptions): Promise<{ port: number; stats: { secure: number; bytes: number } }> {
  const stats = { secure: 0, bytes: 0 };
  server = tls.createServer({ key, cert, ...opts }, (s) => {
    stats.secure++;
    s.on('data', (d: Buffer) => {
      stats.bytes += d.length;
    });
    s.on('error', () => s.destroy());
  });
  server.on('tlsClientError', () => undefined);
  await new Promise<void>((r) => server?.listen(0, '127.0.0.1', () => r()));
  const addr = server.address();
  if (addr === null || typeof addr === 'string') throw new Error('no port');
  return { port: addr.port, stats };
}

describe('TLS is verified and never downgraded', () => {
  it('a collector offering only TLS 1.0/1.1 is refused; nothing is sent', async () => {
    // OpenSSL 3 disables TLS < 1.2 at the default security level: lower it for this server only
    const { port, stats } = await listen({
      minVersion: 'TLSv1',
      maxVersion: 'TLSv1.1',
      ciphers: 'DEFAULT:@SECLEVEL=0',
    });
    const sink = createSyslogSink({
      name: 'old-tls',
      transport: 'tls',
      host: 'localhost',
      port,
      ca,
      connectTimeoutMs: 2_000,
      logger: quiet,
    });
    const r = await sink.send([{ id: 'a', payload: '<13>1 - h Segura - 1 - CEF:0|MT4|Segura|3|1|n|3|suser=x' }], {
      deadlineMs: Date.now() + 5_000,
    });
    await sink.close();
    expect(r.delivered).toEqual([]);
    expect(r.failed[0]?.retryable).toBe(true);
    expect(r.failed[0]?.error).toMatch(/protocol|version|handshake|alert/i);
    expect(stats.secure).toBe(0);
    expect(stats.bytes).toBe(0);
  });

  it('the same collector with TLS 1.2+ is accepted (the test above fails for the right reason)', async () => {
    const { port, stats } = await listen({});
    const sink = createSyslogSink({ name: 'modern-tls', transport: 'tls', host: 'localhost', port, ca, logger: quiet });
    const r = await sink.send([{ id: 'a', payload: '<13>1 - h Segura - 1 - x' }], { deadlineMs: Date.now() + 5_000 });
    await sink.close();
    expect(r.delivered).toEqual(['a']);
    expect(stats.secure).toBe(1);
  });

  it('a certificate for another host name is refused even when its CA is trusted', async () => {
    const { port, stats } = await listen({
      key: readFileSync(new URL('wronghost.key', dir)),
      cert: readFileSync(new URL('wronghost.pem', dir)),
    });
    const sink = createSyslogSink({ name: 'wrong-host', transport: 'tls', host: 'localhost', port, ca, logger: quiet });
    const r = await sink.send([{ id: 'a', payload: '<13>1 - h Segura - 1 - x' }], { deadlineMs: Date.now() + 5_000 });
    await sink.close();
    expect(r.delivered).toEqual([]);
    expect(r.failed[0]?.error).toMatch(/altname|host|certificate/i);
    expect(stats.bytes).toBe(0);
  });

  it('verification cannot be configured off: every rejectUnauthorized in the code is true', () => {
    const files = readdirSync(new URL('../../shared/', import.meta.url), { recursive: true, encoding: 'utf8' }).filter(
      (f) => f.endsWith('.ts'),
    );
    const uses = files.flatMap((f) =>
      [
        ...readFileSync(new URL(`../../shared/${f}`, import.meta.url), 'utf8').matchAll(
          /rejectUnauthorized\s*:\s*(\w+)/g,
        ),
      ].map((m) => `${f}: ${m[1]}`),
    );
    expect(uses.length).toBeGreaterThan(0);
    for (const u of uses) expect(u).toMatch(/: true$/);
  });
});
