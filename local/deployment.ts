/**
 * `npm start -c <deployment config>`: the topology the stack would deploy from that config, for the
 * local relay. The config is loaded by the stack's own loader (infra/config/load.ts: schema, cross-
 * field rules, defaults), each destination keeps its format, render options, aggregation, filter
 * (the SNS filter policy the stack sets: infra/config/filter-policy.ts) and processing (batch size,
 * maxReceiveCount, visibility = the stack's rule, backoff); the alerts subscription gets the
 * config's filter or the policy derived from the rules (infra/config/alert-filter.ts).
 *
 * What this machine cannot reach is replaced by a local double, and `standsFor` says what:
 * Firehose (S3, Splunk HEC, HTTP endpoint) → the Firehose double (Splunk/HTTP streams back up
 * failed records to the S3 double, as the stack configures them); a collector (existing host or
 * the targets behind a new NLB) → a local receiver speaking the destination's transport (TLS with a
 * throwaway certificate, TCP, UDP, RELP plain or over TLS).
 */

import { alertFilterPolicy, readRulesDocument } from '../infra/config/alert-filter.js';
import { visibilitySecondsFor } from '../infra/config/defaults.js';
import { eventFilterPolicy } from '../infra/config/filter-policy.js';
import { loadConfig } from '../infra/config/load.js';
import type { Processing, RelayConfig } from '../infra/config/types.js';
import type { LocalAlertsOptions } from './alerts.js';
import { localDouble } from './destinations.js';
import type { LocalDestinationSpec, LocalQueueSettings } from './relay.js';

interface LocalDeployment {
  readonly config: RelayConfig;
  readonly destinations: LocalDestinationSpec[];
  /** false: the config has no alerts */
  readonly alerts: false | LocalAlertsOptions;
  /** where the alerts subscription's filter comes from, and why there is none */
  readonly alertsFilter: string | null;
  readonly ingest: LocalQueueSettings;
  /** undefined: the config has no alerts */
  readonly alertsQueue: LocalQueueSettings | undefined;
}

function queueSettings(p: Processing): LocalQueueSettings {
  return {
    batchSize: p.batchSize,
    maxReceiveCount: p.maxReceiveCount,
    visibilitySec: visibilitySecondsFor(p),
    timeoutMs: p.timeoutSeconds * 1000,
  };
}

/** Map a resolved config to the local relay's destinations (each kind's double: local/destinations.ts) and alerts. */
function localDeployment(config: RelayConfig): LocalDeployment {
  const destinations = config.destinations.map((d) =>
    localDouble(d, {
      name: d.name,
      format: d.format,
      render: d.render,
      ...(d.filter ? { filterPolicy: eventFilterPolicy(d.filter) } : {}),
      queue: queueSettings(d.processing),
      ...(d.processing.backoff ? { backoff: d.processing.backoff } : {}),
    }),
  );
  let alerts: false | LocalAlertsOptions = false;
  let alertsFilter: string | null = null;
  if (config.alerts) {
    const a = config.alerts;
    if (a.filter) {
      alerts = { rules: a.rules.sourceFile, filterPolicy: eventFilterPolicy(a.filter) as Record<string, unknown> };
      alertsFilter = 'from the config (alerts.filter)';
    } else {
      const derived = alertFilterPolicy(readRulesDocument(a.rules.sourceFile));
      alerts = { rules: a.rules.sourceFile, ...(derived.policy ? { filterPolicy: derived.policy } : {}) };
      alertsFilter = derived.policy ? 'derived from the rules' : `none: ${derived.reason}`;
    }
  }
  return {
    config,
    destinations,
    alerts,
    alertsFilter,
    ingest: queueSettings(config.ingest.processing),
    alertsQueue: config.alerts ? queueSettings(config.alerts.processing) : undefined,
  };
}

/** Load `file` with the stack's loader and map it. @throws ConfigValidationError */
function loadLocalDeployment(file: string): LocalDeployment {
  return localDeployment(loadConfig(file));
}

export type { LocalDeployment };
export { loadLocalDeployment, localDeployment };
