/**
 * The destination registry's pure part: one descriptor per destination kind (the `type` of a
 * deployment config's destination), naming every part the kind is made of. The stack
 * (infra/destinations.ts: kind → CDK constructs), the local relay (local/destinations.ts: kind →
 * local double) and the CLI iterate over it instead of switching on the type; a kind missing any
 * part fails test/infra/destination-registry.test.ts. Pure data: infra imports it
 * (test/infra/boundaries.test.ts). The recipe for adding a kind: docs/architecture.md §8.
 */
import { RENDER_OPTION_FORMATS, type RenderOption } from '../config/render-options.js';

interface DestinationKindDescriptor {
  /** the destination's `type` in the deployment config */
  readonly kind: string;
  /** the JSON Schema definition of its config (schemas/deployment-config.v1.schema.json `$defs`) */
  readonly schemaDef: string;
  /** the delivery function: functions/<fn>/handler.ts (Lambda entry) and app.ts (factory npm start uses) */
  readonly fn: 'deliver-firehose' | 'deliver-syslog';
  /** the logical-id prefix of its resources in the stack (`<prefix>-<id>-Queue`, `-Deliver`, …) */
  readonly resourcePrefix: string;
  /** the renderer options its DESTINATION passes to the renderer (shared/config/render-options.ts) */
  readonly renderOptions: readonly RenderOption[];
  /** one line for docs and tools */
  readonly summary: string;
}

const ALL_RENDER_OPTIONS = Object.keys(RENDER_OPTION_FORMATS) as RenderOption[];

/** Every destination kind, in the order the stack creates them (their logical ids and policies keep it). */
const DESTINATION_KINDS = Object.freeze({
  firehose: {
    kind: 'firehose',
    schemaDef: 'firehoseDestination',
    fn: 'deliver-firehose',
    resourcePrefix: 'Firehose',
    renderOptions: ALL_RENDER_OPTIONS,
    summary: 'Amazon Data Firehose stream to the archive bucket (S3), Splunk HEC or an HTTP endpoint',
  },
  syslog: {
    kind: 'syslog',
    schemaDef: 'syslogDestination',
    fn: 'deliver-syslog',
    resourcePrefix: 'Syslog',
    renderOptions: ALL_RENDER_OPTIONS,
    summary: 'syslog collectors over TLS, TCP, UDP or RELP, an existing host or behind a new NLB',
  },
} as const satisfies Record<string, DestinationKindDescriptor>);

type DestinationKind = keyof typeof DESTINATION_KINDS;

/** The kinds in registry order. */
const DESTINATION_KIND_NAMES = Object.freeze(Object.keys(DESTINATION_KINDS) as DestinationKind[]);

/** The function a kind's records go through. */
function deliveryFunctionOf(kind: DestinationKind): DestinationKindDescriptor['fn'] {
  return DESTINATION_KINDS[kind].fn;
}

export type { DestinationKind, DestinationKindDescriptor };
export { DESTINATION_KIND_NAMES, DESTINATION_KINDS, deliveryFunctionOf };
