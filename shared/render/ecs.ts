/**
 * ECS JSON renderer (Elastic, OpenSearch, Sekoia), one JSON object per line. Modeled on how a SIEM
 * maps key=value logs to ECS: `event.code`, `user.*`, `source.*`, `client.*`, `destination.*`,
 * `related.*` (every IP of the event), with every vault field kept verbatim under `segura.fields`.
 * The key → field mapping and its per-layout exceptions are data (fields/ecs-fields.ts).
 */
import { maxBytesIssue } from '../config/render-options.js';
import { RenderError } from '../errors.js';
import { layoutSlugsOf } from '../model/catalog-layouts.js';
import { EVENT_FLAGS, type EventTime, type SecurityEvent } from '../model/security-event.js';
import { SYSLOG_SEVERITY_NAMES } from '../model/severity.js';
import { formatUtc } from '../model/time.js';
import { BudgetError, cutEscaped, MARKER_BYTES } from './budget.js';
import { isIp } from './fields/cef-extensions.js';
import { ECS_NOT_MAPPED } from './fields/ecs-fields.js';
import type { Rendered, Renderer } from './types.js';

interface EcsOptions {
  /** @default 'MT4' */
  readonly vendor?: string;
  /** observer.product for every event, overriding the vault's own. @default the event's own product, else 'Segura' */
  readonly product?: string;
  /** observer.version when the event carries none (the vault's own version always wins). @default '3' */
  readonly deviceVersion?: string;
  /** maximum UTF-8 bytes of the JSON line; only `message` is shortened. @default undefined */
  readonly maxBytes?: number;
}

const ECS_VERSION = '8.11.0';

/**
 * ECS has one time field, `@timestamp`, in UTC; the offset the vault wrote goes to `event.timezone`
 * in its "HH:mm differential" form (`-03:00`; `+00:00` for `Z`), as
 * https://www.elastic.co/guide/en/ecs/current/ecs-event.html#field-event-timezone describes it.
 * Left out when the relay supplied the time or its zone (`timestamp-defaulted`, `timestamp-inferred`):
 * that offset is not the vault's.
 */
function timezoneOf(e: SecurityEvent, t: EventTime): string | undefined {
  if (e.flags.includes(EVENT_FLAGS.timestampDefaulted) || e.flags.includes(EVENT_FLAGS.timestampInferred))
    return undefined;
  const abs = Math.abs(t.offsetMinutes);
  const hh = String(Math.floor(abs / 60)).padStart(2, '0');
  const mm = String(abs % 60).padStart(2, '0');
  return `${t.offsetMinutes < 0 ? '-' : '+'}${hh}:${mm}`;
}
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/** Notification category (the notification options page) → ECS `event.category`. */
const CATEGORY: Readonly<Record<string, readonly string[]>> = {
  'Access Control': ['iam'],
  'Audit Trail': ['configuration'],
  Authentication: ['authentication'],
  Certificates: ['configuration'],
  Cloud: ['iam'],
  'Command Audit': ['process'],
  Credentials: ['iam'],
  Devices: ['network'],
  Domum: ['authentication'],
  'Emergency Panel': ['session'],
  'Master Key': ['iam'],
  Monitoring: ['host'],
  'Password Backup': ['database'],
  'Password Operation': ['iam'],
  'Protected Information': ['iam'],
  'Remote Session': ['session'],
  'Schedule Reports': ['configuration'],
  'User Behavior': ['intrusion_detection'],
  Workstation: ['host'],
};

function pushUnique(arr: string[], v: string | undefined): void {
  if (v !== undefined && v !== '' && !arr.includes(v)) arr.push(v);
}

type Json = Record<string, unknown>;

/** Latitude and longitude as an ECS geo_point, or undefined when either is missing or impossible. */
function geoPoint(latitude: string | undefined, longitude: string | undefined): Json | undefined {
  if (latitude === undefined || longitude === undefined) return undefined;
  const lat = Number(latitude);
  const lon = Number(longitude);
  // Elasticsearch rejects the whole document for an out-of-range geo_point (unless ignore_malformed)
  if (!Number.isFinite(lat) || !Number.isFinite(lon) || Math.abs(lat) > 90 || Math.abs(lon) > 180) return undefined;
  return { lat, lon };
}

/** `country/state/city/latitude/longitude` as ECS geo fields, or undefined when there are none. */
function geoOf(f: Readonly<Record<string, string>>): Json | undefined {
  const geo: Json = {};
  if (f.country !== undefined) geo.country_name = f.country;
  if (f.state !== undefined) geo.region_name = f.state;
  if (f.city !== undefined) geo.city_name = f.city;
  const location = geoPoint(f.latitude, f.longitude);
  if (location !== undefined) geo.location = location;
  return Object.keys(geo).length ? geo : undefined;
}

