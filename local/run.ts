/**
 * `npm start`: the whole relay locally on embedded emulators (no AWS account). Feeds one of every
 * catalog event (or `--events FILE`, or `--count N` generated events), at once or at a steady
 * `--rate`, shows progress, prints a summary with per-event latency (and `--summary-json FILE`),
 * and exits non-zero if anything was lost or left undelivered.
 */
import { createReadStream, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { UsageError } from '../cli/args.js';
import { encodingMessage, LineErrors, readLines } from '../cli/lines.js';
import { ConfigValidationError } from '../infra/config/errors.js';
import { parseRulesDocument } from '../shared/alerts/rules-file.js';
import { RulesError, validateRules } from '../shared/alerts/validate.js';
import { errorMessage } from '../shared/errors.js';
import { CATALOG_COUNT } from '../shared/model/catalog-docs.js';
import { FORMATS, type Format } from '../shared/render/index.js';
import { summarizeAlerts } from './alerts.js';
import { catalogFeed } from './catalog-feed.js';
import { type LocalDeployment, loadLocalDeployment } from './deployment.js';
import { FunctionLogs } from './function-logs.js';
import { formatLatency } from './latency.js';
import { type DestinationLedger, expectations, ledgerFor } from './ledger.js';
import { serveManifest } from './manifest.js';
import { LOCAL_COLLECTORS, type LocalCollector, LocalRelay, parseSyslogUrl, SQS_MAX_MESSAGE_BYTES } from './relay.js';
import { sampleEvents } from './sample-events.js';

const HELP = `Usage: npm start -- [options]

Runs the relay locally: fauxqs (SQS + SNS), a Firehose double writing NDJSON, a TLS syslog
receiver (or a RELP receiver), dynalite for the alert throttle table, and the real normalize /
deliver-firehose / deliver-syslog / evaluate-alerts handlers.

Options:
  -c, --config FILE     run the topology a deployment config describes (the stack's loader,
                        defaults and filter policies): every destination with its format, render
                        options and SNS filter, the alerts subscription, batch sizes,
                        maxReceiveCount and visibility; what this machine cannot reach (Splunk,
                        HTTP endpoints, collectors) is replaced by a local double, and the summary
                        names it per destination. Excludes the destination options below
  --events FILE         feed this NDJSON file (envelopes or raw vault lines), one event per line
                        (read as \`segura-relay render\` reads: LF ends a line, a lone CR is part of
                        it); a line SQS cannot take (over 1 MiB, characters SQS refuses) is reported
                        with its number, counted as not sent, and the run goes on
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
  --keep N              without --out: keep the newest N runs in .relay-local/ (default 10; older
                        run-* folders are removed when a run starts)
  --timeout S           give up waiting after S seconds (default 120)
  --summary-json FILE   also write the summary as JSON
  --port N              fauxqs (SQS + SNS) port (default: a free one)
  --verbose             print what the functions log (every level) on stderr as it happens; without
                        it, the summary names each destination's last error and how often it came
  --serve               keep running after the feed (nothing is fed unless --events/--count) so
                        \`segura-relay bridge\` or \`segura-relay send\` can feed the printed ingest
                        queue; Ctrl-C drains and prints the summary of everything received. Writes
                        .relay-local/serve.json so \`segura-relay doctor --local\` finds it
  -h, --help            this help`;

function fail(msg: string): never {
  throw new UsageError(msg);
}

/** One line per event, read by the reader every command uses; `lines[i]` is the line number of `bodies[i]`. */
async function readEvents(
  file: string,
  errors: LineErrors,
  say: (s: string) => void,
): Promise<{ bodies: string[]; lines: number[] }> {
  const bodies: string[] = [];
  const lines: number[] = [];
  const input = createReadStream(file);
  // open errors (ENOENT, EISDIR…) are usage errors: the stream reports them on its first read
  await new Promise<void>((resolve, reject) => {
    input.once('readable', resolve);
    input.once('error', (e: NodeJS.ErrnoException) =>
      reject(new UsageError(`--events: cannot read ${file}: ${e.code ?? e.message}`)),
    );
  });
  for await (const ev of readLines(input, SQS_MAX_MESSAGE_BYTES)) {
    if (ev.kind === 'encoding') say(`npm start: ${encodingMessage(ev)}`);
    else if (ev.kind === 'toolong')
      errors.report(ev.n, `${ev.bytes} bytes exceeds the ${SQS_MAX_MESSAGE_BYTES}-byte SQS message limit: not sent`);
    else if (ev.text.trim() !== '') {
      bodies.push(ev.text);
      lines.push(ev.n);
    }
  }
  return { bodies, lines };
}

/** A file option that must be readable: a usage error naming the option, not a stack trace. */
function readOption(name: string, file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw new UsageError(`--${name}: cannot read ${file}: ${err.code ?? err.message}`);
  }
}

