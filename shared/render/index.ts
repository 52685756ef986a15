/**
 * Renderer registry: one flat configuration for every format.
 *
 * @example
 * ```ts
 * const r = createRenderer('rfc5424', { sdId: 'segura@32473', maxBytes: 1024 });
 * r.render(event) // '<13>1 2026-01-19T13:41:00.123Z vault-01 Segura 1426 164 [segura@32473 …] CEF:0|MT4|Segura|…'
 * ```
 */
import { RenderError } from '../errors.js';
import { createCefRenderer } from './cef.js';
import type { CefMode } from './cef-mapping.js';
import { createEcsRenderer } from './ecs.js';
import { createLeefRenderer } from './leef.js';
import { createRfc5424Renderer } from './rfc5424.js';
import { FORMATS, type Format, type Rendered, type Renderer } from './types.js';

/** Options for every format; each renderer reads the ones it understands. */
interface RenderConfig {
  /** CEF/LEEF vendor, ECS observer.vendor. @default 'MT4' */
  readonly vendor?: string;
  /**
   * Product name in headers (CEF, LEEF, ECS observer.product) for every event, overriding the
   * product the vault wrote. @default the event's own product (`Segura`, `senhasegura`), else 'Segura'
   */
  readonly product?: string;
  /** The vault version in headers when the event carries none: the vault's own version always wins. @default '3' */
  readonly deviceVersion?: string;
  /** CEF key mapping. @default 'strict' */
  readonly mode?: CefMode;
  /** maximum UTF-8 bytes per rendered event; only the free text is shortened. @default undefined */
  readonly maxBytes?: number;
  /** RFC 5424 facility. @default 1 (user) */
  readonly facility?: number;
  /** RFC 5424 APP-NAME. @default 'Segura' */
  readonly appName?: string;
  /** RFC 5424 MSG payload. @default 'cef' */
  readonly msg?: 'cef' | 'kv';
  /** RFC 5424 BOM policy. @default 'never' for CEF MSG, 'auto' for kv */
  readonly bom?: 'auto' | 'always' | 'never';
  /** RFC 5424 SD-ID `name@PEN`. @default undefined (no SD) */
  readonly sdId?: string;
  /** LEEF attribute delimiter. @default '^' */
  readonly delimiter?: string;
}

function isFormat(s: string): s is Format {
  return (FORMATS as readonly string[]).includes(s);
}

/** Create a renderer for `format`; throws RenderError for options it cannot honour. */
function createRenderer(format: Format, c: RenderConfig = {}): Renderer {
  const cef = { vendor: c.vendor, product: c.product, deviceVersion: c.deviceVersion, mode: c.mode };
  switch (format) {
    case 'cef':
      return createCefRenderer({ ...cef, maxBytes: c.maxBytes });
    case 'rfc5424':
      return createRfc5424Renderer({
        facility: c.facility,
        appName: c.appName,
        msg: c.msg,
        bom: c.bom,
        sdId: c.sdId,
        cef,
        maxBytes: c.maxBytes,
      });
    case 'leef':
      return createLeefRenderer({
        vendor: c.vendor,
        product: c.product,
        deviceVersion: c.deviceVersion,
        delimiter: c.delimiter,
        maxBytes: c.maxBytes,
      });
    case 'ecs':
      return createEcsRenderer({
        vendor: c.vendor,
        product: c.product,
        deviceVersion: c.deviceVersion,
        maxBytes: c.maxBytes,
      });
    default:
      throw new RenderError(`unknown format ${String(format)} (one of ${FORMATS.join(', ')})`);
  }
}

export type { Format, RenderConfig, Rendered, Renderer };
export { createRenderer, FORMATS, isFormat };
