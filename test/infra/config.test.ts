/**
 * The deployment config is validated at synth: every example loads, defaults are what the docs
 * say, and every broken config fails with a message naming the field.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import { ConfigValidationError } from '../../infra/config/errors.js';
import { loadConfig } from '../../infra/config/load.js';
import { configPathOf } from '../../infra/relay-app.js';
import { EXAMPLE_FILES, EXAMPLES, exampleDoc, type Json, parseInExamples, ROOT } from './helpers.js';

/** The issues a document fails with ([] when it is valid). */
function issuesOf(doc: unknown): readonly string[] {
  try {
    parseInExamples(doc);
    return [];
  } catch (e) {
    if (e instanceof ConfigValidationError) return e.issues;
    throw e;
  }
}

/** `full.json` with `edit` applied to a deep copy. */
function full(edit: (d: Json) => void): unknown {
  const d = structuredClone(exampleDoc('full.json'));
  edit(d);
  return d;
}

function tempFile(name: string, text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'relay-config-')), name);
  writeFileSync(file, text);
  return file;
}

describe('examples', () => {
  it.each(EXAMPLE_FILES)('%s is valid', (file) => {
    expect(() => loadConfig(join(EXAMPLES, file))).not.toThrow();
  });

  it('applies the documented defaults', () => {
    const c = loadConfig(join(EXAMPLES, 's3-archive.json'));
    expect(c.retention).toEqual({
      queueDays: 10,
      deadLetterQueueDays: 14,
      logDays: 90,
      archiveDays: 400,
      keepDataOnDelete: true,
    });
    expect(c.operations).toMatchObject({
      metricsNamespace: 'SeguraRelay',
      logLevel: 'INFO',
      runtime: 'nodejs24.x',
      tracing: false,
      accessLogs: true,
      dashboard: true,
      alarms: {
        oldestMessageAgeSeconds: 900,
        eventsFailedThreshold: 1,
        eventsFailedPeriods: 2,
        functionErrorsThreshold: 1,
        firehoseFreshnessSeconds: 900,
      },
    });
    expect(c.ingest.processing).toEqual({
      batchSize: 100,
      maxBatchingWindowSeconds: 1,
      maxConcurrency: 10,
      reservedConcurrency: undefined,
      memoryMb: 256,
      timeoutSeconds: 30,
      maxReceiveCount: 5,
    });
    expect(c.destinations[0]).toMatchObject({
      aggregate: true,
      delivery: { type: 's3', prefix: 'segura/cef/', compression: 'GZIP', bufferingSeconds: 300, bufferingMiB: 5 },
    });
  });

  it('sends one event per record to Splunk and registers off-VPC NLB targets in zone "all"', () => {
    const c = loadConfig(join(EXAMPLES, 'full.json'));
    const [, splunk, syslog] = c.destinations;
    expect(splunk).toMatchObject({ aggregate: false, delivery: { type: 'splunk', backupPrefix: 'splunk-failed/' } });
    expect(syslog?.type === 'syslog' && syslog.target).toEqual({
      kind: 'nlb',
      listener: 'tls',
      certificateArn: expect.stringMatching(/^arn:aws:acm:/),
      sslPolicy: 'ELBSecurityPolicy-TLS13-1-2-2021-06',
      targetProtocol: 'tls',
      cleartextReason: undefined,
      targets: [
        { ip: '10.20.1.15', port: 6514, availabilityZone: undefined },
        { ip: '10.20.2.15', port: 6514, availabilityZone: undefined },
        { ip: '192.168.50.10', port: 6514, availabilityZone: 'all' },
      ],
    });
    expect(syslog?.type === 'syslog' && syslog.caPem).toContain('-----BEGIN CERTIFICATE-----');
  });

  it('reads YAML configs too', () => {
    const json = exampleDoc('s3-archive.json');
    const yaml = Object.entries(json)
      .map(([k, v]) => `${k}: ${JSON.stringify(v)}`)
      .join('\n');
    expect(loadConfig(tempFile('relay.yaml', yaml)).name).toBe('segura-relay-archive');
  });
});

