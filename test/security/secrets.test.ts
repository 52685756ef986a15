/**
 * Secret-looking fields never reach SIEM output (unless the deployment allows them), and no
 * field value ever reaches the logs: through the whole local pipeline, with every log line and
 * metric captured.
 */
import { spawnSync } from 'node:child_process';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { LocalRelay } from '../../local/relay.js';
import { redactSecretFields } from '../../shared/model/secrets.js';
import { type Captured, captureStdout } from '../helpers/capture.js';

const SECRETS = [
  'Hunter2-Sup3r!',
  'AKIAIOSFODNN7EXAMPLE',
  'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl',
  'senha-do-cofre-42',
  // typed on a command line (issue 18): redacted inside the value, the command kept
  'Cmd-Pa55-w0rd',
];
const PEM =
  '-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAxyz0123456789abcdefghijklmnopq\n-----END RSA PRIVATE KEY-----';

function leaky(i: number): string {
  return JSON.stringify({
    id: '2',
    timestamp: '2026-01-19T10:41:00.123-03:00',
    host: 'vault-01',
    pid: 1426,
    fields: {
      msg: `password rotated for root (${i})`,
      suser: 'jsilva',
      password: SECRETS[0],
      apiKey: SECRETS[1],
      cs1Label: 'Session Token',
      cs1: SECRETS[2],
      senha: SECRETS[3],
      cs2Label: 'Key material',
      cs2: PEM,
      keyName: 'master-key-2026',
      cs3Label: 'Command',
      cs3: `mysql -uroot -p${SECRETS[4]} -e 'select 1'`,
    },
  });
}

let relay: LocalRelay | null = null;
let cap: Captured | null = null;
afterEach(async () => {
  cap?.restore();
  cap = null;
  await relay?.stop();
  relay = null;
});

beforeAll(() => {
  expect(spawnSync(process.execPath, ['scripts/build-cli.mjs']).status).toBe(0);
});

describe('secrets', () => {
  it('the redaction rule: secret keys and labels, private keys; identifiers such as keyName stay', () => {
    const out = redactSecretFields(JSON.parse(leaky(0)).fields);
    expect(out).toMatchObject({
      password: '[redacted]',
      apiKey: '[redacted]',
      cs1: '[redacted]',
      senha: '[redacted]',
      cs2: '[redacted]',
      keyName: 'master-key-2026',
      suser: 'jsilva',
      cs1Label: 'Session Token',
      cs3: "mysql -uroot -p[redacted] -e 'select 1'",
    });
  });

  it('never reach a SIEM or a log line through the whole pipeline', async () => {
    cap = captureStdout();
    relay = await LocalRelay.start({ timeoutMs: 3_000, visibilityTimeoutSec: 1 });
    // a broken variant too, so the DLQ-parking log path is exercised as well
    const input = [...Array.from({ length: 20 }, (_, i) => leaky(i)), leaky(99).replace('"id":"2"', '"id":2')];
    await relay.send(input);
    expect(await relay.drain(20_000)).toBe(true);
    const outputs = relay.destinations.flatMap((d) => d.received() ?? []);
    expect(outputs.length).toBe(40);
    const logs = cap.lines().join('\n');
    expect(logs.length).toBeGreaterThan(0);
    for (const s of [...SECRETS, 'PRIVATE KEY']) {
      for (const o of outputs) expect(o).not.toContain(s);
      expect(logs).not.toContain(s);
    }
    // what the SIEM gets instead says so, and the rest of the event is intact
    expect(outputs[0]).toContain('[redacted]');
    expect(outputs.every((o) => o.includes('master-key-2026'))).toBe(true);
  });

  it('the CLI redacts by default and keeps them with --allow-secret-fields', () => {
    const run = (args: string[]) =>
      spawnSync(process.execPath, ['bin/segura-relay.mjs', 'render', '--format', 'cef', ...args], {
        input: `${leaky(1)}\n`,
        encoding: 'utf8',
      });
    const redacted = run([]);
    expect(redacted.status).toBe(0);
    for (const s of SECRETS) expect(redacted.stdout).not.toContain(s);
    const allowed = run(['--allow-secret-fields']);
    expect(allowed.stdout).toContain(SECRETS[0]);
  });
});
