/**
 * A real rsyslog (Debian 12, installed by test/interop/install.sh) as a collector the tests can
 * crash: RELP inputs (imrelp, plain and TLS) and a plain TCP input (imptcp) on free 127.0.0.1 ports,
 * every message written raw (JSON-escaped, one per line) to a file, and process control: SIGKILL,
 * SIGSTOP/SIGCONT, restart on the same ports.
 *
 * The main queue is `Direct` by default: rsyslog then runs the output action inside the input's
 * own call, so imrelp's `200 OK` goes out only after the message was written to the file
 * (https://www.rsyslog.com/doc/concepts/queues.html, "Direct Queues"). With the default in-memory
 * queue imrelp acknowledges a message once it is queued, and a SIGKILL loses what is queued — a
 * limit of the collector's configuration that docs/relp.md explains. `mainQueue: 'memory'` keeps
 * rsyslog's default for tests that want to show it.
 *
 * Used by the RELP interop and fault tests, which run after install.sh (`npm run test:interop`,
 * `npm run test:faults`).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** One input rsyslog listens on. */
type RsyslogInput = 'relp' | 'relp+tls' | 'tcp';

interface RsyslogOptions {
  /** inputs to open, each on its own free port */
  readonly inputs: readonly RsyslogInput[];
  /**
   * librelp's TLS library for the RELP inputs.
   * @default 'openssl' (gnutls makes librelp demand a client certificate)
   */
  readonly tlslib?: 'openssl' | 'gnutls';
  /** @default 'direct' (acknowledged = written) */
  readonly mainQueue?: 'direct' | 'memory';
}

interface Rsyslog {
  /** port of each input */
  readonly ports: Readonly<Partial<Record<RsyslogInput, number>>>;
  /** PEM of the CA that signed rsyslog's certificate (SAN localhost, 127.0.0.1) */
  readonly caPem: string;
  readonly pid: number | undefined;
  /** every message written so far, as received (raw), in order, across restarts */
  messages(): string[];
  /** rsyslog's own log so far (stderr and internal messages), across restarts */
  log(): string[];
  /** SIGKILL and wait for the exit: a crash, nothing flushed */
  kill(): Promise<void>;
  /** SIGSTOP: frozen, reads and answers nothing, while the kernel keeps accepting bytes */
  freeze(): void;
  /** SIGCONT */
  thaw(): void;
  /** start again with the same config and ports (after kill) */
  restart(): Promise<void>;
  /** SIGTERM (SIGKILL after 5 s), then remove the work dir */
  stop(): Promise<void>;
}

interface InteropEnv {
  rsyslogd: string;
  rsyslogModDir: string;
  tls: { ca: string; cert: string; key: string };
}

const HOST = '127.0.0.1';
const SETPRIV = '/usr/bin/setpriv';

function loadEnv(): InteropEnv {
  const file = join(process.env.SEGURA_INTEROP_HOME ?? '/tmp/segura-interop', 'env.json');
  if (!existsSync(file)) {
    throw new Error(`${file} not found: run \`bash test/interop/install.sh\` (as root) first`);
  }
  return JSON.parse(readFileSync(file, 'utf8')) as InteropEnv;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, HOST, () => resolve());
  });
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address !== 'object') throw new Error('no port');
  return address.port;
}

