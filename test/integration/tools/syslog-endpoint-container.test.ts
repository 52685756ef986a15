/**
 * The syslog endpoint's container, without Docker: the build context the stack stages
 * (scripts/bundle-bridge.mjs: the bundled bridge and docker/entrypoint.sh), started the way the
 * image starts it (`entrypoint.sh`, `exec node <bundle>`) with the environment of the synthesized
 * task definition (only addresses changed to loopback and fauxqs, and the TLS secret injected as
 * ECS injects it), against fauxqs. The vault's native lines (every documented layout of the syslog
 * event catalog as RFC 5424 key=value lines, the vault's own sample line, a CEF line) go over TCP
 * and TLS; SIGTERM arrives while both connections are still writing. The ledger: every line the
 * bridge accepted is in SQS exactly once, every line written before the signal is among them, the
 * process exits 0, and its last EMF line on stdout counts what it sent.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { type Socket, connect as tcpConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as tlsConnect } from 'node:tls';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BRIDGE_METRIC } from '../../../shared/config/bridge-metrics.js';
import { exampleDoc, type Json, parseInExamples, resources, synthConfig } from '../../infra/helpers.js';
import { octet, SEED_LINE, Sqs, sleep, tlsFixtures, waitFor } from './helpers.js';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const FIXTURES = join(ROOT, 'test', 'fixtures', 'events', 'layouts');

/** The vault's native RFC 5424 line for a documented event (MSGID = event id, key=value MSG). */
function nativeLine(e: Json, i: number): string {
  const ts = new Date(Date.parse(e.timestamp) + i * 1000).toISOString();
  const kv = Object.entries(e.fields as Record<string, string>)
    .map(([k, v]) => `${k}=${v.replace(/[\r\n]/g, ' ')}`)
    .join(' ');
  return `<13>1 ${ts} ${e.host} senhasegura ${e.pid} ${e.id} - ${kv}`;
}

function vaultLines(count: number, tag: string): string[] {
  const events = readdirSync(FIXTURES)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => JSON.parse(readFileSync(join(FIXTURES, f), 'utf8')));
  const cef = (i: number) =>
    `CEF:0|MT4|senhasegura|3.27.0-4|336.501|UPDATE INCIDENT|9|rt=${1768830060123 + i} dvchost=vault-01 msg=${tag} ${i}`;
  return Array.from({ length: count }, (_, i) => {
    if (i % 10 === 9) return cef(i);
    if (i % 10 === 8) return SEED_LINE.replace('Autenticado com sucesso.', `Autenticado com sucesso. ${tag}-${i}`);
    return nativeLine(events[i % events.length], i).concat(` cs6=${tag}-${i}`);
  });
}

/** The bridge container's environment from the synthesized task definition (pass-through TLS + TCP). */
function taskEnvironment(): Record<string, string> {
  const d = structuredClone(exampleDoc('syslog-endpoint.json'));
  d.ingest.syslogEndpoint.listeners = {
    tls: { certificateSecretArn: 'arn:aws:secretsmanager:us-east-1:111122223333:secret:segura-syslog-tls-AbCdEf' },
    tcp: {},
  };
  const { template } = synthConfig(parseInExamples(d));
  const td = Object.values(resources(template, 'AWS::ECS::TaskDefinition'))[0]?.Properties as Json;
  const c = td.ContainerDefinitions[0];
  const env: Record<string, string> = {};
  for (const x of c.Environment as Array<{ Name: string; Value: Json }>)
    env[x.Name] = typeof x.Value === 'string' ? x.Value : '<token>';
  for (const s of c.Secrets as Array<{ Name: string }>) env[s.Name] = '<secret>';
  return env;
}

