/**
 * `segura-relay cost` end to end: the real bin (dist bundle rebuilt first, as a user runs it),
 * its output, JSON report and exit codes; usage errors exit 2 with one line naming the option.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));

function run(args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['bin/segura-relay.mjs', 'cost', ...args], { cwd: ROOT, timeout: 60_000 });
  return { code: r.status, stdout: r.stdout.toString('utf8'), stderr: r.stderr.toString('utf8') };
}

beforeAll(() => {
  const b = spawnSync(process.execPath, ['scripts/build-cli.mjs'], { cwd: ROOT, timeout: 60_000 });
  expect(b.status, b.stderr.toString()).toBe(0);
}, 60_000);

describe('segura-relay cost', () => {
  it('prints fixed and variable items with their basis and the totals for a config', () => {
    const r = run(['-c', 'examples/full.json', '--rate', '100']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Deployment segura-relay-prod: 100 events/s');
    for (const item of [
      'SNS events topic: PublishBatch',
      'Lambda normalize',
      'Firehose splunk (splunk)',
      'KMS keys',
      'CloudWatch custom metrics',
      'CloudWatch alarms',
      'NLB hours',
      'Interface endpoints',
    ])
      expect(r.stdout).toContain(item);
    expect(r.stdout).toMatch(/^all\s+\d+\s+USD \d+\.\d\d$/m);
  }, 60_000);

  it('--json carries the inventory counted from the stack and a consistent total', () => {
    const r = run(['-c', 'examples/full.json', '--rate', '5', '--event-bytes', '600', '--json']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.inventory.kmsKeys).toBeGreaterThan(0);
    expect(j.inventory.alarms).toBeGreaterThan(0);
    expect(j.inventory.consumers.map((c: { name: string }) => c.name)).toEqual([
      'normalize',
      'archive',
      'splunk',
      'collectors',
      'alerts',
    ]);
    const sum = j.lines.reduce((a: number, l: { usdMonth: number }) => a + l.usdMonth, 0);
    expect(j.totalUsdMonth).toBeCloseTo(sum, 6);
    expect(j.prices.region).toBe('us-east-1');
  }, 60_000);

  it.each([
    [['-c', 'examples/full.json'], '--rate'],
    [['--rate', '5'], '--config'],
    [['-c', 'examples/full.json', '--rate', 'fast'], '--rate'],
    [['-c', 'examples/full.json', '--rate', '5', '--event-bytes', '0'], '--event-bytes'],
    [['-c', 'examples/full.json', '--rate', '5', '--filtered-share', '2'], '--filtered-share'],
    [['-c', 'examples/nope.json', '--rate', '5'], '--config'],
  ])(
    'usage error %j exits 2 naming %s',
    (args, option) => {
      const r = run(args);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      const first = r.stderr.split('\n')[0] ?? '';
      expect(first).toMatch(/^segura-relay: /);
      expect(first).toContain(option);
    },
    60_000,
  );

  it('an unknown option is a usage error', () => {
    const r = run(['-c', 'examples/full.json', '--rate', '5', '--speed', '1']);
    expect(r.code).toBe(2);
    expect(r.stderr.split('\n')[0]).toContain('--speed');
  }, 60_000);
});
