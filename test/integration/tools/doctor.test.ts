/**
 * `segura-relay doctor --local` against the local relay of `npm start -- --serve` (LocalRelay plus
 * the manifest and Lambda double that `--serve` starts), with the real SNS, SQS, Lambda and S3
 * clients: a healthy relay has no problem; then an unconfirmed email subscription, a stopped
 * poller (a disabled event source mapping), an event parked in the ingest DLQ and records Firehose
 * backed up to S3 are each reported with what to do, and nothing is changed by the check.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { SubscribeCommand } from '@aws-sdk/client-sns';
import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { afterEach, describe, expect, it } from 'vitest';
import { doctorCommand, type Finding } from '../../../cli/doctor.js';
import { serveManifest } from '../../../local/manifest.js';
import { LocalRelay } from '../../../local/relay.js';
import { captureStdout } from '../../helpers/capture.js';
import { bodies, waitUntil } from '../../helpers/pipeline.js';

let relay: LocalRelay | null = null;
let served: Awaited<ReturnType<typeof serveManifest>> | null = null;
let dir = '';
const cap: { restore: () => void } = { restore: () => undefined };
afterEach(async () => {
  await served?.close();
  await relay?.stop();
  cap.restore();
  relay = null;
  served = null;
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function io() {
  const out: string[] = [];
  const err: string[] = [];
  const w = (sink: string[]) =>
    new Writable({
      write(chunk, _enc, cb) {
        sink.push(String(chunk));
        cb();
      },
    });
  return { io: { stdout: w(out), stderr: w(err) }, stdout: () => out.join(''), stderr: () => err.join('') };
}

async function doctor(manifest: string, json = true) {
  const c = io();
  const code = await doctorCommand(['--local', '--manifest', manifest, ...(json ? ['--json'] : [])], c.io);
  return {
    code,
    text: c.stdout(),
    stderr: c.stderr(),
    findings: json && c.stdout() ? (JSON.parse(c.stdout()) as { findings: Finding[] }).findings : [],
  };
}

describe('segura-relay doctor --local', () => {
  it('reports a healthy local relay, then each problem with what to do, changing nothing', async () => {
    const c = captureStdout();
    cap.restore = c.restore;
    dir = mkdtempSync(join(tmpdir(), 'segura-doctor-'));
    relay = await LocalRelay.start({
      dir,
      timeoutMs: 3_000,
      visibilityTimeoutSec: 1,
      maxReceiveCount: 50,
      firehose: { format: 'cef', backup: 'splunk' },
      alerts: {},
    });
    const manifest = join(dir, 'serve.json');
    served = await serveManifest(relay, manifest);

    const healthy = await doctor(manifest, false);
    expect(healthy.text).toContain('no problem found');
    expect(healthy.text).toContain('no CloudWatch locally');
    expect(healthy.code).toBe(0);

    // an unconfirmed email subscriber, a confirmed queue subscriber
    const topics = relay.alerts?.topics;
    if (!topics) throw new Error('no alert topics');
    await relay.sns.send(
      new SubscribeCommand({ TopicArn: topics.email, Protocol: 'email', Endpoint: 'soc@example.com' }),
    );
    await relay.sns.send(
      new SubscribeCommand({ TopicArn: topics.sms, Protocol: 'sqs', Endpoint: relay.ingest.dlqArn }),
    );
    // an event parked in the ingest DLQ
    await relay.send(['this is not a vault event']);
    const dlqDepth = async () =>
      Number(
        (
          await relay?.sqs.send(
            new GetQueueAttributesCommand({
              QueueUrl: relay.ingest.dlqUrl,
              AttributeNames: ['ApproximateNumberOfMessages'],
            }),
          )
        )?.Attributes?.ApproximateNumberOfMessages ?? 0,
      );
    for (let i = 0; i < 100 && (await dlqDepth()) < 1; i++) await new Promise((r) => setTimeout(r, 50));
    // records Firehose backed up after giving up on Splunk
    relay.firehose?.faults.failDeliveryFor(60_000);
    await relay.send(bodies(5, 901));
    expect(await waitUntil(() => (relay?.firehose?.backedUp ?? 0) >= 5, 15_000)).toBe(true);
    // a disabled event source mapping
    await relay.pollerFor('deliver-syslog')?.stop();
    const objects = relay.s3?.keys('segura-archive-local').length;

    const sick = await doctor(manifest);
    expect(sick.code).toBe(1);
    const problems = sick.findings.filter((f) => f.status === 'problem');
    const find = (check: string, subject: RegExp) =>
      sick.findings.find((f) => f.check === check && subject.test(f.subject));
    expect(find('subscriptions', /alerts-email topic: email soc@example\.com/)).toMatchObject({
      status: 'problem',
      detail: 'not confirmed: it receives nothing',
      fix: expect.stringContaining('Confirm subscription'),
    });
    expect(find('subscriptions', /alerts-sms topic: sqs /)).toMatchObject({ status: 'ok', detail: 'confirmed' });
    expect(find('event sources', /destination collector \(deliver-syslog\)/)).toMatchObject({
      status: 'problem',
      detail: expect.stringMatching(/^Disabled \(USER_INITIATED\) on segura-syslog-collector/),
      fix: expect.stringContaining('aws lambda update-event-source-mapping --uuid'),
    });
    expect(find('event sources', /^normalize/)).toMatchObject({
      status: 'ok',
      detail: expect.stringMatching(/^Enabled on segura-ingest, last result: OK/),
    });
    expect(find('dead-letter queues', /^ingest DLQ/)).toMatchObject({
      status: 'problem',
      detail: '1 message(s) parked',
      fix: expect.stringContaining(`segura-relay redrive --dlq-url ${relay.ingest.dlqUrl} --dry-run`),
    });
    expect(find('failed records', /destination archive: s3:\/\/segura-archive-local\/archive-failed\//)).toMatchObject({
      status: 'problem',
      fix: expect.stringContaining(
        `segura-relay redrive --from-s3 s3://segura-archive-local/archive-failed/ --to ${relay.destinations[0]?.queue.url} --dry-run`,
      ),
    });
    expect(find('alarms', /CloudWatch/)).toMatchObject({ status: 'info' });
    expect(problems).toHaveLength(4);
    // read-only: the DLQ message, the S3 objects and the subscription are still there
    expect(await dlqDepth()).toBe(1);
    expect(relay.s3?.keys('segura-archive-local')).toHaveLength(objects ?? -1);
  }, 60_000);

  it('says how to start a local relay when there is none', async () => {
    const r = await doctor(join(tmpdir(), 'no-such-dir', 'serve.json'));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('no local relay');
    expect(r.stderr).toContain('npm start -- --serve');
  });
});
