/**
 * `ingest.syslogEndpoint`: the syslog endpoint the stack runs for the vault (an internal NLB in
 * front of the bridge on ECS Fargate). Its file shape, its resolved form with every default, and
 * the cross-field rules the JSON Schema cannot express. Off when absent.
 */
import { parseCidr } from './ipv4.js';

/** As written in the config file (mirrored by `$defs/syslogEndpoint` in the JSON Schema). */
interface SyslogEndpointInput {
  readonly vaultCidrs: readonly string[];
  readonly listeners: {
    readonly tls?: {
      readonly port?: number;
      readonly certificateArn?: string;
      readonly certificateSecretArn?: string;
      readonly secretKmsKeyArn?: string;
      readonly sslPolicy?: string;
    };
    readonly tcp?: { readonly port?: number };
    readonly udp?: { readonly port?: number };
  };
  readonly minTasks?: number;
  readonly maxTasks?: number;
  readonly cpu?: number;
  readonly memoryMiB?: number;
  readonly spoolMiB?: number;
  readonly connectionsPerTask?: number;
}

/** Resolved: every default applied. */
interface SyslogEndpoint {
  readonly vaultCidrs: readonly string[];
  readonly tls:
    | {
        readonly port: number;
        /** `nlb`: the NLB terminates TLS (ACM); `bridge`: TCP pass-through, the bridge terminates it */
        readonly termination: 'nlb' | 'bridge';
        readonly certificateArn: string | undefined;
        readonly certificateSecretArn: string | undefined;
        readonly secretKmsKeyArn: string | undefined;
        readonly sslPolicy: string;
      }
    | undefined;
  readonly tcp: { readonly port: number } | undefined;
  readonly udp: { readonly port: number } | undefined;
  readonly minTasks: number;
  readonly maxTasks: number;
  readonly cpu: number;
  readonly memoryMiB: number;
  readonly spoolMiB: number;
  readonly connectionsPerTask: number;
}

const SYSLOG_ENDPOINT_DEFAULTS = {
  tlsPort: 6514,
  tcpPort: 514,
  udpPort: 514,
  minTasks: 2,
  maxTasks: 4,
  cpu: 512,
  memoryMiB: 1024,
  spoolMiB: 4096,
  connectionsPerTask: 200,
  sslPolicy: 'ELBSecurityPolicy-TLS13-1-2-2021-06',
} as const;

/**
 * Fargate's valid memory (MiB) per CPU value:
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-tasks-services.html#fargate-tasks-size
 */
const FARGATE_MEMORY: Readonly<Record<number, { min: number; max: number; step: number; also?: number[] }>> = {
  256: { min: 512, max: 2048, step: 1024, also: [512, 1024, 2048] },
  512: { min: 1024, max: 4096, step: 1024 },
  1024: { min: 2048, max: 8192, step: 1024 },
  2048: { min: 4096, max: 16384, step: 1024 },
};

/**
 * A Fargate task's ephemeral storage is 20 GiB by default and can be raised to 200 GiB
 * (`ephemeralStorage.sizeInGiB`, 21–200):
 * https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_EphemeralStorage.html
 * The spool must fit with the image and the rejected-messages file: at most 190 GiB.
 */
const MAX_SPOOL_MIB = 190 * 1024;

function fargateMemoryOk(cpu: number, memory: number): boolean {
  const r = FARGATE_MEMORY[cpu];
  if (!r) return false;
  if (r.also) return r.also.includes(memory);
  return memory >= r.min && memory <= r.max && memory % r.step === 0;
}

