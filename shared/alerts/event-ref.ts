/**
 * How alerts and the CLI name an event: by its catalog id, or, for an event the catalog resolved by
 * a documented layout without an id (the Master Key and report-scheduling events), by that layout's
 * slug, the name alert rules match it with (`match.layouts`). The id such an event was sent with is
 * no catalog id, so it names nothing a user can look up.
 */
import { layoutSlugsOf } from '../model/catalog-layouts.js';
import type { SecurityEvent } from '../model/security-event.js';

/** The layout slug of an event resolved by a layout without an id, else null. */
function idLessLayoutOf(e: SecurityEvent): string | null {
  return e.catalogMatch === 'layout' ? (layoutSlugsOf(e.eventId, e.fields)[0] ?? null) : null;
}

/**
 * @example eventRef(event) // '164', or 'layout master-key-recovery-failed'
 */
function eventRef(e: SecurityEvent): string {
  const slug = idLessLayoutOf(e);
  return slug === null ? `id ${e.eventId}` : `layout ${slug}`;
}

export { eventRef, idLessLayoutOf };
