/**
 * Interop receivers: real third-party syslog parsers on loopback, used as measuring instruments.
 *
 * - rsyslog 8.2302 (Debian 12): imptcp (TCP), imtcp + gtls (TLS, RFC 5425), imudp, imrelp (RELP, plain
 *   and TLS with tls.tlslib="openssl": librelp's gnutls side demands a client certificate);
 *   pmrfc5424 for the envelope, mmpstrucdata for SD, mmnormalize with liblognorm 2.0.6's `cef`
 *   parser for CEF payloads.
 * - syslog-ng 3.38 (Debian 12, extracted privately by install.sh): `syslog()` sources (RFC 5424 +
 *   RFC 6587 octet counting on TCP/TLS, one message per datagram on UDP).
 * - influxdata/go-syslog v2 (Debian 12): the strict RFC 5424 machine on each message, and its
 *   RFC 6587 octet-counting parser on the exact TCP/TLS byte stream.
 *
 * Correlation: messages are sent in lockstep by default. Message i is sent to both daemons, then the
 * harness waits until each daemon has written one new output record (or closed the connection, or
 * the wait timed out) before sending message i+1. Each daemon therefore writes at most one record
 * per window, and that record belongs to message i. The daemons' raw-message copies (rsyslog
 * `rawmsg`, syslog-ng `RAWMSG`) are checked against the inputs: a record that matches an earlier
 * message which got no record (a late record) goes to that message instead, and so does a record
 * written after the connection closed. No token in the messages is needed. `mode: 'burst'` sends
 * everything at once, as a relay batching frames would, and correlates by order plus the same check.
 *
 * Run `bash test/interop/install.sh` first (as root). It writes `$SEGURA_INTEROP_HOME/env.json`,
 * which this module reads.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import dgram from 'node:dgram';
import {
  closeSync,
  existsSync,
  fstatSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  readSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tls from 'node:tls';
import { errorMessage } from '../../shared/errors.js';

export type ParserName = 'rsyslog' | 'syslog-ng' | 'go-syslog';
export type Transport = 'udp' | 'tcp' | 'tls';

/** liblognorm 2.0.6's view of a CEF payload (rsyslog only; syslog-ng and go-syslog have no CEF parser). */
export interface CefView {
  ok: boolean;
  /** Why liblognorm rejected the payload (it is all-or-nothing): the unparsed data it reported. */
  error?: string;
  version?: string;
  vendor?: string;
  product?: string;
  deviceVersion?: string;
  eventClassId?: string;
  name?: string;
  severity?: string;
  ext?: Record<string, string>;
}

/** What one parser made of one message. NILVALUE `-` reported literally is mapped to null. */
export interface ParsedRecord {
  parser: ParserName;
  /** The parser accepted the message as RFC 5424 (rsyslog: pmrfc5424 succeeded; it is lenient). */
  ok: boolean;
  error?: string;
  pri?: number;
  facility?: number;
  severity?: number;
  /** As the parser printed it: rsyslog RFC 3339 as received, syslog-ng ISODATE with 6 digits and an
   * offset, go-syslog `2006-01-02T15:04:05.000000Z07:00`. Compare with {@link toUtcMicros}. */
  timestamp?: string;
  hostname?: string | null;
  appName?: string | null;
  procid?: string | null;
  msgid?: string | null;
  /** SD-ID → PARAM-NAME → value (unescaped). `{}` for NILVALUE SD. Absent when the parser produced
   * no SD for a non-nil SD field (for example rsyslog's mmpstrucdata giving up silently). */
  sd?: Record<string, Record<string, string>>;
  msg?: string | null;
  cef?: CefView;
  /** The parser's own output record, untouched (daemon JSON line, or the go checker's view). */
  raw?: unknown;
}

export interface InteropRun {
  /** Message index → one record per parser, in the order rsyslog, syslog-ng, go-syslog. */
  records: Map<number, ParsedRecord[]>;
  /** Framing-level problems: go-syslog's octet-counting verdict on the sent stream, daemon framing
   * complaints, connections a daemon closed before every frame was delivered. */
  framingErrors: string[];
  /** Everything else worth reading: daemon warnings, late or extra records, send errors. */
  diagnostics: string[];
  /** go-syslog's octet-counting parser results, one per frame it found (tcp/tls only). */
  frames?: ParsedRecord[];
  /** The record of one parser for one message (throws if the index was not sent). */
  get(index: number, parser: ParserName): ParsedRecord;
}

export interface DeliverOptions {
  /** RFC 6587 §3.4.1 octet counting, the only framing syslog-ng's `syslog()` TCP/TLS source reads. */
  framing?: 'octet';
  /** Octet-counting header of message i. @default `${message.length} ` (MSG-LEN in bytes, then SP).
   * Override it to send broken frames, e.g. a character count. */
  frameHeader?: (message: Buffer, index: number) => string;
  /** `lockstep` waits for both daemons after each message; `burst` sends all at once.
   * @default 'lockstep' */
  mode?: 'lockstep' | 'burst';
  /** Longest wait for one message's records in lockstep mode. @default 2000 */
  messageTimeoutMs?: number;
  /** Bound on the whole delivery. @default 10000 + 50 per message */
  timeoutMs?: number;
}

export interface StartOptions {
  /** rsyslog `maxMessageSize` and syslog-ng `log-msg-size()`, in bytes. @default 65536 */
  maxMessageSize?: number;
}

export interface Receivers {
  ports: {
    rsyslog: { udp: number; tcp: number; tls: number; relp: number; relpTls: number };
    syslogNg: { udp: number; tcp: number; tls: number };
  };
  /** PEM of the test CA that signed the daemons' TLS certificate (SAN localhost, 127.0.0.1). */
  caPem: string;
  /** Package versions as installed (rsyslog, liblognorm, syslogNg, goSyslog, go). */
  versions: Record<string, string>;
  /** Temp dir with configs, daemon outputs and logs (kept after stop if SEGURA_INTEROP_KEEP=1). */
  workDir: string;
  deliver(messages: Buffer[], transport: Transport, opts?: DeliverOptions): Promise<InteropRun>;
  /** Records produced by traffic sent by someone else (the relay's sink), per daemon, in arrival
   * order, once each daemon in `daemons` (default both) has `count` new records or `timeoutMs` passed. */
  collect(
    count: number,
    timeoutMs?: number,
    daemons?: readonly ('rsyslog' | 'syslog-ng')[],
  ): Promise<Record<'rsyslog' | 'syslog-ng', ParsedRecord[]>>;
  /** New lines of a daemon's own log (errors, warnings) since the last call, routine chatter removed. */
  daemonLog(daemon: 'rsyslog' | 'syslog-ng'): string[];
  stop(): Promise<void>;
}

