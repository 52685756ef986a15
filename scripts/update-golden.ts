/**
 * Regenerate the golden files of the renderer suite (test/fixtures/golden/README.md):
 *
 *   npx tsx scripts/update-golden.ts            # re-render every variant × input
 *   npx tsx scripts/update-golden.ts --inputs   # first rewrite the layout inputs from the catalog
 *
 * Every rendered line is checked with the strict reference parsers before it is written; a line that
 * fails is NOT written (the script lists it and exits 1), so a renderer bug cannot be baked into a
 * golden file. Review `git diff test/fixtures/golden` before committing.
 *
 * The test (`test/unit/render/golden.test.ts`) imports the helpers below and never writes.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { errorMessage, RenderError } from '../shared/errors.js';
import { LAYOUTS, layoutExampleFields } from '../shared/model/catalog-docs.js';
import type { Layout } from '../shared/model/catalog-types.js';
import { EventIdKey, withUid } from '../shared/model/event-uid.js';
import type { SecurityEvent } from '../shared/model/security-event.js';
import { parseInput } from '../shared/parse/parse-payload.js';
import { extensionPairs } from '../shared/render/cef-mapping.js';
import { createRenderer, FORMATS, type Format, type RenderConfig } from '../shared/render/index.js';
import {
  checkCefStrict,
  checkLeefStrict,
  checkRfc5424Strict,
  controlIndex,
  isWellFormedUtf16,
} from '../test/helpers/strict-parsers.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const INPUT_DIR = join(ROOT, 'test/fixtures/events/layouts');
const GOLDEN_DIR = join(ROOT, 'test/fixtures/golden');
/** Input shapes other than the envelope (raw lines, one per file): `shape-<slug>.txt` in each variant. */
const SHAPE_DIR = join(ROOT, 'test/fixtures/events/shapes');

/**
 * The event id key of the golden files (fixed, so the ids are stable; not a deployment's key) and
 * the receive time every input is given (the SQS SentTimestamp: year of a BSD or year-less CEF date).
 */
const GOLDEN_ID_KEY = new EventIdKey('segura-relay-golden-files-event-id-key');
const GOLDEN_RECEIVED_AT_MS = Date.parse('2026-01-19T13:41:05.000Z');

/** Fixed envelope values shared by every layout input. */
const INPUT_TIMESTAMP = '2026-01-19T10:41:00.123-03:00';
const INPUT_HOST = 'vault-01';
const INPUT_PID = 1426;
/** Layouts without a catalog id get 9001, 9002, … in LAYOUTS order (resolved by their signature). */
const FIRST_UNKNOWN_ID = 9001;

/** A variant folder: `test/fixtures/golden/<name>/variant.json`. */
interface Variant {
  readonly name: string;
  readonly format: Format;
  readonly options: RenderConfig;
  readonly description: string;
}

/** The outcome of rendering one case: the line, or the RenderError a budget variant expects. */
type CaseResult =
  | { readonly kind: 'line'; readonly text: string; readonly truncated: boolean }
  | {
      readonly kind: 'error';
      readonly message: string;
    };

/** The input envelope for a layout: its keys in order with their non-empty example values. */
function layoutEnvelope(layout: Layout, id: string): Record<string, unknown> {
  // a key the table repeats (act) is sent the way the relay names it (act_2)
  const fields = layoutExampleFields(layout);
  return { id, timestamp: INPUT_TIMESTAMP, host: INPUT_HOST, pid: INPUT_PID, fields };
}

/** Every documented layout with its input id (the first catalog id, else 9001, 9002, …). */
function layoutCases(): Array<{ readonly layout: Layout; readonly id: string }> {
  let unknown = FIRST_UNKNOWN_ID;
  return LAYOUTS.map((layout) => ({ layout, id: layout.eventIds[0] ?? String(unknown++) }));
}

/** Input slugs present on disk (file names without `.json`), sorted. */
function inputSlugs(): string[] {
  return readdirSync(INPUT_DIR)
    .filter((f) => f.endsWith('.json'))
    .map((f) => f.slice(0, -5))
    .sort();
}

