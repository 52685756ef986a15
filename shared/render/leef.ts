/**
 * LEEF 2.0 renderer for QRadar: `LEEF:2.0|Vendor|Product|Version|EventID|^|attr=value^attr=value`.
 * The attribute delimiter is declared in the header (`^` by default, configurable) so no raw TAB
 * ever crosses rsyslog (which rewrites TAB as `#011`). LEEF defines no escape for the delimiter or
 * for newlines, so inside values the delimiter, CR and LF become a space: one event stays one
 * record and a forged `^usrName=` stays inert text. Predefined attributes are used where the vault
 * has an equivalent (usrName, src, dst, srcPort, dstPort, role, sev, cat, devTime).
 */
import { maxBytesIssue } from '../config/render-options.js';
import { RenderError } from '../errors.js';
import type { SecurityEvent } from '../model/security-event.js';
import { formatWithOffset } from '../model/time.js';
import { BudgetError, cutEscaped, MARKER_BYTES } from './budget.js';
import type { Rendered, Renderer } from './types.js';

interface LeefOptions {
  /** @default 'MT4' */
  readonly vendor?: string;
  /** Product for every event, overriding the vault's own. @default the event's own product, else 'Segura' */
  readonly product?: string;
  /** Version when the event carries none (the vault's own version always wins). @default '3' */
  readonly deviceVersion?: string;
  /** one printable ASCII character, not `=`. @default '^' */
  readonly delimiter?: string;
  /** maximum UTF-8 bytes of the line; only `msg` is shortened. @default undefined */
  readonly maxBytes?: number;
}

// a Map: a field named `constructor` must not resolve to Object.prototype.constructor
const LEEF_RENAMES: ReadonlyMap<string, string> = new Map([
  ['suser', 'usrName'],
  ['dpt', 'dstPort'],
  ['spt', 'srcPort'],
  ['spriv', 'role'],
]);
/** Attributes the renderer writes itself; a field with one of these names is prefixed. */
const OWN = ['devTime', 'devTimeFormat', 'sev', 'cat', 'eventName', 'dvchost', 'dvcpid', 'externalId'];
const DEV_TIME_FORMAT = "yyyy-MM-dd'T'HH:mm:ss.SSSXXX";

function createLeefRenderer(opts: LeefOptions = {}): Renderer {
  const budgetIssue = opts.maxBytes === undefined ? null : maxBytesIssue('leef', opts.maxBytes);
  if (budgetIssue !== null) throw new RenderError(`leef.maxBytes: ${budgetIssue}`);
  const d = opts.delimiter ?? '^';
  if (!/^[\x21-\x7e]$/.test(d) || d === '=' || d === '|' || d === '\\') {
    throw new RenderError(`leef.delimiter: one printable ASCII character other than = | \\, got ${JSON.stringify(d)}`);
  }
  for (const [k, v] of [
    ['vendor', opts.vendor],
    ['product', opts.product],
    ['deviceVersion', opts.deviceVersion],
  ] as const) {
    if (v !== undefined && /[|\u0000-\u001f\u007f-\u009f]/.test(v)) {
      throw new RenderError(`leef.${k}: must not contain | or control characters`);
    }
  }
  const vendorPart = `LEEF:2.0|${opts.vendor ?? 'MT4'}|`;
  const product = opts.product ?? 'Segura';
  const version = opts.deviceVersion ?? '3';
  const prefix = `${vendorPart}${product}|${version}|`;
  const productOverride = opts.product !== undefined;
  // LEEF has no escape for `|` in a header field: the vault's own value gets a space there instead
  const headerField = (v: string): string => (v.indexOf('|') === -1 ? v : v.replace(/\|/g, ' '));
  /** `LEEF:2.0|vendor|product|version|`: the vault's own product (unless overridden) and version */
  const prefixFor = (e: SecurityEvent): string => {
    const p = productOverride ? undefined : e.product;
    const v = e.deviceVersion;
    if (!p && !v) return prefix;
    return `${vendorPart}${p ? headerField(p) : product}|${v ? headerField(v) : version}|`;
  };
  const cls = `[\\r\\n${d.replace(/[\^\]\\-]/g, '\\$&')}]`;
  const hasBad = new RegExp(cls);
  const allBad = new RegExp(cls, 'g');
  const clean = (v: string): string => (hasBad.test(v) ? v.replace(allBad, ' ') : v);

  const renderWithInfo = (e: SecurityEvent): Rendered => {
    const head = prefixFor(e);
    let s = `${head}${e.eventId}|${d}|`;
    const attrs: string[] = [];
    // devTimeFormat says .SSS: always 3 fraction digits (SimpleDateFormat would read 6 as ms)
    if (e.time !== null)
      attrs.push(`devTime=${formatWithOffset({ ...e.time, fractionDigits: 3 })}`, `devTimeFormat=${DEV_TIME_FORMAT}`);
    attrs.push(`sev=${Math.max(1, e.cefSeverity)}`);
    attrs.push(`cat=${clean(e.notificationType ?? e.category ?? e.origin ?? 'Segura')}`);
    attrs.push(`eventName=${clean(e.name)}`);
    if (e.host !== null) attrs.push(`dvchost=${clean(e.host)}`);
    if (e.pid !== null) attrs.push(`dvcpid=${clean(e.pid)}`);
    // the stable event id (hex digits) as a custom attribute, named as in CEF, for deduplication
    if (e.uid !== undefined) attrs.push(`externalId=${e.uid}`);
    let msgIndex = -1;
    const taken = new Set(OWN);
    for (const k in e.fields) {
      let key = LEEF_RENAMES.get(k) ?? k;
      if (taken.has(key)) {
        const base = `segura${key.charAt(0).toUpperCase()}${key.slice(1)}`;
        key = base;
        for (let n = 2; taken.has(key); n++) key = `${base}${n}`;
      }
      taken.add(key);
      if (k === 'msg') msgIndex = attrs.length;
      attrs.push(`${key}=${clean(e.fields[k] as string)}`);
    }
    s += attrs.join(d);
    const max = opts.maxBytes;
    if (max === undefined || s.length * 3 <= max) return { text: s, truncated: false };
    const bytes = Buffer.byteLength(s, 'utf8');
    if (bytes <= max) return { text: s, truncated: false };
    if (msgIndex === -1) throw new BudgetError(`event ${e.eventId} (leef)`, bytes, max, 0);
    const msgAttr = attrs[msgIndex] as string;
    const fixed = bytes - Buffer.byteLength(msgAttr, 'utf8') + 4; // keep "msg="
    if (max - fixed < MARKER_BYTES) throw new BudgetError(`event ${e.eventId} (leef)`, fixed, max, MARKER_BYTES);
    attrs[msgIndex] = `msg=${cutEscaped(msgAttr.slice(4), max - fixed, false)}`;
    return { text: `${head}${e.eventId}|${d}|${attrs.join(d)}`, truncated: true };
  };
  return { format: 'leef', render: (e) => renderWithInfo(e).text, renderWithInfo };
}

export type { LeefOptions };
export { createLeefRenderer };
