/**
 * The JSON envelope, version 1 (schema: `schemas/envelope.v1.schema.json`).
 *
 * ```json
 * {"id":"164","name":"Password Viewed","severity":5,"timestamp":"2026-01-19T10:41:00.123-03:00",
 *  "host":"vault-01","pid":1426,"fields":{"msg":"…","suid":"35","sname":"José da Silva"}}
 * ```
 * `id` is the vault event id (a string: a number would lose `336.500`'s trailing zeros);
 * `severity` is CEF 0–10; `name` and `severity` are optional (the catalog fills them);
 * `fields` holds the vault's CEF keys in order; `product` and `deviceVersion` (optional) are the
 * vault's own product name and version, which renderers keep. Unknown top-level properties are rejected so a
 * typo (`feilds`) is an error, not silently lost data.
 */
import { InvalidEventError } from '../errors.js';
import type { RawEvent } from '../model/normalize.js';
import type { CefSeverity, EventFlag, EventTime, SyslogSeverity } from '../model/security-event.js';
import { EVENT_FLAGS } from '../model/security-event.js';
import { isCefSeverity, isSyslogSeverity } from '../model/severity.js';
import { cleanLine } from '../model/text.js';
import { inRange, parseTimestamp, RANGE_REASON, timeFromEpochMs } from '../model/time.js';
import { type BuiltFields, buildFields, checkEventId, fieldsInPlace } from './fields.js';

const ENVELOPE_VERSION = 1;
const ALLOWED = new Set([
  'version',
  'id',
  'name',
  'severity',
  'priority',
  'timestamp',
  'host',
  'app',
  'pid',
  'product',
  'deviceVersion',
  'fields',
]);
/** Longest product name and version the envelope accepts (CEF header fields; as the deployment config). */
const MAX_PRODUCT_CHARS = 63;
const MAX_VERSION_CHARS = 31;

function fail(field: string, reason: string): never {
  throw new InvalidEventError(field, reason, 'schema');
}

function typeName(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v;
}

function optString(o: Record<string, unknown>, key: string, max: number): string | null {
  const v = o[key];
  if (v === undefined || v === null) return null;
  if (typeof v !== 'string') fail(key, `must be a string, got ${typeName(v)}`);
  if (v.length > max) fail(key, `longer than ${max} characters`);
  return v;
}

function slowFields(f: Record<string, unknown>): BuiltFields {
  const pairs: Array<[string, string]> = [];
  for (const [k, val] of Object.entries(f)) {
    if (typeof val === 'string') pairs.push([k, val]);
    else if (typeof val === 'number' && Number.isFinite(val)) pairs.push([k, String(val)]);
    else if (typeof val === 'boolean') pairs.push([k, String(val)]);
    else if (val === null)
      pairs.push([k, '']); // dropped as empty, but the key is still validated
    else fail(`fields.${k.slice(0, 64)}`, `must be a string, number or boolean, got ${typeName(val)}`);
  }
  return buildFields(pairs, (k) =>
    fail(
      `fields.${k.slice(0, 64)}`,
      'invalid key: must start with a letter and contain only letters, digits and _ (max 64)',
    ),
  );
}

