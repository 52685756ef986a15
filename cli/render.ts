/**
 * `segura-relay render`: NDJSON envelopes or raw vault lines on stdin → one rendered event per line
 * (or RFC 6587 frame) on stdout. Streaming, flat memory. A bad line is reported on stderr with its
 * line number and reason; the rest still render; the exit code is 1 if anything failed.
 */
import { maxBytesIssue } from '../shared/config/render-options.js';
import { errorMessage, InvalidEventError, PipelineError } from '../shared/errors.js';
import { redactSecrets } from '../shared/model/secrets.js';
import { DEFAULT_MAX_INPUT_BYTES, parseInput } from '../shared/parse/parse-payload.js';
import { createRenderer, FORMATS } from '../shared/render/index.js';
import type { Format } from '../shared/render/types.js';
import { choice, intOption, parse, UsageError } from './args.js';
import { BufferedOut, encodingMessage, LineErrors, readLines } from './lines.js';

const HELP = `Usage: segura-relay render --format cef|rfc5424|leef|ecs [options] < events.ndjson

Reads one event per line on stdin: a JSON envelope ({"id":"164",...}), the vault's native
RFC 5424 line, or a CEF line. Writes one rendered event per line (or frame) on stdout.

Options:
  --format F          cef | rfc5424 | leef | ecs (required)
  --framing F         none (default: one per line) | lf (RFC 6587 non-transparent framing: the
                      same bytes as none, a line per event, since no rendered event holds an LF)
                      | octet (RFC 6587 octet counting: "LEN SP MSG", no separator)
  --max-bytes N       size budget per event in UTF-8 bytes, per format: cef 64–1024000,
                      rfc5424 128–1024000, leef 128–1024000, ecs 256–1024000 (as render.maxBytes
                      in a deployment config); only the free text (msg) is shortened, ending in "…";
                      an event that cannot fit fails with the bytes it needs
  --mode M            strict (default: standard CEF keys, vault keys mapped to labeled fields) | compatible (keys verbatim)
  --vendor S          CEF/LEEF vendor (default MT4)
  --product S         CEF/LEEF/ECS product for every event, overriding the vault's own
                      (default: the product the input carries, else Segura)
  --device-version S  vault version when the input carries none (default 3; the input's wins)
  --facility N        RFC 5424 facility 0-23 (default 1 = user)
  --app-name S        RFC 5424 APP-NAME (default Segura)
  --msg M             RFC 5424 MSG: cef (default) | kv (the vault's key=value text)
  --bom B             RFC 5424 BOM: never | auto | always
  --sd-id ID          RFC 5424 SD element name@PEN (e.g. segura@32473)
  --delimiter C       LEEF attribute delimiter (default ^)
  --allow-secret-fields  keep fields that look secret (password, token, key material…); by default
                      they are written as [redacted], as the relay does
  -h, --help          this help

Time: cef rt in epoch milliseconds; rfc5424 TIMESTAMP in UTC with 3 fraction digits, or 6 when the
input had microseconds; leef devTime in the vault's own offset, 3 fraction digits; ecs @timestamp in
UTC (3 or 6 digits, as rfc5424) and the vault's offset in event.timezone (-03:00).

Exit status: 0 all rendered, 1 some lines failed (see stderr), 2 usage error.`;

/** Options that only some formats read (shared/render/index.ts: createRenderer). */
const FORMAT_OPTIONS: readonly (readonly [
  'mode' | 'facility' | 'app-name' | 'msg' | 'bom' | 'sd-id' | 'delimiter',
  readonly string[],
])[] = [
  ['mode', ['cef', 'rfc5424']],
  ['facility', ['rfc5424']],
  ['app-name', ['rfc5424']],
  ['msg', ['rfc5424']],
  ['bom', ['rfc5424']],
  ['sd-id', ['rfc5424']],
  ['delimiter', ['leef']],
];

/** `--max-bytes`: the deployment config's rule for the format (shared/config/render-options.ts). */
function maxBytesOption(v: string | undefined, format: Format): number | undefined {
  if (v === undefined) return undefined;
  const n = /^\d{1,9}$/.test(v) ? Number(v) : v;
  const issue = maxBytesIssue(format, n);
  if (issue !== null) throw new UsageError(`--max-bytes: ${issue.replace(' for format ', ' for --format ')}`);
  return n as number;
}

