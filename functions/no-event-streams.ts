/**
 * Lambda-only stand-in for `@smithy/core/event-streams` (esbuild alias in the function bundles).
 * The SDK loads that module lazily, only for APIs that stream events; none of the relay's clients
 * (SQS, SNS, Firehose, DynamoDB) has one, so ~15 KB of every bundle was dead. Should an API ever
 * need it, the call fails loudly here instead of misbehaving.
 */
function unavailable(): never {
  throw new Error('event streams are not bundled in the relay functions (functions/no-event-streams.ts)');
}

class EventStreamSerde {
  constructor() {
    unavailable();
  }
}

const eventStreamSerdeProvider = (): never => unavailable();

export { EventStreamSerde, eventStreamSerdeProvider };