/** Validate a decoded JSON value as a v1 envelope. `plain`: the JSON text passed isPlainJson. */
function parseEnvelopeObject(v: unknown, plain = false): RawEvent {
  if (typeof v !== 'object' || v === null || Array.isArray(v))
    fail('(root)', `must be a JSON object, got ${typeName(v)}`);
  const o = v as Record<string, unknown>;
  for (const k in o) {
    if (!ALLOWED.has(k))
      fail(k === '' ? '""' : k.slice(0, 64), `unknown property (allowed: ${[...ALLOWED].join(', ')})`);
  }
  if (o.version !== undefined && o.version !== ENVELOPE_VERSION) {
    fail(
      'version',
      `unsupported envelope version ${JSON.stringify(o.version)} (this relay reads version ${ENVELOPE_VERSION})`,
    );
  }
  const rawId = o.id;
  if (rawId === undefined || rawId === null) fail('id', 'required (the vault event id, e.g. "164" or "336.501")');
  if (typeof rawId !== 'string') {
    fail('id', `must be a string such as "336.500", got ${typeName(rawId)} (a JSON number loses trailing zeros)`);
  }
  const eventId = checkEventId(rawId.trim(), (r) => fail('id', r));

  const name = optString(o, 'name', 512);
  if (name !== null && cleanLine(name) === '') fail('name', 'must not be empty or blank when given');

  let cefSeverity: CefSeverity | null = null;
  if (o.severity !== undefined && o.severity !== null) {
    if (!isCefSeverity(o.severity))
      fail('severity', `must be an integer 0–10 (CEF severity), got ${JSON.stringify(o.severity)}`);
    cefSeverity = o.severity;
  }
  let syslogSeverity: SyslogSeverity | null = null;
  if (o.priority !== undefined && o.priority !== null) {
    if (!isSyslogSeverity(o.priority))
      fail('priority', `must be an integer 0–7 (syslog severity), got ${JSON.stringify(o.priority)}`);
    syslogSeverity = o.priority;
  }

  let time: EventTime | null = null;
  const ts = o.timestamp;
  if (typeof ts === 'string') {
    const r = parseTimestamp(ts);
    if (!r.ok) fail('timestamp', r.reason);
    time = r.time;
  } else if (typeof ts === 'number') {
    if (!Number.isSafeInteger(ts)) fail('timestamp', 'a number must be epoch milliseconds (an integer)');
    if (!inRange(ts)) fail('timestamp', RANGE_REASON);
    time = timeFromEpochMs(ts);
  } else if (ts !== undefined && ts !== null) {
    fail('timestamp', `must be an RFC 3339 string or epoch milliseconds, got ${typeName(ts)}`);
  }

  // the vault's product name and version (`senhasegura`, `3.27.0-4`): renderers keep them
  const product = optString(o, 'product', MAX_PRODUCT_CHARS);
  if (product !== null && cleanLine(product) === '') fail('product', 'must not be empty or blank when given');
  const deviceVersion = optString(o, 'deviceVersion', MAX_VERSION_CHARS);
  if (deviceVersion !== null && cleanLine(deviceVersion) === '')
    fail('deviceVersion', 'must not be empty or blank when given');

  const host = optString(o, 'host', 255);
  const app = optString(o, 'app', 48);
  let pid: string | null = null;
  if (typeof o.pid === 'number') {
    if (!Number.isSafeInteger(o.pid) || o.pid < 0) fail('pid', 'must be a non-negative integer');
    pid = String(o.pid);
  } else {
    pid = optString(o, 'pid', 128);
  }

  const f = o.fields;
  const flags: EventFlag[] = [];
  let fields: Record<string, string> = {};
  if (f !== undefined && f !== null) {
    if (typeof f !== 'object' || Array.isArray(f))
      fail('fields', `must be an object of key: string, got ${typeName(f)}`);
    const direct = fieldsInPlace(f as Record<string, unknown>, plain);
    if (direct !== null) fields = direct;
    else {
      const built = slowFields(f as Record<string, unknown>);
      fields = built.fields;
      if (built.renamed) flags.push(EVENT_FLAGS.keyRenamed);
    }
  }

  return {
    input: 'json',
    eventId,
    name,
    cefSeverity,
    syslogSeverity,
    time,
    host: host === null ? null : cleanLine(host) || null,
    app: app === null ? null : cleanLine(app) || null,
    pid: pid === null ? null : cleanLine(pid) || null,
    product: product === null ? null : cleanLine(product),
    deviceVersion: deviceVersion === null ? null : cleanLine(deviceVersion),
    fields,
    flags,
  };
}

export { ENVELOPE_VERSION, parseEnvelopeObject };
