/**
 * Fault: Firehose accepts the relay's records but cannot deliver a burst of them to Splunk within
 * the retry duration, so it backs them up to S3 (the documented layout: one JSON document per
 * record, rawData base64, GZIP objects under `<destination>-failed/errors/splunk-failed/…`). The
 * relay saw every PutRecordBatch succeed, so nothing is in a DLQ: without a redrive these events
 * are missing from the SIEM. `segura-relay redrive --from-s3` replays them into the destination's
 * queue, and deliver-firehose sends each line again, unchanged.
 *
 * The run: 200 events, the middle 80 backed up. Then, with the real S3 and SQS clients against the
 * S3 double and fauxqs: a dry run (prints 80, changes nothing), a time filter that matches none, an
 * event-id filter, a run whose SendMessageBatch calls fail (objects kept, progress tagged), `--max`,
 * and a last run for the rest. Ledger: in = delivered, nothing lost, nothing replayed twice, no DLQ
 * entry, the failed prefix empty.
 */
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { redriveCommand } from '../../cli/redrive.js';
import { S3_TAG } from '../../cli/redrive-s3.js';
import { amzTarget, startFaultProxy } from '../../local/fault-proxy.js';
import { bodies, closeScenario, FAST, relayHarness, scenarioLedger, waitUntil } from '../helpers/pipeline.js';

const h = relayHarness();

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

/** `replayed N` etc. from the command's summary line. */
function counts(stderr: string): Record<string, number> {
  const line = stderr.trim().split('\n').pop() ?? '';
  const out: Record<string, number> = {};
  for (const m of line.matchAll(/([a-z][a-z ]*?) (\d+)/g)) out[(m[1] as string).trim()] = Number(m[2]);
  return out;
}

