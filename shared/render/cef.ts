/**
 * CEF renderer: `CEF:0|MT4|Segura|<version>|<eventId>|<name>|<severity>|<extension>`. Constant
 * header parts are escaped once per renderer; per event the renderer only concatenates. Device
 * Product and Device Version are the vault's own when the input carried them (`Segura|3.27.0-4`);
 * a configured product overrides, a configured version is the fallback. `rt` (epoch ms), `dvchost`,
 * `dvcpid` and `externalId` (the stable event id) come first in the extension, then the vault's fields.
 */
import { maxBytesIssue } from '../config/render-options.js';
import { RenderError } from '../errors.js';
import type { SecurityEvent } from '../model/security-event.js';
import { BudgetError, fitMessage } from './budget.js';
import { type CefMode, type ExtText, planFor, runPlan } from './cef-mapping.js';
import { escapeCefHeader, escapeCefValue } from './escape.js';
import type { Rendered, Renderer } from './types.js';

interface CefOptions {
  /** @default 'MT4' */
  readonly vendor?: string;
  /**
   * Device Product for every event, overriding the product the vault wrote (e.g. `Segura` for
   * SIEM rules written after a senhasegura upgrade). @default the event's own product, else 'Segura'
   */
  readonly product?: string;
  /** Device Version when the event carries none (the vault's own version always wins). @default '3' */
  readonly deviceVersion?: string;
  /** @default 'strict' */
  readonly mode?: CefMode;
  /** maximum UTF-8 bytes of the line; only `msg` is shortened. @default undefined (no limit) */
  readonly maxBytes?: number;
}

const DEFAULTS = { vendor: 'MT4', product: 'Segura', deviceVersion: '3', mode: 'strict' } as const;

/**
 * The CEF extension for an event: `rt`, `dvchost`, `dvcpid`, `externalId` from the model, then the fields through
 * the compiled plan. Returns the text and the span of the msg value (for the size budget).
 */
function extensionText(e: SecurityEvent, mode: CefMode): ExtText {
  let head = e.time === null ? '' : `rt=${epochMsText(e.time.epochMs)}`;
  if (e.host !== null) head += `${head === '' ? '' : ' '}dvchost=${escapeCefValue(e.host)}`;
  let fields = e.fields;
  if (e.pid !== null) {
    if (mode === 'compatible' || NUMERIC_PID.test(e.pid))
      head += `${head === '' ? '' : ' '}dvcpid=${escapeCefValue(e.pid)}`;
    // a non-numeric pid cannot be dvcpid (Integer) in strict mode: it is relocated like a field
    // (labeled `pid`, or `pid2`… when the vault sent a field of that name too)
    else {
      let k = 'pid';
      for (let n = 2; k in fields; n++) k = `pid${n}`;
      fields = { ...fields, [k]: e.pid };
    }
  }
  // the stable event id (model/event-uid.ts: hex digits, nothing to escape), for SIEM deduplication
  if (e.uid !== undefined) head += `${head === '' ? '' : ' '}externalId=${e.uid}`;
  return runPlan(planFor(fields, mode), fields, head);
}

/** `000`…`999`: the millisecond part of `rt`. */
const PAD3 = Array.from({ length: 1000 }, (_, i) => String(i).padStart(3, '0'));
// events arrive in time order, so consecutive events usually share their second
let rtSecond = Number.NaN;
let rtSecondText = '';

/** `String(epochMs)`, with the first ten digits of a 13-digit epoch (2001–2286) formatted once per second. */
function epochMsText(ms: number): string {
  if (!(ms >= 1e12 && ms < 1e13 && Number.isInteger(ms))) return String(ms);
  const sec = Math.floor(ms / 1000);
  if (sec !== rtSecond) {
    rtSecond = sec;
    rtSecondText = String(sec);
  }
  return rtSecondText + (PAD3[ms - sec * 1000] as string);
}

const NUMERIC_PID = /^\d{1,9}$/;

