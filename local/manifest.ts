/**
 * How tools find the local relay of `npm start -- --serve`: a manifest at a well-known path
 * ({@link LOCAL_MANIFEST_PATH}, relative to the working directory) with the emulator endpoints and
 * the same outputs a deployed stack has (shared/config/stack-outputs.ts), so `segura-relay doctor
 * --local` runs the checks it runs against AWS. The serving process also starts the Lambda double
 * (local/lambda-double.ts) that reports its pollers as event source mappings, and removes the
 * manifest when it exits.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { type DestinationOutput, STACK_OUTPUT } from '../shared/config/stack-outputs.js';
import { errorMessage } from '../shared/errors.js';
import { type LambdaDouble, type LocalMapping, startLambdaDouble } from './lambda-double.js';
import type { LocalRelay } from './relay.js';

/** Where `--serve` writes the manifest (relative to the working directory). */
const LOCAL_MANIFEST_PATH = '.relay-local/serve.json';

interface LocalManifest {
  readonly kind: 'segura-relay-local';
  readonly version: 1;
  /** the serving process (doctor checks it is still running) */
  readonly pid: number;
  readonly startedAt: string;
  /** fauxqs: SQS and SNS */
  readonly endpoint: string;
  /** the Lambda double (ListEventSourceMappings) */
  readonly lambdaEndpoint: string;
  /** the S3 double of a Splunk/HTTP-like Firehose destination, when there is one */
  readonly s3Endpoint?: string;
  /** same keys and values as the stack's outputs */
  readonly outputs: Readonly<Record<string, string>>;
}

/** The stack-style outputs of a local relay. */
function localOutputs(relay: LocalRelay): Record<string, string> {
  const out: Record<string, string> = {
    [STACK_OUTPUT.relayName]: 'local',
    [STACK_OUTPUT.ingestQueueUrl]: relay.ingest.url,
    [STACK_OUTPUT.ingestDeadLetterQueueUrl]: relay.ingest.dlqUrl,
    [STACK_OUTPUT.normalizeFunctionName]: 'normalize',
  };
  relay.destinations.forEach((d, i) => {
    const kind = d.kind === 'firehose' ? 'deliver-firehose' : 'deliver-syslog';
    const v: DestinationOutput = {
      name: d.name,
      kind,
      queueUrl: d.queue.url,
      deadLetterQueueUrl: d.queue.dlqUrl,
      functionName: kind,
      ...(d.kind === 'firehose' && relay.failedRecordsUri ? { failedRecords: relay.failedRecordsUri } : {}),
    };
    out[`${STACK_OUTPUT.destinationPrefix}${i + 1}`] = JSON.stringify(v);
  });
  if (relay.alerts) {
    out[STACK_OUTPUT.alertsQueueUrl] = relay.alerts.queue.url;
    out[STACK_OUTPUT.alertsDeadLetterQueueUrl] = relay.alerts.queue.dlqUrl;
    out[STACK_OUTPUT.alertsFunctionName] = 'evaluate-alerts';
    for (const [channel, arn] of Object.entries(relay.alerts.topics)) {
      out[`${STACK_OUTPUT.alertTopicArnPrefix}${channel[0]?.toUpperCase()}${channel.slice(1)}`] = arn;
    }
  }
  return out;
}

/** Each poller as an event source mapping. */
function mappingsOf(relay: LocalRelay): LocalMapping[] {
  return relay.pollers.map((p) => ({
    functionName: p.name,
    eventSourceArn: p.queueArn,
    batchSize: p.batchSize,
    enabled: p.enabled,
    lastProcessingResult: p.lastResult,
    lastModified: p.changedAt,
  }));
}

/**
 * Start the Lambda double and write the manifest. `close()` stops the double and removes the
 * manifest (only if it is still this process's).
 */
async function serveManifest(
  relay: LocalRelay,
  path = LOCAL_MANIFEST_PATH,
): Promise<{ path: string; manifest: LocalManifest; lambda: LambdaDouble; close(): Promise<void> }> {
  const lambda = await startLambdaDouble(() => mappingsOf(relay));
  const manifest: LocalManifest = {
    kind: 'segura-relay-local',
    version: 1,
    pid: process.pid,
    startedAt: new Date().toISOString(),
    endpoint: relay.endpoint,
    lambdaEndpoint: lambda.endpoint,
    ...(relay.s3 ? { s3Endpoint: relay.s3.endpoint } : {}),
    outputs: localOutputs(relay),
  };
  const full = resolve(path);
  mkdirSync(dirname(full), { recursive: true });
  writeFileSync(full, `${JSON.stringify(manifest, null, 2)}\n`);
  return {
    path: full,
    manifest,
    lambda,
    async close() {
      await lambda.stop();
      try {
        const current = JSON.parse(readFileSync(full, 'utf8')) as { pid?: unknown };
        if (current.pid === process.pid) rmSync(full, { force: true });
      } catch (e) {
        // already gone (or replaced by another serve): nothing of ours to remove
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      }
    },
  };
}

/**
 * Read and check a manifest. Throws an Error saying what to do when it is missing, malformed, or
 * its process is gone.
 */
function readLocalManifest(path = LOCAL_MANIFEST_PATH): LocalManifest {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT')
      throw new Error(`no local relay: ${path} does not exist (start one with npm start -- --serve, in this folder)`);
    throw e;
  }
  let m: Partial<LocalManifest>;
  try {
    m = JSON.parse(text) as Partial<LocalManifest>;
  } catch (e) {
    throw new Error(`${path}: not JSON: ${errorMessage(e)}`);
  }
  if (m.kind !== 'segura-relay-local' || m.version !== 1 || typeof m.endpoint !== 'string' || !m.outputs)
    throw new Error(`${path}: not a segura-relay local manifest (version 1)`);
  if (typeof m.pid === 'number') {
    try {
      process.kill(m.pid, 0);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ESRCH')
        throw new Error(`${path}: the local relay that wrote it (pid ${m.pid}) is not running any more`);
    }
  }
  return m as LocalManifest;
}

export type { LocalManifest };
export { LOCAL_MANIFEST_PATH, localOutputs, readLocalManifest, serveManifest };