/** Is something listening on 127.0.0.1:port? Reads /proc/net/tcp (no probe connection). */
function isListening(port: number): boolean {
  const want = `0100007F:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  return readFileSync('/proc/net/tcp', 'utf8')
    .split('\n')
    .slice(1)
    .some((line) => {
      const f = line.trim().split(/\s+/);
      return f[1] === want && f[3] === '0A';
    });
}

function config(env: InteropEnv, dir: string, ports: Rsyslog['ports'], o: RsyslogOptions): string {
  const relp = o.inputs.some((i) => i.startsWith('relp'));
  const lines = [
    `global(workDirectory="${dir}/work" maxMessageSize="65536" processInternalMessages="on"`,
    // keep the raw bytes as sent; the output template escapes them into one JSON string per line
    '       parser.escapeControlCharactersOnReceive="off")',
    o.mainQueue === 'memory' ? '' : 'main_queue(queue.type="Direct")',
    relp ? `module(load="imrelp" tls.tlslib="${o.tlslib ?? 'openssl'}")` : '',
    o.inputs.includes('tcp') ? 'module(load="imptcp")' : '',
    'template(name="raw" type="list") { property(name="rawmsg" format="json") constant(value="\\n") }',
  ];
  for (const input of o.inputs) {
    const port = ports[input];
    if (input === 'tcp') lines.push(`input(type="imptcp" address="${HOST}" port="${port}")`);
    else if (input === 'relp') lines.push(`input(type="imrelp" address="${HOST}" port="${port}" maxDataSize="65536")`);
    else {
      lines.push(
        `input(type="imrelp" address="${HOST}" port="${port}" maxDataSize="65536" tls="on"`,
        `      tls.cacert="${env.tls.ca}" tls.mycert="${env.tls.cert}" tls.myprivkey="${env.tls.key}")`,
      );
    }
  }
  lines.push(
    // rsyslog's own messages go to their own file, never into the message file the ledger reads
    `if $inputname == "rsyslogd" then { action(type="omfile" file="${dir}/internal.log") stop }`,
    `action(type="omfile" file="${dir}/messages.jsonl" template="raw")`,
  );
  return `${lines.filter((l) => l !== '').join('\n')}\n`;
}

/**
 * Start rsyslog with the given inputs and resolve once every input listens.
 *
 * @example
 * ```ts
 * const rs = await startRsyslog({ inputs: ['relp', 'tcp'] });
 * // … deliver to 127.0.0.1:rs.ports.relp …
 * await rs.kill(); await rs.restart();
 * rs.messages(); // what reached the file
 * await rs.stop();
 * ```
 */
async function startRsyslog(o: RsyslogOptions): Promise<Rsyslog> {
  const env = loadEnv();
  const dir = mkdtempSync(join(tmpdir(), 'segura-rsyslog-'));
  mkdirSync(join(dir, 'work'));
  const ports: Partial<Record<RsyslogInput, number>> = {};
  for (const input of o.inputs) ports[input] = await freePort();
  writeFileSync(join(dir, 'rsyslog.conf'), config(env, dir, ports, o));
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();
  const stderr: string[] = [];

  const launch = async (): Promise<void> => {
    rmSync(join(dir, 'rsyslog.pid'), { force: true });
    const argv = ['-n', '-M', env.rsyslogModDir, '-f', join(dir, 'rsyslog.conf'), '-i', join(dir, 'rsyslog.pid')];
    // the kernel SIGKILLs rsyslog if the test process dies (util-linux setpriv execs it: same pid)
    const [file, args] = existsSync(SETPRIV)
      ? [SETPRIV, ['--pdeathsig', 'SIGKILL', '--', env.rsyslogd, ...argv]]
      : [env.rsyslogd, argv];
    const c = spawn(file, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    c.stderr?.on('data', (d: Buffer) => stderr.push(...d.toString('utf8').split('\n').filter(Boolean)));
    child = c;
    exited = new Promise((resolve) => c.once('exit', () => resolve()));
    const until = Date.now() + 10_000;
    while (!Object.values(ports).every((p) => isListening(p as number))) {
      if (c.exitCode !== null || c.signalCode !== null || Date.now() > until) {
        c.kill('SIGKILL');
        throw new Error(`rsyslog did not start listening on ${JSON.stringify(ports)}:\n${stderr.join('\n')}`);
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  };

  const signal = (sig: NodeJS.Signals): void => {
    if (child?.pid !== undefined && child.exitCode === null && child.signalCode === null) process.kill(child.pid, sig);
  };

  await launch();
  const messagesFile = join(dir, 'messages.jsonl');
  return {
    ports,
    caPem: readFileSync(env.tls.ca, 'utf8'),
    get pid() {
      return child?.pid;
    },
    messages() {
      if (!existsSync(messagesFile)) return [];
      const text = readFileSync(messagesFile, 'utf8');
      // a line cut by a SIGKILL mid-write is not a message; the ledger reports its event missing
      return text
        .split('\n')
        .filter((l) => l !== '')
        .flatMap((l) => {
          try {
            return [JSON.parse(`"${l}"`) as string];
          } catch {
            return [`<unreadable line: ${l.slice(0, 80)}>`];
          }
        });
    },
    log() {
      const internal = existsSync(join(dir, 'internal.log'))
        ? readFileSync(join(dir, 'internal.log'), 'utf8').split('\n').filter(Boolean)
        : [];
      return [...stderr, ...internal];
    },
    async kill() {
      // SIGKILL alone: it ends a stopped process too. A SIGCONT first would let a frozen rsyslog run
      // for a moment and drain its socket buffer before it dies, which is not a crash with bytes in it
      signal('SIGKILL');
      await exited;
    },
    freeze() {
      signal('SIGSTOP');
    },
    thaw() {
      signal('SIGCONT');
    },
    async restart() {
      if (child !== undefined && child.exitCode === null && child.signalCode === null) {
        throw new Error('restart: rsyslog is still running');
      }
      await launch();
    },
    async stop() {
      signal('SIGCONT');
      signal('SIGTERM');
      const timer = setTimeout(() => signal('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export type { Rsyslog, RsyslogInput, RsyslogOptions };
export { startRsyslog };
