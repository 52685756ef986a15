/**
 * A damaged spool loses only the records the damage touches: flipped bytes anywhere in a record
 * (payload, length, CRC, record magic), a damaged segment header, damage that appears while the
 * bridge runs, segments of the previous format (v1), and a segment that cannot be read at all
 * (quarantined). Every intact record is replayed, in order; the loss is counted exactly.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { Spool } from '../../../bridge/spool.js';
import { drain } from '../../helpers/spool.js';

const dirs: string[] = [];
const opened: Spool[] = [];
afterEach(async () => {
  for (const s of opened.splice(0)) await s.close().catch(() => undefined);
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tmp(): string {
  const d = mkdtempSync(join(tmpdir(), 'spool-damage-'));
  dirs.push(d);
  return join(d, 'spool');
}

type Line = { level: string; msg: string; fields: Record<string, unknown> };

async function openSpool(dir: string, lines: Line[] = [], o: Partial<Parameters<typeof Spool.open>[0]> = {}) {
  const s = await Spool.open({
    dir,
    maxBytes: 1 << 20,
    fsyncIntervalMs: 5,
    log: (level, msg, fields) => lines.push({ level, msg, fields: fields ?? {} }),
    ...o,
  });
  opened.push(s);
  return s;
}

/** Records of a v2 segment file, parsed independently of the spool's code: offset, size, body. */
function recordsOf(file: string): Array<{ offset: number; size: number; body: string }> {
  const buf = readFileSync(file);
  expect(buf.subarray(0, 8).toString('latin1')).toBe('SGRSPL2\n');
  const out: Array<{ offset: number; size: number; body: string }> = [];
  for (let off = 8; off < buf.length; ) {
    expect([...buf.subarray(off, off + 4)]).toEqual([0xff, 0xfe, 0x53, 0x52]);
    const len = buf.readUInt32BE(off + 4);
    out.push({ offset: off, size: 20 + len, body: buf.toString('utf8', off + 20, off + 20 + len) });
    off += 20 + len;
  }
  return out;
}

function flip(file: string, at: number, mask = 0x01): void {
  const buf = readFileSync(file);
  buf[at] = (buf[at] as number) ^ mask;
  writeFileSync(file, buf);
}

const segs = (dir: string) =>
  readdirSync(dir)
    .filter((n) => n.startsWith('seg-'))
    .sort()
    .map((n) => join(dir, n));

/** a spool of 8 segments, 10 records each, closed as a stopped bridge leaves it */
async function eightSegments(dir: string): Promise<string[]> {
  const s = await openSpool(dir, [], { segmentBytes: 8 + 10 * 86 });
  const bodies = Array.from({ length: 80 }, (_, i) => `<13>1 - record ${String(i).padStart(2, '0')} ${'x'.repeat(50)}`);
  // one flush per segment's worth, so every segment holds exactly 10
  for (let k = 0; k < 8; k++) {
    for (const b of bodies.slice(k * 10, k * 10 + 10)) s.append(s.nextSeq(), b);
    await s.flush();
  }
  await s.close();
  opened.splice(opened.indexOf(s), 1);
  return bodies;
}

