/**
 * One relay function: NodejsFunction built with esbuild from the same `functions/<name>/handler.ts`
 * entry `npm start` runs locally (ESM, minified, source maps, arm64, AWS SDK bundled), its
 * own role with inline least-privilege grants only, and an explicit log group with retention. The
 * runtime defaults to the newest Node.js one aws-cdk-lib offers, and esbuild targets the same version.
 * `consume()` wires its SQS queue with partial batch responses and a concurrency cap.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Duration, RemovalPolicy, Stage } from 'aws-cdk-lib';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import {
  type BundlingOptions,
  Charset,
  LogLevel,
  NodejsFunction,
  OutputFormat,
  SourceMapMode,
} from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { type FunctionBundleOptions, functionBundleOptions } from '../../scripts/function-bundle.mjs';
import { DEFAULT_METRICS_NAMESPACE, ENV, POWERTOOLS_ENV } from '../../shared/contracts/index.js';
import { visibilitySecondsFor } from '../config/defaults.js';
import type { Processing, LogLevel as RelayLogLevel, Runtime } from '../config/types.js';
import { acknowledge } from '../nag.js';
import type { EventQueue } from './event-queue.js';

/** The repository root: entries, lock file and esbuild's working directory. */
const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Where Lambda unpacks the bundle: files copied next to the handler are read from here. */
const TASK_ROOT = '/var/task';

const RUNTIMES: Readonly<Record<Runtime, { readonly runtime: lambda.Runtime; readonly target: string }>> = {
  'nodejs22.x': { runtime: lambda.Runtime.NODEJS_22_X, target: 'node22' },
  'nodejs24.x': { runtime: lambda.Runtime.NODEJS_24_X, target: 'node24' },
};

/** The newest Node.js runtime of the pinned aws-cdk-lib (2.276.0: NODEJS_24_X). */
const DEFAULT_RUNTIME: Runtime = 'nodejs24.x';

/** A file written next to the handler in the bundle (validated config data: rules, CA). */
interface BundledFile {
  readonly name: string;
  readonly content: string;
}

interface RelayFunctionProps {
  /** entry point relative to the repository root, e.g. `functions/normalize/handler.ts` */
  readonly entry: string;
  readonly description: string;
  /** Powertools service name (the `service` metric dimension and log field) */
  readonly serviceName: string;
  /** Powertools metrics namespace. @default 'SeguraRelay' */
  readonly metricsNamespace?: string;
  /** @default 'INFO' */
  readonly logLevel?: RelayLogLevel;
  /** @default 'nodejs24.x' */
  readonly runtime?: Runtime;
  readonly memoryMb: number;
  readonly timeoutSeconds: number;
  /** reserved concurrency. @default none (the event source's maxConcurrency caps it) */
  readonly reservedConcurrency?: number | undefined;
  /** @default logs.RetentionDays.THREE_MONTHS */
  readonly logRetention?: logs.RetentionDays;
  /** @default RemovalPolicy.RETAIN */
  readonly logRemovalPolicy?: RemovalPolicy;
  /** X-Ray active tracing. @default false */
  readonly tracing?: boolean;
  /** more environment variables. @default none */
  readonly environment?: Readonly<Record<string, string>>;
  /** run in these private subnets. @default not in a VPC */
  readonly vpc?: {
    readonly vpc: ec2.IVpc;
    readonly subnets: ec2.SubnetSelection;
    readonly securityGroup: ec2.ISecurityGroup;
  };
  /** files copied next to the handler at bundling time. @default none */
  readonly bundledFiles?: readonly BundledFile[];
  /** more shell commands run in the project root after esbuild, given the bundle folder. @default none */
  readonly afterBundling?: (outputDir: string) => string[];
}

/** Stage `content` in the cloud assembly folder; returns the path the bundling hook copies from. */
function stageFile(scope: Construct, f: BundledFile): string {
  const dir = join(Stage.of(scope)?.outdir ?? join(PROJECT_ROOT, 'cdk.out'), 'relay-bundled-files');
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `${createHash('sha256').update(f.content).digest('hex').slice(0, 16)}-${f.name}`);
  writeFileSync(path, f.content);
  return path;
}

/**
 * NodejsFunction bundling options for the shared esbuild options (scripts/function-bundle.mjs, also
 * used by scripts/bundle-functions.mjs and the bundle test), so the deployed bundle is the one the
 * benchmark measures and the test invokes. Every option is mapped explicitly: one this function does
 * not know fails synth instead of being silently left out of the deployed build.
 */