interface InteropEnv {
  rsyslogd: string;
  rsyslogModDir: string;
  syslogNg: string;
  syslogNgModDir: string;
  syslogNgLibDir: string;
  goChecker: string;
  tls: { ca: string; cert: string; key: string };
  versions: Record<string, string>;
}

type DaemonName = 'rsyslog' | 'syslog-ng';
type JsonObject = Record<string, unknown>;

const HOST = '127.0.0.1';
const SETPRIV = '/usr/bin/setpriv';
const DAEMONS: readonly DaemonName[] = ['rsyslog', 'syslog-ng'];
const BOM = '\ufeff';
const POLL_MS = 5;
const CLOSE_GRACE_MS = 150;
const SNG_ERROR_PREFIX = 'Error processing log message';
// Routine daemon chatter that is not worth a diagnostic.
const ROUTINE =
  /Syslog connection (accepted|closed)|Accepting connections|syslog-ng (starting up|shutting down)|dns-cache\(\) will be forced|\[origin software="rsyslogd".*\] (start|exiting on signal)|imptcp: (connection|session)|connection established with host/;
const FRAMING = /frame|log_msg_size|oversize|octet|framing/i;

export function interopHome(): string {
  return process.env.SEGURA_INTEROP_HOME ?? '/tmp/segura-interop';
}

/** `LEN SP MSG` (RFC 6587 §3.4.1), LEN in bytes. */
export function octetFrame(message: Buffer): Buffer {
  return Buffer.concat([Buffer.from(`${message.length} `, 'latin1'), message]);
}

/**
 * RFC 3339 timestamp → UTC with exactly 6 fraction digits, so the three parsers' renderings compare.
 * @example toUtcMicros('2026-01-19T10:41:00.123+02:00') === '2026-01-19T08:41:00.123000Z'
 */
export function toUtcMicros(ts: string | undefined): string | undefined {
  if (ts === undefined) return undefined;
  const m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?(Z|[+-]\d\d:\d\d)$/.exec(ts);
  if (!m) return ts;
  const base = new Date(`${m[1]}${m[3]}`);
  if (Number.isNaN(base.getTime())) return ts;
  return `${base.toISOString().slice(0, 19)}.${(m[2] ?? '').padEnd(6, '0').slice(0, 6)}Z`;
}

function loadEnv(): InteropEnv {
  const file = join(interopHome(), 'env.json');
  if (!existsSync(file)) throw new Error(`${file} not found: run \`bash test/interop/install.sh\` (as root) first`);
  const env = JSON.parse(readFileSync(file, 'utf8')) as InteropEnv;
  for (const p of [env.rsyslogd, env.syslogNg, env.goChecker, env.tls.ca, env.tls.cert, env.tls.key]) {
    if (!existsSync(p)) throw new Error(`${p} (from ${file}) is missing: re-run \`bash test/interop/install.sh\``);
  }
  return env;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** `p`, or 'timeout' after `ms`; the timer is cleared so it never holds the process open. */
async function within<T>(p: Promise<T>, ms: number): Promise<T | 'timeout'> {
  let timer: NodeJS.Timeout | undefined;
  const expiry = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), ms);
  });
  try {
    return await Promise.race([p, expiry]);
  } finally {
    clearTimeout(timer);
  }
}

// ------------------------------------------------------------------------------------------- ports

async function reserveTcpPort(): Promise<net.Server> {
  const server = net.createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, HOST, () => resolve());
  });
  return server;
}

async function reserveUdpPort(): Promise<dgram.Socket> {
  const socket = dgram.createSocket('udp4');
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(0, HOST, () => resolve());
  });
  return socket;
}

