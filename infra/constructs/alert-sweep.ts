/**
 * The summary sweep: an EventBridge schedule invokes evaluate-alerts every minute with a scheduled
 * event, and the function sends the summary of every throttle or rate-cap window that closed with
 * suppressed or held matches and has none yet (a Query on the throttle table's sparse `due`
 * index). Lambda has no timers: without the sweep, a window whose key sees no further event would
 * never report what it held back. The next event on a key sends the summary too; both paths use
 * the summary's own dedup key, so it goes out once.
 * @see https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-rule-schedule.html
 * @see https://docs.aws.amazon.com/lambda/latest/dg/with-eventbridge-scheduler.html
 */
import { Duration } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import { Construct } from 'constructs';
import { acknowledge } from '../nag.js';
import type { RelayFunction } from './relay-function.js';

interface AlertSweepProps {
  /** evaluate-alerts */
  readonly fn: RelayFunction;
  /** how often. @default 1 minute (a summary goes out at most about a minute after its window closes) */
  readonly every?: Duration;
}

class AlertSweep extends Construct {
  readonly rule: events.Rule;

  constructor(scope: Construct, id: string, props: AlertSweepProps) {
    super(scope, id);
    this.rule = new events.Rule(this, 'Schedule', {
      description: 'Segura SIEM relay: send the suppression summaries of closed alert windows',
      schedule: events.Schedule.rate(props.every ?? Duration.minutes(1)),
    });
    // an invocation the function cannot finish is retried by the next tick anyway: no EventBridge retries
    this.rule.addTarget(new targets.LambdaFunction(props.fn.function, { retryAttempts: 0 }));
    acknowledge(
      this.rule,
      'Serverless-EventBusDLQ',
      'A scheduled tick carries no data: a tick EventBridge could not deliver is replaced by the next one a minute later, which sweeps the same due windows (they stay listed in the index until their summary is out). A DLQ would only collect empty scheduled events.',
    );
  }
}

export type { AlertSweepProps };
export { AlertSweep };
