/**
 * Where and how Amazon Data Firehose backs up the records it gave up on (Splunk and HTTP endpoint
 * destinations), as the stack configures it. Pure data, no imports: the CDK app (the prefixes it
 * sets), the local Firehose double (which writes such objects) and `segura-relay redrive --from-s3`
 * (which reads them) share it.
 *
 * The rules it encodes:
 * - Firehose retries a Splunk or HTTP endpoint delivery for the stream's retry duration (0–7,200 s),
 *   then writes the records to the backup bucket, one JSON document per record:
 *   `attemptsMade`, `arrivalTimestamp` (ms), `errorCode`, `errorMessage`, `attemptEndingTimestamp`,
 *   `rawData` (the record's data, base64) and an id (`EventId` for Splunk; `dataId` and
 *   `subsequenceNumber` for HTTP endpoints). Documented with examples under "Data delivery failure
 *   handling": https://docs.aws.amazon.com/firehose/latest/dev/retry.html (also in the archived
 *   guide source, https://github.com/awsdocs/amazon-kinesis-data-firehose-developer-guide/blob/master/doc_source/basic-deliver.md).
 * - The objects go under the backup configuration's `ErrorOutputPrefix` when it is set;
 *   `!{firehose:error-output-type}` evaluates to `splunk-failed` or `http-endpoint-failed`, the
 *   `!{timestamp:…}` parts to the UTC arrival time of the object's oldest record, and the object
 *   name ends in `<stream>-<version>-<yyyy-MM-dd-HH-mm-ss>-<uuid>` plus `.gz` when the backup
 *   configuration compresses (the stack sets GZIP):
 *   https://docs.aws.amazon.com/firehose/latest/dev/s3-prefixes.html
 */

/** Date partitions of delivered objects (`Prefix`). */
const FIREHOSE_DATE_PARTITIONS =
  'year=!{timestamp:yyyy}/month=!{timestamp:MM}/day=!{timestamp:dd}/hour=!{timestamp:HH}/' as const;

/** Error partitions (`ErrorOutputPrefix`), after the destination's prefix. */
const FIREHOSE_ERROR_PARTITIONS =
  'errors/!{firehose:error-output-type}/year=!{timestamp:yyyy}/month=!{timestamp:MM}/day=!{timestamp:dd}/' as const;

/** What `!{firehose:error-output-type}` evaluates to for the destinations the relay backs up. */
const FIREHOSE_ERROR_OUTPUT_TYPE = {
  splunk: 'splunk-failed',
  http: 'http-endpoint-failed',
} as const;

/**
 * One record Firehose gave up on, as written to the backup bucket. Field names are the service's
 * (mixed case included); only `rawData` is needed to replay it.
 */
interface FirehoseFailedRecord {
  /** delivery attempts made */
  readonly attemptsMade?: number;
  /** when Firehose received the record, ms since the epoch */
  readonly arrivalTimestamp?: number;
  /** e.g. `Splunk.AckTimeout`, `HttpEndpoint.DestinationException` */
  readonly errorCode?: string;
  readonly errorMessage?: string;
  /** when Firehose stopped trying, ms since the epoch */
  readonly attemptEndingTimestamp?: number;
  /** the record's data as the relay sent it, base64 */
  readonly rawData: string;
  /** Splunk: Firehose's id of the record */
  readonly EventId?: string;
  /** HTTP endpoint: Firehose's id of the record */
  readonly dataId?: string;
  /** HTTP endpoint: position within an aggregated record */
  readonly subsequenceNumber?: number;
}

export type { FirehoseFailedRecord };
export { FIREHOSE_DATE_PARTITIONS, FIREHOSE_ERROR_OUTPUT_TYPE, FIREHOSE_ERROR_PARTITIONS };
