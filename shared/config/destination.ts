/**
 * Destination configuration for the delivery functions (the `DESTINATION` environment variable,
 * JSON), validated once at cold start with errors that name the setting.
 */
import { ConfigError, errorMessage } from '../errors.js';
import { createRenderer, FORMATS, type Format, type RenderConfig, type Renderer } from '../render/index.js';

type Obj = Record<string, unknown>;

function obj(v: unknown, path: string): Obj {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new ConfigError(path, 'must be a JSON object');
  return v as Obj;
}

function str(
  o: Obj,
  key: string,
  path: string,
  opts: { optional?: boolean; pattern?: RegExp } = {},
): string | undefined {
  const v = o[key];
  if (v === undefined || v === null) {
    if (opts.optional) return undefined;
    throw new ConfigError(`${path}.${key}`, 'is required');
  }
  if (typeof v !== 'string' || v.trim() === '') throw new ConfigError(`${path}.${key}`, 'must be a non-empty string');
  if (opts.pattern && !opts.pattern.test(v))
    throw new ConfigError(`${path}.${key}`, `invalid value ${JSON.stringify(v)}`);
  return v;
}

function int(o: Obj, key: string, path: string, min: number, max: number): number | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max)
    throw new ConfigError(`${path}.${key}`, `an integer ${min}–${max}, got ${JSON.stringify(v)}`);
  return v;
}

function oneOf<T extends string>(o: Obj, key: string, path: string, allowed: readonly T[], dflt?: T): T {
  const v = o[key] ?? dflt;
  if (typeof v !== 'string' || !(allowed as readonly string[]).includes(v)) {
    throw new ConfigError(`${path}.${key}`, `one of ${allowed.join(', ')}, got ${JSON.stringify(o[key])}`);
  }
  return v as T;
}

/** Parse the `render` block and build the renderer (renderer option errors become ConfigErrors). */
function rendererFrom(o: Obj, path: string, defaultMaxBytes?: number): { format: Format; renderer: Renderer } {
  const format = oneOf(o, 'format', path, FORMATS);
  const r = o.render === undefined ? {} : obj(o.render, `${path}.render`);
  const cfg: RenderConfig = {
    vendor: str(r, 'vendor', `${path}.render`, { optional: true }),
    product: str(r, 'product', `${path}.render`, { optional: true }),
    deviceVersion: str(r, 'deviceVersion', `${path}.render`, { optional: true }),
    mode: r.mode === undefined ? undefined : oneOf(r, 'mode', `${path}.render`, ['strict', 'compatible'] as const),
    maxBytes: int(r, 'maxBytes', `${path}.render`, 128, 1_024_000) ?? defaultMaxBytes,
    facility: int(r, 'facility', `${path}.render`, 0, 23),
    appName: str(r, 'appName', `${path}.render`, { optional: true }),
    msg: r.msg === undefined ? undefined : oneOf(r, 'msg', `${path}.render`, ['cef', 'kv'] as const),
    bom: r.bom === undefined ? undefined : oneOf(r, 'bom', `${path}.render`, ['auto', 'always', 'never'] as const),
    sdId: str(r, 'sdId', `${path}.render`, { optional: true }),
    delimiter: str(r, 'delimiter', `${path}.render`, { optional: true }),
  };
  try {
    return { format, renderer: createRenderer(format, cfg) };
  } catch (e) {
    throw new ConfigError(`${path}.render`, errorMessage(e));
  }
}

interface FirehoseDestination {
  readonly kind: 'firehose';
  readonly name: string;
  readonly deliveryStreamName: string;
  readonly format: Format;
  readonly aggregate: boolean;
  readonly renderer: Renderer;
}