describe('a broken config fails with messages naming the field', () => {
  const cases: Array<[string, unknown, string | RegExp]> = [
    [
      'port out of range',
      full((d) => {
        d.destinations[2].port = 70000;
      }),
      'config.destinations[2].port: must be an integer 1–65535, got 70000',
    ],
    [
      'port not an integer',
      full((d) => {
        d.destinations[2].port = 65.5;
      }),
      'config.destinations[2].port: must be an integer 1–65535, got 65.5',
    ],
    [
      'missing required field',
      full((d) => {
        delete d.ingest.producers;
      }),
      'config.ingest.producers: is required',
    ],
    [
      'unknown property (a typo)',
      full((d) => {
        d.destinations[0].delivery.prefx = 'x/';
      }),
      /^config\.destinations\[0\]\.delivery\.prefx: unknown property \(allowed: type, prefix, compression/,
    ],
    [
      'wrong type',
      full((d) => {
        d.name = 42;
      }),
      'config.name: must be a string, got 42',
    ],
    [
      'unknown format',
      full((d) => {
        d.destinations[0].format = 'json';
      }),
      'config.destinations[0].format: must be one of "cef", "rfc5424", "leef", "ecs", got "json"',
    ],
    [
      'unknown destination type',
      full((d) => {
        d.destinations[0].type = 'kafka';
      }),
      'config.destinations[0].type: unknown type "kafka"',
    ],
    [
      'wildcard producer',
      full((d) => {
        d.ingest.producers = ['arn:aws:iam::444455556666:role/*'];
      }),
      /^config\.ingest\.producers\[0\]: invalid value "arn:aws:iam::444455556666:role\/\*": expected a 12-digit account id or an IAM ARN/,
    ],
    [
      'bad phone number',
      full((d) => {
        d.alerts.subscribers.sms = ['555-0100'];
      }),
      'config.alerts.subscribers.sms[0]: invalid value "555-0100": expected an E.164 phone number such as +15555550100',
    ],
    [
      'both new and existing VPC',
      full((d) => {
        d.network.vpc.create = { cidr: '10.1.0.0/16', availabilityZones: ['us-east-1a', 'us-east-1b'] };
      }),
      'config.network.vpc: set exactly one of create, existing',
    ],
    [
      'log retention CloudWatch does not offer',
      full((d) => {
        d.retention.logDays = 100;
      }),
      /^config\.retention\.logDays: must be one of 1, 3, 5, 7, 14, 30, 60, 90, 120/,
    ],
    [
      'syslog destination without a network',
      full((d) => {
        delete d.network;
      }),
      'config.network: is required: config.destinations[2] is a syslog destination (deliver-syslog runs in a VPC)',
    ],
    [
      'a network nobody uses',
      (() => {
        const d = structuredClone(exampleDoc('s3-archive.json'));
        d.network = exampleDoc('full.json').network;
        return d;
      })(),
      'config.network: only syslog destinations and ingest.syslogEndpoint use it; remove it',
    ],
    [
      'TLS listener without a certificate',
      full((d) => {
        delete d.destinations[2].target.nlb.certificateArn;
      }),
      'config.destinations[2].target.nlb.certificateArn: is required with listener tls (the certificate the NLB presents)',
    ],
    [
      'UDP behind a new NLB',
      full((d) => {
        Object.assign(d.destinations[2], { transport: 'udp' });
        delete d.destinations[2].ca;
        delete d.destinations[2].servername;
        delete d.destinations[2].target.nlb.certificateArn;
        delete d.destinations[2].target.nlb.targetProtocol;
        delete d.destinations[2].target.nlb.listener;
      }),
      'config.destinations[2].target.nlb: a new NLB is created for transport tls or tcp; for udp use target.existing',
    ],
    [
      'duplicate destination names',
      full((d) => {
        d.destinations[1].name = 'Archive';
      }),
      'config.destinations[1].name: "Archive" is already used by config.destinations[0]',
    ],
    [
      'invalid RFC 5424 SD-ID',
      full((d) => {
        d.destinations[2].render.sdId = 'segura';
      }),
      'config.destinations[2].render.sdId: "segura" is not a private SD-ID name@PEN (RFC 5424 §7.2.2)',
    ],
    [
      'render option the format ignores',
      full((d) => {
        d.destinations[0].render = { delimiter: '^' };
      }),
      'config.destinations[0].render.delimiter: not used by format cef (used by leef)',
    ],
    [
      'a private key given as the CA',
      full((d) => {
        d.destinations[2].ca = { file: '../test/fixtures/tls/server.key' };
      }),
      'config.destinations[2].ca.file: contains a private key; give only the CA certificate(s)',
    ],
    [
      'CA file missing',
      full((d) => {
        d.destinations[2].ca = { file: 'certs/missing.pem' };
      }),
      /^config\.destinations\[2\]\.ca\.file: cannot read .*certs\/missing\.pem: ENOENT$/,
    ],
    [
      'CA with a plain TCP transport',
      (() => {
        const d = structuredClone(exampleDoc('syslog-existing-nlb.json'));
        d.destinations[0].transport = 'tcp';
        delete d.destinations[0].servername;
        return d;
      })(),
      'config.destinations[0].ca: only used with transport tls (got tcp)',
    ],
    [
      'Splunk with aggregated records',
      full((d) => {
        d.destinations[1].aggregate = true;
      }),
      'config.destinations[1].aggregate: Splunk needs one event per Firehose record; remove it or set false',
    ],
    [
      'secret in another region',
      full((d) => {
        d.destinations[1].delivery.hecTokenSecretArn = 'arn:aws:secretsmanager:eu-west-1:111122223333:secret:x-AbCdEf';
      }),
      'config.destinations[1].delivery.hecTokenSecretArn: is in eu-west-1, but config.region is us-east-1',
    ],
    [
      'zones of another region',
      full((d) => {
        d.network.vpc.existing.availabilityZones = ['eu-west-1a', 'eu-west-1b'];
      }),
      'config.network.vpc.existing.availabilityZones: zones must be in config.region us-east-1',
    ],
    [
      'subnets not one per zone',
      full((d) => {
        d.network.vpc.existing.privateSubnetIds = ['subnet-0123456789abcdef0'];
      }),
      /^config\.network\.vpc\.existing\.privateSubnetIds: one subnet per availability zone/,
    ],
    [
      'filter policy too large for SNS',
      full((d) => {
        d.destinations[0].filter = {
          eventIds: Array.from({ length: 20 }, (_, i) => String(i + 1)),
          categories: Array.from({ length: 8 }, (_, i) => `c${i}`),
        };
      }),
      'config.destinations[0].filter: 160 value combinations exceed the SNS filter policy limit of 150',
    ],
    [
      'reserved concurrency below the event source cap',
      full((d) => {
        d.ingest.processing.reservedConcurrency = 5;
      }),
      'config.ingest.processing.reservedConcurrency: must be ≥ maxConcurrency (20), or the event source is throttled',
    ],
    [
      'large batches without a batching window',
      full((d) => {
        d.alerts.processing = { batchSize: 50, maxBatchingWindowSeconds: 0 };
      }),
      'config.alerts.processing.maxBatchingWindowSeconds: must be ≥ 1 when batchSize is over 10 (SQS event source rule)',
    ],
    [
      'freshness alarm below the buffering interval',
      full((d) => {
        d.destinations[0].delivery.bufferingSeconds = 900;
      }),
      /^config\.operations\.alarms\.firehoseFreshnessSeconds: 900 s would alarm on normal buffering of config\.destinations\[0\]/,
    ],
    [
      'alert rules file missing',
      full((d) => {
        d.alerts.rulesFile = 'nope.yaml';
      }),
      /^config\.alerts\.rulesFile: file not found: .*examples\/nope\.yaml$/,
    ],
    [
      'a rule channel without subscribers',
      (() => {
        const d = structuredClone(exampleDoc('alerts-sms-email.json'));
        d.alerts.rulesFile = '../alerts/default-rules.yaml';
        return d;
      })(),
      /^config\.alerts\.rulesFile: .*default-rules\.yaml: rules\[0\]\.channels\[2\]: "chat" has no subscribers \(add config\.alerts\.subscribers\.chat\)$/,
    ],
    [
      'a rules file the alerts schema rejects',
      full((d) => {
        d.alerts.rulesFile = tempFile('rules.yaml', 'version: 1\nrules:\n  - id: Bad Id\n    name: x\n    match: {}\n');
      }),
      /^config\.alerts\.rulesFile: .*rules\.yaml: rules\[0\]\.id: must match pattern/,
    ],
    [
      'a rules file that is not YAML',
      full((d) => {
        d.alerts.rulesFile = tempFile('rules.yaml', 'rules: [\n');
      }),
      /^config\.alerts\.rulesFile: cannot parse .*rules\.yaml: /,
    ],
  ];

  it.each(cases)('%s', (_name, doc, expected) => {
    const issues = issuesOf(doc);
    if (typeof expected === 'string') expect(issues).toContain(expected);
    else
      expect(
        issues.some((i) => expected.test(i)),
        issues.join('\n'),
      ).toBe(true);
    for (const i of issues) expect(i).toMatch(/^config(\.|\[|:)/);
  });

  it('reports every issue at once, and names the file', () => {
    const doc = full((d) => {
      d.destinations[2].port = 0;
      d.destinations[0].format = 'xml';
      d.operations.alarmEmails = ['not-an-email'];
    });
    const file = tempFile('broken.json', JSON.stringify(doc));
    let err: unknown;
    try {
      loadConfig(file);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigValidationError);
    const e = err as ConfigValidationError;
    expect(e.issues).toHaveLength(3);
    expect(e.message).toContain(`invalid deployment config ${file}:`);
    expect(e.message).toContain('  - config.destinations[2].port: must be an integer 1–65535, got 0');
  });

  it('says how to choose a config when none is given', () => {
    expect(() => configPathOf(new App())).toThrow(/pass one with -c config=PATH/);
  });

  it('an unreadable or unparsable file names it', () => {
    expect(() => loadConfig(join(ROOT, 'examples', 'nope.json'))).toThrow(/config: cannot read .*nope\.json/);
    expect(() => loadConfig(tempFile('x.json', '{"version": 1,'))).toThrow(/config: cannot parse .*x\.json/);
  });
});