describe('fault: Splunk down past the Firehose retry duration, records backed up to S3, then replayed', () => {
  it('redrive --from-s3 replays every backed-up event once: in = delivered, DLQ 0, failed prefix empty', async ({
    task,
  }) => {
    const t0 = Date.now();
    const relay = await h.start({ ...FAST, syslog: false, firehose: { format: 'cef', backup: 'splunk' } });
    const fh = relay.firehose;
    const s3 = relay.s3;
    const uri = relay.failedRecordsUri;
    const queue = relay.destinations[0]?.queue;
    if (!fh || !s3 || !uri || !queue) throw new Error('no Firehose double with a backup');
    const bucket = 'segura-archive-local';
    const prefix = 'archive-failed/';
    const run = async (argv: string[], endpoint = relay.endpoint) => {
      const c = io();
      const code = await redriveCommand(
        ['--from-s3', uri, '--s3-endpoint-url', s3.endpoint, '--endpoint-url', endpoint, ...argv],
        c.io,
      );
      return { code, stdout: c.stdout(), stderr: c.stderr(), n: counts(c.stderr()) };
    };

    // 60 delivered, 80 accepted but backed up (Splunk down), 60 delivered
    const before = bodies(60, 301);
    const during = bodies(80, 302);
    const after = bodies(60, 303);
    await relay.send(before);
    expect(await waitUntil(() => fh.lines('segura-archive').length >= 60, 15_000)).toBe(true);
    const backupStartedAt = Date.now();
    fh.faults.failDeliveryFor(120_000);
    await relay.send(during);
    expect(await waitUntil(() => fh.backedUp >= 80, 15_000)).toBe(true);
    fh.faults.clear();
    await relay.send(after);
    const input = [...before, ...during, ...after];
    expect(await relay.drain(20_000)).toBe(true);

    // before the replay: 80 events are neither delivered nor in a DLQ, only in S3
    const gap = await scenarioLedger(relay, 'before replay', input, {}, t0);
    expect(gap.destinations[0]).toMatchObject({ expected: 200, delivered: 120, missing: 80, inDlq: 0, duplicates: 0 });
    const objects = s3.keys(bucket, prefix);
    expect(objects.length).toBeGreaterThan(0);
    expect(
      objects.every((k) =>
        /^archive-failed\/errors\/splunk-failed\/year=\d{4}\/month=\d\d\/day=\d\d\/segura-archive-1-[\d-]{19}-[0-9a-f-]{36}\.gz$/.test(
          k,
        ),
      ),
    ).toBe(true);

    // dry run: all 80 listed with their error, nothing sent, deleted or tagged
    const dry = await run(['--dry-run', '--json']);
    const listed = dry.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { eventId: string; errorCode: string; arrival: string; line: string });
    expect(dry.code).toBe(0);
    expect(listed).toHaveLength(80);
    expect(new Set(listed.map((l) => l.errorCode))).toEqual(new Set(['Splunk.ConnectionTimeout']));
    expect(s3.keys(bucket, prefix)).toEqual(objects);
    expect(objects.every((k) => s3.tags(bucket, k)?.size === 0)).toBe(true);

    // a time window before the outage matches nothing
    const none = await run(['--to', queue.url, '--until', new Date(backupStartedAt - 60_000).toISOString()]);
    expect(none.code).toBe(0);
    expect(none.n).toMatchObject({ matched: 0, replayed: 0, 'skipped by filter': 80 });

    // one event id: only its lines go; their objects are kept with the progress tagged
    const byId = new Map<string, number>();
    for (const l of listed) byId.set(l.eventId, (byId.get(l.eventId) ?? 0) + 1);
    const [someId, idCount] = [...byId.entries()].sort((a, b) => b[1] - a[1])[0] as [string, number];
    const one = await run(['--to', queue.url, '--event-id', someId]);
    expect(one.code).toBe(0);
    expect(one.n).toMatchObject({ matched: idCount, replayed: idCount, failed: 0 });
    const tagged = objects.filter((k) => s3.tags(bucket, k)?.has(S3_TAG.progress));
    expect(tagged.length).toBeGreaterThan(0);

    // SQS refuses every copy for a while: nothing deleted, nothing marked, exit 1
    const proxy = await startFaultProxy({ target: relay.endpoint });
    try {
      proxy.failFor(60_000, { match: amzTarget('AmazonSQS.SendMessageBatch'), status: 500, code: 'InternalError' });
      const refused = await run(['--to', queue.url, '--max', '10'], proxy.endpoint);
      expect(refused.code).toBe(1);
      expect(refused.n).toMatchObject({ matched: 10, replayed: 0, failed: 10, 'objects deleted': 0 });
      expect(s3.keys(bucket, prefix)).toEqual(objects);
    } finally {
      await proxy.stop();
    }

    // --max, then the rest
    const some = await run(['--to', queue.url, '--max', '25']);
    expect(some.n).toMatchObject({ matched: 25, replayed: 25, failed: 0 });
    const rest = await run(['--to', queue.url]);
    expect(rest.code).toBe(0);
    expect(rest.n).toMatchObject({ replayed: 80 - idCount - 25, failed: 0, unreadable: 0 });
    expect(s3.keys(bucket, prefix)).toEqual([]);
    const again = await run(['--to', queue.url]);
    expect(again.n).toMatchObject({ objects: 0, replayed: 0 });

    const drained = await relay.drain(20_000);
    const replayedMetric = h.cap?.metric('EventsReplayed', 'archive') ?? 0;
    const ledger = await closeScenario(
      task,
      relay,
      'Splunk down past the retry duration: 80 of 200 backed up to S3, then redrive --from-s3',
      input,
      {
        drained,
        backedUp: fh.backedUp,
        backupObjects: objects.length,
        deliveredBeforeReplay: gap.destinations[0]?.delivered,
        runs: {
          dryRun: dry.n,
          timeFilter: none.n,
          eventId: { id: someId, ...one.n },
          sqsRefused: 10,
          max25: some.n,
          rest: rest.n,
        },
        eventsReplayedMetric: replayedMetric,
        objectsLeft: s3.keys(bucket, prefix).length,
      },
      t0,
    );
    expect(drained).toBe(true);
    expect(ledger.destinations[0]).toMatchObject({
      expected: 200,
      delivered: 200,
      inDlq: 0,
      missing: 0,
      duplicates: 0,
    });
    expect(ledger.dlqReasons).toEqual([]);
    // each backed-up line went into the queue exactly once (the refused run sent none)
    expect(idCount + (some.n.replayed ?? 0) + (rest.n.replayed ?? 0)).toBe(80);
    expect(replayedMetric).toBe(80);
  }, 120_000);
});
