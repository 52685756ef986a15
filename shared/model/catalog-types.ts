/**
 * Types of the event catalog (data in `catalog-data.ts`, transcribed from the vault's
 * documentation in `shared/seeds`: 002 = event ids/origin/priority, 003 = notification
 * categories and types, 000/001 = per-event extension key layouts and SUID message types).
 */
import type { SyslogSeverity } from './security-event.js';

/** A notification category and type users subscribe to in the vault (the notification options page). */
interface NotificationRef {
  /** e.g. `Credentials` */
  readonly category: string;
  /** e.g. `Password Viewed`, spelled exactly as the notification options page spells it */
  readonly type: string;
}

interface Localized {
  readonly en: string;
  readonly pt: string;
}

/** One event the vault can send (the syslog event catalog: ids 1–91, Orbit 336.xxx, other alerts 1695.xxx). */
interface CatalogEvent {
  /** id exactly as documented, without the markdown escapes: `"1"`, `"336.501"`, `"1695.010"` */
  readonly id: string;
  /** which table of the syslog event catalog it comes from */
  readonly group: 'syslog' | 'orbit' | 'other';
  /** origin code (COSE, COSG, COEQ, COAU, COAC, COSS, COBA, COTR, CORE, CONO, COAT, AUTH, COOF, CRTC, USBH, Orbit); null when the seed gives none (1695.xxx) */
  readonly origin: string | null;
  /** syslog priority (severity 0–7) as documented */
  readonly priority: SyslogSeverity;
  readonly name: Localized;
  readonly description: Localized;
  /** the matching type of the notification options page, null when none matches */
  readonly notification: NotificationRef | null;
  /** slug of the layout documenting this event's extension keys, null if none */
  readonly layout: string | null;
}

/** One documented extension key of a layout (a row of a table of the SIEM integration guide). */
interface LayoutKey {
  /** key as the vault sends it, conversion damage repaired (`dposrt`→`dpt`, `Cs6`→`cs6Label`, …) */
  readonly key: string;
  /** the seed's example value with stripped digits restored (`.0.1` → `127.0.0.1`), '' when blank */
  readonly example: string;
  readonly description: string;
}

/**
 * A per-event key layout from the SIEM integration guide (one table). Layouts for events that have no catalog id
 * (the Master Key and report-scheduling events) carry a `signature`: field values that identify
 * the event when its id is unknown.
 */
interface Layout {
  /** stable slug, e.g. `password-viewed`, `master-key-recovery-failed` */
  readonly slug: string;
  /** the seed's table title, e.g. `Password Viewed`, `Master Key - Recovery Attempt Failed` */
  readonly title: string;
  /** catalog ids this layout documents (may be empty) */
  readonly eventIds: readonly string[];
  readonly notification: NotificationRef | null;
  /** syslog priority to use when the event id is unknown and this layout matched */
  readonly priority: SyslogSeverity;
  /**
   * the table's rows in order; a key the vault sends twice has two rows (the Master Key recovery
   * tables' `act`); `layoutFieldKeys` gives the names the relay uses (`act`, `act_2`)
   */
  readonly keys: readonly LayoutKey[];
  /** all must hold (exact match of the field value) for the layout to identify an unknown event */
  readonly signature: readonly { readonly field: string; readonly equals: string }[];
}

/** A SUID message type (the SIEM integration guide, section "Message Types (SUID)"): 8, 9, 15, 17, 153, 164. */
interface SuidType {
  readonly suid: string;
  readonly name: string;
  /** catalog ids this message type corresponds to */
  readonly eventIds: readonly string[];
}

/** A category of the notification options page with its types. */
interface NotificationCategory {
  readonly name: string;
  /** Portuguese heading when the seed gives one, else null */
  readonly types: readonly { readonly name: string; readonly description: string }[];
}

/** A notification as run-time data: category and type, or both null. */
type NotificationPair = readonly [category: string | null, type: string | null];

/**
 * The resolution part of the catalog (`catalog-runtime.json`, generated from `catalog-data.ts` by
 * `scripts/gen-catalog-runtime.ts`): no descriptions, Portuguese texts or key tables.
 */
interface RuntimeCatalog {
  /** catalog ids (`id`) and SUID message types that are not catalog ids (`suid`), resolved */
  readonly ids: readonly (readonly [
    id: string,
    match: 'id' | 'suid',
    name: string,
    origin: string | null,
    priority: SyslogSeverity | null,
    ...notification: NotificationPair,
  ])[];
  /** layouts without a catalog id that identify an event by field values (all must hold) */
  readonly signatures: readonly (readonly [
    title: string,
    priority: SyslogSeverity,
    ...notification: NotificationPair,
    signature: readonly (readonly [field: string, equals: string])[],
  ])[];
}

/** What alert rules are validated against (`catalog-rules.json`, generated with `catalog-runtime.json`). */
interface RulesCatalog {
  /** catalog ids and SUID message types */
  readonly ids: readonly string[];
  /** origin codes */
  readonly origins: readonly string[];
  /** notification category names and their type names (no descriptions) */
  readonly notificationTypes: readonly (readonly [category: string, types: readonly string[]])[];
  /** CEF custom-string labels the layouts document, by field key (`cs1` → ['Id', …]) */
  readonly cefLabels: Readonly<Record<string, readonly string[]>>;
  /**
   * every documented layout: its slug and the catalog ids it documents (empty for the layouts without
   * an id, which rules reference by slug in `match.layouts`)
   */
  readonly layouts: readonly (readonly [slug: string, eventIds: readonly string[]])[];
}

/**
 * Which documented layouts an event follows (`catalog-layouts.json`, generated with
 * `catalog-runtime.json`): slugs only, as entries so no id can reach `Object.prototype`.
 */
interface LayoutIndex {
  /** every catalog id and its layout slug (null: the id has no documented layout) */
  readonly byId: readonly (readonly [string, string | null])[];
  /** SUID message types that are not catalog ids, and their events' layout slugs */
  readonly suid: readonly (readonly [string, readonly string[]])[];
  /** layouts without a catalog id and the field values (all must hold) that identify them */
  readonly signatures: readonly (readonly [string, readonly (readonly [string, string])[]])[];
}

export type {
  CatalogEvent,
  Layout,
  LayoutIndex,
  LayoutKey,
  Localized,
  NotificationCategory,
  NotificationRef,
  RulesCatalog,
  RuntimeCatalog,
  SuidType,
};
