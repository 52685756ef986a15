/**
 * The vault's syslog endpoint (`ingest.syslogEndpoint`, infra/constructs/ingest-endpoint.ts): its
 * resources exist only when configured; the security groups admit exactly the configured vault
 * CIDRs (plus the NLB for health checks); the task role can do nothing but SendMessage on the
 * ingest queue and use its key through SQS; the alarms watch metrics the bridge emits; the
 * config rules; the Dockerfile's properties.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { emfLine } from '../../cli/bridge-ops.js';
import { ConfigValidationError } from '../../infra/config/errors.js';
import {
  CONTAINER_PORT,
  SHUTDOWN_TIMEOUT_SECONDS,
  STOP_TIMEOUT_SECONDS,
} from '../../infra/constructs/ingest-endpoint.js';
import { BRIDGE_METRIC, BRIDGE_METRIC_DIMENSION } from '../../shared/config/bridge-metrics.js';
import {
  EXAMPLE_FILES,
  example,
  exampleDoc,
  idOf,
  type Json,
  parseInExamples,
  permissionsOf,
  ROOT,
  resources,
  synthConfig,
} from './helpers.js';

const FILE = 'syslog-endpoint.json';
const ENDPOINT_TYPES = [
  'AWS::ECS::Cluster',
  'AWS::ECS::Service',
  'AWS::ECS::TaskDefinition',
  'AWS::ApplicationAutoScaling::ScalableTarget',
];

function variant(edit: (e: Json, d: Json) => void) {
  const d = structuredClone(exampleDoc(FILE));
  edit(d.ingest.syslogEndpoint, d);
  return synthConfig(parseInExamples(d));
}

function issuesOf(edit: (e: Json, d: Json) => void): string[] {
  const d = structuredClone(exampleDoc(FILE));
  edit(d.ingest.syslogEndpoint, d);
  try {
    parseInExamples(d);
  } catch (e) {
    if (e instanceof ConfigValidationError) return [...e.issues];
    throw e;
  }
  return [];
}

/** Ingress rules of one security group (inline and separate), as `proto port from source`. */
function ingressOf(t: Json, sgId: string): string[] {
  const out: string[] = [];
  const show = (r: Json) =>
    `${r.IpProtocol} ${r.FromPort}-${r.ToPort} from ${r.CidrIp ?? r.SourceSecurityGroupId?.['Fn::GetAtt']?.[0]}`;
  const sg = resources(t, 'AWS::EC2::SecurityGroup')[sgId];
  for (const r of sg?.Properties?.SecurityGroupIngress ?? []) out.push(show(r));
  for (const r of Object.values(resources(t, 'AWS::EC2::SecurityGroupIngress'))) {
    const p = r.Properties as Json;
    if (p.GroupId?.['Fn::GetAtt']?.[0] === sgId) out.push(show(p));
  }
  return out.sort();
}

describe('resources exist only when configured', () => {
  it.each(EXAMPLE_FILES.filter((f) => f !== FILE))('%s has no syslog endpoint', (file) => {
    const t = example(file).template;
    for (const type of ENDPOINT_TYPES) expect(Object.keys(resources(t, type)), type).toEqual([]);
    expect(JSON.stringify(t.toJSON())).not.toContain('SyslogEndpoint');
  });

  it(`${FILE} has one cluster, service, task definition, NLB and scalable target`, () => {
    const t = example(FILE).template;
    for (const type of ENDPOINT_TYPES) expect(Object.keys(resources(t, type)), type).toHaveLength(1);
    t.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
      Scheme: 'internal',
      Type: 'network',
    });
    t.hasOutput('SyslogEndpointDns', {});
  });
});