function cdkBundling(o: FunctionBundleOptions): BundlingOptions {
  const known = new Set([
    'bundle',
    'platform',
    'target',
    'format',
    'minify',
    'sourcemap',
    'sourcesContent',
    'legalComments',
    'charset',
    'mainFields',
    'alias',
    'banner',
    'logLevel',
  ]);
  const unknown = Object.keys(o).filter((k) => !known.has(k));
  if (unknown.length > 0)
    throw new Error(`cdkBundling: esbuild option(s) without a NodejsFunction mapping: ${unknown}`);
  // NodejsFunction always bundles for Node.js (esbuild --bundle --platform=node)
  if (!o.bundle || o.platform !== 'node' || o.format !== 'esm' || o.charset !== 'utf8' || o.logLevel !== 'warning')
    throw new Error(`cdkBundling: unsupported esbuild options ${JSON.stringify(o)}`);
  return {
    format: OutputFormat.ESM,
    target: o.target,
    minify: o.minify,
    sourceMap: o.sourcemap,
    ...(o.sourcemap ? { sourceMapMode: SourceMapMode.DEFAULT } : {}),
    sourcesContent: o.sourcesContent,
    charset: Charset.UTF8,
    mainFields: [...o.mainFields],
    banner: o.banner.js,
    externalModules: [],
    logLevel: LogLevel.WARNING,
    esbuildArgs: {
      '--legal-comments': o.legalComments,
      '--alias': Object.entries(o.alias).map(([from, to]) => `${from}=${to}`),
    },
  };
}