/** `--rules FILE` checked before anything starts, as `segura-relay alerts validate` checks it. */
function checkRules(file: string): void {
  try {
    validateRules(parseRulesDocument(readOption('rules', file), file), file);
  } catch (e) {
    if (e instanceof RulesError)
      throw new UsageError(`--rules: ${e.message.replace(/:?\n\s*/g, '; ').replace(/[:;]\s*$/, '')}`);
    throw e;
  }
}

/** `-c FILE`: the deployment config, loaded as the stack loads it; its issues are a usage error. */
function readDeployment(file: string): LocalDeployment {
  try {
    return loadLocalDeployment(file);
  } catch (e) {
    if (e instanceof ConfigValidationError) throw new UsageError(`--config: ${e.message.replace(/\n\s*/g, '; ')}`);
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'ENOENT' || err.code === 'EISDIR')
      throw new UsageError(`--config: cannot read ${file}: ${err.code}`);
    throw e;
  }
}

/** `--syslog-ca FILE`: readable and holding a PEM certificate. */
function readCa(file: string): string {
  const pem = readOption('syslog-ca', file);
  if (!pem.includes('-----BEGIN CERTIFICATE-----'))
    throw new UsageError(`--syslog-ca: ${file} holds no PEM certificate (-----BEGIN CERTIFICATE-----)`);
  return pem;
}

/**
 * Without --out, every run adds a folder under .relay-local/: keep the newest `keep` (the one about
 * to be made included). Only `run-<ISO time>` folders are touched; their names sort by time.
 */
function pruneRuns(keep: number): void {
  const base = '.relay-local';
  let names: string[];
  try {
    names = readdirSync(base, { withFileTypes: true })
      .filter((d) => d.isDirectory() && /^run-\d{4}-\d\d-\d\dT/.test(d.name))
      .map((d) => d.name)
      .sort();
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return; // first run: nothing to prune
    throw e;
  }
  for (const name of names.slice(0, Math.max(0, names.length - (keep - 1)))) {
    rmSync(join(base, name), { recursive: true, force: true });
  }
}