/** Cross-field issues of `ingest.syslogEndpoint`, each naming its field. */
function syslogEndpointIssues(e: SyslogEndpointInput, zones: number | undefined): string[] {
  const f = 'config.ingest.syslogEndpoint';
  const out: string[] = [];
  if (zones === undefined)
    out.push(`config.network: is required: ${f} runs the bridge on ECS Fargate behind an internal NLB in a VPC`);
  else if (zones < 2)
    out.push(`config.network: ${f} needs at least two availability zones (its tasks and NLB span two zones)`);
  e.vaultCidrs.forEach((c, i) => {
    const cidr = parseCidr(c);
    if (!cidr) out.push(`${f}.vaultCidrs[${i}]: invalid IPv4 CIDR ${JSON.stringify(c)} (network address, /0–/32)`);
    else if (cidr.prefix < 8)
      out.push(`${f}.vaultCidrs[${i}]: ${c} is wider than /8; list the vault's own addresses (e.g. one /32 per node)`);
  });
  const l = e.listeners;
  if (!l.tls && !l.tcp && !l.udp) out.push(`${f}.listeners: give at least one of tls, tcp, udp`);
  if (l.tls) {
    if ((l.tls.certificateArn === undefined) === (l.tls.certificateSecretArn === undefined))
      out.push(
        `${f}.listeners.tls: give exactly one of certificateArn (the NLB terminates TLS with ACM) and certificateSecretArn (the bridge terminates TLS)`,
      );
    if (l.tls.sslPolicy && !l.tls.certificateArn)
      out.push(`${f}.listeners.tls.sslPolicy: only with certificateArn (the NLB terminates TLS)`);
    if (l.tls.secretKmsKeyArn && !l.tls.certificateSecretArn)
      out.push(`${f}.listeners.tls.secretKmsKeyArn: only with certificateSecretArn`);
  }
  const ports = new Map<string, string>();
  const d = SYSLOG_ENDPOINT_DEFAULTS;
  for (const [name, port, proto] of [
    ['tls', l.tls ? (l.tls.port ?? d.tlsPort) : undefined, 'tcp'],
    ['tcp', l.tcp ? (l.tcp.port ?? d.tcpPort) : undefined, 'tcp'],
    ['udp', l.udp ? (l.udp.port ?? d.udpPort) : undefined, 'udp'],
  ] as const) {
    if (port === undefined) continue;
    const key = `${proto}/${port}`;
    const other = ports.get(key);
    if (other) out.push(`${f}.listeners.${name}.port: ${port} is already the ${other} listener's port`);
    ports.set(key, name);
  }
  const min = e.minTasks ?? d.minTasks;
  const max = e.maxTasks ?? d.maxTasks;
  if (max < min) out.push(`${f}.maxTasks: ${max} is less than minTasks (${min})`);
  const cpu = e.cpu ?? d.cpu;
  const memory = e.memoryMiB ?? d.memoryMiB;
  if (!fargateMemoryOk(cpu, memory))
    out.push(
      `${f}.memoryMiB: ${memory} is not a Fargate size for cpu ${cpu} (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-tasks-services.html#fargate-tasks-size)`,
    );
  const spool = e.spoolMiB ?? d.spoolMiB;
  if (spool > MAX_SPOOL_MIB)
    out.push(`${f}.spoolMiB: ${spool} exceeds ${MAX_SPOOL_MIB} (Fargate ephemeral storage is at most 200 GiB)`);
  return out;
}

function resolveSyslogEndpoint(e: SyslogEndpointInput | undefined): SyslogEndpoint | undefined {
  if (!e) return undefined;
  const d = SYSLOG_ENDPOINT_DEFAULTS;
  const l = e.listeners;
  return {
    vaultCidrs: e.vaultCidrs,
    tls: l.tls
      ? {
          port: l.tls.port ?? d.tlsPort,
          termination: l.tls.certificateArn ? 'nlb' : 'bridge',
          certificateArn: l.tls.certificateArn,
          certificateSecretArn: l.tls.certificateSecretArn,
          secretKmsKeyArn: l.tls.secretKmsKeyArn,
          sslPolicy: l.tls.sslPolicy ?? d.sslPolicy,
        }
      : undefined,
    tcp: l.tcp ? { port: l.tcp.port ?? d.tcpPort } : undefined,
    udp: l.udp ? { port: l.udp.port ?? d.udpPort } : undefined,
    minTasks: e.minTasks ?? d.minTasks,
    maxTasks: e.maxTasks ?? d.maxTasks,
    cpu: e.cpu ?? d.cpu,
    memoryMiB: e.memoryMiB ?? d.memoryMiB,
    spoolMiB: e.spoolMiB ?? d.spoolMiB,
    connectionsPerTask: e.connectionsPerTask ?? d.connectionsPerTask,
  };
}

export type { SyslogEndpoint, SyslogEndpointInput };
export { MAX_SPOOL_MIB, resolveSyslogEndpoint, SYSLOG_ENDPOINT_DEFAULTS, syslogEndpointIssues };