describe('the endpoint in syslog-endpoint.json', () => {
  const { template: t, config } = example(FILE);
  const e = config.ingest.syslogEndpoint as NonNullable<typeof config.ingest.syslogEndpoint>;
  const nlbSg = idOf(t, 'AWS::EC2::SecurityGroup', 'SyslogEndpointLoadBalancerSecurityGroup');
  const taskSg = idOf(t, 'AWS::EC2::SecurityGroup', 'SyslogEndpointTaskSecurityGroup');

  it('the NLB admits exactly the configured vault CIDRs, on the listener ports', () => {
    expect(ingressOf(t, nlbSg)).toEqual(
      e.vaultCidrs.flatMap((c) => [`tcp 514-514 from ${c}`, `tcp 6514-6514 from ${c}`]).sort(),
    );
  });

  it('the tasks admit the vault CIDRs (client IP preserved) and the NLB (health checks), nothing else', () => {
    const rules = ingressOf(t, taskSg);
    const cidrSources = new Set(rules.filter((r) => / from \d/.test(r)).map((r) => r.split(' from ')[1]));
    expect([...cidrSources].sort()).toEqual([...e.vaultCidrs].sort());
    expect(rules.filter((r) => !/ from \d/.test(r))).toEqual(
      [
        `tcp ${CONTAINER_PORT.health}-${CONTAINER_PORT.health} from ${nlbSg}`,
        `tcp ${CONTAINER_PORT.tcp}-${CONTAINER_PORT.tcp} from ${nlbSg}`,
      ].sort(),
    );
  });

  it('the task role can only SendMessage on the ingest queue and use its key through SQS', () => {
    const role = idOf(t, 'AWS::IAM::Role', 'SyslogEndpointTaskRole');
    const queue = idOf(t, 'AWS::SQS::Queue', /^IngestQueueIngestQueue(?!DeadLetter)/);
    const key = idOf(t, 'AWS::KMS::Key', 'KeysIngest');
    expect(permissionsOf(t, role)).toEqual([
      `kms:Decrypt on ${key}`,
      `kms:GenerateDataKey on ${key}`,
      `sqs:SendMessage on ${queue}`,
    ]);
    const kmsStatement = Object.values(resources(t, 'AWS::IAM::Policy'))
      .filter((p) => JSON.stringify(p.Properties?.Roles) === JSON.stringify([{ Ref: role }]))
      .flatMap((p) => p.Properties?.PolicyDocument.Statement)
      .find((st: Json) => [].concat(st.Action).some((a: string) => a.startsWith('kms:')));
    expect(Object.keys(kmsStatement.Condition.StringEquals)).toEqual(['kms:ViaService']);
    // the ingest queue's deny-everyone-else statement names the role as a sender
    const policy = Object.values(resources(t, 'AWS::SQS::QueuePolicy')).find((p) =>
      JSON.stringify(p).includes('DenySendersOtherThanTheVault'),
    );
    expect(JSON.stringify(policy)).toContain(role);
  });

  it('runs at least two tasks, 120 s stop timeout, bridge flush inside it, spool on ephemeral storage', () => {
    t.hasResourceProperties('AWS::ECS::Service', {
      DesiredCount: 2,
      LaunchType: 'FARGATE',
      DeploymentConfiguration: Match.objectLike({ MinimumHealthyPercent: 100 }),
      NetworkConfiguration: { AwsvpcConfiguration: Match.objectLike({ AssignPublicIp: 'DISABLED' }) },
    });
    const td = Object.values(resources(t, 'AWS::ECS::TaskDefinition'))[0]?.Properties as Json;
    const c = td.ContainerDefinitions[0];
    expect(c.StopTimeout).toBe(STOP_TIMEOUT_SECONDS);
    expect(STOP_TIMEOUT_SECONDS).toBeLessThanOrEqual(120);
    const env = Object.fromEntries(c.Environment.map((x: Json) => [x.Name, x.Value]));
    expect(Number(env.SHUTDOWN_TIMEOUT)).toBe(SHUTDOWN_TIMEOUT_SECONDS);
    expect(SHUTDOWN_TIMEOUT_SECONDS).toBeLessThan(STOP_TIMEOUT_SECONDS);
    expect(env.SPOOL_MAX_BYTES).toBe(`${e.spoolMiB}MiB`);
    expect(env.ALLOW_FROM.split(',')).toEqual([...e.vaultCidrs, '10.42.0.0/24']);
    expect(env.TCP_PORT).toBe(String(CONTAINER_PORT.tcp));
    expect(env.TLS_PORT).toBeUndefined();
    expect(c.LogConfiguration.LogDriver).toBe('awslogs');
    // 4 GiB spool fits the default 20 GiB
    expect(td.EphemeralStorage).toBeUndefined();
    t.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', { MinCapacity: 2, MaxCapacity: 4 });
  });

  it('scales on CPU and on the NLB active flow count', () => {
    const policies = Object.values(resources(t, 'AWS::ApplicationAutoScaling::ScalingPolicy')).map((p) => p.Properties);
    expect(
      policies.some(
        (p: Json) =>
          p.TargetTrackingScalingPolicyConfiguration?.PredefinedMetricSpecification?.PredefinedMetricType ===
          'ECSServiceAverageCPUUtilization',
      ),
    ).toBe(true);
    const flows = Object.values(resources(t, 'AWS::CloudWatch::Alarm')).filter(
      (a) => a.Properties?.MetricName === 'ActiveFlowCount' && a.Properties?.Namespace === 'AWS/NetworkELB',
    );
    expect(flows.length).toBeGreaterThanOrEqual(2);
  });

  it('the log group has a retention', () => {
    const group = idOf(t, 'AWS::Logs::LogGroup', 'SyslogEndpointLogs');
    expect(resources(t, 'AWS::Logs::LogGroup')[group]?.Properties?.RetentionInDays).toBe(config.retention.logDays);
  });

  it('TLS listener terminates with the ACM certificate and a TLS 1.2+ policy; health checks ask the bridge', () => {
    t.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Port: 6514,
      Protocol: 'TLS',
      Certificates: [{ CertificateArn: e.tls?.certificateArn }],
      SslPolicy: 'ELBSecurityPolicy-TLS13-1-2-2021-06',
    });
    t.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', { Port: 514, Protocol: 'TCP' });
    for (const tg of Object.values(resources(t, 'AWS::ElasticLoadBalancingV2::TargetGroup'))) {
      expect(tg.Properties?.HealthCheckProtocol).toBe('HTTP');
      expect(tg.Properties?.HealthCheckPort).toBe(String(CONTAINER_PORT.health));
    }
  });

  it('every endpoint alarm watches a metric the bridge emits (or the running task count)', () => {
    const emitted = JSON.parse(
      emfLine('SeguraRelay', 'svc', undefined, { mode: 'spooling', received: { udp: 1, tcp: 0, tls: 0 } }, 0),
    );
    const names = new Set(emitted._aws.CloudWatchMetrics[0].Metrics.map((m: Json) => m.Name));
    const alarms = Object.entries(resources(t, 'AWS::CloudWatch::Alarm')).filter(([, a]) =>
      String(a.Properties?.AlarmName).includes('syslog-endpoint'),
    );
    expect(alarms.map(([, a]) => a.Properties?.AlarmName).sort()).toEqual(
      [
        'segura-relay-endpoint-syslog-endpoint-messages-dropped',
        'segura-relay-endpoint-syslog-endpoint-messages-rejected',
        'segura-relay-endpoint-syslog-endpoint-spool-half-full',
        'segura-relay-endpoint-syslog-endpoint-spooling',
        'segura-relay-endpoint-syslog-endpoint-sqs-errors',
        'segura-relay-endpoint-syslog-endpoint-tasks',
      ].sort(),
    );
    const watched: string[] = [];
    for (const [, a] of alarms) {
      const p = a.Properties as Json;
      const metrics: Json[] = p.Metrics
        ? p.Metrics.filter((m: Json) => m.MetricStat).map((m: Json) => m.MetricStat.Metric)
        : [p];
      for (const m of metrics) {
        if (m.Namespace === 'ECS/ContainerInsights') {
          expect(m.MetricName).toBe('RunningTaskCount');
          continue;
        }
        expect(m.Namespace).toBe(config.operations.metricsNamespace);
        expect(names.has(m.MetricName), `${m.MetricName} is emitted`).toBe(true);
        const dims = m.Dimensions.map((d: Json) => d.Name);
        expect(dims).toEqual([BRIDGE_METRIC_DIMENSION]);
        watched.push(m.MetricName);
      }
      expect(p.AlarmActions).toHaveLength(1);
    }
    expect(new Set(watched)).toEqual(
      new Set([BRIDGE_METRIC.spoolBytes, BRIDGE_METRIC.rejected, BRIDGE_METRIC.dropped, BRIDGE_METRIC.sqsErrors]),
    );
  });

  it('the task container insights and dashboard include the endpoint', () => {
    t.hasResourceProperties('AWS::ECS::Cluster', {
      ClusterSettings: [{ Name: 'containerInsights', Value: 'enabled' }],
    });
    const dash = Object.values(resources(t, 'AWS::CloudWatch::Dashboard'))[0];
    expect(JSON.stringify(dash)).toContain('Syslog endpoint: spool');
  });
});

