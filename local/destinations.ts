/**
 * The destination registry's local part: for every kind of shared/destinations/kinds.ts, the
 * local double that stands in for a deployed destination of that kind in `npm start -c`
 * (local/deployment.ts), and what it stands in for. The local relay starts each double by its
 * kind (local/relay.ts). A kind missing here fails to compile (the map is typed by the kind) and
 * test/infra/destination-registry.test.ts.
 */
import type { Destination } from '../infra/config/types.js';
import { DESTINATION_KINDS, type DestinationKind } from '../shared/destinations/kinds.js';
import type { LocalDestinationSpec, LocalFirehoseSpec, LocalSyslogSpec } from './relay.js';

/** What every kind's spec carries from the config (name, format, render, filter policy, queue settings). */
type CommonSpec = Omit<LocalFirehoseSpec, 'kind' | 'queueName' | 'streamName' | 'aggregate'>;

interface LocalDoubleOf<K extends DestinationKind> {
  /** the deployed destination in a few words */
  readonly deployed: (d: Extract<Destination, { type: K }>) => string;
  /** the local relay's spec for it: the double and its settings */
  readonly spec: (d: Extract<Destination, { type: K }>, common: CommonSpec) => LocalDestinationSpec;
}

type LocalDoubles = { readonly [K in DestinationKind]: LocalDoubleOf<K> };

function transportName(d: Extract<Destination, { type: 'syslog' }>): string {
  return d.transport === 'relp' ? `RELP${d.relp?.tls === false ? '' : ' over TLS'}` : d.transport.toUpperCase();
}

const LOCAL_DOUBLES: LocalDoubles = {
  firehose: {
    deployed: (d) => {
      const x = d.delivery;
      if (x.type === 's3') return `Firehose → S3 archive bucket, prefix ${x.prefix}`;
      if (x.type === 'splunk') return `Firehose → Splunk HEC ${x.hecEndpoint}`;
      return `Firehose → HTTP endpoint ${x.url}`;
    },
    spec: (d, common) => {
      const x = d.delivery;
      return {
        kind: 'firehose',
        ...common,
        queueName: `segura-firehose-${d.id}`,
        streamName: `segura-${d.id}`,
        fn: `${DESTINATION_KINDS.firehose.fn} ${d.name}`,
        aggregate: d.aggregate,
        ...(x.type === 's3' ? {} : { backup: x.type, backupPrefix: x.backupPrefix }),
        standsFor: `${LOCAL_DOUBLES.firehose.deployed(d)} → Firehose double${x.type === 's3' ? '' : ' (failed records to the local S3 double)'}`,
      };
    },
  },
  syslog: {
    deployed: (d) => {
      const t = d.target;
      if (t.kind === 'existing') return `collector ${t.host}:${d.port} (${transportName(d)})`;
      const targets = t.targets.map((x) => `${x.ip}:${x.port}`).join(', ');
      return `collectors ${targets} behind a new NLB (${t.listener} listener on ${d.port}, ${transportName(d)})`;
    },
    spec: (d, common) => {
      const local: NonNullable<LocalSyslogSpec['local']> =
        d.transport === 'relp' ? (d.relp?.tls === false ? 'relp' : 'relp+tls') : d.transport;
      const what =
        local === 'tls'
          ? 'local TLS receiver (throwaway certificate)'
          : local === 'relp+tls'
            ? 'local RELP over TLS receiver'
            : `local ${local.toUpperCase()} receiver`;
      return {
        kind: 'syslog',
        ...common,
        queueName: `segura-syslog-${d.id}`,
        fileName: `syslog-${d.id}.log`,
        fn: `${DESTINATION_KINDS.syslog.fn} ${d.name}`,
        local,
        framing: d.framing,
        ...(d.relp?.window ? { relpWindow: d.relp.window } : {}),
        ...(d.maxDatagramBytes ? { maxDatagramBytes: d.maxDatagramBytes } : {}),
        standsFor: `${LOCAL_DOUBLES.syslog.deployed(d)} → ${what}`,
      };
    },
  },
};

/** The local double's spec for a configured destination, by its kind. */
function localDouble(d: Destination, common: CommonSpec): LocalDestinationSpec {
  const double = LOCAL_DOUBLES[d.type] as LocalDoubleOf<DestinationKind> as {
    spec: (d: Destination, common: CommonSpec) => LocalDestinationSpec;
  };
  return double.spec(d, common);
}

export { LOCAL_DOUBLES, localDouble };
