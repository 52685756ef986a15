/**
 * Cold start per function: bundle size (the deployed artifact, built with the stack's esbuild
 * options by scripts/bundle-functions.mjs: ESM, minified, SDK included) and init time, measured by
 * importing the bundle in a fresh Node process with the deployed NODE_OPTIONS (module evaluation +
 * config validation + client construction, as in Lambda's INIT phase), several runs, median. Wall
 * time and the process's CPU time over the import are both reported: on a busy machine the wall
 * time mostly measures the other processes, the CPU time the function's own work. Lambda adds its
 * own runtime start on top of this. Each run is paired with one without `--enable-source-maps`
 * (alternating, so both see the same machine): the deployed functions read their source map at
 * load, and the pair shows what that costs.
 */
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { startSecretsManagerDouble } from '../../local/secrets-manager-double.js';

interface ColdStart {
  name: string;
  bundleKb: number;
  initMsMedian: number;
  initMsRuns: number[];
  /** CPU time (user + system) of the child over the import, median */
  initCpuMsMedian: number;
  /** the same import without --enable-source-maps, run alternately with the runs above */
  noMapInitMsMedian: number;
  noMapInitCpuMsMedian: number;
}

const DLQ = 'https://sqs.us-east-1.amazonaws.com/111122223333/bench-dlq';
const ENVS: Record<string, Record<string, string>> = {
  normalize: { EVENTS_TOPIC_ARN: 'arn:aws:sns:us-east-1:111122223333:segura-events', DEAD_LETTER_QUEUE_URL: DLQ },
  'deliver-firehose': {
    DEAD_LETTER_QUEUE_URL: DLQ,
    DESTINATION: JSON.stringify({
      name: 'archive',
      deliveryStreamName: 'segura-archive',
      format: 'cef',
      aggregate: true,
    }),
  },
  'deliver-syslog': {
    DEAD_LETTER_QUEUE_URL: DLQ,
    DESTINATION: JSON.stringify({
      name: 'siem',
      transport: 'tls',
      host: 'collector.example.com',
      port: 6514,
      format: 'rfc5424',
    }),
  },
  'evaluate-alerts': {
    DEAD_LETTER_QUEUE_URL: DLQ,
    THROTTLE_TABLE_NAME: 'segura-alert-throttle',
    ALERT_TOPIC_ARNS: JSON.stringify(
      Object.fromEntries(
        ['sms', 'email', 'chat', 'ticket'].map((c) => [c, `arn:aws:sns:us-east-1:111122223333:segura-alerts-${c}`]),
      ),
    ),
    ALERT_RULES_FILE: 'dist/functions/evaluate-alerts/alert-rules.json',
  },
};

const median = (a: number[]): number => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)] as number;

/** Run `code` in a fresh Node process; its stdout, or the failure. */
function child(
  code: string,
  env: NodeJS.ProcessEnv,
): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, ['--input-type=module', '-e', code], { env, timeout: 30_000 });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    p.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    p.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

async function benchColdStart(runs = 7): Promise<ColdStart[]> {
  execFileSync(process.execPath, ['scripts/bundle-functions.mjs'], { stdio: 'ignore' });
  // evaluate-alerts reads its rules as validated JSON, written next to the bundle as the stack does
  execFileSync(
    process.execPath,
    [
      '--import',
      'tsx',
      'cli/entry.ts',
      'alerts',
      'validate',
      '--rules',
      'alerts/default-rules.yaml',
      '--out',
      'dist/functions/evaluate-alerts/alert-rules.json',
    ],
    { stdio: 'ignore' },
  );
  // evaluate-alerts reads its identity key from Secrets Manager at INIT: the protocol double serves it
  // (INIT then includes one GetSecretValue round trip on loopback)
  const secrets = await startSecretsManagerDouble();
  const secretArn = secrets.put('segura-relay/alert-id-key', randomBytes(48).toString('base64url'));
  // normalize reads the stable event-id key the same way (functions/normalize/event-id-key.ts)
  const eventIdArn = secrets.put('segura-relay/event-id-key', randomBytes(48).toString('base64url'));
  const secretsEnv = {
    AWS_ENDPOINT_URL_SECRETS_MANAGER: secrets.endpoint,
    AWS_ACCESS_KEY_ID: 'AKIDBENCHCOLDSTART',
    AWS_SECRET_ACCESS_KEY: 'bench',
  };
  const extra: Record<string, Record<string, string>> = {
    'evaluate-alerts': { ALERT_ID_KEY_SECRET_ARN: secretArn, ...secretsEnv },
    normalize: { EVENT_ID_KEY_SECRET_ARN: eventIdArn, ...secretsEnv },
  };
  const out: ColdStart[] = [];
  try {
    for (const name of readdirSync('dist/functions').sort()) {
      const file = `dist/functions/${name}/index.mjs`;
      if (!existsSync(file)) continue;
      const env = {
        PATH: process.env.PATH ?? '',
        AWS_REGION: 'us-east-1',
        AWS_LAMBDA_FUNCTION_NAME: name,
        POWERTOOLS_LOG_LEVEL: 'ERROR',
        // as the stack sets it (infra/constructs/relay-function.ts): stack traces map to the sources
        NODE_OPTIONS: '--enable-source-maps --no-warnings',
        ...(ENVS[name] ?? {}),
        ...(extra[name] ?? {}),
      };
      const noMapEnv = { ...env, NODE_OPTIONS: env.NODE_OPTIONS.replace('--enable-source-maps', '').trim() };
      const code = `const c0 = process.cpuUsage(); const t0 = performance.now(); await import(${JSON.stringify(pathToFileURL(file).href)}); const c = process.cpuUsage(c0); process.stdout.write(JSON.stringify([performance.now() - t0, (c.user + c.system) / 1000]));`;
      const times: number[] = [];
      const cpu: number[] = [];
      const noMapTimes: number[] = [];
      const noMapCpu: number[] = [];
      const once = async (e: NodeJS.ProcessEnv, wall: number[], cpus: number[]) => {
        const r = await child(code, e);
        if (r.status !== 0) throw new Error(`${name}: init failed: ${r.stderr.slice(0, 600)}`);
        const [wallMs, cpuMs] = JSON.parse(r.stdout) as [number, number];
        wall.push(wallMs);
        cpus.push(cpuMs);
      };
      for (let i = 0; i < runs; i++) {
        await once(env, times, cpu);
        await once(noMapEnv, noMapTimes, noMapCpu);
      }
      out.push({
        name,
        bundleKb: Math.round(statSync(file).size / 1024),
        initMsMedian: Number(median(times).toFixed(1)),
        initMsRuns: times.map((t) => Number(t.toFixed(1))),
        initCpuMsMedian: Number(median(cpu).toFixed(1)),
        noMapInitMsMedian: Number(median(noMapTimes).toFixed(1)),
        noMapInitCpuMsMedian: Number(median(noMapCpu).toFixed(1)),
      });
    }
  } finally {
    await secrets.stop();
  }
  return out;
}

export type { ColdStart };
export { benchColdStart };
