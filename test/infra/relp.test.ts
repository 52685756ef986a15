/**
 * RELP in the deployment: the NLB passes RELP through on a TCP listener (TLS, if any, ends at the
 * collector, so its acknowledgements reach the function), the security groups open exactly the RELP
 * port, deliver-syslog gets a DESTINATION its runtime parser accepts, and the config rejects
 * settings that cannot work with RELP.
 */
import { describe, expect, it } from 'vitest';
import { createSyslogHandler } from '../../functions/deliver-syslog/app.js';
import { syslogDestination } from '../../shared/config/destination.js';
import { ENV } from '../../shared/contracts/index.js';
import { ConfigError, errorMessage } from '../../shared/errors.js';
import { example, exampleDoc, idOf, type Json, parseInExamples, resources, synthConfig } from './helpers.js';

const FILE = 'syslog-relp-new-nlb.json';

/** The logical id a CloudFormation value points to (Ref or GetAtt). */
function target(v: Json): string | undefined {
  return v?.Ref ?? v?.['Fn::GetAtt']?.[0];
}

/** An environment value as text: tokens become `<LogicalId>` or `<LogicalId.Attribute>`. */
function envText(v: Json): string {
  if (typeof v === 'string') return v;
  if (v?.Ref) return `<${v.Ref}>`;
  if (v?.['Fn::GetAtt']) return `<${v['Fn::GetAtt'][0]}.${v['Fn::GetAtt'][1]}>`;
  if (v?.['Fn::Join']) return (v['Fn::Join'][1] as Json[]).map(envText).join(v['Fn::Join'][0]);
  throw new Error(`unexpected value ${JSON.stringify(v)}`);
}

function envOf(t: ReturnType<typeof example>['template'], fnPrefix: string): Record<string, string> {
  const fn = resources(t, 'AWS::Lambda::Function')[idOf(t, 'AWS::Lambda::Function', fnPrefix)];
  return Object.fromEntries(
    Object.entries(fn?.Properties?.Environment.Variables ?? {}).map(([k, v]) => [k, envText(v)]),
  );
}

describe('RELP through a new NLB (examples/syslog-relp-new-nlb.json)', () => {
  it('a TCP listener on the RELP port and TCP targets: the NLB terminates nothing', () => {
    const { template: t } = example(FILE);
    t.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', { Scheme: 'internal', Type: 'network' });
    const listeners = Object.values(resources(t, 'AWS::ElasticLoadBalancingV2::Listener'));
    expect(listeners.map((l) => l.Properties)).toEqual([expect.objectContaining({ Port: 2514, Protocol: 'TCP' })]);
    expect(listeners[0]?.Properties?.Certificates).toBeUndefined();
    expect(listeners[0]?.Properties?.SslPolicy).toBeUndefined();
    t.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', {
      TargetType: 'ip',
      Protocol: 'TCP',
      Port: 2514,
      Targets: [
        { Id: '10.42.0.10', Port: 2514 },
        { Id: '10.42.0.140', Port: 2514 },
      ],
    });
  });

  it('security groups: the function reaches the NLB on 2514 only, the NLB reaches the collectors on 2514 only', () => {
    const { template: t } = example(FILE);
    const nlbSg = idOf(t, 'AWS::EC2::SecurityGroup', 'SyslogrsyslogEndpointLoadBalancerSecurityGroup');
    const clientSg = idOf(t, 'AWS::EC2::SecurityGroup', 'SyslogrsyslogEndpointClientSecurityGroup');
    expect(resources(t, 'AWS::EC2::SecurityGroup')[nlbSg]?.Properties?.SecurityGroupEgress).toEqual([
      expect.objectContaining({ CidrIp: '10.42.0.10/32', FromPort: 2514, ToPort: 2514, IpProtocol: 'tcp' }),
      expect.objectContaining({ CidrIp: '10.42.0.140/32', FromPort: 2514, ToPort: 2514, IpProtocol: 'tcp' }),
    ]);
    const ingress = Object.values(resources(t, 'AWS::EC2::SecurityGroupIngress'))
      .filter((r) => target(r.Properties?.GroupId) === nlbSg)
      .map((r) => r.Properties);
    expect(ingress).toEqual([
      expect.objectContaining({
        FromPort: 2514,
        ToPort: 2514,
        IpProtocol: 'tcp',
        SourceSecurityGroupId: { 'Fn::GetAtt': [clientSg, 'GroupId'] },
      }),
    ]);
    const egress = Object.values(resources(t, 'AWS::EC2::SecurityGroupEgress'))
      .filter((r) => target(r.Properties?.GroupId) === clientSg)
      .map((r) => [r.Properties?.FromPort, r.Properties?.IpProtocol, target(r.Properties?.DestinationSecurityGroupId)]);
    expect(egress.sort()).toEqual(
      [
        [443, 'tcp', idOf(t, 'AWS::EC2::SecurityGroup', 'NetworkEndpointSecurityGroup')],
        [2514, 'tcp', nlbSg],
      ].sort(),
    );
  });

  it('deliver-syslog DESTINATION: relp with TLS, the window, the collector CA and name, no framing; accepted at runtime', () => {
    const { template: t } = example(FILE);
    const nlb = idOf(t, 'AWS::ElasticLoadBalancingV2::LoadBalancer', 'SyslogrsyslogEndpointLoadBalancer');
    const destination = JSON.parse(envOf(t, 'SyslogrsyslogDeliverFunction')[ENV.destination] as string);
    expect(destination).toEqual({
      name: 'rsyslog',
      transport: 'relp',
      relp: { tls: true, window: 128 },
      host: `<${nlb}.DNSName>`,
      port: 2514,
      format: 'rfc5424',
      render: { sdId: 'segura@32473' },
      ca: { file: '/var/task/collector-ca.pem' },
      servername: 'syslog.example.com',
    });
    const d = syslogDestination(JSON.stringify({ ...destination, host: 'internal-relp.elb.us-east-1.amazonaws.com' }));
    expect(d).toMatchObject({ transport: 'relp', relp: { tls: true, window: 128 }, servername: 'syslog.example.com' });
  });

  it('plain RELP (relp.tls false) to an existing host: egress on the RELP port, no CA, relp.tls false at runtime', () => {
    const doc = structuredClone(exampleDoc(FILE));
    const d = doc.destinations[0];
    d.relp = { tls: false };
    delete d.ca;
    delete d.servername;
    d.target = { existing: { host: 'rsyslog.corp.example.com', egressCidrs: ['10.20.8.0/22'] } };
    const { template: t } = synthConfig(parseInExamples(doc));
    const sg = resources(t, 'AWS::EC2::SecurityGroup')[
      idOf(t, 'AWS::EC2::SecurityGroup', 'SyslogrsyslogEndpointClientSecurityGroup')
    ];
    expect(sg?.Properties?.SecurityGroupEgress).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ CidrIp: '10.20.8.0/22', FromPort: 2514, ToPort: 2514, IpProtocol: 'tcp' }),
      ]),
    );
    const destination = JSON.parse(envOf(t, 'SyslogrsyslogDeliverFunction')[ENV.destination] as string);
    expect(destination).toMatchObject({ transport: 'relp', relp: { tls: false }, host: 'rsyslog.corp.example.com' });
    expect(syslogDestination(JSON.stringify(destination)).relp).toEqual({ tls: false });
  });
});

