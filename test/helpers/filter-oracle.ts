/**
 * What a destination's `filter` means, written from the deployment config schema's field
 * descriptions and nothing else: the independent oracle the tests hold the SNS filter policies (and
 * their local prediction, local/filter-match.ts) against.
 */
import type { EventFilter } from '../../infra/config/types.js';
import type { SecurityEvent } from '../../shared/model/security-event.js';

/** Does a destination with filter `f` (none: every event) receive `e`? */
function admits(f: EventFilter | undefined, e: SecurityEvent): boolean {
  if (!f) return true;
  if (f.minSeverity !== undefined && e.cefSeverity < f.minSeverity) return false;
  if (f.eventIds && !f.eventIds.includes(e.eventId)) return false;
  if (f.excludeEventIds?.includes(e.eventId)) return false;
  if (f.categories && !f.categories.includes(e.category ?? 'none')) return false;
  if (f.origins && !f.origins.includes(e.origin ?? 'none')) return false;
  return true;
}

export { admits };
