/**
 * Destination configuration for the delivery functions (the `DESTINATION` environment variable,
 * JSON), read once at cold start. The stack writes it from a deployment config that passed the
 * schema and the cross-field rules at synth (infra/config/load.ts), so this reads it rather than
 * validating it again: it fails with an error naming the setting when the JSON is not what the
 * stack writes (missing, of the wrong JSON type, an unknown format or transport), and leaves
 * ranges to the one check of each (shared/config/syslog-ranges.ts in createSyslogSink; the
 * renderer's own check of its options).
 */
import { ConfigError, errorMessage } from '../errors.js';
import { createRenderer, FORMATS, type Format, type Renderer } from '../render/index.js';
import { renderOptionsFrom } from './render-options.js';

type Obj = Record<string, unknown>;

function obj(v: unknown, path: string): Obj {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new ConfigError(path, 'must be a JSON object');
  return v as Obj;
}

function str(o: Obj, key: string, path: string, opts: { optional?: boolean } = {}): string | undefined {
  const v = o[key];
  if (v === undefined || v === null) {
    if (opts.optional) return undefined;
    throw new ConfigError(`${path}.${key}`, 'is required');
  }
  if (typeof v !== 'string' || v.trim() === '') throw new ConfigError(`${path}.${key}`, 'must be a non-empty string');
  return v;
}

/** An optional integer (its range is checked once elsewhere: see the module comment). */
function int(o: Obj, key: string, path: string): number | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v))
    throw new ConfigError(`${path}.${key}`, `must be an integer, got ${JSON.stringify(v)}`);
  return v;
}

function oneOf<T extends string>(o: Obj, key: string, path: string, allowed: readonly T[], dflt?: T): T {
  const v = o[key] ?? dflt;
  if (typeof v !== 'string' || !(allowed as readonly string[]).includes(v)) {
    throw new ConfigError(`${path}.${key}`, `one of ${allowed.join(', ')}, got ${JSON.stringify(o[key])}`);
  }
  return v as T;
}

/** Read the `render` block and build the renderer (renderer option errors become ConfigErrors). */
function rendererFrom(o: Obj, path: string, defaultMaxBytes?: number): { format: Format; renderer: Renderer } {
  const format = oneOf(o, 'format', path, FORMATS);
  const options = renderOptionsFrom(o.render, path);
  const cfg =
    options.maxBytes === undefined && defaultMaxBytes !== undefined
      ? { ...options, maxBytes: defaultMaxBytes }
      : options;
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
  const name = str(o, 'name', setting) as string;
  const deliveryStreamName = str(o, 'deliveryStreamName', setting) as string;
  if (o.aggregate !== undefined && typeof o.aggregate !== 'boolean')
    throw new ConfigError(`${setting}.aggregate`, 'must be true or false');
  const { format, renderer } = rendererFrom(o, setting);
  return { kind: 'firehose', name, deliveryStreamName, format, aggregate: o.aggregate !== false, renderer };
}

function syslogDestination(raw: string | undefined, setting = 'DESTINATION'): SyslogDestination {
  const o = parseDestinationJson(raw, setting);
  const name = str(o, 'name', setting) as string;
  const transport = oneOf(o, 'transport', setting, ['tls', 'tcp', 'udp', 'relp'] as const, 'tls');
  const host = str(o, 'host', setting) as string;
  const port = int(o, 'port', setting);
  if (port === undefined) throw new ConfigError(`${setting}.port`, 'is required');
  const framing = oneOf(o, 'framing', setting, ['octet', 'lf'] as const, 'octet');
  const r = o.relp === undefined ? {} : obj(o.relp, `${setting}.relp`);
  if (r.tls !== undefined && typeof r.tls !== 'boolean')
    throw new ConfigError(`${setting}.relp.tls`, 'must be true or false');
  const window = int(r, 'window', `${setting}.relp`);
  // a relp block next to another transport is passed on: createSyslogSink refuses it, naming it
  const relp =
    transport === 'relp' || o.relp !== undefined
      ? { tls: r.tls !== false, ...(window === undefined ? {} : { window }) }
      : undefined;
  const maxDatagramBytes = int(o, 'maxDatagramBytes', setting);
  // keep every rendered event within what the transport carries: shorten the free text rather
  // than have the collector truncate or drop it (docs/formats.md §3: 8 KiB frames, UDP datagrams)
  const { format, renderer } = rendererFrom(o, setting, transport === 'udp' ? (maxDatagramBytes ?? 2048) : 8192);
  const ca = o.ca === undefined ? {} : obj(o.ca, `${setting}.ca`);
  const caPem = str(ca, 'pem', `${setting}.ca`, { optional: true });
  const caFile = str(ca, 'file', `${setting}.ca`, { optional: true });
  if (caPem !== undefined && caFile !== undefined) throw new ConfigError(`${setting}.ca`, 'give pem or file, not both');
  const servername = str(o, 'servername', setting, { optional: true });
  const connectTimeoutMs = int(o, 'connectTimeoutMs', setting);
  const writeTimeoutMs = int(o, 'writeTimeoutMs', setting);
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
    ...(servername !== undefined ? { servername } : {}),
    ...(connectTimeoutMs !== undefined ? { connectTimeoutMs } : {}),
    ...(writeTimeoutMs !== undefined ? { writeTimeoutMs } : {}),
    ...(maxDatagramBytes !== undefined ? { maxDatagramBytes } : {}),
  };
}

export type { FirehoseDestination, SyslogDestination };
export { firehoseDestination, syslogDestination };
