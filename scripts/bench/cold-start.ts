/**
 * Cold start per function: bundle size (the deployed artifact: esbuild, ESM, minified, SDK
 * included) and init time, measured by importing the bundle in a fresh Node process (module
 * evaluation + config validation + client construction, as in Lambda's INIT phase), several runs,
 * median. Lambda adds its own runtime start on top of this.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

interface ColdStart {
  name: string;
  bundleKb: number;
  initMsMedian: number;
  initMsRuns: number[];
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

function benchColdStart(runs = 7): ColdStart[] {
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
  const out: ColdStart[] = [];
  for (const name of readdirSync('dist/functions').sort()) {
    const file = `dist/functions/${name}/index.mjs`;
    if (!existsSync(file)) continue;
    const env = {
      PATH: process.env.PATH ?? '',
      AWS_REGION: 'us-east-1',
      AWS_LAMBDA_FUNCTION_NAME: name,
      POWERTOOLS_LOG_LEVEL: 'ERROR',
      ...(ENVS[name] ?? {}),
    };
    const code = `const t0 = performance.now(); await import(${JSON.stringify(pathToFileURL(file).href)}); process.stdout.write(String(performance.now() - t0));`;
    const times: number[] = [];
    for (let i = 0; i < runs; i++) {
      const r = spawnSync(process.execPath, ['--input-type=module', '-e', code], {
        env,
        encoding: 'utf8',
        timeout: 30_000,
      });
      if (r.status !== 0) throw new Error(`${name}: init failed: ${r.stderr.slice(0, 600)}`);
      times.push(Number(r.stdout));
    }
    out.push({
      name,
      bundleKb: Math.round(statSync(file).size / 1024),
      initMsMedian: Number(median(times).toFixed(1)),
      initMsRuns: times.map((t) => Number(t.toFixed(1))),
    });
  }
  return out;
}

export type { ColdStart };
export { benchColdStart };
