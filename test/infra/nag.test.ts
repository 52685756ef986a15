/**
 * cdk-nag (AwsSolutions + Serverless) on every example: no unacknowledged finding, and every
 * acknowledgement is needed (it covers a finding that appears without it) and says why.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Acknowledgment } from 'aws-cdk-lib';
import { Validations } from 'aws-cdk-lib';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../infra/config/load.js';
import type { RelayConfig } from '../../infra/config/types.js';
import { build, EXAMPLE_FILES, EXAMPLES, exampleDoc, type Json, parseInExamples } from './helpers.js';

interface Finding {
  readonly rule: string;
  readonly path: string;
  readonly severity: string;
}

interface Ack extends Acknowledgment {
  readonly path: string;
}

/** Synthesize with both packs; the findings left in the validation report. */
function findings(config: RelayConfig): Finding[] {
  const { app } = build(config, true);
  const reportFile = join(app.outdir, 'validation-report.json');
  try {
    app.synth();
  } catch (e) {
    // with errors, the in-memory synth throws after writing the report
    if (!existsSync(reportFile)) throw e;
  }
  const report = JSON.parse(readFileSync(reportFile, 'utf8'));
  const out: Finding[] = [];
  for (const plugin of report.pluginReports) {
    for (const v of plugin.violations) {
      for (const c of v.violatingConstructs ?? [])
        out.push({ rule: v.ruleName, path: c.constructPath, severity: v.severity });
    }
  }
  return out;
}

const original = Validations.prototype.acknowledge;
afterEach(() => {
  Validations.prototype.acknowledge = original;
});

/** Findings as if nothing were acknowledged, and the acknowledgements the stack makes. */
function unacknowledged(config: RelayConfig): { findings: Finding[]; acks: Ack[] } {
  const acks: Ack[] = [];
  Validations.prototype.acknowledge = function (this: unknown, ...rules: Acknowledgment[]) {
    const path = (this as { scope: { node: { path: string } } }).scope.node.path;
    // aws-cdk-lib acknowledges its own CloudFormation-validation warnings; only the relay's count here
    for (const r of rules) if (!r.id.startsWith('CloudFormation-Validate::')) acks.push({ ...r, path });
  };
  try {
    return { findings: findings(config), acks };
  } finally {
    Validations.prototype.acknowledge = original;
  }
}

const covers = (a: Ack, f: Finding) => a.id === f.rule && (f.path === a.path || f.path.startsWith(`${a.path}/`));

/** full.json with the options that add or remove acknowledgements flipped. */
function variant(edit: (d: Json) => void): RelayConfig {
  const d = structuredClone(exampleDoc('full.json'));
  edit(d);
  return parseInExamples(d);
}

const configs: Array<[string, () => RelayConfig]> = [
  ...EXAMPLE_FILES.map((f): [string, () => RelayConfig] => [f, () => loadConfig(join(EXAMPLES, f))]),
  [
    'full.json without access logs, with tracing, on nodejs22.x',
    () =>
      variant((d) => {
        d.operations = { ...d.operations, accessLogs: false, tracing: true, runtime: 'nodejs22.x' };
      }),
  ],
  [
    // buckets emptied on delete: CDK's auto-delete custom resource and its provider function
    'full.json with keepDataOnDelete false',
    () =>
      variant((d) => {
        d.retention = { ...d.retention, keepDataOnDelete: false };
      }),
  ],
];

describe.each(configs)('cdk-nag on %s', (_name, config) => {
  it('leaves no finding (error or warning) unacknowledged', () => {
    expect(findings(config())).toEqual([]);
  });

  it('acknowledges only real findings, each with a specific reason', () => {
    const { findings: raw, acks } = unacknowledged(config());
    for (const f of raw) {
      expect(
        acks.some((a) => covers(a, f)),
        `${f.rule} at ${f.path} is acknowledged`,
      ).toBe(true);
    }
    for (const a of acks) {
      expect(
        raw.some((f) => covers(a, f)),
        `acknowledgement ${a.id} at ${a.path} covers a finding`,
      ).toBe(true);
      expect(a.reason.length, `${a.id}: reason is specific`).toBeGreaterThanOrEqual(60);
      expect(a.reason).not.toMatch(/\b(TODO|FIXME|suppress(ed)? for now|not needed)\b/i);
    }
  });
});
