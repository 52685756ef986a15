/**
 * The whole relay (`npm start`'s LocalRelay) delivering over RELP to the local RELP receiver
 * double, plain and over TLS: exact ledgers, and a collector dropping sessions mid-stream.
 */
import { describe, expect, it } from 'vitest';
import type { DestinationLedger } from '../../../local/ledger.js';
import { parseSyslogUrl } from '../../../local/relay.js';
import { bodies, FAST, fastSyslog, ledgers, relayHarness, waitUntil } from '../../helpers/pipeline.js';

const h = relayHarness();

describe('pipeline over RELP (local RELP receiver)', () => {
  it.each(['relp', 'relp+tls'] as const)(
    '--syslog-local %s: every event delivered once, acknowledged',
    async (local) => {
      const relay = await h.start({ ...FAST, firehose: false, syslog: { ...fastSyslog, local } });
      const rx = relay.relpReceiver;
      if (!rx) throw new Error('no RELP receiver');
      const input = bodies(150, local === 'relp' ? 61 : 62);

      await relay.send(input);
      expect(await relay.drain(20_000)).toBe(true);

      const { l } = await ledgers(relay, input);
      expect(l.get('collector')).toMatchObject({
        expected: 150,
        delivered: 150,
        missing: 0,
        duplicates: 0,
        unexpected: 0,
        inDlq: 0,
      });
      expect(rx.errors).toEqual([]);
      const stats = relay.syslogHandler?.sink.stats().transport;
      expect(stats?.framesAcked).toBe(150);
      expect(relay.destinations[0]?.output).toMatch(
        local === 'relp' ? /\(RELP receiver on/ : /\(RELP over TLS receiver/,
      );
    },
  );

  it('sessions reset mid-stream: unacknowledged events are resent, nothing lost, duplicates bounded by the window', async () => {
    const relay = await h.start({ ...FAST, firehose: false, syslog: { ...fastSyslog, local: 'relp' } });
    const rx = relay.relpReceiver;
    if (!rx) throw new Error('no RELP receiver');
    const input = bodies(400, 63);
    const sending = relay.send(input);
    let resets = 0;
    for (const at of [60, 160, 260]) {
      if (await waitUntil(() => rx.messages.length >= at, 15_000)) {
        rx.dropConnections('reset');
        resets++;
      }
    }
    await sending;
    expect(await relay.drain(30_000)).toBe(true);

    const { l } = await ledgers(relay, input);
    const c = l.get('collector') as DestinationLedger;
    expect(resets).toBe(3);
    expect(c).toMatchObject({ expected: 400, delivered: 400, missing: 0, unexpected: 0, inDlq: 0 });
    // a reset loses only answers in flight: at most one window (128) per reset, in practice far fewer
    expect(c.duplicates).toBeLessThanOrEqual(3 * 128);
  });
});

describe('parseSyslogUrl', () => {
  it.each([
    ['relp://collector.corp:2514', { transport: 'relp', relpTls: false, host: 'collector.corp', port: 2514 }],
    ['relp+tls://10.0.0.5:6514', { transport: 'relp', relpTls: true, host: '10.0.0.5', port: 6514 }],
    ['tls://[::1]:6514', { transport: 'tls', host: '::1', port: 6514 }],
  ])('%s', (url, want) => {
    expect(parseSyslogUrl(url)).toEqual(want);
  });

  it.each(['relp+tcp://h:1', 'relp://h', 'relp://h:0', 'relps://h:1'])('rejects %s', (url) => {
    expect(() => parseSyslogUrl(url)).toThrow(/relp:\/\/ or relp\+tls:\/\//);
  });
});
