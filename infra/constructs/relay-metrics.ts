/**
 * What to measure: the relay's own metrics (Powertools EMF, namespace `SeguraRelay` by default) and
 * the dimensions each function publishes them with. Alarms (monitoring.ts) and the dashboard
 * (dashboard.ts) build on these; nothing here decides when to page.
 *
 * Powertools adds a `service` dimension (POWERTOOLS_SERVICE_NAME) to every metric; the delivery
 * functions add `Destination` (the destination name), evaluate-alerts `Destination=alerts`. Each
 * function kind gets its own service name. What AWS already publishes for free (Lambda Duration,
 * SQS NumberOfMessagesReceived, SNS NumberOfMessagesPublished) is not published again
 * (shared/config/metric-names.ts).
 */
import { Duration } from 'aws-cdk-lib';
import * as cw from 'aws-cdk-lib/aws-cloudwatch';
import { ALERTS_DESTINATION, DIMENSION, METRIC } from '../../shared/contracts/index.js';

/** Metric names the functions publish (one list, shared with the runtime). */
const RELAY_METRIC = METRIC;

type FunctionKind = 'normalize' | 'deliver-firehose' | 'deliver-syslog' | 'evaluate-alerts';

/** POWERTOOLS_SERVICE_NAME of a function kind in a deployment (`segura-relay-normalize`). */
function serviceNameOf(deployment: string, kind: FunctionKind): string {
  return `${deployment}-${kind}`;
}

const PERIOD = Duration.minutes(5);

class RelayMetrics {
  readonly namespace: string;
  readonly deployment: string;

  constructor(namespace: string, deployment: string) {
    this.namespace = namespace;
    this.deployment = deployment;
  }

  /** A normalize metric (dimension `service`). */
  normalize(metricName: string, statistic = cw.Stats.SUM): cw.Metric {
    return new cw.Metric({
      namespace: this.namespace,
      metricName,
      dimensionsMap: { [DIMENSION.service]: serviceNameOf(this.deployment, 'normalize') },
      statistic,
      period: PERIOD,
      label: `normalize ${metricName}`,
    });
  }

  /** A delivery function's metric for one destination (dimensions `service`, `Destination`). */
  destination(
    kind: 'deliver-firehose' | 'deliver-syslog',
    destination: string,
    metricName: string,
    statistic = cw.Stats.SUM,
  ): cw.Metric {
    return new cw.Metric({
      namespace: this.namespace,
      metricName,
      dimensionsMap: {
        [DIMENSION.service]: serviceNameOf(this.deployment, kind),
        [DIMENSION.destination]: destination,
      },
      statistic,
      period: PERIOD,
      label: `${destination} ${metricName}`,
    });
  }

  /** An evaluate-alerts metric (dimensions `service`, `Destination=alerts`). */
  alerts(metricName: string, statistic = cw.Stats.SUM): cw.Metric {
    return this.alertsDimension(ALERTS_DESTINATION, metricName, statistic, metricName);
  }

  private alertsDimension(destination: string, metricName: string, statistic: string, label: string): cw.Metric {
    return new cw.Metric({
      namespace: this.namespace,
      metricName,
      dimensionsMap: {
        [DIMENSION.service]: serviceNameOf(this.deployment, 'evaluate-alerts'),
        [DIMENSION.destination]: destination,
      },
      statistic,
      period: PERIOD,
      label,
    });
  }
}

export type { FunctionKind };
export { RELAY_METRIC, RelayMetrics, serviceNameOf };