describe('variants', () => {
  it('UDP and pass-through TLS: certificate from Secrets Manager, read by the execution role only', () => {
    const secret = 'arn:aws:secretsmanager:us-east-1:111122223333:secret:segura-syslog-tls-AbCdEf';
    const { template: t } = variant((e) => {
      e.listeners = { tls: { certificateSecretArn: secret }, udp: {} };
      e.spoolMiB = 40960;
    });
    const td = Object.values(resources(t, 'AWS::ECS::TaskDefinition'))[0]?.Properties as Json;
    const c = td.ContainerDefinitions[0];
    const env = Object.fromEntries(c.Environment.map((x: Json) => [x.Name, x.Value]));
    expect(env.TLS_PORT).toBe(String(CONTAINER_PORT.tls));
    expect(env.UDP_PORT).toBe(String(CONTAINER_PORT.udp));
    expect(env.TCP_PORT).toBeUndefined();
    expect(c.Secrets.map((s: Json) => s.Name).sort()).toEqual(['TLS_CERT_PEM', 'TLS_KEY_PEM']);
    expect(JSON.stringify(c.Environment)).not.toContain('PRIVATE KEY');
    // 40 GiB spool + 5 GiB headroom
    expect(td.EphemeralStorage).toEqual({ SizeInGiB: 45 });
    t.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', { Port: 6514, Protocol: 'TCP' });
    t.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', { Port: 514, Protocol: 'UDP' });
    const exec = td.ExecutionRoleArn['Fn::GetAtt'][0];
    expect(permissionsOf(t, exec).filter((p) => p.startsWith('secretsmanager:'))).toEqual(
      expect.arrayContaining([expect.stringContaining(`secretsmanager:GetSecretValue on ${secret}`)]),
    );
    const role = idOf(t, 'AWS::IAM::Role', 'SyslogEndpointTaskRole');
    expect(permissionsOf(t, role).some((p) => p.includes('secretsmanager'))).toBe(false);
    // the NLB admits UDP 514 and TCP 6514 from the vault only
    const nlbSg = idOf(t, 'AWS::EC2::SecurityGroup', 'SyslogEndpointLoadBalancerSecurityGroup');
    expect(ingressOf(t, nlbSg)).toEqual(
      ['10.20.0.15/32', '10.20.1.15/32'].flatMap((c) => [`tcp 6514-6514 from ${c}`, `udp 514-514 from ${c}`]).sort(),
    );
  });
});