/** Eight distinct free ports: held together while picking, released just before the daemons start. */
async function pickPorts(): Promise<Receivers['ports']> {
  const tcp = await Promise.all(Array.from({ length: 6 }, () => reserveTcpPort()));
  const udp = await Promise.all([reserveUdpPort(), reserveUdpPort()]);
  const tp = tcp.map((s) => (s.address() as net.AddressInfo).port);
  const up = udp.map((s) => s.address().port);
  await Promise.all(tcp.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  await Promise.all(udp.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  return {
    rsyslog: { tcp: tp[0]!, tls: tp[1]!, udp: up[0]!, relp: tp[4]!, relpTls: tp[5]! },
    syslogNg: { tcp: tp[2]!, tls: tp[3]!, udp: up[1]! },
  };
}

/** Is something bound on 127.0.0.1:port? Reads /proc/net (no probe connection, so no daemon noise). */
function isListening(proto: 'tcp' | 'udp', port: number): boolean {
  const want = `0100007F:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  const lines = readFileSync(`/proc/net/${proto}`, 'utf8').split('\n').slice(1);
  return lines.some((line) => {
    const f = line.trim().split(/\s+/);
    return f[1] === want && (proto === 'udp' || f[3] === '0A');
  });
}

// ----------------------------------------------------------------------------------------- configs

function rsyslogConf(env: InteropEnv, dir: string, ports: Receivers['ports']['rsyslog'], maxSize: number): string {
  // The POSIX ERE  ^(CEF:[0-9]+(\|([^|\]|\\.)*){6}\|)  matches the CEF prefix and the 7 header fields
  // with their `\|` and `\\` escapes. RainerScript string literals unescape `\\` to `\`, so every
  // backslash is doubled once more here.
  const headerEre = String.raw`^(CEF:[0-9]+(\\|([^|\\]|\\\\.)*){6}\\|)`;
  return `global(workDirectory="${dir}/rs-work" maxMessageSize="${maxSize}" processInternalMessages="on"
       defaultNetstreamDriverCAFile="${env.tls.ca}"
       defaultNetstreamDriverCertFile="${env.tls.cert}"
       defaultNetstreamDriverKeyFile="${env.tls.key}")
module(load="imudp")
module(load="imptcp")
module(load="imtcp" streamDriver.name="gtls" streamDriver.mode="1" streamDriver.authMode="anon")
# librelp with gnutls requires a client certificate as soon as the server has one; openssl does not
module(load="imrelp" tls.tlslib="openssl")
module(load="mmpstrucdata")
module(load="mmnormalize")
template(name="t_json" type="list" option.jsonf="on") {
  property(outname="protocol_version" name="protocol-version" format="jsonf")
  property(outname="pri" name="pri" format="jsonf")
  property(outname="facility" name="syslogfacility" format="jsonf")
  property(outname="severity" name="syslogseverity" format="jsonf")
  property(outname="timestamp" name="timereported" dateFormat="rfc3339" format="jsonf")
  property(outname="hostname" name="hostname" format="jsonf")
  property(outname="app_name" name="app-name" format="jsonf")
  property(outname="procid" name="procid" format="jsonf")
  property(outname="msgid" name="msgid" format="jsonf")
  property(outname="structured_data" name="structured-data" format="jsonf")
  property(outname="msg" name="msg" format="jsonf")
  property(outname="rawmsg" name="rawmsg" format="jsonf")
  property(outname="inputname" name="inputname" format="jsonf")
  property(outname="vars" name="$!" format="jsonf")
}
ruleset(name="rs_in") {
  action(type="mmpstrucdata" sd_name.lowercase="off")
  set $.m = $msg;
  # rsyslog keeps the RFC 5424 BOM in $msg; a CEF payload after a BOM is still handed to liblognorm.
  if (substring($.m, 0, 3) == "${BOM}") then { set $.m = substring($.m, 3, 10000000); }
  if ($.m startswith "CEF:") then {
    # liblognorm 2.0.6 (Debian 12) drops the first character after the header's last '|' (fixed in
    # 2.0.7): insert one space there so the first extension key arrives whole.
    set $.hdr = re_extract($.m, "${headerEre}", 0, 1, "");
    if ($.hdr != "") then {
      set $.cefin = $.hdr & " " & substring($.m, strlen($.hdr), 10000000);
    } else {
      set $.cefin = $.m;
    }
    action(type="mmnormalize" ruleBase="${dir}/cef.rulebase" variable="$.cefin" path="$!cef")
  }
  action(type="omfile" file="${dir}/rsyslog.jsonl" template="t_json")
}
input(type="imudp" address="${HOST}" port="${ports.udp}" ruleset="rs_in")
input(type="imptcp" address="${HOST}" port="${ports.tcp}" ruleset="rs_in")
input(type="imtcp" address="${HOST}" port="${ports.tls}" ruleset="rs_in")
input(type="imrelp" address="${HOST}" port="${ports.relp}" ruleset="rs_in" maxDataSize="${maxSize}")
input(type="imrelp" address="${HOST}" port="${ports.relpTls}" ruleset="rs_in" maxDataSize="${maxSize}" tls="on"
      tls.cacert="${env.tls.ca}" tls.mycert="${env.tls.cert}" tls.myprivkey="${env.tls.key}")
action(type="omfile" file="${dir}/rsyslog-internal.log")
`;
}

function syslogNgConf(env: InteropEnv, dir: string, ports: Receivers['ports']['syslogNg'], maxSize: number): string {
  const common = `flags(store-raw-message) log-msg-size(${maxSize})`;
  // --key-delimiter '=' keeps `.SDATA.<id>.<param>` keys flat: '=' cannot occur in an SD-NAME.
  const keys = [
    'ISODATE',
    'PRI',
    'FACILITY_NUM',
    'SEVERITY_NUM',
    'HOST',
    'PROGRAM',
    'PID',
    'MSGID',
    'SDATA',
    'MESSAGE',
    'RAWMSG',
    'SOURCEIP',
  ];
  return `@version: 3.38
options { keep-hostname(yes); keep-timestamp(yes); use-dns(no); use-fqdn(no); dns-cache(no); chain-hostnames(no);
          stats-freq(0); frac-digits(6); log-msg-size(${maxSize}); create-dirs(yes); };
source s_net {
  syslog(ip("${HOST}") port(${ports.udp}) transport("udp") ${common});
  syslog(ip("${HOST}") port(${ports.tcp}) transport("tcp") ${common});
  syslog(ip("${HOST}") port(${ports.tls}) transport("tls") ${common}
         tls(key-file("${env.tls.key}") cert-file("${env.tls.cert}") peer-verify(optional-untrusted)));
};
destination d_json {
  file("${dir}/syslog-ng.jsonl" flush-lines(1)
       template("$(format-json --key-delimiter = --scope sdata ${keys.map((k) => `--key ${k}`).join(' ')})\\n"));
};
log { source(s_net); destination(d_json); };
`;
}

// ----------------------------------------------------------------------------------- file readers

/** Reads what was appended to a file since the last call, split into complete lines. */
class Tail {
  private offset = 0;
  private partial = Buffer.alloc(0);
  constructor(readonly path: string) {}

  lines(): Buffer[] {
    if (!existsSync(this.path)) return [];
    const fd = openSync(this.path, 'r');
    try {
      const size = fstatSync(fd).size;
      if (size <= this.offset) return [];
      const chunk = Buffer.alloc(size - this.offset);
      const n = readSync(fd, chunk, 0, chunk.length, this.offset);
      this.offset += n;
      this.partial = Buffer.concat([this.partial, chunk.subarray(0, n)]);
    } finally {
      closeSync(fd);
    }
    const out: Buffer[] = [];
    let nl = this.partial.indexOf(0x0a);
    while (nl >= 0) {
      if (nl > 0) out.push(this.partial.subarray(0, nl));
      this.partial = this.partial.subarray(nl + 1);
      nl = this.partial.indexOf(0x0a);
    }
    return out;
  }
}

interface DaemonRecord {
  json: JsonObject;
  /** The raw message as the daemon reported it, for correlation. */
  raw: string;
}

class Daemon {
  readonly output: Tail;
  readonly logs: Tail[];
  readonly pending: DaemonRecord[] = [];
  exit: string | undefined;

  constructor(
    readonly name: DaemonName,
    readonly child: ChildProcess,
    outputPath: string,
    logPaths: string[],
    private readonly diag: (line: string) => void,
  ) {
    this.output = new Tail(outputPath);
    this.logs = logPaths.map((p) => new Tail(p));
    child.once('exit', (code, signal) => {
      this.exit = signal ? `signal ${signal}` : `code ${code}`;
    });
  }

  /** Moves newly written output records into `pending`. */
  poll(): void {
    for (const line of this.output.lines()) {
      const text = line.toString('utf8');
      let json: JsonObject;
      try {
        json = JSON.parse(text) as JsonObject;
      } catch (err) {
        this.diag(`${this.name}: unparseable output line (${errorMessage(err)}): ${text}`);
        json = { unparseableOutput: text };
      }
      this.pending.push({ json, raw: rawOf(this.name, json) });
    }
  }

  /** New lines of the daemon's stderr / internal log, without the copies rsyslog writes to both. */
  logLines(): string[] {
    const seen = new Set<string>();
    const out: string[] = [];
    for (const t of this.logs) {
      for (const buf of t.lines()) {
        // rsyslog's internal log uses RSYSLOG_FileFormat: "TIMESTAMP HOST TAG: text"
        const line = buf.toString('utf8').replace(/^\d{4}-\d\d-\d\dT\S+ \S+ (?=rsyslogd)/, '');
        const key = line.replace(/^rsyslogd-\d+:/, 'rsyslogd:');
        if (seen.has(key)) continue;
        seen.add(key);
        out.push(line);
      }
    }
    return out;
  }
}

const registry = new Set<ChildProcess>();
let exitHooksInstalled = false;
function killAll(): void {
  for (const c of registry) c.kill('SIGKILL');
}
function onSignal(signal: NodeJS.Signals): void {
  killAll();
  // `once` already removed this listener: re-raise only if nobody else handles the signal
  if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
}
function track(child: ChildProcess): void {
  registry.add(child);
  child.once('exit', () => registry.delete(child));
  if (!exitHooksInstalled) {
    exitHooksInstalled = true;
    // Last resorts if stop() is never reached (crashed or killed worker); setpriv's parent-death
    // signal covers a SIGKILLed worker too.
    process.once('exit', killAll);
    process.once('SIGTERM', onSignal);
    process.once('SIGINT', onSignal);
  }
}

/** Runs `cmd` so that the kernel SIGKILLs it if this process dies (util-linux setpriv, Essential in Debian). */
function withParentDeathSignal(cmd: string, args: string[]): [string, string[]] {
  return existsSync(SETPRIV) ? [SETPRIV, ['--pdeathsig', 'SIGKILL', '--', cmd, ...args]] : [cmd, args];
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  if ((await within(exited, 5000)) === 'timeout') {
    child.kill('SIGKILL');
    await within(exited, 2000);
  }
}

// ----------------------------------------------------------------------------------- conversions

const nil = (v: unknown): string | null => (v === undefined || v === null || v === '-' ? null : String(v));

function rawOf(name: DaemonName, json: JsonObject): string {
  if (name === 'rsyslog') return String(json.rawmsg ?? '');
  if (typeof json.RAWMSG === 'string') return json.RAWMSG;
  const msg = String(json.MESSAGE ?? '');
  // syslog-ng error records quote the input and mark the error position with `>@<`
  return msg.startsWith(`${SNG_ERROR_PREFIX}: `) ? msg.slice(SNG_ERROR_PREFIX.length + 2).replace('>@<', '') : msg;
}

/** rsyslog prints `$!` in a jsonf template as a JSON string ("" when empty), not as an object. */
function parseVars(v: unknown): { vars: JsonObject; error?: string } {
  if (v && typeof v === 'object') return { vars: v as JsonObject };
  if (typeof v !== 'string' || v === '') return { vars: {} };
  try {
    return { vars: JSON.parse(v) as JsonObject };
  } catch (err) {
    return { vars: {}, error: `unreadable $! JSON (${errorMessage(err)}): ${v}` };
  }
}

function fromRsyslog(json: JsonObject): ParsedRecord {
  if ('unparseableOutput' in json) return { parser: 'rsyslog', ok: false, error: 'unparseable output line', raw: json };
  const { vars, error: varsError } = parseVars(json.vars);
  const version = String(json.protocol_version ?? '');
  const rec: ParsedRecord = { parser: 'rsyslog', ok: version === '1', raw: json };
  if (!rec.ok)
    rec.error = `not parsed as RFC 5424 (protocol-version "${version}": pmrfc5424 failed, RFC 3164 fallback)`;
  if (varsError) rec.error = varsError;
  rec.pri = Number(json.pri);
  rec.facility = Number(json.facility);
  rec.severity = Number(json.severity);
  rec.timestamp = String(json.timestamp ?? '');
  rec.hostname = nil(json.hostname);
  rec.appName = nil(json.app_name);
  rec.procid = nil(json.procid);
  rec.msgid = nil(json.msgid);
  const sd = vars['rfc5424-sd'];
  if (sd && typeof sd === 'object') rec.sd = sd as Record<string, Record<string, string>>;
  else if (json.structured_data === '-') rec.sd = {};
  rec.msg = json.msg === undefined ? null : String(json.msg);
  const cef = vars.cef as JsonObject | undefined;
  if (cef) {
    const c = cef.cef as JsonObject | undefined;
    rec.cef = c
      ? {
          ok: true,
          version: '0', // liblognorm accepts only `CEF:0|`
          vendor: String(c.DeviceVendor),
          product: String(c.DeviceProduct),
          deviceVersion: String(c.DeviceVersion),
          eventClassId: String(c.SignatureID),
          name: String(c.Name),
          severity: String(c.Severity),
          ext: (c.Extensions ?? {}) as Record<string, string>,
        }
      : { ok: false, error: `liblognorm rejected the CEF payload; unparsed: ${String(cef['unparsed-data'] ?? '')}` };
  }
  return rec;
}

/** syslog-ng's `.SDATA.<id>.<param>` keys, split at the last dot, as syslog-ng's own $SDATA does. */
function sdFromSyslogNg(json: JsonObject): Record<string, Record<string, string>> {
  const sd: Record<string, Record<string, string>> = {};
  for (const [key, value] of Object.entries(json)) {
    if (!key.startsWith('.SDATA.')) continue;
    const rest = key.slice('.SDATA.'.length);
    const dot = rest.lastIndexOf('.');
    if (dot < 0) {
      sd[rest] ??= {}; // an SD element without params
    } else {
      const id = rest.slice(0, dot);
      sd[id] ??= {};
      (sd[id] as Record<string, string>)[rest.slice(dot + 1)] = String(value);
    }
  }
  return sd;
}

function fromSyslogNg(json: JsonObject): ParsedRecord {
  if ('unparseableOutput' in json)
    return { parser: 'syslog-ng', ok: false, error: 'unparseable output line', raw: json };
  const message = json.MESSAGE === undefined ? null : String(json.MESSAGE);
  // A rejected message becomes syslog-ng's own record, with no RAWMSG
  if (json.PROGRAM === 'syslog-ng' && json.RAWMSG === undefined && message?.startsWith(SNG_ERROR_PREFIX)) {
    return { parser: 'syslog-ng', ok: false, error: message, raw: json };
  }
  return {
    parser: 'syslog-ng',
    ok: true,
    pri: Number(json.PRI),
    facility: Number(json.FACILITY_NUM),
    severity: Number(json.SEVERITY_NUM),
    timestamp: String(json.ISODATE ?? ''),
    hostname: nil(json.HOST),
    appName: nil(json.PROGRAM),
    procid: nil(json.PID),
    msgid: nil(json.MSGID),
    sd: sdFromSyslogNg(json),
    msg: message,
    raw: json,
  };
}

interface GoView {
  ok: boolean;
  error?: string;
  frameError?: boolean;
  parsed: boolean;
  pri?: number;
  facility?: number;
  severity?: number;
  timestamp?: string;
  hostname?: string;
  appName?: string;
  procid?: string;
  msgid?: string;
  msg?: string;
  sd?: Record<string, Record<string, string>>;
}

function fromGo(v: GoView): ParsedRecord {
  const rec: ParsedRecord = { parser: 'go-syslog', ok: v.ok, raw: v };
  if (v.error !== undefined) rec.error = v.error;
  if (!v.parsed) return rec;
  if (v.pri !== undefined) rec.pri = v.pri;
  if (v.facility !== undefined) rec.facility = v.facility;
  if (v.severity !== undefined) rec.severity = v.severity;
  if (v.timestamp !== undefined) rec.timestamp = v.timestamp;
  rec.hostname = v.hostname ?? null;
  rec.appName = v.appName ?? null;
  rec.procid = v.procid ?? null;
  rec.msgid = v.msgid ?? null;
  rec.sd = v.sd ?? {};
  rec.msg = v.msg ?? null;
  return rec;
}

async function runGoChecker(
  bin: string,
  messages: Buffer[],
  stream: Buffer | undefined,
): Promise<{ messages: GoView[]; frames: GoView[] | null }> {
  const input = JSON.stringify({
    messages: messages.map((m) => m.toString('base64')),
    ...(stream ? { stream: stream.toString('base64') } : {}),
  });
  const child = spawn(bin, [], { stdio: ['pipe', 'pipe', 'pipe'] });
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout.on('data', (d: Buffer) => out.push(d));
  child.stderr.on('data', (d: Buffer) => err.push(d));
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  const done = new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve(code));
  });
  child.stdin.end(input);
  const code = await done.finally(() => clearTimeout(timer));
  if (code !== 0) throw new Error(`go-syslog checker exited ${code}: ${Buffer.concat(err).toString('utf8')}`);
  return JSON.parse(Buffer.concat(out).toString('utf8')) as { messages: GoView[]; frames: GoView[] | null };
}

// ------------------------------------------------------------------------------------ correlation

/** Printable ASCII only, without the daemons' escape artefacts: enough to tell messages apart. */
function fingerprint(s: string): string {
  return s
    .replace(/#[0-7]{3}/g, '') // rsyslog control-character escapes
    .replace(/\\x[0-9a-f]{2}/gi, '') // syslog-ng invalid UTF-8 escapes
    .replace(/[^\x21-\x7e]/g, '');
}

function rawMatches(inputPrint: string, raw: string): boolean {
  const r = fingerprint(raw);
  if (r.length === 0 || inputPrint.length === 0) return false;
  const n = Math.min(inputPrint.length, r.length, 200);
  // a truncated record is a prefix of its input; a record after a framing break may carry junk first
  return inputPrint.slice(0, n) === r.slice(0, n) || r.includes(inputPrint.slice(0, Math.min(n, 64)));
}

// --------------------------------------------------------------------------------------- senders

interface Sender {
  /** Set once the peer closed the connection (or a send failed fatally). */
  closedAt: number | undefined;
  closedReason: string | undefined;
  send(data: Buffer): Promise<string | undefined>;
  end(): Promise<void>;
}

async function openSender(
  transport: Transport,
  port: number,
  caPem: string,
  diag: (s: string) => void,
  who: string,
): Promise<Sender> {
  if (transport === 'udp') {
    const socket = dgram.createSocket('udp4');
    socket.on('error', (err) => diag(`${who}: udp socket error: ${err.message}`));
    return {
      closedAt: undefined,
      closedReason: undefined,
      send: (data) =>
        new Promise((resolve) => {
          socket.send(data, port, HOST, (err) =>
            resolve(err ? `udp send of ${data.length} bytes failed: ${err.message}` : undefined),
          );
        }),
      end: () => new Promise((resolve) => socket.close(() => resolve())),
    };
  }
  const socket =
    transport === 'tls'
      ? tls.connect({ host: HOST, port, ca: caPem, servername: 'localhost' })
      : net.connect({ host: HOST, port });
  const sender: Sender = {
    closedAt: undefined,
    closedReason: undefined,
    send: (data) =>
      new Promise((resolve) => {
        if (sender.closedAt !== undefined || socket.destroyed || socket.writableEnded) {
          resolve(`not sent: connection already closed (${sender.closedReason ?? 'closed'})`);
          return;
        }
        socket.write(data, (err) => resolve(err ? `write failed: ${err.message}` : undefined));
      }),
    end: async () => {
      if (!socket.destroyed) {
        const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
        socket.end();
        await within(closed, 2000);
        socket.destroy();
      }
    },
  };
  let ending = false;
  const markClosed = (reason: string) => {
    if (sender.closedAt === undefined && !ending) {
      sender.closedAt = Date.now();
      sender.closedReason = reason;
    }
  };
  const origEnd = sender.end;
  sender.end = async () => {
    ending = true;
    await origEnd();
  };
  socket.on('error', (err) => {
    markClosed(`error: ${err.message}`);
    if (!ending) diag(`${who}: ${transport} socket error: ${err.message}`);
  });
  socket.on('end', () => markClosed('closed by the receiver'));
  socket.on('close', () => markClosed('closed'));
  socket.resume(); // the daemons send nothing, but never let a read buffer stall the socket
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${who}: ${transport} connect timed out`)), 5000);
    socket.once(transport === 'tls' ? 'secureConnect' : 'connect', () => {
      clearTimeout(timer);
      resolve();
    });
    socket.once('error', (err) => {
      clearTimeout(timer);
      reject(new Error(`${who}: ${transport} connect to port ${port} failed: ${err.message}`));
    });
  });
  return sender;
}

