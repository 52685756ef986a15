/**
 * ECS JSON renderer (Elastic, OpenSearch, Sekoia), one JSON object per line. Modeled on how a SIEM
 * maps key=value logs to ECS (seed 004): `event.code`, `user.*`, `source.*`, `destination.*`,
 * `related.*`, with every vault field kept verbatim under `segura.fields`.
 */
import { RenderError } from '../errors.js';
import type { SecurityEvent } from '../model/security-event.js';
import { SYSLOG_SEVERITY_NAMES } from '../model/severity.js';
import { formatUtc } from '../model/time.js';
import { cutEscaped } from './budget.js';
import { isIp } from './fields/cef-extensions.js';
import type { Rendered, Renderer } from './types.js';

interface EcsOptions {
  /** @default 'MT4' */
  readonly vendor?: string;
  /** @default 'Segura' */
  readonly product?: string;
  /** @default '3' */
  readonly deviceVersion?: string;
  /** maximum UTF-8 bytes of the JSON line; only `message` is shortened. @default undefined */
  readonly maxBytes?: number;
}

const ECS_VERSION = '8.11.0';
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/** Notification category (seed 003) → ECS `event.category`. */
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

function createEcsRenderer(opts: EcsOptions = {}): Renderer {
  const observer = {
    vendor: opts.vendor ?? 'MT4',
    product: opts.product ?? 'Segura',
    version: opts.deviceVersion ?? '3',
    type: 'pam',
  };
  for (const [k, v] of Object.entries({
    vendor: observer.vendor,
    product: observer.product,
    deviceVersion: observer.version,
  })) {
    if (CONTROL.test(v)) throw new RenderError(`ecs.${k}: must not contain control characters`);
  }
  if (opts.maxBytes !== undefined && (!Number.isInteger(opts.maxBytes) || opts.maxBytes < 256)) {
    throw new RenderError(`ecs.maxBytes: must be an integer ≥ 256, got ${String(opts.maxBytes)}`);
  }
  const build = (e: SecurityEvent, message: string | undefined): Json => {
    const f = e.fields;
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
    if (f.act !== undefined) event.action = f.act;
    doc.event = event;
    doc.log = { syslog: { severity: { code: e.syslogSeverity, name: SYSLOG_SEVERITY_NAMES[e.syslogSeverity] } } };
    doc.observer = e.host === null ? observer : { ...observer, hostname: e.host };
    if (e.host !== null) {
      doc.host = { name: e.host };
      pushUnique(relatedHosts, e.host);
    }
    if (e.pid !== null && /^\d{1,9}$/.test(e.pid)) doc.process = { pid: Number(e.pid) };
    const user: Json = {};
    if (f.suid !== undefined) user.id = f.suid;
    if (f.suser !== undefined) user.name = f.suser;
    if (f.sname !== undefined) user.full_name = f.sname;
    if (f.spriv !== undefined) user.roles = [f.spriv];
    const target: Json = {};
    if (f.duid !== undefined) target.id = f.duid;
    if (f.duser !== undefined) target.name = f.duser;
    if (Object.keys(target).length) user.target = target;
    if (Object.keys(user).length) doc.user = user;
    pushUnique(relatedUser, f.suser);
    pushUnique(relatedUser, f.duser);
    const src = f.src ?? f.originIP;
    if (src !== undefined) {
      const source: Json = { address: src };
      if (isIp(src)) {
        source.ip = src;
        pushUnique(relatedIp, src);
      }
      const geo: Json = {};
      if (f.country !== undefined) geo.country_name = f.country;
      if (f.state !== undefined) geo.region_name = f.state;
      if (f.city !== undefined) geo.city_name = f.city;
      const lat = Number(f.latitude);
      const lon = Number(f.longitude);
      if (f.latitude !== undefined && f.longitude !== undefined && Number.isFinite(lat) && Number.isFinite(lon)) {
        geo.location = { lat, lon };
      }
      if (Object.keys(geo).length) source.geo = geo;
      doc.source = source;
    }
    if (f.dst !== undefined || f.dhost !== undefined || f.dpt !== undefined) {
      const dest: Json = {};
      if (f.dst !== undefined) {
        dest.address = f.dst;
        if (isIp(f.dst)) {
          dest.ip = f.dst;
          pushUnique(relatedIp, f.dst);
        }
      }
      if (f.dhost !== undefined) {
        dest.domain = f.dhost;
        pushUnique(relatedHosts, f.dhost);
      }
      if (f.dpt !== undefined && /^\d{1,5}$/.test(f.dpt) && Number(f.dpt) <= 65535) dest.port = Number(f.dpt);
      doc.destination = dest;
    }
    if (f.dvc !== undefined && isIp(f.dvc)) {
      (doc.observer as Json).ip = [f.dvc];
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
    if (message === undefined)
      throw new RenderError(`event ${e.eventId} (ecs): ${bytes} bytes exceed ${max} and there is no msg`);
    // msg appears twice (message and segura.fields.msg): cut both to the same text
    const fixed = Buffer.byteLength(JSON.stringify(build({ ...e, fields: { ...e.fields, msg: '' } }, '')), 'utf8');
    const each = Math.floor((max - fixed) / 2);
    if (each < 3) throw new RenderError(`event ${e.eventId} (ecs): ${fixed} bytes without msg exceed ${max}`);
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