/** POSIX shell single-quoting. */
function sh(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

class RelayFunction extends Construct {
  readonly function: NodejsFunction;
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;
  readonly timeout: Duration;
  /** the entry point, relative to the repository root (the same file `npm start` runs) */
  readonly entry: string;
  /** the queue this function consumes, once `consume()` ran */
  source: EventQueue | undefined;

  constructor(scope: Construct, id: string, props: RelayFunctionProps) {
    super(scope, id);
    if (!/^functions\/[a-z-]+\/handler\.ts$/.test(props.entry))
      throw new Error(`RelayFunction entry must be functions/<name>/handler.ts, got ${props.entry}`);
    this.timeout = Duration.seconds(props.timeoutSeconds);
    this.entry = props.entry;
    const runtime = props.runtime ?? DEFAULT_RUNTIME;

    // No managed policies: logs, queue, DLQ, topic... are granted inline, resource by resource.
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `${props.serviceName}: ${props.description}`,
    });
    this.logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetention ?? logs.RetentionDays.THREE_MONTHS,
      removalPolicy: props.logRemovalPolicy ?? RemovalPolicy.RETAIN,
    });
    this.logGroup.grantWrite(this.role);

    const files = (props.bundledFiles ?? []).map((f) => ({ name: f.name, from: stageFile(this, f) }));
    this.function = new NodejsFunction(this, 'Function', {
      entry: join(PROJECT_ROOT, props.entry),
      handler: 'handler',
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: join(PROJECT_ROOT, 'package-lock.json'),
      description: props.description,
      runtime: RUNTIMES[runtime].runtime,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memoryMb,
      timeout: this.timeout,
      ...(props.reservedConcurrency ? { reservedConcurrentExecutions: props.reservedConcurrency } : {}),
      role: this.role,
      logGroup: this.logGroup,
      ...(props.tracing ? { tracing: lambda.Tracing.ACTIVE } : {}),
      ...(props.vpc
        ? { vpc: props.vpc.vpc, vpcSubnets: props.vpc.subnets, securityGroups: [props.vpc.securityGroup] }
        : {}),
      environment: {
        [POWERTOOLS_ENV.serviceName]: props.serviceName,
        [POWERTOOLS_ENV.metricsNamespace]: props.metricsNamespace ?? DEFAULT_METRICS_NAMESPACE,
        [POWERTOOLS_ENV.logLevel]: props.logLevel ?? 'INFO',
        NODE_OPTIONS: '--enable-source-maps',
        ...props.environment,
      },
      bundling: {
        ...cdkBundling(functionBundleOptions(RUNTIMES[runtime].target)),
        forceDockerBundling: false,
        commandHooks: {
          beforeBundling: () => [],
          beforeInstall: () => [],
          // copy the files checked at synth (the collectors' CA) next to the handler, then any
          // further step (evaluate-alerts: the rules, validated and converted by the alerts CLI)
          afterBundling: (_inputDir: string, outputDir: string) => [
            ...files.map(
              (f) =>
                `node -e "require('node:fs').copyFileSync(process.argv[1], process.argv[2])" ${sh(f.from)} ${sh(join(outputDir, f.name))}`,
            ),
            ...(props.afterBundling?.(outputDir) ?? []),
          ],
        },
      },
    });

    if (props.vpc) {
      // Lambda creates and deletes the function's ENIs with the execution role. These EC2 actions
      // have no resource-level scoping that Lambda's own calls satisfy (AWSLambdaVPCAccessExecutionRole
      // grants them on "*" too); kept inline instead of the managed policy.
      this.role.addToPrincipalPolicy(
        new iam.PolicyStatement({
          actions: [
            'ec2:CreateNetworkInterface',
            'ec2:DescribeNetworkInterfaces',
            'ec2:DescribeSubnets',
            'ec2:DeleteNetworkInterface',
            'ec2:AssignPrivateIpAddresses',
            'ec2:UnassignPrivateIpAddresses',
          ],
          resources: ['*'],
        }),
      );
      const eni =
        'EC2 network-interface actions Lambda needs to attach the function to its private subnets; they do not support resource-level permissions (same as AWSLambdaVPCAccessExecutionRole).';
      acknowledge(this.role, 'AwsSolutions-IAM5[Resource::*]', eni);
    }
    if (props.tracing) {
      const xray =
        'xray:PutTraceSegments/PutTelemetryRecords, added by Lambda active tracing, do not support resource-level permissions.';
      acknowledge(this.role, 'AwsSolutions-IAM5[Resource::*]', xray);
    } else {
      acknowledge(
        this.function,
        'Serverless-LambdaTracing',
        'X-Ray tracing is opt-in (operations.tracing: true); without it every stage logs the SQS message id and vault event id, so one event is followed across hops in Logs Insights.',
      );
    }
    if (runtime === 'nodejs22.x') {
      const why =
        'nodejs22.x is chosen explicitly in the deployment config (operations.runtime; the default is nodejs24.x); AWS supports it until April 2027, and the bundle targets node22 to match.';
      acknowledge(this.function, 'AwsSolutions-L1', why);
      acknowledge(this.function, 'Serverless-LambdaLatestVersion', why);
    }
    const syncOnly =
      "Invoked synchronously by its SQS event source mapping only; records that keep failing go to the queue's dead-letter queue through its redrive policy.";
    acknowledge(this.function, 'Serverless-LambdaDLQ', syncOnly);
  }

  /** Absolute path, at run time, of a file given in `bundledFiles`. */
  static bundledPath(name: string): string {
    return `${TASK_ROOT}/${name}`;
  }

  addEnvironment(name: string, value: string): void {
    this.function.addEnvironment(name, value);
  }

  /**
   * Consume `source` with partial batch responses, park-in-DLQ rights and its DLQ URL in
   * DEAD_LETTER_QUEUE_URL. The queue's visibility timeout must cover 6× the function timeout.
   */
  consume(source: EventQueue, p: Processing): void {
    if (this.source) throw new Error(`${this.node.path} already consumes ${this.source.node.path}`);
    this.source = source;
    this.function.addEventSource(
      new SqsEventSource(source.queue, {
        batchSize: p.batchSize,
        ...(p.maxBatchingWindowSeconds > 0 ? { maxBatchingWindow: Duration.seconds(p.maxBatchingWindowSeconds) } : {}),
        maxConcurrency: p.maxConcurrency,
        reportBatchItemFailures: true,
      }),
    );
    source.grantParkInDeadLetterQueue(this.function);
    this.addEnvironment(ENV.deadLetterQueueUrl, source.deadLetterQueue.queueUrl);
    // the delivery functions back off records of a destination that is down on this queue
    // (ChangeMessageVisibility, included in the event source's consume grant), with the numbers
    // its maxReceiveCount was derived from; normalize and evaluate-alerts never back off
    if (p.backoff) {
      this.addEnvironment(ENV.sourceQueueUrl, source.queue.queueUrl);
      this.addEnvironment(
        ENV.retryBackoff,
        JSON.stringify({
          baseSeconds: p.backoff.baseSeconds,
          capSeconds: p.backoff.capSeconds,
          jitter: p.backoff.jitter,
        }),
      );
    }
    acknowledge(
      this.function,
      'Serverless-LambdaEventSourceMappingDestination',
      "SQS event source mappings have no on-failure destination; the source queue's redrive policy moves a record to its DLQ after maxReceiveCount.",
    );
  }
}

/** Visibility timeout for a queue consumed by a function: 6× its timeout plus the batching window. */
function visibilityTimeoutFor(p: Processing): Duration {
  return Duration.seconds(visibilitySecondsFor(p));
}

export type { BundledFile, RelayFunctionProps };
export { cdkBundling, DEFAULT_RUNTIME, PROJECT_ROOT, RelayFunction, sh, visibilityTimeoutFor };