interface SyslogDestination {
  readonly kind: 'syslog';
  readonly name: string;
  readonly transport: 'tls' | 'tcp' | 'udp' | 'relp';
  readonly host: string;
  readonly port: number;
  readonly framing: 'octet' | 'lf';
  /** transport relp: over TLS (default) or plain TCP, and the window of unacknowledged messages */
  readonly relp?: { readonly tls: boolean; readonly window?: number };
  readonly format: Format;
  readonly renderer: Renderer;
  /** inline CA PEM (a CA certificate is public), when the collector's CA is not a public root */
  readonly caPem?: string;
  /** path of a CA PEM file bundled with the function (the CDK stack copies it next to the handler) */
  readonly caFile?: string;
  readonly servername?: string;
  readonly connectTimeoutMs?: number;
  readonly writeTimeoutMs?: number;
  readonly maxDatagramBytes?: number;
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

function parseDestinationJson(raw: string | undefined, setting: string): Obj {
  if (raw === undefined || raw.trim() === '') throw new ConfigError(setting, 'is required (JSON destination config)');
  try {
    return obj(JSON.parse(raw), setting);
  } catch (e) {
    if (e instanceof ConfigError) throw e;
    throw new ConfigError(setting, `invalid JSON: ${errorMessage(e)}`);
  }
}

function firehoseDestination(raw: string | undefined, setting = 'DESTINATION'): FirehoseDestination {
  const o = parseDestinationJson(raw, setting);
  const name = str(o, 'name', setting, { pattern: NAME }) as string;
  const deliveryStreamName = str(o, 'deliveryStreamName', setting, { pattern: /^[a-zA-Z0-9_.-]{1,64}$/ }) as string;
  if (o.aggregate !== undefined && typeof o.aggregate !== 'boolean')
    throw new ConfigError(`${setting}.aggregate`, 'must be true or false');
  const { format, renderer } = rendererFrom(o, setting);
  return { kind: 'firehose', name, deliveryStreamName, format, aggregate: o.aggregate !== false, renderer };
}

function syslogDestination(raw: string | undefined, setting = 'DESTINATION'): SyslogDestination {
  const o = parseDestinationJson(raw, setting);
  const name = str(o, 'name', setting, { pattern: NAME }) as string;
  const transport = oneOf(o, 'transport', setting, ['tls', 'tcp', 'udp', 'relp'] as const, 'tls');
  const host = str(o, 'host', setting, { pattern: /^[A-Za-z0-9.:[\]-]{1,253}$/ }) as string;
  const port = int(o, 'port', setting, 1, 65535);
  if (port === undefined) throw new ConfigError(`${setting}.port`, 'is required');
  if (transport === 'relp' && o.framing !== undefined)
    throw new ConfigError(`${setting}.framing`, 'not used with transport relp (RELP frames each message itself)');
  const framing = oneOf(o, 'framing', setting, ['octet', 'lf'] as const, 'octet');
  if (o.relp !== undefined && transport !== 'relp')
    throw new ConfigError(`${setting}.relp`, `only used with transport relp (got ${transport})`);
  const r = o.relp === undefined ? {} : obj(o.relp, `${setting}.relp`);
  if (r.tls !== undefined && typeof r.tls !== 'boolean')
    throw new ConfigError(`${setting}.relp.tls`, 'must be true or false');
  const window = int(r, 'window', `${setting}.relp`, 1, 10_000);
  const relp = transport === 'relp' ? { tls: r.tls !== false, ...(window === undefined ? {} : { window }) } : undefined;
  const tls = transport === 'tls' || relp?.tls === true;
  const maxDatagramBytes = int(o, 'maxDatagramBytes', setting, 480, 65_507);
  // keep every rendered event within what the transport carries: shorten the free text rather
  // than have the collector truncate or drop it (formats.md §3: 8 KiB frames, UDP datagrams)
  const { format, renderer } = rendererFrom(o, setting, transport === 'udp' ? (maxDatagramBytes ?? 2048) : 8192);
  const ca = o.ca === undefined ? {} : obj(o.ca, `${setting}.ca`);
  const caPem = str(ca, 'pem', `${setting}.ca`, { optional: true });
  if (caPem !== undefined && !caPem.includes('-----BEGIN CERTIFICATE-----'))
    throw new ConfigError(`${setting}.ca.pem`, 'not a PEM certificate');
  const caFile = str(ca, 'file', `${setting}.ca`, { optional: true });
  if (caPem !== undefined && caFile !== undefined) throw new ConfigError(`${setting}.ca`, 'give pem or file, not both');
  if (!tls && (caPem || caFile))
    throw new ConfigError(`${setting}.ca`, `only used with transport tls or relp over TLS (got ${transport})`);
  return {
    kind: 'syslog',
    name,
    transport,
    host,
    port,
    framing,
    ...(relp ? { relp } : {}),
    format,
    renderer,
    ...(caPem ? { caPem } : {}),
    ...(caFile ? { caFile } : {}),
    ...(typeof o.servername === 'string' ? { servername: o.servername } : {}),
    ...(int(o, 'connectTimeoutMs', setting, 100, 60_000) !== undefined
      ? { connectTimeoutMs: o.connectTimeoutMs as number }
      : {}),
    ...(int(o, 'writeTimeoutMs', setting, 100, 120_000) !== undefined
      ? { writeTimeoutMs: o.writeTimeoutMs as number }
      : {}),
    ...(maxDatagramBytes !== undefined ? { maxDatagramBytes } : {}),
  };
}

export type { FirehoseDestination, SyslogDestination };
export { firehoseDestination, syslogDestination };
