/**
 * RFC 5424 renderer (docs/formats.md §2):
 * `<PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID SD [MSG]`
 * - PRI = facility × 8 + syslog severity (facility user = 1 by default), precomputed per severity;
 * - TIMESTAMP in UTC, `.mmm` (or 6 digits when the source had them), upper-case T and Z;
 * - HOSTNAME: the vault host, IDNA (punycode) when non-ASCII, PRINTUSASCII ≤ 255, else `-`;
 * - APP-NAME `Segura` (configurable, ≤ 48), PROCID = vault pid (≤ 128), MSGID = event id (≤ 32);
 * - SD: `-`, or one element `[name@PEN eventId=… name=… severity=… category=… origin=… uid=…]`
 *   (`uid`: the stable event id, also in the CEF MSG as `externalId`);
 * - MSG: the CEF payload (default; no BOM so `$msg startswith "CEF:"` rules keep working) or the
 *   vault's key=value text (BOM when it is not pure ASCII, RFC 5424 §6.4), written in the vault's own
 *   dialect: values as they are, no escapes (escape.ts `nativeKvValue`).
 * A size budget shortens only the free text (`msg`).
 */
import { domainToASCII } from 'node:url';
import { maxBytesIssue } from '../config/render-options.js';
import { RenderError } from '../errors.js';
import { EVENT_FLAGS, type SecurityEvent } from '../model/security-event.js';
import { formatUtc } from '../model/time.js';
import { BudgetError } from './budget.js';
import { applyBudget, createCefRenderer } from './cef.js';
import { type CefMode, planFor, runPlan } from './cef-mapping.js';
import { escapeSdValue, printUsAscii } from './escape.js';
import type { Rendered, Renderer } from './types.js';

interface Rfc5424Options {
  /** syslog facility 0–23. @default 1 (user), as the vault documents */
  readonly facility?: number;
  /** @default 'Segura' */
  readonly appName?: string;
  /** MSG payload. @default 'cef' */
  readonly msg?: 'cef' | 'kv';
  /** UTF-8 BOM before MSG: `auto` = only when MSG is not pure ASCII. @default 'never' for cef, 'auto' for kv */
  readonly bom?: 'auto' | 'always' | 'never';
  /** SD-ID `name@PEN` for one SD element with the event's catalog data. @default undefined (SD is `-`) */
  readonly sdId?: string;
  /** CEF options for the payload (vendor, product, deviceVersion, mode) */
  readonly cef?: { vendor?: string; product?: string; deviceVersion?: string; mode?: CefMode };
  /** key mode for the key=value MSG. @default 'compatible' (the vault's own keys) */
  readonly kvMode?: CefMode;
  /** maximum UTF-8 bytes of the whole line; only `msg` is shortened. @default undefined */
  readonly maxBytes?: number;
}

const SD_NAME = /^[\x21-\x7e]{1,32}$/;
const SD_NAME_FORBIDDEN = /[= \]"]/;
const BOM = '\uFEFF';
const NON_ASCII = /[^\x00-\x7f]/;

function validSdId(id: string): boolean {
  if (!SD_NAME.test(id) || SD_NAME_FORBIDDEN.test(id)) return false;
  const at = id.indexOf('@');
  // private SD-IDs are name@<private enterprise number> (RFC 5424 §7.2.2)
  return at > 0 && /^\d+(\.\d+)*$/.test(id.slice(at + 1));
}

/** HOSTNAME: punycode for non-ASCII names, PRINTUSASCII, ≤ 255. Cached per distinct host. */
function hostField(host: string | null, cache: Map<string, string>): string {
  if (host === null) return '-';
  let v = cache.get(host);
  if (v !== undefined) return v;
  // spaces first, so `São Paulo` becomes the IDNA name `xn--so-paulo-zxa`
  let h = host.replace(/ /g, '-');
  if (NON_ASCII.test(h)) {
    const ascii = domainToASCII(h.toLowerCase());
    h = ascii === '' ? h : ascii;
  }
  v = printUsAscii(h, 255);
  if (cache.size < 4096) cache.set(host, v);
  return v;
}

