/**
 * `npm start`: the whole relay locally on embedded emulators (no AWS account). Feeds one of every
 * catalog event (or `--events FILE`, or `--count N` generated events), at once or at a steady
 * `--rate`, shows progress, prints a summary with per-event latency (and `--summary-json FILE`),
 * and exits non-zero if anything was lost or left undelivered.
 */
import { createReadStream, readFileSync, writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { errorMessage } from '../shared/errors.js';
import { FORMATS, type Format } from '../shared/render/index.js';
import { summarizeAlerts } from './alerts.js';
import { catalogFeed } from './catalog-feed.js';
import { formatLatency } from './latency.js';
import { type DestinationLedger, expectations, ledgerFor } from './ledger.js';
import { serveManifest } from './manifest.js';
import { LOCAL_COLLECTORS, type LocalCollector, LocalRelay } from './relay.js';
import { sampleEvents } from './sample-events.js';

const HELP = `Usage: npm start -- [options]

Runs the relay locally: fauxqs (SQS + SNS), a Firehose double writing NDJSON, a TLS syslog
receiver (or a RELP receiver), dynalite for the alert throttle table, and the real normalize /
deliver-firehose / deliver-syslog / evaluate-alerts handlers.

Options:
  --events FILE         feed this NDJSON file (envelopes or raw vault lines), one event per line
  --count N             feed N generated events (realistic mix) instead of one of every catalog event
  --rate N              send at a steady N events/s (1–5000) instead of all at once: the latency
                        report then shows what each event waits at that rate
  --duration S          with --rate: feed rate × S generated events (at most 1,000,000), e.g.
                        --rate 200 --duration 60; the sender stops S + 30 seconds after it began at
                        the latest, whatever it has sent by then
  --syslog URL          deliver to a real collector: tls://host:port, tcp://host:port, udp://host:port,
                        relp://host:port (RELP) or relp+tls://host:port (RELP over TLS)
  --syslog-ca FILE      CA certificate (PEM) of that collector (tls://, relp+tls://)
  --syslog-local KIND   without --syslog, the local collector to run: tls (default, RFC 5425
                        receiver), relp or relp+tls (a RELP receiver that acknowledges every event)
  --format F            format for both destinations (cef, rfc5424, leef, ecs)
  --firehose-format F   Firehose destination format (default cef)
  --syslog-format F     syslog destination format (default rfc5424)
  --no-firehose         disable the Firehose destination
  --no-syslog           disable the syslog destination
  --rules FILE          alert rules, YAML or JSON (default: the shipped pack, alerts/default-rules.yaml)
  --no-alerts           disable alerting (evaluate-alerts, throttle table, alert topics)
  --out DIR             output folder (default .relay-local/run-<time>)
  --timeout S           give up waiting after S seconds (default 120)
  --summary-json FILE   also write the summary as JSON
  --port N              fauxqs (SQS + SNS) port (default: a free one)
  --serve               keep running after the feed (nothing is fed unless --events/--count) so
                        \`segura-relay bridge\` or \`segura-relay send\` can feed the printed ingest
                        queue; Ctrl-C drains and prints the summary of everything received. Writes
                        .relay-local/serve.json so \`segura-relay doctor --local\` finds it
  -h, --help            this help`;

function fail(msg: string): never {
  process.stderr.write(`npm start: ${msg}\n`);
  process.exit(2);
}

async function readEvents(file: string): Promise<string[]> {
  const out: string[] = [];
  const rl = createInterface({ input: createReadStream(file), crlfDelay: Number.POSITIVE_INFINITY });
  for await (const line of rl) if (line.trim() !== '') out.push(line);
  return out;
}

/**
 * `--serve`: print where to send, then wait for Ctrl-C (or SIGTERM) with a progress line. A second
 * signal while draining exits at once.
 */
async function serveUntilSignal(relay: LocalRelay, ingested: ReadonlyMap<string, string>, tty: boolean): Promise<void> {
  process.stderr.write(`ingest queue: ${relay.ingest.url}\n`);
  process.stderr.write(
    `  feed it: npx segura-relay bridge --queue-url ${relay.ingest.url} --endpoint-url ${relay.endpoint} --udp 127.0.0.1:5514\n`,
  );
  process.stderr.write(
    `      or: npx segura-relay send --queue-url ${relay.ingest.url} --endpoint-url ${relay.endpoint} --count 10\n`,
  );
  process.stderr.write('  check it: npx segura-relay doctor --local\n');
  process.stderr.write('serving; press Ctrl-C to drain and print the summary\n');
  let shown = '';
  const show = (): void => {
    const counts = relay.destinations.map((d) => `${d.name} ${d.received()?.length ?? '?'}`).join(', ');
    const line = `received ${ingested.size} | delivered: ${counts}`;
    if (line === shown) return;
    shown = line;
    process.stderr.write(tty ? `\r\x1b[K${line}` : `${line}\n`);
  };
  await new Promise<void>((resolve) => {
    const timer = setInterval(show, tty ? 500 : 2_000);
    const onSignal = (sig: NodeJS.Signals): void => {
      clearInterval(timer);
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      process.once(sig, () => process.exit(130));
      process.stderr.write(`${tty ? '\n' : ''}${sig}: draining (again to quit at once)\n`);
      resolve();
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}

async function main(): Promise<number> {
  let args: ReturnType<typeof parseArgs>['values'];
  try {
    args = parseArgs({
      args: process.argv.slice(2),
      options: {
        events: { type: 'string' },
        count: { type: 'string' },
        rate: { type: 'string' },
        duration: { type: 'string' },
        syslog: { type: 'string' },
        'syslog-ca': { type: 'string' },
        'syslog-local': { type: 'string' },
        format: { type: 'string' },
        'firehose-format': { type: 'string' },
        'syslog-format': { type: 'string' },
        'no-firehose': { type: 'boolean' },
        'no-syslog': { type: 'boolean' },
        rules: { type: 'string' },
        'no-alerts': { type: 'boolean' },
        out: { type: 'string' },
        timeout: { type: 'string' },
        'summary-json': { type: 'string' },
        port: { type: 'string' },
        serve: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }).values;
  } catch (e) {
    fail(errorMessage(e));
  }
  if (args.help) {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  const fmt = (name: string, v: unknown, d: Format): Format => {
    const x = v ?? args.format ?? d;
    if (typeof x !== 'string' || !(FORMATS as readonly string[]).includes(x))
      fail(`--${name}: one of ${FORMATS.join(', ')}`);
    return x as Format;
  };
  const firehoseFormat = fmt('firehose-format', args['firehose-format'], 'cef');
  const syslogFormat = fmt('syslog-format', args['syslog-format'], 'rfc5424');
  if (args.events && args.count) fail('--events and --count are exclusive');
  const local = args['syslog-local'];
  if (local !== undefined && !(LOCAL_COLLECTORS as readonly unknown[]).includes(local))
    fail(`--syslog-local: one of ${LOCAL_COLLECTORS.join(', ')}`);
  if (local !== undefined && args.syslog !== undefined)
    fail('--syslog-local chooses the local collector; with --syslog URL the URL scheme chooses the transport');
  const timeoutS = args.timeout === undefined ? 120 : Number(args.timeout);
  if (!Number.isFinite(timeoutS) || timeoutS <= 0) fail('--timeout: seconds > 0');

  const rate = args.rate === undefined ? null : Number(args.rate);
  if (rate !== null && (!Number.isFinite(rate) || rate < 1 || rate > 5000)) fail('--rate: events per second, 1–5000');
  const durationS = args.duration === undefined ? null : Number(args.duration);
  if (durationS !== null) {
    if (rate === null) fail('--duration needs --rate (the feed is rate × duration events)');
    if (args.events !== undefined || args.count !== undefined) fail('--duration and --events/--count are exclusive');
    if (!Number.isFinite(durationS) || durationS <= 0 || rate * durationS > 1_000_000)
      fail('--duration: seconds > 0, at most 1,000,000 events in all');
  }

  const port = args.port === undefined ? 0 : Number(args.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) fail('--port: an integer 0–65535');
  const serve = args.serve === true;

  let bodies: string[];
  let source: string;
  if (serve && args.events === undefined && args.count === undefined) {
    bodies = [];
    source = 'nothing (serve mode)';
  } else if (typeof args.events === 'string') {
    bodies = await readEvents(args.events);
    source = args.events;
  } else if (rate !== null && durationS !== null) {
    const n = Math.round(rate * durationS);
    bodies = [...sampleEvents(n, Date.now() % 100_000)].map((e) => JSON.stringify(e));
    source = `${n} generated events`;
  } else if (typeof args.count === 'string') {
    const n = Number(args.count);
    if (!Number.isInteger(n) || n < 1 || n > 1_000_000) fail('--count: an integer 1–1000000');
    bodies = [...sampleEvents(n, Date.now() % 100_000)].map((e) => JSON.stringify(e));
    source = `${n} generated events`;
  } else {
    bodies = catalogFeed().map((e) => JSON.stringify(e));
    source = `one of every catalog event (${bodies.length})`;
  }

  const diagnostics: string[] = [];
  // --serve: every message the ingest queue delivered (by message id: redeliveries count once)
  const ingested = new Map<string, string>();
  const relay = await LocalRelay.start({
    ...(typeof args.out === 'string' ? { dir: args.out } : {}),
    firehose: args['no-firehose'] ? false : { format: firehoseFormat },
    syslog: args['no-syslog']
      ? false
      : {
          format: syslogFormat,
          ...(typeof args.syslog === 'string' ? { url: args.syslog } : {}),
          ...(typeof local === 'string' ? { local: local as LocalCollector } : {}),
          ...(typeof args['syslog-ca'] === 'string' ? { ca: readFileSync(args['syslog-ca'], 'utf8') } : {}),
        },
    timeoutMs: 10_000,
    visibilityTimeoutSec: 10,
    log: (l) => diagnostics.push(l),
    alerts: args['no-alerts'] ? false : typeof args.rules === 'string' ? { rules: args.rules } : {},
    latency: true,
    ...(port ? { port } : {}),
    ...(serve
      ? {
          onIngest: (id: string, body: string, redriven: boolean) => {
            // a redriven copy of an input of this run is that input again: the ledger counts it once
            if (redriven && [...ingested.values()].includes(body)) return;
            ingested.set(id, body);
          },
        }
      : {}),
  });
  // --serve: tools find this relay through a manifest (segura-relay doctor --local)
  const served = serve ? await serveManifest(relay) : null;
  const tty = process.stderr.isTTY;
  const say = (s: string) => process.stderr.write(tty ? `\r\x1b[K${s}` : `${s}\n`);
  process.stderr.write(`Segura SIEM Relay (local) — fauxqs at ${relay.endpoint}, output in ${relay.dir}\n`);
  process.stderr.write(`feeding ${source}${rate === null ? '' : ` at ${rate} events/s`}\n`);
  const t0 = Date.now();
  let last = 0;
  let senderNote: string | null = null;
  try {
    if (rate !== null) {
      const planned = bodies.length;
      const sent = await relay.sendPaced(bodies, rate, {
        maxMs: (planned / rate) * 1000 + 30_000,
        onProgress: (n) => {
          if (Date.now() - last < (tty ? 250 : 2000) && n < planned) return;
          last = Date.now();
          const counts = relay.destinations.map((d) => `${d.name} ${d.received()?.length ?? '?'}`).join(', ');
          say(`sent ${n}/${planned} | delivered: ${counts} | ${((Date.now() - t0) / 1000).toFixed(1)} s`);
        },
      });
      if (sent < planned) {
        senderNote = `sender stopped at its time bound: sent ${sent} of ${planned} (the machine could not keep ${rate} events/s)`;
        bodies = bodies.slice(0, sent);
        source = `${source}, of which ${sent} sent`;
      }
      if (tty) process.stderr.write('\n');
    } else {
      for (let i = 0; i < bodies.length; i += 500) {
        await relay.send(bodies.slice(i, i + 500));
        say(`sent ${Math.min(i + 500, bodies.length)}/${bodies.length}`);
      }
    }
    if (serve) {
      if (tty && bodies.length > 0) process.stderr.write('\n');
      await serveUntilSignal(relay, ingested, tty === true);
      bodies = [...ingested.values()];
      source = `${bodies.length} message(s) received on the ingest queue`;
    }
    const drained = await relay.drain(timeoutS * 1000, (pending) => {
      if (Date.now() - last < (tty ? 250 : 2000)) return;
      last = Date.now();
      const counts = relay.destinations.map((d) => `${d.name} ${d.received()?.length ?? '?'}`).join(', ');
      say(`in flight ${pending} | delivered: ${counts} | ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    });
    if (tty) process.stderr.write('\n');
    const seconds = (Date.now() - t0) / 1000;
    const dlq = await relay.dlqContents();
    const renderers = new Map(relay.destinations.map((d) => [d.name, d.renderer]));
    const exp = expectations(bodies, renderers);
    const dlqBy = (queue: string) => dlq.filter((x) => x.queue === queue).length;
    const ledgers: DestinationLedger[] = relay.destinations.map((d) => {
      const received = d.received();
      const inDlq = dlqBy(`${d.queue.name}-dlq`);
      const exLines = exp.expected.get(d.name) ?? [];
      const byCount = exp.byCount.get(d.name) ?? 0;
      if (received === null) {
        // external collector: count what the transport confirmed (the poller deleted), not what it parsed
        const p = relay.pollerFor(d.kind === 'syslog' ? 'deliver-syslog' : 'deliver-firehose');
        const confirmed = p ? Math.max(0, p.stats.deleted - inDlq) : 0;
        return {
          name: d.name,
          expected: exLines.length + byCount,
          delivered: confirmed,
          missing: Math.max(0, exLines.length + byCount - confirmed - inDlq),
          duplicates: 0,
          unexpected: 0,
          inDlq,
        };
      }
      return ledgerFor(d.name, exLines, byCount, received, inDlq);
    });
    const ingestDlq = dlq.filter((x) => x.queue === `${relay.ingest.name}-dlq`);
    const reasons = new Map<string, number>();
    for (const x of dlq) {
      const k = `${x.queue}: ${x.code} ${x.field}: ${x.reason}`;
      reasons.set(k, (reasons.get(k) ?? 0) + 1);
    }
    const lostIngest = Math.max(0, exp.invalid.length - ingestDlq.length);
    const alerts = relay.alerts ? summarizeAlerts(relay.alerts, relay.dir) : null;
    const latency = relay.latencyReport();
    const ok =
      drained &&
      lostIngest === 0 &&
      ledgers.every((l) => l.missing === 0 && l.unexpected === 0) &&
      (alerts?.summary.ok ?? true);
    const summary = {
      ok,
      source,
      seconds: Number(seconds.toFixed(2)),
      eventsPerSecond: Math.round(bodies.length / seconds),
      input: bodies.length,
      invalidInputs: exp.invalid.length,
      drained,
      destinations: ledgers.map((l) => ({ ...l, output: relay.destinations.find((d) => d.name === l.name)?.output })),
      alerts: alerts?.summary ?? null,
      deadLetterQueues: [...reasons.entries()].map(([reason, count]) => ({ reason, count })),
      rate,
      sender: senderNote,
      latency,
      outputDir: relay.dir,
      tls: relay.tls ? { certificate: relay.tls.source, ca: relay.tls.caPath } : null,
      diagnostics: diagnostics.slice(0, 50),
    };
    const w = (s: string) => process.stdout.write(`${s}\n`);
    w('');
    w(`Segura SIEM Relay — local run summary (${summary.seconds} s, ${summary.eventsPerSecond} events/s)`);
    w(`  input:               ${bodies.length} (${source})`);
    w(`  rejected as invalid: ${exp.invalid.length} → ingest DLQ: ${ingestDlq.length}`);
    for (const l of summary.destinations) {
      const d = relay.destinations.find((x) => x.name === l.name);
      w(
        `  ${d?.kind} ${l.name} (${d?.format}): delivered ${l.delivered}/${l.expected}, in DLQ ${l.inDlq}, missing ${l.missing}, duplicates ${l.duplicates}${l.unexpected ? `, UNEXPECTED ${l.unexpected}` : ''}`,
      );
      w(`      → ${l.output}`);
    }
    for (const line of alerts?.lines ?? []) w(line);
    if (latency) {
      w(
        rate === null
          ? '  latency per event (all sent at once: queueing behind the burst is included; --rate N for a steady rate):'
          : `  latency per event at ${rate} events/s (SendMessage on the ingest queue → bytes at each destination):`,
      );
      for (const l of formatLatency(latency)) w(l);
      if (relay.destinations.some((d) => d.received() === null))
        w('    (the external collector is not timed: its receive time is not visible here)');
    }
    if (senderNote) w(`  ${senderNote}`);
    if (summary.deadLetterQueues.length) {
      w('  dead-letter queues:');
      for (const r of summary.deadLetterQueues) w(`    ${r.count} × ${r.reason}`);
    }
    if (!drained) w(`  NOT DRAINED after ${timeoutS} s: events are still queued (see diagnostics)`);
    if (diagnostics.length) {
      w(`  diagnostics (${diagnostics.length}):`);
      for (const d of diagnostics.slice(0, 10)) w(`    ${d}`);
    }
    w(
      ok
        ? '  result: OK — every event delivered or parked in a DLQ with a reason'
        : '  result: FAILED — events lost or undelivered (see above)',
    );
    if (typeof args['summary-json'] === 'string') {
      writeFileSync(args['summary-json'], `${JSON.stringify(summary, null, 2)}\n`);
      w(`  summary JSON: ${args['summary-json']}`);
    }
    return ok ? 0 : 1;
  } finally {
    await served?.close();
    await relay.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`npm start: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(1);
  },
);