describe('config rules', () => {
  it('accepts the example', () => {
    expect(issuesOf(() => undefined)).toEqual([]);
  });
  it('needs a network with two zones', () => {
    expect(
      issuesOf((_e, d) => {
        delete d.network;
      }),
    ).toContainEqual(expect.stringContaining('config.network: is required'));
    expect(
      issuesOf((_e, d) => {
        d.network.vpc.create.availabilityZones = ['us-east-1a'];
      }),
    ).toContainEqual(expect.stringMatching(/availabilityZones/));
  });
  it('TLS needs exactly one of certificateArn and certificateSecretArn', () => {
    expect(
      issuesOf((e) => {
        e.listeners.tls = {};
      }),
    ).toContainEqual(expect.stringContaining('exactly one of'));
    expect(
      issuesOf((e) => {
        e.listeners.tls.certificateSecretArn = 'arn:aws:secretsmanager:us-east-1:111122223333:secret:x-AbCdEf';
      }),
    ).toContainEqual(expect.stringContaining('exactly one of'));
  });
  it('rejects bad CIDRs, too wide CIDRs, no listener, bad sizes', () => {
    expect(
      issuesOf((e) => {
        e.vaultCidrs = ['10.20.0.15/24'];
      }),
    ).toContainEqual(expect.stringContaining('vaultCidrs[0]: invalid IPv4 CIDR'));
    expect(
      issuesOf((e) => {
        e.vaultCidrs = ['10.0.0.0/7'];
      }),
    ).toContainEqual(expect.stringContaining('wider than /8'));
    expect(
      issuesOf((e) => {
        e.listeners = {};
      }).join('\n'),
    ).toMatch(/listeners/);
    expect(
      issuesOf((e) => {
        e.minTasks = 1;
      }).join('\n'),
    ).toMatch(/minTasks/);
    expect(
      issuesOf((e) => {
        e.maxTasks = 2;
        e.minTasks = 3;
      }),
    ).toContainEqual(expect.stringContaining('maxTasks: 2 is less than minTasks (3)'));
    expect(
      issuesOf((e) => {
        e.memoryMiB = 512;
      }),
    ).toContainEqual(expect.stringContaining('not a Fargate size'));
    expect(
      issuesOf((e) => {
        e.spoolMiB = 200_000;
      }).join('\n'),
    ).toMatch(/spoolMiB/);
  });
  it('tcp and tls on the same port conflict', () => {
    expect(
      issuesOf((e) => {
        e.listeners.tcp = { port: 6514 };
      }),
    ).toContainEqual(expect.stringContaining('6514 is already the tls listener'));
  });
});

