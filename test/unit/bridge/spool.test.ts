/**
 * The bridge's on-disk spool: order, bound, segment deletion only after acknowledgement, and what a
 * crash leaves (torn tail cut, cursor honoured, at-least-once).
 */
import { appendFileSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Spool, SpoolLockedError, type SpoolLog } from '../../../bridge/spool.js';
import { drain } from '../../helpers/spool.js';

const dirs: string[] = [];
const open: Spool[] = [];
afterEach(async () => {
  for (const s of open.splice(0)) await s.close().catch(() => undefined);
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tmp(): string {
  const d = mkdtempSync(join(tmpdir(), 'spool-test-'));
  dirs.push(d);
  return join(d, 'spool');
}

function recorder(): { log: SpoolLog; lines: Array<{ level: string; msg: string }> } {
  const lines: Array<{ level: string; msg: string }> = [];
  return { log: (level, msg) => lines.push({ level, msg }), lines };
}

async function openSpool(dir: string, o: Partial<Parameters<typeof Spool.open>[0]> = {}): Promise<Spool> {
  const s = await Spool.open({ dir, maxBytes: 1 << 20, fsyncIntervalMs: 5, ...o });
  open.push(s);
  return s;
}

const segments = (dir: string) => readdirSync(dir).filter((n) => n.startsWith('seg-'));

describe('Spool', () => {
  it('replays in append order across segments and deletes a segment only once all of it was acknowledged', async () => {
    // Prepare: 4 KiB segments so 60 records of ~200 bytes span several
    const dir = tmp();
    const s = await openSpool(dir, { segmentBytes: 4096 });
    const bodies = Array.from({ length: 60 }, (_, i) => `<13>1 - msg ${i} José ${'x'.repeat(180)}`);
    for (const b of bodies) expect(s.append(s.nextSeq(), b)).toBe(true);
    await s.flush();
    expect(segments(dir).length).toBeGreaterThan(2);
    expect(s.records).toBe(60);

    // Act: read one batch, do not ack it: nothing may be deleted
    const first = await s.read(10, 1 << 20);
    const before = segments(dir).length;
    expect(segments(dir)).toHaveLength(before);
    await s.ack(first);
    const rest = await drain(s);

    // Assess
    expect([...first.records.map((r) => r.body), ...rest]).toEqual(bodies);
    expect(s.isEmpty()).toBe(true);
    expect(segments(dir)).toEqual([]);
    expect(existsSync(join(dir, 'cursor.json'))).toBe(false);
    expect(s.bytes).toBe(0);
  });

  it('honours maxBytes (append refuses, writing nothing) and frees space as batches are acknowledged', async () => {
    const dir = tmp();
    const s = await openSpool(dir, { maxBytes: 2048, segmentBytes: 512 });
    const body = 'm'.repeat(100); // 116 bytes per record with its header
    let accepted = 0;
    while (s.append(s.nextSeq(), body)) accepted++;
    expect(accepted).toBe(Math.floor(2048 / 116));
    expect(s.bytes).toBeLessThanOrEqual(2048);
    await s.flush();
    expect(s.append(s.nextSeq(), body)).toBe(false);
    // Act: acknowledge the first two segments' worth
    for (let i = 0; i < 2; i++) await s.ack(await s.read(5, 1 << 20));
    // Assess: room again
    expect(s.append(s.nextSeq(), body)).toBe(true);
    expect((await drain(s)).length).toBe(accepted - 10 + 1);
  });

  it('after a crash: unacknowledged records come back in order, acknowledged ones do not (cursor)', async () => {
    const dir = tmp();
    // no timed flush: only the explicit one below writes
    const s1 = await openSpool(dir, { segmentBytes: 1024, fsyncIntervalMs: 60_000 });
    for (let i = 0; i < 30; i++) s1.append(s1.nextSeq(), `event ${i}`);
    await s1.flush();
    await s1.ack(await s1.read(10, 1 << 20));
    s1.append(s1.nextSeq(), 'never flushed: lost with the process');
    await s1.simulateCrash();
    open.splice(open.indexOf(s1), 1);

    // Act: the next run opens the same directory (the crashed run's lock file is still there)
    const s2 = await openSpool(dir);

    // Assess
    expect(s2.records).toBe(20);
    expect(await drain(s2)).toEqual(Array.from({ length: 20 }, (_, i) => `event ${i + 10}`));
    // sequence numbers keep increasing across runs
    expect(s2.nextSeq()).toBeGreaterThan(30);
  });

  it('without a cursor (lost in the crash) replays everything: at-least-once, still in order', async () => {
    const dir = tmp();
    const s1 = await openSpool(dir);
    for (let i = 0; i < 12; i++) s1.append(s1.nextSeq(), `e${i}`);
    await s1.flush();
    await s1.ack(await s1.read(5, 1 << 20));
    await s1.simulateCrash();
    open.splice(open.indexOf(s1), 1);
    rmSync(join(dir, 'cursor.json'));

    const s2 = await openSpool(dir);
    expect(await drain(s2)).toEqual(Array.from({ length: 12 }, (_, i) => `e${i}`));
  });

  it('cuts a torn tail (a record half-written when the power went) and keeps what precedes it', async () => {
    const dir = tmp();
    const s1 = await openSpool(dir);
    for (let i = 0; i < 5; i++) s1.append(s1.nextSeq(), `whole ${i}`);
    await s1.flush();
    await s1.simulateCrash();
    open.splice(open.indexOf(s1), 1);
    const [seg] = segments(dir);
    // a record header (magic, length 100) followed by only 3 of its bytes
    const torn = Buffer.alloc(23);
    Buffer.from([0xff, 0xfe, 0x53, 0x52]).copy(torn, 0);
    torn.writeUInt32BE(100, 4);
    appendFileSync(join(dir, seg as string), torn);

    const { log, lines } = recorder();
    const s2 = await openSpool(dir, { log });
    expect(lines).toContainEqual({ level: 'warn', msg: 'spool: cut a torn tail' });
    expect(await drain(s2)).toEqual(['whole 0', 'whole 1', 'whole 2', 'whole 3', 'whole 4']);
  });

  it('refuses a directory another live owner holds; takes over a stale lock', async () => {
    const dir = tmp();
    await openSpool(dir);
    await expect(Spool.open({ dir, maxBytes: 4096 })).rejects.toBeInstanceOf(SpoolLockedError);

    const other = tmp();
    const s = await openSpool(other);
    await s.close();
    // pid 2^22 + 1 is above Linux's pid_max default: not a live process
    writeFileSync(join(other, 'lock'), JSON.stringify({ pid: 4_194_305, start: '1' }));
    const { log, lines } = recorder();
    await openSpool(other, { log });
    expect(lines).toContainEqual({ level: 'warn', msg: 'removing a stale spool lock' });
  });

  it('moves a file named like a segment but holding no spool data to quarantine/ and opens anyway', async () => {
    const dir = tmp();
    (await openSpool(dir)).append(1, 'x');
    await open[0]?.close();
    open.splice(0);
    writeFileSync(join(dir, 'seg-0000000000000000.spool'), 'not a spool');
    const { log, lines } = recorder();
    const s = await openSpool(dir, { log });
    expect(s.quarantinedSegments).toBe(1);
    expect(segments(dir)).toEqual(['seg-0000000000000001.spool']);
    expect(readdirSync(join(dir, 'quarantine'))).toEqual(['seg-0000000000000000.spool']);
    expect(lines).toContainEqual({
      level: 'error',
      msg: 'spool segment unreadable: moved aside, the bridge goes on without it',
    });
    // the good segment is replayed, and the spool works
    s.append(s.nextSeq(), 'after');
    expect(await drain(s)).toEqual(['x', 'after']);
  });

  it('keeps a big record whole and limits a batch by bytes', async () => {
    const dir = tmp();
    const s = await openSpool(dir);
    const big = 'B'.repeat(200_000);
    s.append(s.nextSeq(), 'small 1');
    s.append(s.nextSeq(), big);
    s.append(s.nextSeq(), 'small 2');
    const b1 = await s.read(10, 100_000);
    expect(b1.records.map((r) => r.body)).toEqual(['small 1']);
    await s.ack(b1);
    const b2 = await s.read(10, 100_000);
    expect(b2.records.map((r) => r.bytes)).toEqual([200_000]);
    expect(b2.records[0]?.body).toBe(big);
    await s.ack(b2);
    expect(await drain(s)).toEqual(['small 2']);
  });
});
