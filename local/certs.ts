/**
 * Throwaway TLS material for the local syslog receiver: a fresh CA and a `localhost` / 127.0.0.1
 * server certificate made with the OpenSSL CLI into the run's own folder. Without OpenSSL the
 * committed TEST-ONLY certificates in test/fixtures/tls are used (and the summary says so).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { toError } from '../shared/errors.js';

interface TlsMaterial {
  readonly ca: string;
  readonly key: string;
  readonly cert: string;
  readonly source: 'generated' | 'test-fixtures';
  readonly caPath: string;
}

function fixtures(): TlsMaterial {
  const dir = new URL('../test/fixtures/tls/', import.meta.url);
  const caPath = new URL('ca.pem', dir).pathname;
  return {
    ca: readFileSync(caPath, 'utf8'),
    key: readFileSync(new URL('server.key', dir), 'utf8'),
    cert: readFileSync(new URL('server.pem', dir), 'utf8'),
    source: 'test-fixtures',
    caPath,
  };
}

function throwawayTls(dir: string, log: (s: string) => void = () => undefined): TlsMaterial {
  mkdirSync(dir, { recursive: true });
  const p = (f: string) => join(dir, f);
  const run = (args: string[]) =>
    execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'], timeout: 20_000 });
  try {
    run([
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-sha256',
      '-days',
      '2',
      '-subj',
      '/CN=segura-relay local CA',
      '-keyout',
      p('ca.key'),
      '-out',
      p('ca.pem'),
    ]);
    run([
      'req',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-sha256',
      '-subj',
      '/CN=localhost',
      '-keyout',
      p('server.key'),
      '-out',
      p('server.csr'),
    ]);
    writeFileSync(
      p('ext.cnf'),
      'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n',
    );
    run([
      'x509',
      '-req',
      '-in',
      p('server.csr'),
      '-CA',
      p('ca.pem'),
      '-CAkey',
      p('ca.key'),
      '-CAcreateserial',
      '-days',
      '2',
      '-sha256',
      '-extfile',
      p('ext.cnf'),
      '-out',
      p('server.pem'),
    ]);
    return {
      ca: readFileSync(p('ca.pem'), 'utf8'),
      key: readFileSync(p('server.key'), 'utf8'),
      cert: readFileSync(p('server.pem'), 'utf8'),
      source: 'generated',
      caPath: p('ca.pem'),
    };
  } catch (e) {
    log(
      `openssl unavailable (${toError(e).message.split('\n')[0]}); using the TEST-ONLY certificates in test/fixtures/tls`,
    );
    return fixtures();
  }
}

export type { TlsMaterial };
export { fixtures as fixtureTls, throwawayTls };
