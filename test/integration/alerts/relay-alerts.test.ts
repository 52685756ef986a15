/**
 * The alerts part of the local relay end to end: vault events → ingest queue → normalize → events
 * topic → alerts queue → evaluate-alerts (dynalite) → channel topics (fauxqs spy). What each channel
 * receives is what the dry run predicts, and feeding the same events again sends nothing new.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { dryRun } from '../../../cli/alerts.js';
import { catalogFeed } from '../../../local/catalog-feed.js';
import { LocalRelay } from '../../../local/relay.js';
import { loadRulesFile } from '../../../shared/alerts/rules-file.js';
import { CHANNELS, type Channel } from '../../../shared/alerts/types.js';
import { parseInput } from '../../../shared/parse/parse-payload.js';
import { type Captured, captureStdout } from '../../helpers/capture.js';

let relay: LocalRelay | null = null;
let cap: Captured | null = null;

beforeEach(() => {
  cap = captureStdout();
});
afterEach(async () => {
  cap?.restore();
  cap = null;
  await relay?.stop();
  relay = null;
});

function headline(channel: Channel, doc: Record<string, string>): string {
  if (channel === 'sms') return doc.sms as string;
  if (channel === 'email') return JSON.parse(doc['email-json'] as string).subject;
  if (channel === 'chat') return JSON.parse(doc.https as string).content.title;
  return JSON.parse(doc.https as string).summary;
}

describe('npm start with alerts', () => {
  it('one of every catalog event: each channel topic gets what the dry run predicts; the same feed again sends nothing', async () => {
    relay = await LocalRelay.start({
      timeoutMs: 3_000,
      visibilityTimeoutSec: 1,
      maxReceiveCount: 50,
      firehose: false,
      syslog: false,
      alerts: {},
    });
    const alerts = relay.alerts;
    if (!alerts) throw new Error('alerts part not started');
    const catalog = catalogFeed();
    // two more backup failures on the same vault inside the hour: throttled (same event id, same host)
    const backup = catalog.find((e) => e.id === '19');
    if (!backup) throw new Error('no event 19 in the catalog feed');
    const repeats = [1, 2].map((i) => ({
      ...backup,
      timestamp: `2026-01-19T14:0${i}:00.000Z`,
      fields: { ...backup.fields, spid: `${i}` },
    }));
    const feed = [...catalog, ...repeats].map((e) => JSON.stringify(e));
    await relay.send(feed);
    expect(await relay.drain(30_000)).toBe(true);

    // the prediction: the same rules and events through the dry run (in-memory store)
    const predicted = await dryRun(
      loadRulesFile(alerts.rulesFile),
      feed.map((b) => ({ line: null, event: parseInput(b) })),
      true,
    );
    const expected = new Map<Channel, string[]>(CHANNELS.map((c) => [c, []]));
    for (const f of predicted.fired)
      for (const p of f.inputs)
        expected.get(p.channel)?.push(headline(p.channel, JSON.parse(p.input.Message as string)));
    const received = alerts.received();
    for (const ch of CHANNELS) {
      const got = received.filter((r) => r.channel === ch).map((r) => r.headline);
      expect(got.sort(), ch).toEqual((expected.get(ch) ?? []).sort());
    }
    expect(received.length).toBeGreaterThan(30);
    const sent = predicted.fired.filter((f) => f.outcome.kind === 'sent').length;
    const suppressed = predicted.fired.filter((f) => f.outcome.kind === 'suppressed').length;
    expect(suppressed).toBeGreaterThan(0); // the feed exercises throttling too
    expect(alerts.tally).toMatchObject({ sent, suppressed, retry: 0, republished: 0 });

    // the vault sends the very same events again (a replay, a redrive): nothing new goes out
    await relay.send(feed);
    expect(await relay.drain(30_000)).toBe(true);
    expect(alerts.received()).toHaveLength(received.length);
    expect(alerts.tally).toMatchObject({ sent, suppressed, duplicate: sent + suppressed, republished: 0 });
    expect(await relay.dlqContents()).toEqual([]);
    // the identity key was served by the Secrets Manager double and read once, at cold start, by ARN
    expect(alerts.secrets.calls).toBe(1);
    expect(alerts.idKeySecretArn).toMatch(
      /^arn:aws:secretsmanager:us-east-1:000000000000:secret:segura-relay\/alert-id-key-\w{6}$/,
    );
    // the sweep runs through the same handler (the windows are still open: nothing owed yet)
    expect(await alerts.sweep()).toMatchObject({ sent: 0, retry: 0, error: null });
  });
});