interface Running {
  readonly child: ChildProcess;
  readonly logs: Array<Record<string, unknown>>;
  readonly stdout: () => string;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

let sqs: Sqs;
let dir: string;
let context: string;
let taskEnv: Record<string, string>;
let proc: Running | undefined;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'syslog-endpoint-container-'));
  context = join(dir, 'context');
  // the same staging the stack does at synth
  execFileSync(process.execPath, [join(ROOT, 'scripts', 'bundle-bridge.mjs'), context], { stdio: 'inherit' });
  taskEnv = taskEnvironment();
  sqs = await Sqs.start();
}, 60_000);

afterAll(async () => {
  if (proc && proc.child.exitCode === null && proc.child.signalCode === null) proc.child.kill('SIGKILL');
  await proc?.exited;
  await sqs?.stop();
  sqs?.destroy();
  rmSync(dir, { recursive: true, force: true });
});

function startContainer(queueUrl: string): Running {
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    // what the task definition sets, with loopback ports and fauxqs instead of AWS
    ...taskEnv,
    QUEUE_URL: queueUrl,
    SQS_ENDPOINT_URL: sqs.endpoint,
    TCP_PORT: '127.0.0.1:0',
    TLS_PORT: '127.0.0.1:0',
    HEALTH_PORT: '127.0.0.1:0',
    ALLOW_FROM: `${taskEnv.ALLOW_FROM},127.0.0.1/32`,
    // what ECS injects from the certificate secret (keys certificate, privateKey)
    TLS_CERT_PEM: tlsFixtures.cert.toString('utf8'),
    TLS_KEY_PEM: tlsFixtures.key.toString('utf8'),
    // the image's layout: /app/segura-bridge.mjs, /spool, $HOME of the node user
    BRIDGE_BUNDLE: join(context, 'segura-bridge.mjs'),
    SPOOL_DIR: join(dir, 'spool'),
    HOME: dir,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
  };
  const child = spawn(join(context, 'entrypoint.sh'), [], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  let out = '';
  const logs: Array<Record<string, unknown>> = [];
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (d: string) => {
    err += d;
    logs.length = 0;
    for (const l of err.split('\n')) if (l.startsWith('{')) logs.push(JSON.parse(l));
  });
  child.stdout?.setEncoding('utf8');
  child.stdout?.on('data', (d: string) => {
    out += d;
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  return { child, logs, stdout: () => out, exited };
}

/** A vault connection that writes lines at a steady pace until told to stop or the bridge closes it. */
function writer(sock: Socket, lines: string[]) {
  let written = 0;
  let stopped = false;
  let closed = false;
  sock.on('error', () => {
    closed = true;
  });
  sock.on('close', () => {
    closed = true;
  });
  const done = (async () => {
    for (const l of lines) {
      if (stopped || closed) break;
      const ok = sock.write(octet(l));
      written++;
      if (!ok) await new Promise((r) => sock.once('drain', r));
      if (written % 20 === 0) await sleep(5);
    }
    if (!closed) sock.end();
  })();
  return {
    get written() {
      return written;
    },
    stop: () => {
      stopped = true;
    },
    done,
  };
}

describe('the bridge as the container entrypoint starts it', () => {
  it('is configured by the task definition: pass-through TLS, TCP, health port, EMF, 100 s flush', () => {
    expect(taskEnv).toMatchObject({
      TCP_PORT: '10514',
      TLS_PORT: '16514',
      HEALTH_PORT: '8080',
      SHUTDOWN_TIMEOUT: '100',
      METRICS_NAMESPACE: 'SeguraRelay',
      TLS_CERT_PEM: '<secret>',
      TLS_KEY_PEM: '<secret>',
    });
  });

  it('TCP and TLS from the vault, SIGTERM mid-stream: every accepted line in SQS exactly once', async () => {
    const url = await sqs.queue('segura-ingest');
    proc = startContainer(url);
    const p = proc;
    await waitFor(() => p.logs.some((l) => l.msg === 'bridge started') || p.child.exitCode !== null, 20_000, 'start');
    expect(p.child.exitCode, JSON.stringify(p.logs)).toBeNull();
    const port = (t: string) => p.logs.find((l) => l.msg === 'listening' && l.transport === t)?.port as number;
    const healthPort = p.logs.find((l) => l.msg === 'health check listening')?.port as number;
    // the TLS key went to a 0600 file, not to the bridge's environment
    expect(readFileSync(`/proc/${p.child.pid}/environ`, 'utf8')).not.toContain('PRIVATE KEY');

    const health = await fetch(`http://127.0.0.1:${healthPort}/`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ healthy: true, mode: 'direct' });

    const tcpLines = vaultLines(600, 'tcp');
    const tlsLines = vaultLines(600, 'tls');
    const tcp = tcpConnect({ host: '127.0.0.1', port: port('tcp') });
    const tls = tlsConnect({ host: '127.0.0.1', port: port('tls'), ca: tlsFixtures.ca, servername: 'localhost' });
    await Promise.all([new Promise((r) => tcp.once('connect', r)), new Promise((r) => tls.once('secureConnect', r))]);
    const w = [writer(tcp, tcpLines), writer(tls, tlsLines)];
    // mid-stream: both connections have written a part and are still writing
    await waitFor(() => w.every((x) => x.written >= 200), 20_000, 'first 200 lines on each connection');
    const before = w.map((x) => x.written);
    // still mid-stream on both connections when the signal goes out
    for (const n of before) expect(n).toBeLessThan(600);
    p.child.kill('SIGTERM');
    await sleep(50);
    for (const x of w) x.stop();
    await Promise.all(w.map((x) => x.done));
    const exit = await Promise.race([p.exited, sleep(30_000).then(() => null)]);
    expect(
      exit,
      p.logs
        .slice(-5)
        .map((l) => JSON.stringify(l))
        .join('\n'),
    ).toEqual({ code: 0, signal: null });

    const summary = p.logs.find((l) => l.msg === 'summary') as Json;
    const accepted = summary.received.tcp + summary.received.tls;
    expect(summary.sent).toBe(accepted);
    expect(summary.spooled).toBe(0);
    const got = (await sqs.drain(url, accepted, 15_000)).map((m) => m.Body as string);
    // exactly once: as many as accepted, no body twice, each one a line we wrote
    expect(got).toHaveLength(accepted);
    expect(new Set(got).size).toBe(got.length);
    const sent = new Set([...tcpLines, ...tlsLines]);
    for (const b of got) expect(sent.has(b), b).toBe(true);
    // per connection: what arrived is a prefix of what was written, containing everything before the signal
    for (const [lines, n] of [
      [tcpLines, before[0]],
      [tlsLines, before[1]],
    ] as const) {
      const arrived = lines.filter((l) => got.includes(l));
      expect(arrived).toEqual(lines.slice(0, arrived.length));
      expect(arrived.length).toBeGreaterThanOrEqual(n as number);
    }
    expect(summary.received.tcp).toBeGreaterThanOrEqual(before[0] as number);
    expect(summary.received.tls).toBeGreaterThanOrEqual(before[1] as number);

    // the final EMF line (what CloudWatch turns into the alarms' metrics) counts the same
    const emf = p
      .stdout()
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l));
    expect(emf.length).toBeGreaterThanOrEqual(1);
    const names = emf[0]._aws.CloudWatchMetrics[0].Metrics.map((m: Json) => m.Name);
    expect(names).toEqual(expect.arrayContaining(Object.values(BRIDGE_METRIC)));
    const total = (k: string) => emf.reduce((s, d) => s + (d[k] as number), 0);
    expect(total(BRIDGE_METRIC.sent)).toBe(accepted);
    expect(total(BRIDGE_METRIC.received)).toBe(accepted);
    expect(total(BRIDGE_METRIC.rejected) + total(BRIDGE_METRIC.dropped) + total(BRIDGE_METRIC.sqsErrors)).toBe(0);
    expect(emf.at(-1).Service).toBe(taskEnv.METRICS_SERVICE);
  }, 90_000);
});
