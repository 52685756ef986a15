/**
 * Upgrades are safe: each example synthesized at this commit, deployed over the template of the
 * previous release, replaces or deletes no stateful resource (queue, DLQ, throttle table, bucket,
 * KMS key) unless test/infra/releases/<release>/allowed-replacements.json lists it with a reason.
 *
 * The baselines are the templates each example synthesized to at the release (asset hashes
 * masked), stored as test/infra/releases/<release>/<example>.template.json. At each release, add
 * the new folder with `npx tsx scripts/release-baseline.ts <release>` (docs/deploy.md, "Update").
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXAMPLE_FILES, example, exampleDoc, type Json, parseInExamples, ROOT, synthConfig } from './helpers.js';
import { statefulReplacements } from './replacement.js';

const RELEASES = join(ROOT, 'test', 'infra', 'releases');

/** Release folders, oldest first (`0.1` < `0.2` < `0.10`). */
function releases(): string[] {
  const num = (v: string) => v.split('.').map(Number);
  return readdirSync(RELEASES)
    .filter((d) => /^\d+(\.\d+)*$/.test(d))
    .sort((a, b) => {
      const [x, y] = [num(a), num(b)];
      for (let i = 0; i < Math.max(x.length, y.length); i++) {
        const d = (x[i] ?? 0) - (y[i] ?? 0);
        if (d) return d;
      }
      return 0;
    });
}

const previous = releases().at(-1) as string;
const dir = join(RELEASES, previous);
const baselines = readdirSync(dir)
  .filter((f) => f.endsWith('.template.json'))
  .map((f) => f.replace(/\.template\.json$/, ''))
  .sort();
const allowedFile = join(dir, 'allowed-replacements.json');
const allowed: Record<string, Record<string, string>> = existsSync(allowedFile)
  ? JSON.parse(readFileSync(allowedFile, 'utf8'))
  : {};
delete allowed.$comment;

describe(`upgrade from release ${previous}`, () => {
  it('has a baseline for examples that existed then, and each baseline is still an example', () => {
    expect(baselines.length).toBeGreaterThanOrEqual(7);
    for (const b of baselines) expect(EXAMPLE_FILES, `${b}.json still exists`).toContain(`${b}.json`);
  });

  it.each(baselines)('%s: no stateful resource replaced unless allow-listed with a reason', (name) => {
    const before = JSON.parse(readFileSync(join(dir, `${name}.template.json`), 'utf8'));
    const found = statefulReplacements(before, example(`${name}.json`).template.toJSON());
    const ok = allowed[name] ?? {};
    const unexpected = found.filter((r) => !(r.logicalId in ok));
    expect(unexpected, 'replacements not in allowed-replacements.json').toEqual([]);
    // every allow-list entry still matches a replacement and gives a real reason
    for (const [id, reason] of Object.entries(ok)) {
      expect(
        found.map((r) => r.logicalId),
        `${id} is allow-listed but no longer replaced`,
      ).toContain(id);
      expect(reason.length).toBeGreaterThanOrEqual(60);
    }
  });

  it('allow-lists only examples that have a baseline', () => {
    for (const name of Object.keys(allowed)) expect(baselines).toContain(name);
  });
});

describe('the guard itself', () => {
  const base = () => example('full.json').template.toJSON();

  it('flags a destination rename without a stable id (its queue and DLQ would be replaced)', () => {
    const doc: Json = structuredClone(exampleDoc('full.json'));
    doc.destinations[0].name = 'archive-renamed';
    const found = statefulReplacements(base(), synthConfig(parseInExamples(doc)).template.toJSON());
    expect(found.map((r) => r.logicalId)).toEqual([
      expect.stringMatching(/^FirehosearchiveQueue[0-9A-F]{8}$/),
      expect.stringMatching(/^FirehosearchiveQueueDeadLetterQueue/),
    ]);
    expect(found.every((r) => r.why.startsWith('deleted'))).toBe(true);
  });

  it('flags a property change that requires replacement, and ignores one that does not', () => {
    const before = base();
    const after: Json = structuredClone(before);
    const [tableId] = Object.entries(after.Resources).find(([, r]) => (r as Json).Type === 'AWS::DynamoDB::Table') as [
      string,
      Json,
    ];
    after.Resources[tableId].Properties.KeySchema = [{ AttributeName: 'id', KeyType: 'HASH' }];
    const [queueId] = Object.entries(after.Resources).find(([, r]) => (r as Json).Type === 'AWS::SQS::Queue') as [
      string,
      Json,
    ];
    after.Resources[queueId].Properties.MessageRetentionPeriod = 60; // updatable in place
    expect(statefulReplacements(before, after)).toEqual([
      { logicalId: tableId, type: 'AWS::DynamoDB::Table', why: 'replacing properties changed: KeySchema' },
    ]);
    after.Resources[queueId].Properties.QueueName = 'fixed-name';
    expect(statefulReplacements(before, after).map((r) => r.logicalId)).toContain(queueId);
  });
});
