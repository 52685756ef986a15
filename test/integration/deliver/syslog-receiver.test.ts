import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type SyslogReceiver, startSyslogReceiver } from '../../../local/syslog-receiver.js';
import { frameLf, frameOctetCounted } from '../../../shared/deliver/syslog/framing.js';
import { waitUntil } from './loopback.js';

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

/** Write raw bytes on a fresh TCP connection and resolve when the receiver closes it (or after 1 s). */
function sendRaw(port: number, bytes: Buffer): Promise<{ closedByPeer: boolean }> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1', () => socket.end(bytes));
    let closedByPeer = false;
    socket.on('end', () => {
      closedByPeer = true;
    });
    socket.on('error', () => {
      closedByPeer = true;
    });
    const timer = setTimeout(() => socket.destroy(), 1_000);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve({ closedByPeer });
    });
    socket.resume();
  });
}

async function tcpReceiver(framing: 'octet' | 'lf', outFile?: string): Promise<SyslogReceiver> {
  const receiver = await startSyslogReceiver({ transport: 'tcp', framing, ...(outFile ? { outFile } : {}) });
  cleanup.push(() => receiver.stop());
  return receiver;
}

describe('local syslog receiver (strict parsing)', () => {
  it('a character-counted frame (the José bug from docs/formats.md §3.1) is caught as a bad header and the connection closed', async () => {
    // Prepare: "<134>José" is 9 characters but 10 bytes; a sender counting characters cuts the frame
    // one byte short and the next "header" starts with the second byte of "é"
    const receiver = await tcpReceiver('octet');
    const buggy = Buffer.from('9 <134>José9 <134>next', 'utf8');

    // Act
    const { closedByPeer } = await sendRaw(receiver.port, buggy);

    // Assess
    expect(closedByPeer).toBe(true);
    expect(receiver.errors.some((e) => e.includes('invalid frame header'))).toBe(true);
    expect(receiver.messages).not.toContain('<134>next');
  });

  it('decodes octet-counted frames by bytes, split across writes', async () => {
    const receiver = await tcpReceiver('octet');
    const stream = Buffer.concat(['José', '😀', 'plain'].map((p) => frameOctetCounted(p)));

    await sendRaw(receiver.port, stream);
    await receiver.waitFor(3, 1_000);

    expect(receiver.messages).toEqual(['José', '😀', 'plain']);
    expect(receiver.errors).toEqual([]);
  });

  it('LF framing, with an out file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'syslog-rx-'));
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
    const outFile = join(dir, 'out.log');
    const receiver = await tcpReceiver('lf', outFile);

    await sendRaw(receiver.port, Buffer.concat([frameLf('one'), frameLf('José')]));
    await receiver.waitFor(2, 1_000);
    await receiver.stop();

    expect(receiver.messages).toEqual(['one', 'José']);
    expect(readFileSync(outFile, 'utf8')).toBe('one\nJosé\n');
  });

  it('kill() then restart() keeps the port and the messages (for union checks)', async () => {
    const receiver = await tcpReceiver('octet');
    const port = receiver.port;
    await sendRaw(port, frameOctetCounted('before'));
    await receiver.waitFor(1, 1_000);

    await receiver.kill();
    await receiver.restart();
    await sendRaw(port, frameOctetCounted('after'));
    await waitUntil(() => receiver.messages.length === 2, 1_000);

    expect(receiver.port).toBe(port);
    expect(receiver.messages).toEqual(['before', 'after']);
    expect(receiver.connections).toBe(2);
  });
});
