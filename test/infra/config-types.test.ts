/**
 * One description of the deployment config: the JSON Schema. Its TypeScript types
 * (infra/config/schema-types.ts) are generated from it, and everything in infra/ reads the file
 * through them (infra/config/types.ts), so a field the schema gains, loses or makes required
 * changes what compiles. This test fails while the committed types lag behind the schema.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CHANNELS } from '../../infra/config/types.js';
import { configTypesSource, OUTPUT_PATH, readSchema } from '../../scripts/config-types.js';
import { RENDER_OPTION_FORMATS } from '../../shared/config/render-options.js';
import { SYSLOG_RANGES } from '../../shared/config/syslog-ranges.js';
import { ROOT } from './helpers.js';

describe('deployment config types', () => {
  it('infra/config/schema-types.ts is what the schema generates (else run npm run gen:config-types)', () => {
    expect(readFileSync(join(ROOT, OUTPUT_PATH), 'utf8')).toBe(configTypesSource(readSchema()));
  });

  it('a property, its optionality and its enum in the schema each show in the generated types', () => {
    const schema = readSchema();
    const syslog = schema.$defs.syslogDestination as { properties: Record<string, unknown>; required: string[] };
    const before = configTypesSource(schema);
    expect(before).toMatch(/readonly connectTimeoutMs\?: number;/);
    expect(before).toMatch(/readonly transport\?: "tls" \| "tcp" \| "udp" \| "relp";/);

    const added = structuredClone(schema) as typeof schema;
    (added.$defs.syslogDestination as typeof syslog).properties.keepAliveMs = { type: 'integer' };
    expect(configTypesSource(added)).toMatch(/readonly keepAliveMs\?: number;/);

    const required = structuredClone(schema) as typeof schema;
    (required.$defs.syslogDestination as typeof syslog).required.push('connectTimeoutMs');
    expect(configTypesSource(required)).toMatch(/readonly connectTimeoutMs: number;/);
    expect(configTypesSource(required)).not.toBe(before);
  });

  it('refuses schema constructs it cannot type instead of typing them loosely', () => {
    const schema = readSchema();
    const open = structuredClone(schema) as typeof schema;
    (open.$defs.render as { additionalProperties: unknown }).additionalProperties = true;
    expect(() => configTypesSource(open)).toThrow(/additionalProperties: false/);
  });

  it('CHANNELS are the alert subscriber channels of the schema', () => {
    const alerts = readSchema().$defs.alerts as { properties: { subscribers: { properties: object } } };
    expect([...CHANNELS].sort()).toEqual(Object.keys(alerts.properties.subscribers.properties).sort());
  });

  // one range per setting: the schema checks the file at synth, createSyslogSink the sink at runtime
  it.each(Object.entries(SYSLOG_RANGES))('%s has one range: the schema and the sink agree', (setting, range) => {
    type Bounds = { minimum?: number; maximum?: number; properties?: Record<string, Bounds> };
    let node = readSchema().$defs.syslogDestination as Bounds;
    for (const part of setting.split('.')) node = node.properties?.[part] as Bounds;
    expect({ min: node.minimum, max: node.maximum }).toEqual(range);
  });

  it('the render options the functions read are the ones the schema allows', () => {
    const render = readSchema().$defs.render as { properties: object };
    expect(Object.keys(RENDER_OPTION_FORMATS).sort()).toEqual(Object.keys(render.properties).sort());
  });
});