/**
 * Apply a byte budget to `prefix + body`, shortening the msg value inside `body`. Errors name the
 * event as `event <eventId> (<format>)` (built only then: this runs for every event).
 */
function applyBudget(
  prefix: string,
  body: ExtText,
  maxBytes: number | undefined,
  eventId: string,
  format: string,
): Rendered {
  const line = prefix + body.text;
  // a string of n UTF-16 units is at most 3n UTF-8 bytes: only measure when it could be too long
  if (maxBytes === undefined || line.length * 3 <= maxBytes) return { text: line, truncated: false };
  const bytes = Buffer.byteLength(line, 'utf8');
  if (bytes <= maxBytes) return { text: line, truncated: false };
  const what = `event ${eventId} (${format})`;
  if (body.msgStart === -1) throw new BudgetError(what, bytes, maxBytes, 0);
  const msg = body.text.slice(body.msgStart, body.msgEnd);
  const cut = fitMessage(bytes, msg, maxBytes, what);
  return { text: prefix + body.text.slice(0, body.msgStart) + cut + body.text.slice(body.msgEnd), truncated: true };
}

/** Create a CEF renderer; constant header parts are escaped once here. */
function createCefRenderer(opts: CefOptions = {}): Renderer & {
  /** render with an external byte budget for the CEF text (RFC 5424 passes what its header leaves) */
  renderBudget(e: SecurityEvent, maxBytes: number | undefined): Rendered;
} {
  const vendor = opts.vendor ?? DEFAULTS.vendor;
  const product = opts.product ?? DEFAULTS.product;
  const version = opts.deviceVersion ?? DEFAULTS.deviceVersion;
  const mode = opts.mode ?? DEFAULTS.mode;
  if (mode !== 'strict' && mode !== 'compatible')
    throw new RenderError(`cef.mode: must be strict or compatible, got ${String(mode)}`);
  const budgetIssue = opts.maxBytes === undefined ? null : maxBytesIssue('cef', opts.maxBytes);
  if (budgetIssue !== null) {
    throw new RenderError(`cef.maxBytes: ${budgetIssue}`);
  }
  for (const [k, v] of Object.entries({ vendor, product, deviceVersion: version })) {
    // a header cannot carry control characters: refuse the configuration instead of writing them
    if (/[\u0000-\u001f\u007f-\u009f]/.test(v)) throw new RenderError(`cef.${k}: must not contain control characters`);
  }
  const vendorPart = `CEF:0|${escapeCefHeader(vendor)}|`;
  const escProduct = escapeCefHeader(product);
  const escVersion = escapeCefHeader(version);
  const prefix = `${vendorPart}${escProduct}|${escVersion}|`;
  const productOverride = opts.product !== undefined;
  const headerCache = new Map<string, string>();
  const header = (n: string): string => {
    let v = headerCache.get(n);
    if (v === undefined) {
      v = escapeCefHeader(n);
      if (headerCache.size < 4096) headerCache.set(n, v);
    }
    return v;
  };
  /** `CEF:0|vendor|product|version|`: the vault's own product (unless overridden) and version */
  const prefixFor = (e: SecurityEvent): string => {
    const p = productOverride ? undefined : e.product;
    const v = e.deviceVersion;
    if (!p && !v) return prefix;
    return `${vendorPart}${p ? header(p) : escProduct}|${v ? header(v) : escVersion}|`;
  };
  const renderBudget = (e: SecurityEvent, maxBytes: number | undefined): Rendered => {
    // event ids are validated by the parser (letters, digits, . _ : -): nothing to escape
    const head = `${prefixFor(e)}${e.eventId}|${header(e.name)}|${e.cefSeverity}|`;
    return applyBudget(head, extensionText(e, mode), maxBytes, e.eventId, 'cef');
  };
  return {
    format: 'cef',
    render: (e) => renderBudget(e, opts.maxBytes).text,
    renderWithInfo: (e) => renderBudget(e, opts.maxBytes),
    renderBudget,
  };
}

export type { CefOptions };
export { applyBudget, createCefRenderer, epochMsText, extensionText };