/** An ECS address group (`source`, `client`, `destination`): `.address` always, `.ip` when it is one. */
function endpoint(address: string, relatedIp: string[]): Json {
  const out: Json = { address };
  if (isIp(address)) {
    out.ip = address;
    pushUnique(relatedIp, address);
  }
  return out;
}

/** Keys of this event that its layout(s) give another meaning than the default mapping (ecs-fields.ts). */
function notMapped(e: SecurityEvent): ReadonlySet<string> | null {
  const layouts = layoutSlugsOf(e.eventId, e.fields);
  if (layouts.length === 0) return null;
  // a SUID type can point to several layouts (153: session started/ended): skip what all of them skip
  let keys: string[] | null = null;
  for (const slug of layouts) {
    const own = Object.keys(ECS_NOT_MAPPED[slug] ?? {});
    keys = keys === null ? own : keys.filter((k) => own.includes(k));
  }
  return keys === null || keys.length === 0 ? null : new Set(keys);
}

function createEcsRenderer(opts: EcsOptions = {}): Renderer {
  const observer = {
    vendor: opts.vendor ?? 'MT4',
    product: opts.product ?? 'Segura',
    version: opts.deviceVersion ?? '3',
    type: 'pam',
  };
  const productOverride = opts.product !== undefined;
  for (const [k, v] of Object.entries({
    vendor: observer.vendor,
    product: observer.product,
    deviceVersion: observer.version,
  })) {
    if (CONTROL.test(v)) throw new RenderError(`ecs.${k}: must not contain control characters`);
  }
  const budgetIssue = opts.maxBytes === undefined ? null : maxBytesIssue('ecs', opts.maxBytes);
  if (budgetIssue !== null) {
    throw new RenderError(`ecs.maxBytes: ${budgetIssue}`);
  }
  const build = (e: SecurityEvent, message: string | undefined): Json => {
    const f = e.fields;
    const skip = notMapped(e);
    /** the field, unless this event's layout gives the key another meaning */
    const mapped = (k: string): string | undefined => (skip?.has(k) ? undefined : f[k]);
    const relatedIp: string[] = [];
    const relatedUser: string[] = [];
    const relatedHosts: string[] = [];
    const doc: Json = {};
    if (e.time !== null) doc['@timestamp'] = formatUtc(e.time);
    if (message !== undefined) doc.message = message;
    doc.ecs = { version: ECS_VERSION };
    const event: Json = {
      kind: 'event',
      code: e.eventId,
      category: CATEGORY[e.category ?? ''] ?? ['host'],
      type: ['info'],
      severity: e.cefSeverity,
      provider: e.app ?? observer.product,
      dataset: 'segura.siem',
      module: 'segura',
    };
    const timezone = e.time === null ? undefined : timezoneOf(e, e.time);
    if (timezone !== undefined) event.timezone = timezone;
    // the stable event id: the same across retries, redrives and destinations (deduplication)
    if (e.uid !== undefined) event.id = e.uid;
    if (f.act !== undefined) event.action = f.act;
    doc.event = event;
    doc.log = { syslog: { severity: { code: e.syslogSeverity, name: SYSLOG_SEVERITY_NAMES[e.syslogSeverity] } } };
    // the vault's own product and version, unless the deployment overrides the product
    const obs: Json = { ...observer };
    if (e.product && !productOverride) obs.product = e.product;
    if (e.deviceVersion) obs.version = e.deviceVersion;
    if (e.host !== null) obs.hostname = e.host;
    doc.observer = obs;
    if (e.host !== null) {
      doc.host = { name: e.host };
      pushUnique(relatedHosts, e.host);
    }
    if (e.pid !== null && /^\d{1,9}$/.test(e.pid)) doc.process = { pid: Number(e.pid) };
    const user: Json = {};
    const suid = mapped('suid');
    const suser = mapped('suser');
    const sname = mapped('sname');
    const spriv = mapped('spriv');
    const duid = mapped('duid');
    const duser = mapped('duser');
    if (suid !== undefined) user.id = suid;
    if (suser !== undefined) user.name = suser;
    if (sname !== undefined) user.full_name = sname;
    if (spriv !== undefined) user.roles = [spriv];
    const target: Json = {};
    if (duid !== undefined) target.id = duid;
    if (duser !== undefined) target.name = duser;
    if (Object.keys(target).length) user.target = target;
    if (Object.keys(user).length) doc.user = user;
    pushUnique(relatedUser, suser);
    pushUnique(relatedUser, duser);
    // src is the network source; originIP is the requester (the Master Key recovery tables:
    // "Requesting user IP", geolocated by country/state/city/latitude/longitude): the ECS client,
    // "the initiator or requestor in the network transaction". Without an originIP the geo
    // describes src.
    const geo = geoOf(f);
    if (f.src !== undefined) {
      const source = endpoint(f.src, relatedIp);
      if (geo !== undefined && f.originIP === undefined) source.geo = geo;
      doc.source = source;
    }
    if (f.originIP !== undefined) {
      const client = endpoint(f.originIP, relatedIp);
      if (geo !== undefined) client.geo = geo;
      doc.client = client;
    }
    if (f.dst !== undefined || f.dhost !== undefined || f.dpt !== undefined) {
      const dest: Json = f.dst === undefined ? {} : endpoint(f.dst, relatedIp);
      if (f.dhost !== undefined) {
        dest.domain = f.dhost;
        pushUnique(relatedHosts, f.dhost);
      }
      if (f.dpt !== undefined && /^\d{1,5}$/.test(f.dpt) && Number(f.dpt) <= 65535) dest.port = Number(f.dpt);
      doc.destination = dest;
    }
    if (f.dvc !== undefined && isIp(f.dvc)) {
      obs.ip = [f.dvc];
      pushUnique(relatedIp, f.dvc);
    }
    const method = f.requestMethod ?? f.Method;
    if (method !== undefined) doc.http = { request: { method } };
    const service = f.sourceServiceName ?? f.ServiceName;
    if (service !== undefined) doc.service = { name: service };
    const related: Json = {};
    if (relatedIp.length) related.ip = relatedIp;
    if (relatedUser.length) related.user = relatedUser;
    if (relatedHosts.length) related.hosts = relatedHosts;
    if (Object.keys(related).length) doc.related = related;
    const seguraEvent: Json = { id: e.eventId, name: e.name, catalog_match: e.catalogMatch };
    if (e.category !== null) seguraEvent.category = e.category;
    if (e.notificationType !== null) seguraEvent.notification_type = e.notificationType;
    if (e.origin !== null) seguraEvent.origin = e.origin;
    if (e.flags.length) seguraEvent.flags = e.flags;
    // fromEntries defines own properties: a label such as `__proto__` stays an ordinary key
    const entries: Array<[string, string]> = [];
    for (let n = 1; n <= 8; n++) {
      const v = f[`cs${n}`];
      if (v !== undefined) entries.push([f[`cs${n}Label`] ?? `cs${n}`, v]);
    }
    const custom: Json = Object.fromEntries(entries);
    doc.segura = Object.keys(custom).length
      ? { event: seguraEvent, fields: f, custom }
      : { event: seguraEvent, fields: f };
    return doc;
  };

  const renderWithInfo = (e: SecurityEvent): Rendered => {
    const message = e.fields.msg;
    const text = JSON.stringify(build(e, message));
    const max = opts.maxBytes;
    if (max === undefined || text.length * 3 <= max) return { text, truncated: false };
    const bytes = Buffer.byteLength(text, 'utf8');
    if (bytes <= max) return { text, truncated: false };
    if (message === undefined) throw new BudgetError(`event ${e.eventId} (ecs)`, bytes, max, 0);
    // msg appears twice (message and segura.fields.msg): cut both to the same text
    const fixed = Buffer.byteLength(JSON.stringify(build({ ...e, fields: { ...e.fields, msg: '' } }, '')), 'utf8');
    const each = Math.floor((max - fixed) / 2);
    // the shortest cut text is the mark alone, in both places
    if (each < MARKER_BYTES) throw new BudgetError(`event ${e.eventId} (ecs)`, fixed, max, 2 * MARKER_BYTES);
    // measure in JSON-escaped bytes: cut the escaped form, then decode it back
    let cut = cutEscaped(JSON.stringify(message).slice(1, -1), each);
    let short: string = JSON.parse(`"${cut.replace(/\\$/, '')}"`);
    let out = JSON.stringify(build({ ...e, fields: { ...e.fields, msg: short } }, short));
    while (Buffer.byteLength(out, 'utf8') > max && cut.length > 1) {
      cut = cutEscaped(cut.slice(0, -2), Math.max(3, Buffer.byteLength(cut, 'utf8') - 8));
      short = JSON.parse(`"${cut.replace(/\\$/, '')}"`);
      out = JSON.stringify(build({ ...e, fields: { ...e.fields, msg: short } }, short));
    }
    return { text: out, truncated: true };
  };
  return { format: 'ecs', render: (e) => renderWithInfo(e).text, renderWithInfo };
}

export type { EcsOptions };
export { createEcsRenderer, ECS_VERSION };