function readInput(slug: string): string {
  return readFileSync(join(INPUT_DIR, `${slug}.json`), 'utf8');
}

/** Shape slugs present on disk (file names without `.txt`), sorted. */
function shapeSlugs(): string[] {
  return readdirSync(SHAPE_DIR)
    .filter((f) => f.endsWith('.txt'))
    .map((f) => f.slice(0, -4))
    .sort();
}

/** A shape input: the file's one line, without its final LF. */
function readShape(slug: string): string {
  return readFileSync(join(SHAPE_DIR, `${slug}.txt`), 'utf8').replace(/\n$/, '');
}

/**
 * What normalize publishes for an input, with the golden key: parsed at the golden receive time,
 * with its stable id (functions/normalize/normalize.ts, without the redaction the inputs never need).
 */
function goldenEvent(payload: string): SecurityEvent {
  return withUid(GOLDEN_ID_KEY, payload, parseInput(payload, { receivedAtMs: GOLDEN_RECEIVED_AT_MS }));
}

/** Every golden case: the SIEM integration guide envelopes (`<slug>`), then the shapes (`shape-<slug>`). */
function goldenCases(): Array<{ readonly name: string; readonly payload: string }> {
  return [
    ...inputSlugs().map((slug) => ({ name: slug, payload: readInput(slug) })),
    ...shapeSlugs().map((slug) => ({ name: `shape-${slug}`, payload: readShape(slug) })),
  ];
}

/** Variant folders, sorted by name. */
function loadVariants(): Variant[] {
  const out: Variant[] = [];
  for (const name of readdirSync(GOLDEN_DIR, { withFileTypes: true })) {
    if (!name.isDirectory()) continue;
    const cfg = JSON.parse(readFileSync(join(GOLDEN_DIR, name.name, 'variant.json'), 'utf8')) as Omit<Variant, 'name'>;
    if (!(FORMATS as readonly string[]).includes(cfg.format))
      throw new Error(`${name.name}: unknown format ${cfg.format}`);
    out.push({ name: name.name, format: cfg.format, options: cfg.options ?? {}, description: cfg.description });
  }
  return out.sort((a, b) => a.name.localeCompare(b.name));
}

function goldenPath(variant: string, slug: string): string {
  return join(GOLDEN_DIR, variant, `${slug}.txt`);
}

/** Render one case; a RenderError becomes an `error` result (budget variants pin their refusals). */
function renderCase(variant: Variant, event: SecurityEvent): CaseResult {
  try {
    const r = createRenderer(variant.format, variant.options).renderWithInfo(event);
    return { kind: 'line', text: r.text, truncated: r.truncated };
  } catch (e) {
    if (e instanceof RenderError) return { kind: 'error', message: e.message };
    throw e;
  }
}

/** The golden file's content: the line (or `!RenderError: message`) and exactly one LF. */
function goldenText(r: CaseResult): string {
  return r.kind === 'line' ? `${r.text}\n` : `!RenderError: ${r.message}\n`;
}

/** What the CEF extension must contain: the model's head pairs, then the mapped fields. */
function predictedCefPairs(e: SecurityEvent, mode: 'strict' | 'compatible'): Array<readonly [string, string]> | null {
  const head: Array<readonly [string, string]> = [];
  if (e.time !== null) head.push(['rt', String(e.time.epochMs)]);
  if (e.host !== null) head.push(['dvchost', e.host]);
  if (e.pid !== null) {
    // a non-numeric pid is relocated in strict mode: not predicted here (cef-mapping.test.ts covers it)
    if (mode === 'strict' && !/^\d{1,9}$/.test(e.pid)) return null;
    head.push(['dvcpid', e.pid]);
  }
  if (e.uid !== undefined) head.push(['externalId', e.uid]);
  return [...head, ...extensionPairs(e.fields, mode)];
}