describe('the Dockerfile', () => {
  const text = readFileSync(join(ROOT, 'docker', 'Dockerfile'), 'utf8');
  const lines = text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  const entrypoint = readFileSync(join(ROOT, 'docker', 'entrypoint.sh'), 'utf8');

  it('pins every base image by an exact version (or digest)', () => {
    const froms = lines.filter((l) => /^FROM\s/i.test(l));
    expect(froms.length).toBeGreaterThan(0);
    for (const f of froms) {
      const image = f.split(/\s+/)[1] as string;
      expect(image, f).toMatch(/^[a-z0-9./-]+(:\d+\.\d+\.\d+[a-z0-9.-]*|@sha256:[0-9a-f]{64})(@sha256:[0-9a-f]{64})?$/);
      expect(image).not.toMatch(/:latest|:lts|:current/);
    }
  });

  it('runs as a non-root user', () => {
    const users = lines.filter((l) => /^USER\s/i.test(l));
    const last = users.at(-1)?.split(/\s+/)[1];
    expect(last).toBeDefined();
    expect(last).not.toMatch(/^(root|0)(:|$)/);
  });

  it('fetches nothing from the network, at build or at run time', () => {
    for (const t of [text, entrypoint]) {
      const code = t
        .split('\n')
        .filter((l) => !l.trim().startsWith('#'))
        .join('\n');
      expect(code).not.toMatch(/\b(curl|wget|npm|npx|yarn|pnpm|apt-get|apk|pip)\b/);
      expect(code).not.toMatch(/\bADD\s+https?:/i);
    }
  });

  it('starts the bundled bridge with exec (PID 1 gets SIGTERM) and the context holds only the image files', () => {
    expect(entrypoint).toMatch(/^exec node "\$bundle" "\$@"$/m);
    expect(lines).toContain('ENTRYPOINT ["/app/entrypoint.sh"]');
    const ignore = readFileSync(join(ROOT, 'docker', '.dockerignore'), 'utf8');
    expect(ignore).toMatch(/^\*$/m);
  });
});