describe('RELP configuration errors', () => {
  const invalid = (edit: (d: Record<string, unknown>) => void): string => {
    const doc = structuredClone(exampleDoc(FILE));
    edit(doc.destinations[0]);
    try {
      parseInExamples(doc);
    } catch (e) {
      return errorMessage(e);
    }
    throw new Error('config accepted');
  };

  it.each([
    [
      'a listener certificate (RELP passes through; TLS ends at the collector)',
      (d: Record<string, unknown>) => {
        (d.target as { nlb: Record<string, unknown> }).nlb.certificateArn =
          'arn:aws:acm:us-east-1:111122223333:certificate/00000000-0000-4000-8000-000000000000';
      },
      /target\.nlb\.certificateArn: only used with transport tls \(RELP passes through the NLB on a TCP listener; TLS ends at the collector\)/,
    ],
    [
      'TLS through a new NLB without servername',
      (d: Record<string, unknown>) => {
        delete d.servername;
      },
      /servername: is required for relp over TLS through a new NLB/,
    ],
    [
      'framing',
      (d: Record<string, unknown>) => {
        d.framing = 'octet';
      },
      /framing: not used with transport relp/,
    ],
    [
      'a CA for plain RELP',
      (d: Record<string, unknown>) => {
        d.relp = { tls: false };
        delete d.servername;
      },
      /ca: only used with transport tls or relp over TLS \(got relp\)/,
    ],
    [
      'relp settings with transport tls',
      (d: Record<string, unknown>) => {
        d.transport = 'tcp';
        delete d.ca;
        delete d.servername;
      },
      /relp: only used with transport relp/,
    ],
    [
      'a window over 10,000',
      (d: Record<string, unknown>) => {
        d.relp = { window: 20_000 };
      },
      /relp\/window|relp\.window/,
    ],
  ])('rejects %s', (_name, edit, message) => {
    expect(invalid(edit)).toMatch(message);
  });

  // the function trusts the synth's checks: its DESTINATION parser reads the JSON, and the sink
  // it builds checks the settings once (shared/config/syslog-ranges.ts), naming each
  it('the runtime refuses the same mistakes in a hand-written DESTINATION, each check once', () => {
    const base = { name: 'r', transport: 'relp', host: 'h', port: 2514, format: 'rfc5424' };
    const coldStart = (d: Json): unknown =>
      createSyslogHandler({
        [ENV.destination]: JSON.stringify(d),
        [ENV.deadLetterQueueUrl]: 'https://sqs.us-east-1.amazonaws.com/123456789012/dlq',
      });
    const refusal = (d: Json): ConfigError => {
      try {
        coldStart(d);
      } catch (e) {
        if (e instanceof ConfigError) return e;
        throw e;
      }
      throw new Error(`accepted ${JSON.stringify(d)}`);
    };
    expect(refusal({ ...base, transport: 'tcp', relp: {} }).message).toMatch(/relp: only applies to transport 'relp'/);
    expect(refusal({ ...base, relp: { tls: 'yes' } }).message).toMatch(/relp\.tls: must be true or false/);
    expect(refusal({ ...base, relp: { window: 0 } }).message).toMatch(/relp\.window: must be an integer 1–10000/);
    expect(refusal({ ...base, connectTimeoutMs: 60_001 }).message).toMatch(
      /connectTimeoutMs: must be an integer 100–60000/,
    );
    expect(refusal({ ...base, connectTimeoutMs: '5s' }).message).toMatch(
      /DESTINATION\.connectTimeoutMs: must be an integer/,
    );
    expect(syslogDestination(JSON.stringify(base)).relp).toEqual({ tls: true });
    expect(() => coldStart({ ...base, connectTimeoutMs: 60_000, relp: { window: 10_000 } })).not.toThrow();
  });
});
