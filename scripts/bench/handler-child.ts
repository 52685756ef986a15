/**
 * One delivery function, in its own process, handling one batch of N records (the SQS maximum
 * batch with a batching window is 10,000): prints wall time, CPU time and peak RSS as JSON.
 * Destinations (the Firehose double, a TLS receiver) run in the parent process, so the CPU measured
 * here is the function's alone.
 * argv: kind (firehose|syslog) count endpoint-or-port ca-file [syslog transport: tls|tcp|relp|relp+tls]
 */
import { readFileSync } from 'node:fs';
import type { SQSEvent } from 'aws-lambda';
import { createFirehoseHandler } from '../../functions/deliver-firehose/app.js';
import { createSyslogHandler } from '../../functions/deliver-syslog/app.js';
import { lambdaContext } from '../../local/poller.js';
import { sampleEvents } from '../../local/sample-events.js';
import { ENV } from '../../shared/contracts/index.js';
import { toWire } from '../../shared/model/wire.js';
import { parseInput } from '../../shared/parse/parse-payload.js';

const [kind, countArg, target, caFile, transportArg] = process.argv.slice(2);
const transport = transportArg ?? 'tls';
const tls = transport === 'tls' || transport === 'relp+tls';
const count = Number(countArg);
const records: SQSEvent['Records'] = [...sampleEvents(count, 11)].map((e, i) => ({
  messageId: `m-${i}`,
  receiptHandle: `r-${i}`,
  body: toWire(parseInput(JSON.stringify(e))),
  attributes: {
    ApproximateReceiveCount: '1',
    SentTimestamp: '1768830060123',
    SenderId: 'bench',
    ApproximateFirstReceiveTimestamp: '1768830060123',
  },
  messageAttributes: {},
  md5OfBody: '',
  eventSource: 'aws:sqs',
  eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:bench',
  awsRegion: 'us-east-1',
}));
const env: NodeJS.ProcessEnv = {
  AWS_REGION: 'us-east-1',
  [ENV.deadLetterQueueUrl]: 'https://sqs.us-east-1.amazonaws.com/000000000000/bench-dlq',
};
let handler: (e: SQSEvent, c: ReturnType<typeof lambdaContext>) => Promise<{ batchItemFailures: unknown[] }>;
if (kind === 'firehose') {
  env[ENV.firehoseEndpoint] = target;
  env[ENV.destination] = JSON.stringify({ name: 'bench', deliveryStreamName: 'bench', format: 'cef', aggregate: true });
  handler = createFirehoseHandler(env);
} else {
  env[ENV.destination] = JSON.stringify({
    name: 'bench',
    transport: transport.startsWith('relp') ? 'relp' : transport,
    ...(transport.startsWith('relp') ? { relp: { tls } } : {}),
    host: 'localhost',
    port: Number(target),
    format: 'rfc5424',
    ...(tls ? { ca: { pem: readFileSync(caFile as string, 'utf8') } } : {}),
  });
  handler = await createSyslogHandler(env);
}
// warm-up invocation (cold start, TLS handshake, JIT) on a small batch, not measured
const warm = await handler({ Records: records.slice(0, 200) }, lambdaContext('bench', 60_000));
if (warm.batchItemFailures.length) throw new Error(`warm-up: ${warm.batchItemFailures.length} failures`);
const rssBefore = process.memoryUsage().rss;
const cpu0 = process.cpuUsage();
const t0 = process.hrtime.bigint();
const res = await handler({ Records: records }, lambdaContext('bench', 120_000));
const wallMs = Number(process.hrtime.bigint() - t0) / 1e6;
const cpu = process.cpuUsage(cpu0);
process.stdout.write(
  `${JSON.stringify({
    kind: kind === 'syslog' && transport !== 'tls' ? `syslog-${transport}` : kind,
    events: count,
    failed: res.batchItemFailures.length,
    wallMs,
    cpuMs: (cpu.user + cpu.system) / 1000,
    rssBeforeMb: rssBefore / 1048576,
    peakRssMb: process.resourceUsage().maxRSS / 1024,
  })}\n`,
);
process.exit(0);
