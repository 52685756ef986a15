/**
 * The deployed artifacts themselves: each function bundled with the esbuild options the stack
 * bundles it with (scripts/function-bundle.mjs, used by scripts/bundle-functions.mjs and mapped onto
 * NodejsFunction by infra/constructs/relay-function.ts: ESM, minified, the credential-provider and
 * event-stream aliases), loaded in a fresh Node process and invoked with a real SQS batch against
 * loopback destinations. Proves the aliases leave the shipped code working.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { OutputFormat, SourceMapMode } from 'aws-cdk-lib/aws-lambda-nodejs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cdkBundling } from '../../infra/constructs/relay-function.js';
import { startFirehoseDouble } from '../../local/firehose-double.js';
import { sampleEvents } from '../../local/sample-events.js';
import { startSyslogReceiver } from '../../local/syslog-receiver.js';
import { FUNCTION_ALIASES, functionBundleOptions, REQUIRE_BANNER } from '../../scripts/function-bundle.mjs';
import { CATALOG_EVENTS, LAYOUTS } from '../../shared/model/catalog-docs.js';
import { toWire } from '../../shared/model/wire.js';
import { parseInput } from '../../shared/parse/parse-payload.js';
import { envFor, snsPublished, startEmulators, writeRules } from './alerts/harness.js';

const tls = new URL('../fixtures/tls/', import.meta.url);
const DLQ = 'https://sqs.us-east-1.amazonaws.com/111122223333/bundle-dlq';
const records = [...sampleEvents(25, 5)].map((e, i) => ({
  messageId: `m-${i}`,
  receiptHandle: `r-${i}`,
  body: toWire(parseInput(JSON.stringify(e))),
  attributes: {
    ApproximateReceiveCount: '1',
    SentTimestamp: '1768830060123',
    SenderId: 't',
    ApproximateFirstReceiveTimestamp: '1768830060123',
  },
  messageAttributes: {},
  md5OfBody: '',
  eventSource: 'aws:sqs',
  eventSourceARN: 'arn:aws:sqs:us-east-1:111122223333:q',
  awsRegion: 'us-east-1',
}));

beforeAll(() => {
  const r = spawnSync(process.execPath, ['scripts/bundle-functions.mjs'], { encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
}, 120_000);

/** Invoke dist/functions/<name>/index.mjs once in a fresh process; resolves with its response. */
function invokeBundle(
  name: string,
  env: Record<string, string>,
  event?: unknown,
): Promise<{ batchItemFailures: unknown[] }> {
  const file = pathToFileURL(`dist/functions/${name}/index.mjs`).href;
  const code = `
    const { handler } = await import(${JSON.stringify(file)});
    const ctx = { functionName: '${name}', functionVersion: '1', invokedFunctionArn: 'arn:aws:lambda:us-east-1:111122223333:function:${name}',
      memoryLimitInMB: '512', awsRequestId: 'req-1', logGroupName: 'g', logStreamName: 's', callbackWaitsForEmptyEventLoop: false,
      getRemainingTimeInMillis: () => 30000 };
    const res = await handler(process.env.EVENT ? JSON.parse(process.env.EVENT) : { Records: JSON.parse(process.env.RECORDS) }, ctx);
    process.stdout.write('RESULT ' + JSON.stringify(res) + '\\n');
    process.exit(0);`;
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ['--input-type=module', '-e', code], {
      env: {
        PATH: process.env.PATH ?? '',
        AWS_REGION: 'us-east-1',
        // Lambda puts the role's credentials in the environment; the bundle reads them from there
        AWS_ACCESS_KEY_ID: 'AKIDBUNDLETEST',
        AWS_SECRET_ACCESS_KEY: 'bundle-test',
        AWS_SESSION_TOKEN: 'bundle-test',
        POWERTOOLS_LOG_LEVEL: 'ERROR',
        POWERTOOLS_METRICS_DISABLED: 'true',
        RECORDS: JSON.stringify(records),
        ...(event === undefined ? {} : { EVENT: JSON.stringify(event) }),
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    p.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    p.stderr.on('data', (d: Buffer) => {
      err += d.toString();
    });
    p.on('error', reject);
    p.on('close', (status) => {
      const line = out.split('\n').find((l) => l.startsWith('RESULT '));
      if (status !== 0 || !line) reject(new Error(`${name} bundle exited ${status}: ${err.slice(-1000)}`));
      else resolve(JSON.parse(line.slice(7)));
    });
  });
}