function createRfc5424Renderer(opts: Rfc5424Options = {}): Renderer {
  const facility = opts.facility ?? 1;
  if (!Number.isInteger(facility) || facility < 0 || facility > 23) {
    throw new RenderError(`rfc5424.facility: must be an integer 0–23, got ${String(opts.facility)}`);
  }
  const appRaw = opts.appName ?? 'Segura';
  if (!/^[\x21-\x7e]{1,48}$/.test(appRaw))
    throw new RenderError('rfc5424.appName: 1–48 printable US-ASCII characters, no spaces');
  const msgKind = opts.msg ?? 'cef';
  if (msgKind !== 'cef' && msgKind !== 'kv')
    throw new RenderError(`rfc5424.msg: must be cef or kv, got ${String(msgKind)}`);
  const bom = opts.bom ?? (msgKind === 'cef' ? 'never' : 'auto');
  if (opts.sdId !== undefined && !validSdId(opts.sdId)) {
    throw new RenderError(
      `rfc5424.sdId: ${JSON.stringify(opts.sdId)} is not a private SD-ID name@PEN (≤ 32 printable ASCII, no = ] " or space)`,
    );
  }
  const budgetIssue = opts.maxBytes === undefined ? null : maxBytesIssue('rfc5424', opts.maxBytes);
  if (budgetIssue !== null) {
    throw new RenderError(`rfc5424.maxBytes: ${budgetIssue}`);
  }
  const kvMode = opts.kvMode ?? 'compatible';
  const pri = Array.from({ length: 8 }, (_, s) => `<${facility * 8 + s}>1 `);
  const app = ` ${appRaw} `;
  const sdOpen = opts.sdId === undefined ? null : `[${opts.sdId} `;
  const cef = createCefRenderer({ ...opts.cef });
  const hosts = new Map<string, string>();

  const sd = (e: SecurityEvent, truncated: boolean): string => {
    if (sdOpen === null) return '-';
    let s = `${sdOpen}eventId="${escapeSdValue(e.eventId)}" name="${escapeSdValue(e.name)}" severity="${e.cefSeverity}"`;
    if (e.category !== null) s += ` category="${escapeSdValue(e.category)}"`;
    if (e.origin !== null) s += ` origin="${escapeSdValue(e.origin)}"`;
    // the stable event id (hex digits, nothing to escape), for deduplication
    if (e.uid !== undefined) s += ` uid="${e.uid}"`;
    // a SIEM can select shortened events without parsing the text for the … marker
    if (truncated) s += ' truncated="true"';
    return `${s}]`;
  };

  const renderOnce = (e: SecurityEvent, truncatedMark: boolean): Rendered => {
    const header =
      `${pri[e.syslogSeverity]}${e.time === null ? '-' : formatUtc(e.time)} ${hostField(e.host, hosts)}${app}` +
      `${printUsAscii(e.pid, 128)} ${e.flags.includes(EVENT_FLAGS.noEventId) ? '-' : e.eventId} ${sd(e, truncatedMark)} `;
    if (msgKind === 'cef') {
      const headerBytes = opts.maxBytes === undefined ? 0 : Buffer.byteLength(header, 'utf8');
      const budget = opts.maxBytes === undefined ? undefined : opts.maxBytes - headerBytes;
      // report a budget failure against the whole line, as configured, not the CEF part
      const cefIn = (b: number | undefined) => {
        try {
          return cef.renderBudget(e, b);
        } catch (err) {
          if (err instanceof BudgetError && opts.maxBytes !== undefined) {
            throw new BudgetError(
              `event ${e.eventId} (rfc5424)`,
              err.fixedBytes + (opts.maxBytes - err.maxBytes),
              opts.maxBytes,
              err.markerBytes,
            );
          }
          throw err;
        }
      };
      let r = cefIn(budget);
      const useBom = bom === 'always' || (bom === 'auto' && NON_ASCII.test(r.text));
      if (useBom && budget !== undefined) r = cefIn(budget - 3);
      return { text: useBom ? header + BOM + r.text : header + r.text, truncated: r.truncated };
    }
    // the vault's own key=value text: its fields only (time, host and pid are in the header)
    const body = runPlan(planFor(e.fields, kvMode), e.fields, '', 'native');
    const useBom = bom === 'always' || (bom === 'auto' && NON_ASCII.test(body.text));
    return applyBudget(useBom ? header + BOM : header, body, opts.maxBytes, e.eventId, 'rfc5424');
  };
  // with an SD element, a shortened event is rendered again with truncated="true" in its SD (the
  // budget then leaves 17 bytes less for the text)
  const renderWithInfo = (e: SecurityEvent): Rendered => {
    const r = renderOnce(e, false);
    return r.truncated && sdOpen !== null ? renderOnce(e, true) : r;
  };
  return { format: 'rfc5424', render: (e) => renderWithInfo(e).text, renderWithInfo };
}

export type { Rfc5424Options };
export { createRfc5424Renderer, validSdId };