async function renderCommand(
  argv: string[],
  io: { stdin: NodeJS.ReadableStream; stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream },
): Promise<number> {
  const { values: v } = parse(argv, {
    format: { type: 'string' },
    framing: { type: 'string' },
    'max-bytes': { type: 'string' },
    mode: { type: 'string' },
    vendor: { type: 'string' },
    product: { type: 'string' },
    'device-version': { type: 'string' },
    facility: { type: 'string' },
    'app-name': { type: 'string' },
    msg: { type: 'string' },
    bom: { type: 'string' },
    'sd-id': { type: 'string' },
    delimiter: { type: 'string' },
    'allow-secret-fields': { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  if (v.help) {
    io.stdout.write(`${HELP}\n`);
    return 0;
  }
  const format = choice('format', v.format, FORMATS);
  if (format === undefined) throw new UsageError('--format is required (cef, rfc5424, leef or ecs)');
  // an option the chosen format does not read is refused, not silently ignored
  for (const [opt, formats] of FORMAT_OPTIONS) {
    if (v[opt] !== undefined && !formats.includes(format))
      throw new UsageError(`--${opt} applies to --format ${formats.join(' or ')} only, not ${format}`);
  }
  const framing = choice('framing', v.framing, ['none', 'lf', 'octet'] as const) ?? 'none';
  let renderer: ReturnType<typeof createRenderer>;
  try {
    renderer = createRenderer(format, {
      maxBytes: maxBytesOption(v['max-bytes'], format),
      mode: choice('mode', v.mode, ['strict', 'compatible'] as const),
      vendor: v.vendor,
      product: v.product,
      deviceVersion: v['device-version'],
      facility: intOption('facility', v.facility, 0, 23),
      appName: v['app-name'],
      msg: choice('msg', v.msg, ['cef', 'kv'] as const),
      bom: choice('bom', v.bom, ['never', 'auto', 'always'] as const),
      sdId: v['sd-id'],
      delimiter: v.delimiter,
    });
  } catch (e) {
    if (e instanceof PipelineError) throw new UsageError(e.message);
    throw e;
  }
  const out = new BufferedOut(io.stdout);
  const receivedAtMs = Date.now();
  const allowSecrets = v['allow-secret-fields'] === true;
  let ok = 0;
  let truncated = 0;
  const errors = new LineErrors((s) => io.stderr.write(s));
  const fail = (n: number, reason: string): void => errors.report(n, reason);
  for await (const ev of readLines(io.stdin, DEFAULT_MAX_INPUT_BYTES)) {
    if (ev.kind === 'encoding') {
      io.stderr.write(`segura-relay render: ${encodingMessage(ev)}\n`);
      continue;
    }
    if (ev.kind === 'toolong') {
      fail(ev.n, `oversize: ${ev.bytes} bytes exceeds the ${DEFAULT_MAX_INPUT_BYTES}-byte limit`);
      continue;
    }
    if (ev.text.trim() === '') continue;
    try {
      const parsed = parseInput(ev.text, { receivedAtMs });
      const r = renderer.renderWithInfo(allowSecrets ? parsed : redactSecrets(parsed));
      if (r.truncated) truncated++;
      await out.write(framing === 'octet' ? `${Buffer.byteLength(r.text, 'utf8')} ${r.text}` : `${r.text}\n`);
      ok++;
    } catch (e) {
      if (e instanceof InvalidEventError) fail(ev.n, `invalid ${e.code}: ${e.message}`);
      else if (e instanceof PipelineError) fail(ev.n, e.message);
      else throw e;
    }
  }
  await out.flush();
  errors.finish();
  const failed = errors.count;
  if (failed > 0 || truncated > 0) {
    io.stderr.write(`rendered ${ok}, failed ${failed}${truncated ? `, truncated ${truncated}` : ''}\n`);
  }
  return failed > 0 ? 1 : 0;
}

/**
 * Benchmark baseline: the same line reader and writer as `render`, with `JSON.parse` +
 * `JSON.stringify` as the per-line work. `npm run bench` reports render throughput relative to it.
 */
async function jsonRoundTripCommand(io: {
  stdin: NodeJS.ReadableStream;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}): Promise<number> {
  const out = new BufferedOut(io.stdout);
  let failed = 0;
  for await (const ev of readLines(io.stdin, DEFAULT_MAX_INPUT_BYTES)) {
    if (ev.kind === 'encoding') continue;
    if (ev.kind === 'toolong') {
      failed++;
      continue;
    }
    if (ev.text.trim() === '') continue;
    try {
      await out.write(`${JSON.stringify(JSON.parse(ev.text))}\n`);
    } catch (e) {
      failed++;
      io.stderr.write(`line ${ev.n}: ${errorMessage(e)}\n`);
    }
  }
  await out.flush();
  return failed > 0 ? 1 : 0;
}

export { jsonRoundTripCommand, renderCommand };
