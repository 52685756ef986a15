/**
 * Handler throughput per destination for one 10,000-record batch: deliver-firehose into the
 * Firehose double (aggregated S3-style records) and deliver-syslog to loopback receivers over TLS,
 * plain TCP, RELP and RELP over TLS (the RELP receiver double answers every message), each function
 * in its own process. Events/s, CPU ms per 1,000 events, peak RSS.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { startFirehoseDouble } from '../../local/firehose-double.js';
import { startRelpReceiver } from '../../local/relp-receiver.js';
import { startSyslogReceiver } from '../../local/syslog-receiver.js';

interface HandlerRun {
  kind: string;
  events: number;
  failed: number;
  wallMs: number;
  cpuMs: number;
  rssBeforeMb: number;
  peakRssMb: number;
}

function child(args: string[]): Promise<HandlerRun> {
  return new Promise((resolve, reject) => {
    const p = spawn(
      process.execPath,
      ['--import', 'tsx', fileURLToPath(new URL('./handler-child.ts', import.meta.url)), ...args],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
        env: {
          ...process.env,
          POWERTOOLS_LOG_LEVEL: 'ERROR',
          POWERTOOLS_METRICS_DISABLED: 'true',
          AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
        },
      },
    );
    let out = '';
    let err = '';
    p.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    p.stderr.on('data', (d: Buffer) => {
      err += d.toString();
    });
    p.on('error', reject);
    p.on('close', (code) => {
      const line = out.trim().split('\n').pop() ?? '';
      if (code !== 0 || !line.startsWith('{'))
        reject(new Error(`handler bench ${args[0]} exited ${code}: ${err.slice(-800)}`));
      else resolve(JSON.parse(line) as HandlerRun);
    });
  });
}

const fixtures = new URL('../../test/fixtures/tls/', import.meta.url);

async function benchHandlers(count = 10_000): Promise<HandlerRun[]> {
  const fh = await startFirehoseDouble({ streams: ['bench'] });
  const tls = {
    key: readFileSync(new URL('server.key', fixtures)),
    cert: readFileSync(new URL('server.pem', fixtures)),
  };
  const ca = fileURLToPath(new URL('ca.pem', fixtures));
  const receivers = {
    tls: await startSyslogReceiver({ transport: 'tls', tls }),
    tcp: await startSyslogReceiver({ transport: 'tcp' }),
    relp: await startRelpReceiver(),
    'relp+tls': await startRelpReceiver({ tls }),
  } as const;
  try {
    const firehose = await child(['firehose', String(count), fh.endpoint]);
    // what arrived: every event of the measured batch plus the 200-event warm-up
    if (fh.lines('bench').length !== count + 200)
      throw new Error(`firehose double got ${fh.lines('bench').length} lines`);
    const runs = [firehose];
    for (const [transport, rx] of Object.entries(receivers)) {
      runs.push(await child(['syslog', String(count), String(rx.port), ca, transport]));
      await rx.waitFor(count + 200, 10_000);
    }
    return runs;
  } finally {
    for (const rx of Object.values(receivers)) await rx.stop();
    await fh.stop();
  }
}

export type { HandlerRun };
export { benchHandlers };