/** Check a CEF payload against the event; returns problems (empty when fine). */
function cefProblems(cef: string, e: SecurityEvent, mode: 'strict' | 'compatible', truncated: boolean): string[] {
  const problems: string[] = [];
  const c = checkCefStrict(cef);
  if (c.header.signatureId !== e.eventId) problems.push(`signature id ${c.header.signatureId} ≠ ${e.eventId}`);
  if (c.header.name !== e.name) problems.push(`name ${JSON.stringify(c.header.name)} ≠ ${JSON.stringify(e.name)}`);
  if (c.header.severity !== String(e.cefSeverity)) problems.push(`severity ${c.header.severity} ≠ ${e.cefSeverity}`);
  const keys = c.pairs.map(([k]) => k);
  const dup = keys.filter((k, i) => keys.indexOf(k) !== i);
  if (dup.length) problems.push(`duplicate keys ${dup.join(', ')}`);
  for (const k of keys) {
    // docs/formats.md §1.3: use only [A-Za-z0-9] keys (the relay's own field keys may also carry `_`)
    if (!/^[A-Za-z][A-Za-z0-9_]*$/.test(k)) problems.push(`key ${k} outside [A-Za-z][A-Za-z0-9_]*`);
  }
  const predicted = predictedCefPairs(e, mode);
  if (predicted !== null) {
    const got = c.pairs.map(([k, v]) => (truncated && k === 'msg' ? [k, '…'] : [k, v]));
    const want = predicted.map(([k, v]) => (truncated && k === 'msg' ? [k, '…'] : [k, v]));
    if (JSON.stringify(got) !== JSON.stringify(want)) {
      problems.push(
        `extension pairs differ from the mapping:\n  got  ${JSON.stringify(got)}\n  want ${JSON.stringify(want)}`,
      );
    }
  }
  // nothing dropped: every field value (labels included) is some pair's value
  const values = new Set(c.pairs.map(([, v]) => v));
  for (const [k, v] of Object.entries(e.fields)) {
    if (truncated && k === 'msg') continue;
    if (!values.has(v)) problems.push(`field ${k}=${JSON.stringify(v)} is missing from the extension`);
  }
  return problems;
}

/**
 * Structural checks of a rendered case against docs/formats.md (strict reference parsers) and against the
 * event. Returns problems; empty means the output may become (or stay) a golden file.
 */