describe('Spool: damage', () => {
  it('flipped bytes in several segments and a damaged header: every intact record is replayed, the loss counted exactly', async () => {
    // Prepare
    const dir = tmp();
    const bodies = await eightSegments(dir);
    const files = segs(dir);
    expect(files).toHaveLength(8);
    const recs = files.map(recordsOf);
    for (const r of recs) expect(r).toHaveLength(10);
    const rec = (seg: number, i: number) => recs[seg]?.[i] as { offset: number; size: number; body: string };
    const lost: Array<[number, number]> = [];
    // segment 1: a payload byte of record 3
    flip(files[1] as string, rec(1, 3).offset + 30);
    lost.push([1, 3]);
    // segment 2: the first and the last record's payloads
    flip(files[2] as string, rec(2, 0).offset + 25);
    flip(files[2] as string, rec(2, 9).offset + 40);
    lost.push([2, 0], [2, 9]);
    // segment 4: record 5's length (one byte longer: it would swallow the next record's magic)
    flip(files[4] as string, rec(4, 5).offset + 7, 0x01);
    lost.push([4, 5]);
    // segment 5: record 2's magic
    flip(files[5] as string, rec(5, 2).offset, 0x80);
    lost.push([5, 2]);
    // segment 6: its header ('SGRSPL2\n' → 'SGRTPL2\n'); its records are intact
    flip(files[6] as string, 3);
    // segment 7 (the last one): record 4's CRC
    flip(files[7] as string, rec(7, 4).offset + 9);
    lost.push([7, 4]);
    const lostBodies = new Set(lost.map(([sg, i]) => rec(sg, i).body));
    const lostBytes = lost.reduce((n, [sg, i]) => n + rec(sg, i).size, 0);

    // Act
    const lines: Line[] = [];
    const s = await openSpool(dir, lines);
    const got = await drain(s);

    // Assess: everything else, in order; the loss per segment and in total
    expect(got).toEqual(bodies.filter((b) => !lostBodies.has(b)));
    expect(got).toHaveLength(74);
    expect(s.lostRecords).toBe(6);
    expect(s.lostBytes).toBe(lostBytes);
    expect(s.quarantinedSegments).toBe(0);
    const damaged = lines.filter((l) => l.msg.startsWith('spool segment damaged'));
    expect(damaged.map((l) => [l.fields.segment, l.fields.lostRecords, l.fields.headerDamaged ?? false])).toEqual([
      [files[1]?.split('/').at(-1), 1, false],
      [files[2]?.split('/').at(-1), 2, false],
      [files[4]?.split('/').at(-1), 1, false],
      [files[5]?.split('/').at(-1), 1, false],
      [files[6]?.split('/').at(-1), 0, true],
      [files[7]?.split('/').at(-1), 1, false],
    ]);
    for (const l of damaged) expect(l.level).toBe('error');
    // mid-file damage is never called a torn tail
    expect(lines.map((l) => l.msg)).not.toContain('spool: cut a torn tail');
    expect(s.isEmpty()).toBe(true);
    expect(segs(dir)).toEqual([]);
  });

  it('damage that appears while running is skipped and counted when the reader reaches it', async () => {
    const dir = tmp();
    const s = await openSpool(dir);
    const bodies = Array.from({ length: 30 }, (_, i) => `<13>1 - live ${i}`);
    for (const b of bodies) s.append(s.nextSeq(), b);
    await s.flush();
    await s.ack(await s.read(10, 1 << 20));
    const [file] = segs(dir);
    const r15 = recordsOf(file as string)[15] as { offset: number; size: number; body: string };
    expect(r15.body).toBe('<13>1 - live 15');
    flip(file as string, r15.offset + 22);

    const rest = await drain(s);

    expect(rest).toEqual(bodies.slice(10).filter((_, i) => i !== 5));
    expect(s.lostRecords).toBe(1);
    expect(s.lostBytes).toBe(r15.size);
    expect(s.records).toBe(0);
    expect(s.isEmpty()).toBe(true);
  });

  it('reads segments of the previous format (v1) and resynchronizes in them by CRC and sequence', async () => {
    const dir = tmp();
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const seq0 = 1_800_000_000_000 * 1024;
    const bodies = Array.from({ length: 6 }, (_, i) => `<13>1 - v1 record ${i}`);
    const parts = [Buffer.from('SGRSPL1\n', 'latin1')];
    const offsets: number[] = [];
    let off = 8;
    bodies.forEach((b, i) => {
      const payload = Buffer.from(b);
      const rec = Buffer.alloc(16 + payload.length);
      rec.writeUInt32BE(payload.length, 0);
      rec.writeUInt32BE(Math.floor((seq0 + i) / 2 ** 32), 8);
      rec.writeUInt32BE((seq0 + i) >>> 0, 12);
      payload.copy(rec, 16);
      rec.writeUInt32BE(crc32(rec.subarray(8)), 4);
      parts.push(rec);
      offsets.push(off);
      off += rec.length;
    });
    const file = join(dir, `seg-${String(seq0).padStart(16, '0')}.spool`);
    writeFileSync(file, Buffer.concat(parts));
    flip(file, (offsets[2] as number) + 20);

    const s = await openSpool(dir);
    expect(await drain(s)).toEqual(bodies.filter((_, i) => i !== 2));
    expect(s.lostRecords).toBe(1);
    // new records continue after the old sequence numbers
    expect(s.nextSeq()).toBeGreaterThan(seq0 + 5);
  });

  it('a segment that keeps failing to read is quarantined and the spool goes on with the next', async () => {
    const dir = tmp();
    const s = await openSpool(dir, [], { segmentBytes: 8 + 5 * 32 });
    const bodies = Array.from({ length: 20 }, (_, i) => `<13>1 - q ${String(i).padStart(2, '0')}`);
    for (let k = 0; k < 4; k++) {
      for (const b of bodies.slice(k * 5, k * 5 + 5)) s.append(s.nextSeq(), b);
      await s.flush();
    }
    const files = segs(dir);
    expect(files).toHaveLength(4);
    // the first segment becomes unreadable (EISDIR on every read)
    renameSync(files[0] as string, `${files[0]}.gone`);
    mkdirSync(files[0] as string);

    await expect(s.read(10, 1 << 20)).rejects.toThrow(/EISDIR/);
    await expect(s.read(10, 1 << 20)).rejects.toThrow(/EISDIR/);
    const third = await s.read(10, 1 << 20);

    expect(third.records.map((r) => r.body)).toEqual(bodies.slice(5, 10));
    expect(s.quarantinedSegments).toBe(1);
    expect(s.lostRecords).toBe(5);
    expect(readdirSync(join(dir, 'quarantine'))).toEqual([files[0]?.split('/').at(-1)]);
    await s.ack(third);
    expect(await drain(s)).toEqual(bodies.slice(10));
    expect(s.isEmpty()).toBe(true);
  });
});