describe('one set of esbuild options for the stack and the bundles tested here', () => {
  it('the stack maps every shared option onto NodejsFunction', () => {
    const o = functionBundleOptions('node24');
    const b = cdkBundling(o);
    expect(b.format).toBe(OutputFormat.ESM);
    expect(b.target).toBe('node24');
    expect(b.minify).toBe(o.minify);
    expect(b.sourceMap).toBe(o.sourcemap);
    expect(b.sourceMapMode).toBe(SourceMapMode.DEFAULT);
    expect(b.sourcesContent).toBe(o.sourcesContent);
    expect(b.mainFields).toEqual(o.mainFields);
    expect(b.banner).toBe(REQUIRE_BANNER);
    expect(b.externalModules).toEqual([]);
    expect(b.esbuildArgs).toEqual({
      '--legal-comments': 'none',
      '--alias': Object.entries(FUNCTION_ALIASES).map(([from, to]) => `${from}=${to}`),
    });
  });

  it('an option the stack cannot map fails synth instead of being left out', () => {
    const o = { ...functionBundleOptions('node24'), drop: ['debugger'] };
    expect(() => cdkBundling(o)).toThrow(/without a NodejsFunction mapping: drop/);
  });

  it('the bundles under test were built with those options', () => {
    const e1 = CATALOG_EVENTS.find((e) => e.id === '1');
    expect(e1?.name.pt).toBe('Senha visualizada');
    for (const name of ['normalize', 'deliver-firehose', 'deliver-syslog', 'evaluate-alerts']) {
      const code = readFileSync(`dist/functions/${name}/index.mjs`, 'utf8');
      expect(code.startsWith(REQUIRE_BANNER)).toBe(true);
      expect(code.trimEnd().endsWith('//# sourceMappingURL=index.mjs.map')).toBe(true);
      expect(existsSync(`dist/functions/${name}/index.mjs.map`)).toBe(true);
      // the functions read the run-time catalog only: no description, Portuguese text or key table
      // (shared/model/catalog.ts; the whole catalog is catalog-docs.ts, for the CLI and docs)
      for (const docsOnly of [e1?.description.en, e1?.name.pt, LAYOUTS[0]?.keys[0]?.description])
        expect(code.includes(docsOnly as string), `${name}: ${docsOnly}`).toBe(false);
      // the alias replaced the SDK's default credential chain (its SSO and container providers)
      expect(code).not.toMatch(/\bSSOOIDC|AWS_CONTAINER_CREDENTIALS_FULL_URI/);
    }
  });
});

describe('the bundled functions, as deployed', () => {
  const lines = records.map((r) => r.body);
  let stopAll: Array<() => Promise<void>> = [];
  afterAll(async () => {
    for (const s of stopAll) await s();
    stopAll = [];
  });

  it('deliver-firehose delivers a batch to the Firehose double', async () => {
    const fh = await startFirehoseDouble({ streams: ['bundle'] });
    stopAll.push(() => fh.stop());
    const res = await invokeBundle('deliver-firehose', {
      DEAD_LETTER_QUEUE_URL: DLQ,
      AWS_ENDPOINT_URL_FIREHOSE: fh.endpoint,
      DESTINATION: JSON.stringify({ name: 'archive', deliveryStreamName: 'bundle', format: 'cef', aggregate: true }),
    });
    expect(res.batchItemFailures).toEqual([]);
    expect(fh.lines('bundle')).toHaveLength(lines.length);
    expect(fh.lines('bundle').every((l) => l.startsWith('CEF:0|MT4|Segura|'))).toBe(true);
  });

  it('deliver-syslog delivers a batch over verified TLS, the CA read from a bundled file', async () => {
    const rx = await startSyslogReceiver({
      transport: 'tls',
      tls: { key: readFileSync(new URL('server.key', tls)), cert: readFileSync(new URL('server.pem', tls)) },
    });
    stopAll.push(() => rx.stop());
    const res = await invokeBundle('deliver-syslog', {
      DEAD_LETTER_QUEUE_URL: DLQ,
      DESTINATION: JSON.stringify({
        name: 'collector',
        transport: 'tls',
        host: 'localhost',
        port: rx.port,
        format: 'rfc5424',
        ca: { file: new URL('ca.pem', tls).pathname },
      }),
    });
    expect(res.batchItemFailures).toEqual([]);
    await rx.waitFor(lines.length, 5_000);
    expect(rx.messages).toHaveLength(lines.length);
    expect(rx.messages.every((m) => /^<\d+>1 /.test(m))).toBe(true);
  });

  it('evaluate-alerts reads its key from Secrets Manager at INIT, matches with RE2, publishes, and sweeps', async () => {
    const emu = await startEmulators();
    stopAll.push(() => emu.stop());
    const rulesFile = writeRules(emu, {
      version: 1,
      rules: [
        {
          id: 'backup-error',
          name: 'Password backup failed',
          match: { eventIds: ['19'], fields: { msg: { regex: '(a|aa)+$|fail', ignoreCase: true } } },
          channels: ['sms', 'email'],
        },
      ],
    });
    const env = envFor(emu, rulesFile) as Record<string, string>;
    const backup = parseInput(
      JSON.stringify({
        id: '19',
        timestamp: '2026-01-19T10:41:00-03:00',
        host: 'vault-01',
        fields: { msg: 'Backup FAILED' },
      }),
    );
    const before = emu.secrets.calls;
    const res = await invokeBundle('evaluate-alerts', env, { Records: [{ ...records[0], body: toWire(backup) }] });
    expect(res.batchItemFailures).toEqual([]);
    expect(emu.secrets.calls).toBe(before + 1);
    expect(snsPublished(emu).map((m) => m.topicArn)).toEqual([emu.topics.sms, emu.topics.email]);
    const sweep = await invokeBundle('evaluate-alerts', env, {
      version: '0',
      id: 'tick',
      'detail-type': 'Scheduled Event',
      source: 'aws.events',
      account: '111122223333',
      time: new Date().toISOString(),
      region: 'us-east-1',
      resources: [],
      detail: {},
    });
    expect(sweep).toEqual({ summariesSent: 0, summariesRetry: 0 });
  });
});