function validateCase(variant: Variant, e: SecurityEvent, r: CaseResult): string[] {
  if (r.kind === 'error') {
    // a refusal is only pinned when the same event renders validly without the budget
    const { maxBytes: _ignored, ...rest } = variant.options;
    const full = renderCase({ ...variant, options: rest }, e);
    if (full.kind === 'error') return [`renders an error even without a budget: ${full.message}`];
    return validateCase({ ...variant, options: rest }, e, full).map((p) => `(without maxBytes) ${p}`);
  }
  const line = r.text;
  const problems: string[] = [];
  try {
    if (!isWellFormedUtf16(line)) problems.push('lone surrogate');
    const max = variant.options.maxBytes;
    if (max !== undefined && Buffer.byteLength(line, 'utf8') > max) problems.push(`longer than maxBytes ${max}`);
    const mode = variant.options.mode ?? 'strict';
    switch (variant.format) {
      case 'cef':
        problems.push(...cefProblems(line, e, mode, r.truncated));
        break;
      case 'rfc5424': {
        const s = checkRfc5424Strict(line);
        if (s.msgId !== e.eventId) problems.push(`MSGID ${s.msgId} ≠ ${e.eventId}`);
        if (s.severity !== e.syslogSeverity) problems.push(`severity ${s.severity} ≠ ${e.syslogSeverity}`);
        if (s.facility !== (variant.options.facility ?? 1)) problems.push(`facility ${s.facility}`);
        if (e.time !== null && s.epochMs !== e.time.epochMs) problems.push(`TIMESTAMP ${s.timestamp} ≠ event time`);
        if (variant.options.sdId !== undefined && s.sd[0]?.id !== variant.options.sdId) problems.push('SD-ID missing');
        if (variant.options.sdId !== undefined && e.uid !== undefined) {
          const uid = s.sd[0]?.params.find(([k]) => k === 'uid')?.[1];
          if (uid !== e.uid) problems.push(`SD uid ${uid} ≠ ${e.uid}`);
        }
        if ((variant.options.msg ?? 'cef') === 'cef') {
          if (s.bom) problems.push('BOM before a CEF MSG (default bom: never)');
          problems.push(...cefProblems(s.msg ?? '', e, mode, r.truncated));
        } else if (s.bom !== /[^\x00-\x7f]/.test(s.msg ?? '')) problems.push('kv MSG: BOM iff non-ASCII expected');
        break;
      }
      case 'leef': {
        const l = checkLeefStrict(line);
        const keys = l.attrs.map(([k]) => k);
        const dup = keys.filter((k, i) => keys.indexOf(k) !== i);
        if (dup.length) problems.push(`duplicate LEEF attributes ${dup.join(', ')}`);
        if (l.eventId !== e.eventId) problems.push(`LEEF event id ${l.eventId}`);
        const ext = l.attrs.find(([k]) => k === 'externalId')?.[1];
        if (ext !== e.uid) problems.push(`LEEF externalId ${ext} ≠ ${e.uid}`);
        break;
      }
      case 'ecs': {
        if (/[\r\n]/.test(line)) problems.push('raw line break');
        const doc = JSON.parse(line) as { segura?: { fields?: unknown }; event?: { code?: unknown; id?: unknown } };
        if (doc.event?.code !== e.eventId) problems.push('event.code');
        if (doc.event?.id !== e.uid) problems.push(`event.id ${String(doc.event?.id)} ≠ ${e.uid}`);
        if (!r.truncated && JSON.stringify(doc.segura?.fields) !== JSON.stringify(e.fields)) {
          problems.push('segura.fields differs from the event fields');
        }
        break;
      }
    }
    if (variant.format !== 'ecs' && controlIndex(line) !== -1) problems.push('raw control character');
  } catch (err) {
    problems.push(errorMessage(err));
  }
  return problems;
}

function writeInputs(): void {
  mkdirSync(INPUT_DIR, { recursive: true });
  for (const { layout, id } of layoutCases()) {
    writeFileSync(join(INPUT_DIR, `${layout.slug}.json`), `${JSON.stringify(layoutEnvelope(layout, id), null, 2)}\n`);
  }
}

function main(argv: string[]): number {
  if (argv.includes('--inputs')) writeInputs();
  let written = 0;
  const refused: string[] = [];
  for (const variant of loadVariants()) {
    for (const { name: slug, payload } of goldenCases()) {
      const event = goldenEvent(payload);
      const r = renderCase(variant, event);
      const problems = validateCase(variant, event, r);
      if (problems.length > 0) {
        refused.push(`${variant.name}/${slug}.txt:\n  ${problems.join('\n  ')}\n  output: ${goldenText(r).trimEnd()}`);
        continue;
      }
      writeFileSync(goldenPath(variant.name, slug), goldenText(r));
      written++;
    }
  }
  process.stdout.write(`update-golden: wrote ${written} golden files\n`);
  if (refused.length > 0) {
    process.stderr.write(
      `update-golden: REFUSED ${refused.length} outputs that fail the strict checks (renderer bug?):\n${refused.join('\n')}\n`,
    );
    return 1;
  }
  return 0;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = main(process.argv.slice(2));
}

export type { CaseResult, Variant };
export {
  FIRST_UNKNOWN_ID,
  GOLDEN_DIR,
  GOLDEN_ID_KEY,
  GOLDEN_RECEIVED_AT_MS,
  goldenCases,
  goldenEvent,
  goldenPath,
  goldenText,
  INPUT_DIR,
  inputSlugs,
  layoutCases,
  layoutEnvelope,
  loadVariants,
  readInput,
  readShape,
  renderCase,
  shapeSlugs,
  validateCase,
};
