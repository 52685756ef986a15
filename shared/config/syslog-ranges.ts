/**
 * The range of each numeric setting of a syslog destination, once. The deployment config schema
 * (`schemas/deployment-config.v1.schema.json`, `$defs.syslogDestination`) carries the same bounds
 * and checks the file at synth; test/infra/config-types.test.ts keeps the two equal.
 * createSyslogSink (shared/deliver/syslog/syslog-sink.ts) checks a sink's config against them
 * once at runtime; the transports it builds trust it.
 */
interface Range {
  readonly min: number;
  readonly max: number;
}

const SYSLOG_RANGES = {
  port: { min: 1, max: 65_535 },
  connectTimeoutMs: { min: 100, max: 60_000 },
  writeTimeoutMs: { min: 100, max: 120_000 },
  // RFC 768: 65,535 - 8 (UDP header) - 20 (IPv4 header); 480 is RFC 5426 §3.2's floor for IPv4
  maxDatagramBytes: { min: 480, max: 65_507 },
  // upper bound: "a very large window can be abused for denial of service" (the RELP specification)
  'relp.window': { min: 1, max: 10_000 },
} as const satisfies Readonly<Record<string, Range>>;

type SyslogRangeSetting = keyof typeof SYSLOG_RANGES;

/** `an integer 100–60000` */
function rangeText(setting: SyslogRangeSetting): string {
  const r: Range = SYSLOG_RANGES[setting];
  return `an integer ${r.min}–${r.max}`;
}

function inSyslogRange(setting: SyslogRangeSetting, value: unknown): value is number {
  const r: Range = SYSLOG_RANGES[setting];
  return typeof value === 'number' && Number.isInteger(value) && value >= r.min && value <= r.max;
}

export type { SyslogRangeSetting };
export { inSyslogRange, rangeText, SYSLOG_RANGES };