// ------------------------------------------------------------------------------------------ start

/**
 * Starts rsyslog and syslog-ng on free 127.0.0.1 ports with temp configs. Always call `stop()`.
 * @example
 * const rx = await startReceivers();
 * try {
 *   const run = await rx.deliver([Buffer.from('<134>1 2026-01-19T10:41:00.000Z h app - - - hi')], 'tcp');
 *   run.get(0, 'go-syslog').ok; // true
 * } finally { await rx.stop(); }
 */
export async function startReceivers(opts: StartOptions = {}): Promise<Receivers> {
  const env = loadEnv();
  const maxSize = opts.maxMessageSize ?? 65536;
  let lastError: unknown;
  // a freed port can be taken before the daemon binds it: retry with fresh ports
  for (let attempt = 1; attempt <= 3; attempt++) {
    try {
      return await startOnce(env, maxSize);
    } catch (err) {
      lastError = err;
      if (!(err instanceof PortError)) throw err;
    }
  }
  throw lastError;
}

class PortError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PortError';
  }
}

async function startOnce(env: InteropEnv, maxSize: number): Promise<Receivers> {
  const dir = mkdtempSync(join(tmpdir(), 'segura-interop-'));
  mkdirSync(join(dir, 'rs-work'));
  const keep = process.env.SEGURA_INTEROP_KEEP === '1';
  const ports = await pickPorts();
  writeFileSync(join(dir, 'cef.rulebase'), 'version=2\nrule=:%cef:cef%\n');
  writeFileSync(join(dir, 'rsyslog.conf'), rsyslogConf(env, dir, ports.rsyslog, maxSize));
  writeFileSync(join(dir, 'syslog-ng.conf'), syslogNgConf(env, dir, ports.syslogNg, maxSize));
  const caPem = readFileSync(env.tls.ca, 'utf8');
  const pendingDiag: string[] = [];
  const diag = (s: string) => pendingDiag.push(s);

  const spawnLogged = (cmd: string, args: string[], logName: string, extraEnv: Record<string, string> = {}) => {
    const fd = openSync(join(dir, logName), 'a');
    try {
      const [file, argv] = withParentDeathSignal(cmd, args);
      const child = spawn(file, argv, { stdio: ['ignore', fd, fd], env: { ...process.env, ...extraEnv } });
      track(child);
      child.on('error', (err) => diag(`${cmd}: spawn error: ${err.message}`));
      return child;
    } finally {
      closeSync(fd);
    }
  };
  const rs = spawnLogged(
    env.rsyslogd,
    ['-n', '-M', env.rsyslogModDir, '-f', join(dir, 'rsyslog.conf'), '-i', join(dir, 'rsyslog.pid')],
    'rsyslog.stderr',
  );
  const sng = spawnLogged(
    env.syslogNg,
    [
      `--module-path=${env.syslogNgModDir}`,
      '-F',
      '-e',
      '-f',
      join(dir, 'syslog-ng.conf'),
      '-R',
      join(dir, 'syslog-ng.persist'),
      '-p',
      join(dir, 'syslog-ng.pid'),
      '-c',
      join(dir, 'syslog-ng.ctl'),
    ],
    'syslog-ng.stderr',
    { LD_LIBRARY_PATH: [env.syslogNgLibDir, process.env.LD_LIBRARY_PATH].filter(Boolean).join(':') },
  );
  const daemons: Record<DaemonName, Daemon> = {
    rsyslog: new Daemon(
      'rsyslog',
      rs,
      join(dir, 'rsyslog.jsonl'),
      [join(dir, 'rsyslog.stderr'), join(dir, 'rsyslog-internal.log')],
      diag,
    ),
    'syslog-ng': new Daemon('syslog-ng', sng, join(dir, 'syslog-ng.jsonl'), [join(dir, 'syslog-ng.stderr')], diag),
  };
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await Promise.all([stopChild(rs), stopChild(sng)]);
    if (keep) process.stderr.write(`segura-interop: work dir kept: ${dir}\n`);
    else rmSync(dir, { recursive: true, force: true });
  };

  // ------------------------------------------------------------------------ wait until listening
  const sockets: [DaemonName, 'tcp' | 'udp', number][] = [
    ['rsyslog', 'udp', ports.rsyslog.udp],
    ['rsyslog', 'tcp', ports.rsyslog.tcp],
    ['rsyslog', 'tcp', ports.rsyslog.tls],
    ['rsyslog', 'tcp', ports.rsyslog.relp],
    ['rsyslog', 'tcp', ports.rsyslog.relpTls],
    ['syslog-ng', 'udp', ports.syslogNg.udp],
    ['syslog-ng', 'tcp', ports.syslogNg.tcp],
    ['syslog-ng', 'tcp', ports.syslogNg.tls],
  ];
  const deadline = Date.now() + 10_000;
  for (;;) {
    const exited = DAEMONS.find((d) => daemons[d].exit !== undefined);
    const missing = sockets.filter(([, proto, port]) => !isListening(proto, port));
    if (exited || missing.length === 0 || Date.now() > deadline) {
      if (!exited && missing.length === 0) break;
      const logs = DAEMONS.map((d) => `--- ${d}:\n${daemons[d].logLines().join('\n')}`).join('\n');
      await stop();
      const what = exited
        ? `${exited} exited (${daemons[exited].exit}) during startup`
        : `not listening after 10 s: ${missing.map(([d, p, n]) => `${d} ${p}/${n}`).join(', ')}`;
      const msg = `interop receivers failed to start: ${what}\n${logs}`;
      if (/Address already in use|Error binding socket|could not bind/i.test(logs)) throw new PortError(msg);
      throw new Error(msg);
    }
    await sleep(20);
  }

  // ------------------------------------------------------------------------------------ deliver
  let queue: Promise<unknown> = Promise.resolve();
  const deliver = (messages: Buffer[], transport: Transport, dopts: DeliverOptions = {}): Promise<InteropRun> => {
    const run = queue.then(() => deliverNow(messages, transport, dopts));
    queue = run.catch(() => undefined); // a failed delivery must not block later ones; the caller sees the error
    return run;
  };

  const deliverNow = async (messages: Buffer[], transport: Transport, dopts: DeliverOptions): Promise<InteropRun> => {
    if (stopped) throw new Error('receivers are stopped');
    if (!['udp', 'tcp', 'tls'].includes(transport)) throw new Error(`unknown transport ${transport}`);
    if ((dopts.framing ?? 'octet') !== 'octet') throw new Error(`unsupported framing ${String(dopts.framing)}`);
    const n = messages.length;
    const started = Date.now();
    const deadline = started + (dopts.timeoutMs ?? 10_000 + 50 * n);
    const messageTimeout = dopts.messageTimeoutMs ?? 2000;
    const mode = dopts.mode ?? 'lockstep';
    const framingErrors: string[] = [];
    const diagnostics: string[] = [];
    const note = (s: string) => diagnostics.push(s);
    const header = dopts.frameHeader ?? ((m: Buffer) => `${m.length} `);
    const payloads =
      transport === 'udp' ? messages : messages.map((m, i) => Buffer.concat([Buffer.from(header(m, i), 'utf8'), m]));
    const prints = messages.map((m) => fingerprint(m.toString('utf8')));

    // leftovers of an earlier delivery must not be taken for this one's
    for (const d of DAEMONS) {
      daemons[d].poll();
      for (const r of daemons[d].pending.splice(0))
        note(`${d}: late record from an earlier delivery: ${JSON.stringify(r.json)}`);
    }
    diagnostics.push(...pendingDiag.splice(0));
    for (const d of DAEMONS) if (daemons[d].exit) throw new Error(`${d} is not running (${daemons[d].exit})`);

    const portOf = (d: DaemonName) => (d === 'rsyslog' ? ports.rsyslog : ports.syslogNg)[transport];
    const senders = {} as Record<DaemonName, Sender>;
    try {
      for (const d of DAEMONS) senders[d] = await openSender(transport, portOf(d), caPem, note, d);
    } catch (err) {
      for (const s of Object.values(senders)) await s.end();
      throw err;
    }

    const assigned: Record<DaemonName, (DaemonRecord | undefined)[]> = {
      rsyslog: new Array<DaemonRecord | undefined>(n),
      'syslog-ng': new Array<DaemonRecord | undefined>(n),
    };
    const sendError: Record<DaemonName, (string | undefined)[]> = {
      rsyslog: new Array<string | undefined>(n),
      'syslog-ng': new Array<string | undefined>(n),
    };
    const lastSent: Record<DaemonName, number> = { rsyslog: -1, 'syslog-ng': -1 };

    /** Attributes one record: to `hint` unless it is plainly an earlier unanswered message's. */
    const attribute = (d: DaemonName, rec: DaemonRecord, hint: number | undefined) => {
      const slots = assigned[d];
      const free = (i: number) => i >= 0 && i < n && slots[i] === undefined && sendError[d][i] === undefined;
      const limit = lastSent[d];
      let target: number | undefined;
      if (hint !== undefined && free(hint) && rawMatches(prints[hint] ?? '', rec.raw)) target = hint;
      for (let i = 0; target === undefined && i <= limit; i++)
        if (free(i) && rawMatches(prints[i] ?? '', rec.raw)) target = i;
      if (target === undefined && hint !== undefined && free(hint)) {
        target = hint;
        note(
          `${d}: record for message ${hint} does not look like its input (attributed by order): ${rec.raw.slice(0, 200)}`,
        );
      }
      if (target === undefined) {
        note(`${d}: extra record not attributable to any message: ${JSON.stringify(rec.json)}`);
        return;
      }
      if (hint !== undefined && target !== hint)
        note(`${d}: record for message ${target} arrived late (while waiting for ${hint})`);
      slots[target] = rec;
    };

    const sendBatch = async (indices: number[]) => {
      for (const i of indices) {
        for (const d of DAEMONS) {
          const err = await senders[d].send(payloads[i] as Buffer);
          lastSent[d] = i;
          if (err) sendError[d][i] = err;
        }
        if (transport === 'udp' && mode === 'burst') await sleep(2);
      }
    };

    /**
     * Waits until each daemon wrote a record for every index in the batch, or cannot any more: it
     * exited, it closed the connection (plus a short grace for in-flight records), or it wrote
     * nothing for `idleMs`. Never past the delivery deadline.
     */
    const awaitBatch = async (indices: number[], idleMs: number) => {
      const since: Record<DaemonName, number> = { rsyslog: Date.now(), 'syslog-ng': Date.now() };
      const isOpen = (d: DaemonName, i: number) => assigned[d][i] === undefined && sendError[d][i] === undefined;
      for (;;) {
        let waiting = false;
        for (const d of DAEMONS) {
          const dm = daemons[d];
          dm.poll();
          if (dm.pending.length > 0) since[d] = Date.now();
          for (let rec = dm.pending.shift(); rec !== undefined; rec = dm.pending.shift()) {
            let hint = indices.find((i) => isOpen(d, i));
            // a record that is not the hint's while a later one is (e.g. the tail of a frame that
            // rsyslog's imtcp split after truncating it) must not take the hint's place
            const print = hint === undefined ? '' : (prints[hint] ?? '');
            if (!rawMatches(print, rec.raw) && dm.pending.some((r) => rawMatches(print, r.raw))) hint = undefined;
            attribute(d, rec, hint);
          }
          if (!indices.some((i) => isOpen(d, i))) continue;
          const closedAt = senders[d].closedAt;
          const gaveUp =
            dm.exit !== undefined ||
            (closedAt !== undefined && Date.now() - closedAt > CLOSE_GRACE_MS) ||
            Date.now() - since[d] > idleMs;
          if (!gaveUp) waiting = true;
        }
        if (!waiting || Date.now() > deadline) return;
        await sleep(POLL_MS);
      }
    };

    try {
      if (mode === 'lockstep') {
        for (let i = 0; i < n; i++) {
          await sendBatch([i]);
          await awaitBatch([i], messageTimeout);
        }
      } else if (transport === 'udp') {
        await sendBatch(messages.map((_, i) => i));
      } else {
        // the whole stream in one write, as a batching relay would send it
        const stream = Buffer.concat(payloads);
        for (const d of DAEMONS) {
          const err = await senders[d].send(stream);
          lastSent[d] = n - 1;
          if (err) for (let i = 0; i < n; i++) sendError[d][i] = err;
        }
      }
    } finally {
      for (const d of DAEMONS) await senders[d].end();
    }
    const all = messages.map((_, i) => i);
    await awaitBatch(all, mode === 'burst' ? messageTimeout : CLOSE_GRACE_MS);
    // late records written after the last wait (e.g. flushed on connection close)
    await sleep(CLOSE_GRACE_MS);
    await awaitBatch(all, 0);

    for (const d of DAEMONS) {
      const s = senders[d];
      if (s.closedAt !== undefined) {
        const undelivered = all.filter((i) => assigned[d][i] === undefined);
        framingErrors.push(
          `${d} closed the ${transport} connection (${s.closedReason}) before the end; messages without a record: ${undelivered.join(', ') || 'none'}`,
        );
      }
      for (const line of daemons[d].logLines()) {
        if (ROUTINE.test(line)) continue;
        diagnostics.push(`${d}: ${line}`);
        if (FRAMING.test(line)) framingErrors.push(`${d}: ${line}`);
      }
      if (daemons[d].exit) diagnostics.push(`${d} exited (${daemons[d].exit})`);
    }
    diagnostics.push(...pendingDiag.splice(0));

    const go = await runGoChecker(env.goChecker, messages, transport === 'udp' ? undefined : Buffer.concat(payloads));
    let frames: ParsedRecord[] | undefined;
    if (go.frames) {
      frames = go.frames.map(fromGo);
      go.frames.forEach((f, k) => {
        if (f.frameError) framingErrors.push(`go-syslog octet-counting: frame ${k}: ${f.error}`);
      });
      const good = go.frames.filter((f) => !f.frameError).length;
      if (good !== n)
        framingErrors.push(`go-syslog octet-counting: ${good} complete frame(s) in the stream, ${n} message(s) sent`);
    }

    const records = new Map<number, ParsedRecord[]>();
    for (let i = 0; i < n; i++) {
      const row: ParsedRecord[] = [];
      for (const d of DAEMONS) {
        const rec = assigned[d][i];
        if (rec) row.push(d === 'rsyslog' ? fromRsyslog(rec.json) : fromSyslogNg(rec.json));
        else {
          const why = sendError[d][i] ?? `no record within the wait (${senders[d].closedReason ?? 'connection open'})`;
          row.push({ parser: d, ok: false, error: `not received: ${why}` });
        }
      }
      const gv = go.messages[i];
      row.push(gv ? fromGo(gv) : { parser: 'go-syslog', ok: false, error: 'no result from the go checker' });
      records.set(i, row);
    }
    return {
      records,
      framingErrors,
      diagnostics,
      ...(frames ? { frames } : {}),
      get(index: number, parser: ParserName): ParsedRecord {
        const rec = records.get(index)?.find((r) => r.parser === parser);
        if (!rec) throw new Error(`no message ${index} in this run (${n} sent)`);
        return rec;
      },
    };
  };

  // Records the daemons produced from traffic someone else sent (e.g. the relay's own syslog sink),
  // in arrival order; waits (bounded) until each daemon has at least `count` new records.
  const collect = async (
    count: number,
    timeoutMs = 10_000,
    which: readonly DaemonName[] = DAEMONS,
  ): Promise<Record<DaemonName, ParsedRecord[]>> => {
    // arrival order is the only correlation here: callers send in order over one connection
    const end = Date.now() + timeoutMs;
    for (;;) {
      for (const d of DAEMONS) daemons[d].poll();
      if (which.every((d) => daemons[d].pending.length >= count) || Date.now() >= end) break;
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
    const out = { rsyslog: [] as ParsedRecord[], 'syslog-ng': [] as ParsedRecord[] };
    for (const d of DAEMONS) {
      out[d] = daemons[d].pending.splice(0).map((r) => (d === 'rsyslog' ? fromRsyslog(r.json) : fromSyslogNg(r.json)));
    }
    return out;
  };

  const daemonLog = (d: DaemonName): string[] => daemons[d].logLines().filter((line) => !ROUTINE.test(line));

  return { ports, caPem, versions: env.versions, workDir: dir, deliver, collect, daemonLog, stop };
}