/** events/s of a run: whole numbers from 100 up, two significant digits below (a short run is not "0"). */
function perSecond(n: number, seconds: number): number {
  const r = n / Math.max(seconds, 0.001);
  return r >= 100 ? Math.round(r) : Number(r.toPrecision(2));
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
        config: { type: 'string', short: 'c' },
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
        keep: { type: 'string' },
        timeout: { type: 'string' },
        'summary-json': { type: 'string' },
        port: { type: 'string' },
        serve: { type: 'boolean' },
        verbose: { type: 'boolean' },
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
    // name the option the user gave: --format xml is about --format, not --firehose-format
    const [x, opt] = v !== undefined ? [v, name] : args.format !== undefined ? [args.format, 'format'] : [d, name];
    if (typeof x !== 'string' || !(FORMATS as readonly string[]).includes(x))
      fail(`--${opt}: one of ${FORMATS.join(', ')}, got ${JSON.stringify(x)}`);
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
  const configFile = typeof args.config === 'string' ? args.config : undefined;
  if (configFile !== undefined) {
    const excluded = [
      'syslog',
      'syslog-ca',
      'syslog-local',
      'format',
      'firehose-format',
      'syslog-format',
      'no-firehose',
      'no-syslog',
      'rules',
    ].filter((k) => args[k] !== undefined);
    if (excluded.length > 0)
      fail(`--config describes the destinations and the rules: drop ${excluded.map((k) => `--${k}`).join(', ')}`);
  }
  const deployment = configFile === undefined ? null : readDeployment(configFile);
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
  const keep = args.keep === undefined ? 10 : Number(args.keep);
  if (!Number.isInteger(keep) || keep < 1 || keep > 10_000) fail('--keep: an integer 1–10000');
  if (args.keep !== undefined && args.out !== undefined)
    fail('--keep applies to the default .relay-local/ folders, not --out');
  if (typeof args.syslog === 'string') parseSyslogUrl(args.syslog);
  const ca = typeof args['syslog-ca'] === 'string' ? readCa(args['syslog-ca']) : undefined;
  if (typeof args.rules === 'string' && !args['no-alerts']) checkRules(args.rules);
  const tty = process.stderr.isTTY === true;
  const lineErrors = new LineErrors((s) => process.stderr.write(`${tty ? '\r\x1b[K' : ''}${s}`));

  let bodies: string[];
  /** the input line of each body (--events), for messages about it */
  let lineOf: number[] | null = null;
  let source: string;
  if (serve && args.events === undefined && args.count === undefined) {
    bodies = [];
    source = 'nothing (serve mode)';
  } else if (typeof args.events === 'string') {
    ({ bodies, lines: lineOf } = await readEvents(args.events, lineErrors, (l) => process.stderr.write(`${l}\n`)));
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
    source = `one of every catalog event: ${CATALOG_COUNT}`;
  }

  if (args.out === undefined) pruneRuns(keep);
  const diagnostics: string[] = [];
  const functionLogs = new FunctionLogs(
    args.verbose ? (l) => process.stderr.write(`${tty ? '\r\x1b[K' : ''}${l}\n`) : null,
  );
  // --serve: every message the ingest queue delivered (by message id: redeliveries count once)
  const ingested = new Map<string, string>();
  const relay = await LocalRelay.start({
    ...(typeof args.out === 'string' ? { dir: args.out } : {}),
    ...(deployment
      ? {
          destinations: deployment.destinations,
          ingestQueue: deployment.ingest,
          ...(deployment.alertsQueue ? { alertsQueue: deployment.alertsQueue } : {}),
        }
      : {}),
    firehose: args['no-firehose'] ? false : { format: firehoseFormat },
    syslog: args['no-syslog']
      ? false
      : {
          format: syslogFormat,
          ...(typeof args.syslog === 'string' ? { url: args.syslog } : {}),
          ...(typeof local === 'string' ? { local: local as LocalCollector } : {}),
          ...(ca !== undefined ? { ca } : {}),
        },
    timeoutMs: 10_000,
    visibilityTimeoutSec: 10,
    log: (l) => diagnostics.push(l),
    alerts: args['no-alerts']
      ? false
      : deployment
        ? deployment.alerts
        : typeof args.rules === 'string'
          ? { rules: args.rules }
          : {},
    latency: true,
    functionLogs,
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
  const say = (s: string) => process.stderr.write(tty ? `\r\x1b[K${s}` : `${s}\n`);
  process.stderr.write(`Segura SIEM Relay (local) — fauxqs at ${relay.endpoint}, output in ${relay.dir}\n`);
  process.stderr.write(`feeding ${source}${rate === null ? '' : ` at ${rate} events/s`}\n`);
  const t0 = Date.now();
  let last = 0;
  let senderNote: string | null = null;
  // bodies SQS refused, by index: reported with their input line, left out of the ledger
  const refused = new Set<number>();
  const onFailed = (f: { index: number; code: string; message: string }): void => {
    refused.add(f.index);
    const where = lineOf?.[f.index];
    const reason = `refused by SQS: ${f.code}: ${f.message}: not sent`;
    if (where !== undefined) lineErrors.report(where, reason);
    else process.stderr.write(`${tty ? '\r\x1b[K' : ''}event ${f.index + 1}: ${reason}\n`);
  };
  try {
    if (rate !== null) {
      const planned = bodies.length;
      const sent = await relay.sendPaced(bodies, rate, {
        maxMs: (planned / rate) * 1000 + 30_000,
        onFailed,
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
        const r = await relay.sendReport(bodies.slice(i, i + 500));
        for (const f of r.failed) onFailed({ ...f, index: f.index + i });
        say(`sent ${Math.min(i + 500, bodies.length)}/${bodies.length}`);
      }
    }
    lineErrors.finish();
    const notSent = lineErrors.count;
    if (refused.size > 0) bodies = bodies.filter((_, i) => !refused.has(i));
    if (serve) {
      if (tty && bodies.length > 0) process.stderr.write('\n');
      await serveUntilSignal(relay, ingested, tty === true);
      bodies = [...ingested.values()];
      source = `${bodies.length} message(s) received on the ingest queue`;
    }
    const drained = await relay.drain(timeoutS * 1000, (_pending, byStage) => {
      if (Date.now() - last < (tty ? 250 : 2000)) return;
      last = Date.now();
      const counts = relay.destinations.map((d) => `${d.name} ${d.received()?.length ?? '?'}`).join(', ');
      // messages per queue: one event is a message on the ingest queue, then one on each destination's
      const queued = byStage.map((x) => `${x.stage} ${x.messages}`).join(', ');
      say(`queued: ${queued} | delivered: ${counts} | ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    });
    if (tty) process.stderr.write('\n');
    const seconds = (Date.now() - t0) / 1000;
    const dlq = await relay.dlqContents();
    const renderers = new Map(relay.destinations.map((d) => [d.name, d.renderer]));
    const exp = expectations(bodies, renderers, new Map(relay.destinations.map((d) => [d.name, d.filterPolicy])));
    const dlqBy = (queue: string) => dlq.filter((x) => x.queue === queue).length;
    const ledgers: DestinationLedger[] = relay.destinations.map((d) => {
      const received = d.received();
      const inDlq = dlqBy(`${d.queue.name}-dlq`);
      const exLines = exp.expected.get(d.name) ?? [];
      const byCount = exp.byCount.get(d.name) ?? 0;
      if (received === null) {
        // external collector: count what the transport confirmed (the poller deleted), not what it parsed
        const p = relay.pollerFor(d.fn);
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
    const lastErrors = new Map(relay.destinations.map((d) => [d.name, functionLogs.lastError(d.fn)] as const));
    const ok =
      drained &&
      lostIngest === 0 &&
      ledgers.every((l) => l.missing === 0 && l.unexpected === 0) &&
      (alerts?.summary.ok ?? true);
    const summary = {
      ok,
      source,
      seconds: Number(seconds.toFixed(2)),
      eventsPerSecond: perSecond(bodies.length, seconds),
      input: bodies.length,
      notSent,
      invalidInputs: exp.invalid.length,
      drained,
      config: deployment
        ? {
            file: relative(process.cwd(), deployment.config.sourceFile),
            name: deployment.config.name,
            alertsFilter: deployment.alertsFilter,
          }
        : null,
      destinations: ledgers.map((l) => {
        const d = relay.destinations.find((x) => x.name === l.name);
        return {
          ...l,
          output: d?.output,
          standsFor: d?.standsFor ?? null,
          filterPolicy: d?.filterPolicy ?? null,
          filteredOut: exp.filteredOut.get(l.name) ?? 0,
          lastError: lastErrors.get(l.name) ?? null,
        };
      }),
      alerts: alerts?.summary ?? null,
      deadLetterQueues: [...reasons.entries()].map(([reason, count]) => ({ reason, count })),
      rate,
      sender: senderNote,
      latency,
      outputDir: relay.dir,
      tls: relay.tls ? { certificate: relay.tls.source, ca: relay.tls.caPath } : null,
      // every distinct warning or error the functions logged, most frequent first, then the relay's notes
      diagnostics: [
        ...functionLogs.all().map((x) => `${x.count} × [${x.fn}] ${x.text}`),
        ...diagnostics.filter((l) => !l.startsWith('[')),
      ].slice(0, 50),
    };
    const w = (s: string) => process.stdout.write(`${s}\n`);
    w('');
    w(`Segura SIEM Relay — local run summary (${summary.seconds} s, ${summary.eventsPerSecond} events/s)`);
    w(`  input:               ${bodies.length} (${source})`);
    if (notSent > 0) w(`  not sent:            ${notSent} input line(s) SQS cannot take (each named on stderr)`);
    if (summary.config) w(`  deployment config:   ${summary.config.name} (${summary.config.file})`);
    w(`  rejected as invalid: ${exp.invalid.length} → ingest DLQ: ${ingestDlq.length}`);
    for (const l of summary.destinations) {
      const d = relay.destinations.find((x) => x.name === l.name);
      w(
        `  ${d?.kind} ${l.name} (${d?.format}): delivered ${l.delivered}/${l.expected}, in DLQ ${l.inDlq}, missing ${l.missing}, duplicates ${l.duplicates}${l.unexpected ? `, UNEXPECTED ${l.unexpected}` : ''}`,
      );
      w(`      → ${l.output}`);
      if (l.standsFor) w(`      stands in for: ${l.standsFor}`);
      if (l.filterPolicy)
        w(`      filter: ${JSON.stringify(l.filterPolicy)} (SNS filter policy; ${l.filteredOut} event(s) not for it)`);
      if (l.lastError) {
        const e = l.lastError;
        const others = e.kinds > 1 ? ` (${e.total} warnings/errors in all, ${e.kinds} kinds)` : '';
        w(`      last error: ${e.text} × ${e.count}${others}`);
      }
    }
    const ingestError = functionLogs.lastError('normalize');
    if (ingestError && ingestError.total > exp.invalid.length)
      w(`  normalize last error: ${ingestError.text} × ${ingestError.count}`);
    for (const line of alerts?.lines ?? []) w(line);
    if (alerts && summary.config) w(`      alerts subscription filter: ${summary.config.alertsFilter}`);
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
    if (!drained)
      w(
        `  NOT DRAINED after ${timeoutS} s: events are still queued (the last error of each destination is above; --verbose shows every log line)`,
      );
    if (summary.diagnostics.length) {
      w(`  diagnostics (${summary.diagnostics.length}${args.verbose ? '' : '; --verbose shows every log line'}):`);
      for (const d of summary.diagnostics.slice(0, 10)) w(`    ${d}`);
    }
    w(
      !ok
        ? '  result: FAILED — events lost or undelivered (see above)'
        : notSent > 0
          ? `  result: INCOMPLETE — ${notSent} input line(s) could not be sent (see stderr); every event sent was delivered or parked in a DLQ with a reason`
          : '  result: OK — every event delivered or parked in a DLQ with a reason',
    );
    if (typeof args['summary-json'] === 'string') {
      writeFileSync(args['summary-json'], `${JSON.stringify(summary, null, 2)}\n`);
      w(`  summary JSON: ${args['summary-json']}`);
    }
    return ok && notSent === 0 ? 0 : 1;
  } finally {
    await served?.close();
    await relay.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    if (e instanceof UsageError) {
      process.stderr.write(`npm start: ${e.message}\nRun 'npm start -- --help' for the options.\n`);
      process.exit(2);
    }
    process.stderr.write(`npm start: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(1);
  },
);
