/**
 * `segura-relay cost` counts what the stack really contains: its inventory against the synthesized
 * template of every example, and its metric list against the functions' own addMetric calls.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { inventoryOf, METRICS_BY_KIND } from '../../cli/cost-inventory.js';
import { METRIC } from '../../shared/contracts/index.js';
import { EXAMPLE_FILES, example, ROOT, resources } from './helpers.js';

describe.each(EXAMPLE_FILES)('cost inventory of %s', (file) => {
  it('matches the synthesized template', () => {
    const { template, config } = example(file);
    const inv = inventoryOf(config);
    const count = (type: string) => Object.keys(resources(template, type)).length;
    expect(inv.kmsKeys).toBe(count('AWS::KMS::Key'));
    expect(inv.alarms).toBe(count('AWS::CloudWatch::Alarm'));
    expect(inv.dashboards).toBe(count('AWS::CloudWatch::Dashboard'));
    expect(inv.natGateways).toBe(count('AWS::EC2::NatGateway'));
    expect(inv.consumers).toHaveLength(count('AWS::Lambda::EventSourceMapping'));
    const filtered = Object.values(resources(template, 'AWS::SNS::Subscription')).filter(
      (s) => s.Properties?.Protocol === 'sqs' && s.Properties?.FilterPolicy !== undefined,
    ).length;
    expect(inv.consumers.filter((c) => c.filtered)).toHaveLength(filtered);
    expect(inv.consumers[0]?.kind).toBe('normalize');
    expect(inv.consumers[0]?.source).toBe('producers');
    for (const c of inv.consumers.slice(1)) expect(c.source).toBe('events-topic');
    for (const c of inv.consumers) expect(c.arm64).toBe(true);
    expect(inv.customMetrics).toBe(
      METRICS_BY_KIND.normalize.length + inv.consumers.slice(1).reduce((a, c) => a + METRICS_BY_KIND[c.kind].length, 0),
    );
  });
});

describe('cost inventory metric list', () => {
  const sources: Record<string, string> = {
    normalize: 'functions/normalize/normalize.ts',
    'deliver-firehose': 'shared/deliver/deliver-batch.ts',
    'deliver-syslog': 'shared/deliver/deliver-batch.ts',
    'evaluate-alerts': 'functions/evaluate-alerts/evaluate.ts',
  };
  const names = METRIC as Record<string, string>;
  it.each(Object.entries(sources))('%s lists exactly the metrics its source adds per invocation', (kind, file) => {
    const src = readFileSync(join(ROOT, file), 'utf8');
    const added = [
      ...new Set([...src.matchAll(/metrics\.addMetric\(\s*METRIC\.(\w+)/g)].map((m) => names[m[1] as string])),
    ];
    expect([...METRICS_BY_KIND[kind as keyof typeof METRICS_BY_KIND]].sort()).toEqual(added.sort());
    // nothing AWS publishes for free is published again (Lambda Duration, SQS/SNS message counts)
    expect(src).not.toMatch(/destinationMetric|singleMetric/);
  });
});
