/**
 * Small pure pieces of the operator tools: option parsing, backoff, SendMessageBatch outcome
 * classification, rate-limited logging.
 */
import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { parseAllowList, parseListenAddress } from '../../../bridge/listeners.js';
import { RateLimitedLog } from '../../../bridge/log.js';
import { backoffMs, regionFromQueueUrl, sendMessageBatch } from '../../../bridge/sqs.js';
import { parseProcNetUdp } from '../../../bridge/udp-drops.js';
import { UsageError } from '../../../cli/args.js';
import { bridgeConfig, sizeOption } from '../../../cli/bridge.js';

const QUEUE = 'https://sqs.sa-east-1.amazonaws.com/123456789012/segura-ingest';

describe('bridge options', () => {
  it('parses listeners, sizes and defaults', () => {
    const cfg = bridgeConfig(
      [
        '--queue-url',
        QUEUE,
        '--udp',
        '514',
        '--tcp',
        '127.0.0.1:5514',
        '--tcp',
        '[::1]:5515',
        '--spool-max-bytes',
        '1GiB',
      ],
      { STATE_DIRECTORY: '/var/lib/segura-relay-bridge' },
    );
    expect(cfg).toMatchObject({
      queueUrl: QUEUE,
      udp: [{ host: '0.0.0.0', port: 514 }],
      tcp: [
        { host: '127.0.0.1', port: 5514 },
        { host: '::1', port: 5515 },
      ],
      spoolDir: '/var/lib/segura-relay-bridge',
      spoolMaxBytes: 2 ** 30,
    });
  });

  it('parses the connection limits, timeouts and the rejected-messages file', () => {
    const cfg = bridgeConfig(
      [
        '--queue-url',
        QUEUE,
        '--tcp',
        '514',
        '--max-connections',
        '100',
        '--max-connections-per-source',
        '10',
        '--idle-timeout',
        '120',
        '--frame-timeout',
        '5',
        '--max-connection-lifetime',
        '7200',
        '--tls-handshake-timeout',
        '3',
        '--partial-budget-bytes',
        '4MiB',
        '--udp-receive-buffer',
        '8MiB',
        '--rejected-file',
        '/var/lib/x/rejected.ndjson',
        '--rejected-max-bytes',
        '1MiB',
      ],
      {},
    );
    expect(cfg).toMatchObject({
      maxConnections: 100,
      maxConnectionsPerSource: 10,
      idleTimeoutMs: 120_000,
      frameTimeoutMs: 5_000,
      maxLifetimeMs: 7_200_000,
      tlsHandshakeTimeoutMs: 3_000,
      partialBudgetBytes: 4 * 2 ** 20,
      udpReceiveBufferBytes: 8 * 2 ** 20,
      rejectedFile: '/var/lib/x/rejected.ndjson',
      rejectedMaxBytes: 2 ** 20,
    });
  });

  it.each([
    [['--queue-url', QUEUE, '--tcp', '514', '--max-connections-per-source', '300'], /must not exceed/],
    [['--queue-url', QUEUE, '--tcp', '514', '--idle-timeout', '0'], /--idle-timeout/],
    [['--udp', '514'], /--queue-url is required/],
    [['--queue-url', QUEUE], /at least one listener/],
    [['--queue-url', 'segura-ingest', '--udp', '514'], /--queue-url: expected/],
    [['--queue-url', QUEUE, '--udp', '70000'], /--udp: expected PORT/],
    [['--queue-url', QUEUE, '--tls', '6514'], /--tls needs --tls-cert/],
    [['--queue-url', QUEUE, '--udp', '514', '--spool-max-bytes', '12 parsecs'], /--spool-max-bytes: a size/],
    [['--queue-url', QUEUE, '--udp', '514', '--allow-from', '10.0.0.0/33'], /--allow-from: bad prefix/],
    [['--queue-url', QUEUE, '--udp', '514', '--allow-from', ' '], /--allow-from: no IP address/],
    [['--queue-url', QUEUE, '--udp', '514', '--bogus'], /Unknown option/],
  ])('refuses %j with a clear message', (argv, message) => {
    expect(() => bridgeConfig(argv as string[], {})).toThrow(UsageError);
    expect(() => bridgeConfig(argv as string[], {})).toThrow(message);
  });

  it('accepts emulator queue URLs whose host is not a valid WHATWG host', () => {
    const url = 'http://sqs.us-east-1.127.0.0.1:4566/000000000000/segura-ingest';
    expect(bridgeConfig(['--queue-url', url, '--udp', '5514'], {})).toMatchObject({ queueUrl: url });
    expect(regionFromQueueUrl(url)).toBe('us-east-1');
    expect(regionFromQueueUrl(QUEUE)).toBe('sa-east-1');
    expect(regionFromQueueUrl('http://localhost:4566/000000000000/q')).toBeUndefined();
  });

  it('sizes take binary and decimal units', () => {
    expect(sizeOption('x', '64KiB', 1, 2 ** 40)).toBe(65_536);
    expect(sizeOption('x', '256M', 1, 2 ** 40)).toBe(256 * 2 ** 20);
    expect(sizeOption('x', '1.5GB', 1, 2 ** 40)).toBe(1_500_000_000);
    expect(sizeOption('x', '4096', 1, 2 ** 40)).toBe(4096);
    expect(() => sizeOption('x', '1k', 4096, 2 ** 40)).toThrow(/a size 4096/);
  });

  it('listen addresses and allow lists', () => {
    expect(parseListenAddress('6514')).toEqual({ host: '0.0.0.0', port: 6514 });
    expect(parseListenAddress('vault-net.local:514')).toEqual({ host: 'vault-net.local', port: 514 });
    expect(() => parseListenAddress('host:')).toThrow(/PORT, HOST:PORT/);
    const allow = parseAllowList('10.0.0.5, 192.168.0.0/16,::1');
    expect(allow.check('10.0.0.5', 'ipv4')).toBe(true);
    expect(allow.check('192.168.44.1', 'ipv4')).toBe(true);
    expect(allow.check('10.0.0.6', 'ipv4')).toBe(false);
    expect(allow.check('::1', 'ipv6')).toBe(true);
    expect(() => parseAllowList('vault.example')).toThrow(/not an IP address/);
  });
});

describe('backoffMs', () => {
  it('grows exponentially, is capped, and is jittered between half and all of the cap', () => {
    expect(backoffMs(0, 200, 10_000, () => 0)).toBe(100);
    expect(backoffMs(0, 200, 10_000, () => 1)).toBe(200);
    expect(backoffMs(3, 200, 10_000, () => 1)).toBe(1_600);
    expect(backoffMs(20, 200, 10_000, () => 0)).toBe(5_000);
    expect(backoffMs(1_000, 200, 10_000, () => 1)).toBe(10_000);
  });
});

describe('sendMessageBatch', () => {
  const sqs = mockClient(SQSClient);
  afterEach(() => sqs.reset());
  const client = new SQSClient({ region: 'us-east-1' });

  it('classifies each entry: accepted, refused for good, or to retry', async () => {
    // Prepare
    sqs.on(SendMessageBatchCommand).resolves({
      Successful: [{ Id: '0', MessageId: 'a', MD5OfMessageBody: '' }],
      Failed: [
        { Id: '1', SenderFault: true, Code: 'InvalidMessageContents', Message: 'bad chars' },
        { Id: '2', SenderFault: false, Code: 'InternalError', Message: 'try again' },
        { Id: '3', SenderFault: true, Code: 'KMS.ThrottlingException', Message: 'slow down' },
      ],
    });
    // Act: entry 4 is in neither list: not confirmed, so not accepted
    const out = await sendMessageBatch(
      client,
      QUEUE,
      ['a', 'b', 'c', 'd', 'e'].map((body) => ({ body })),
    );
    // Assess
    expect(out).toEqual({
      accepted: [0],
      messageIds: new Map([[0, 'a']]),
      rejected: [{ index: 1, code: 'InvalidMessageContents', message: 'bad chars' }],
      retry: [2, 3, 4],
    });
  });

  it('a failed call marks every entry retryable and never throws', async () => {
    sqs.on(SendMessageBatchCommand).rejects(Object.assign(new Error('connect ECONNREFUSED'), { name: 'Error' }));
    const out = await sendMessageBatch(client, QUEUE, [{ body: 'a' }, { body: 'b' }]);
    expect(out.retry).toEqual([0, 1]);
    expect(out.callError?.message).toMatch(/ECONNREFUSED/);
  });

  it('sends FIFO group and deduplication ids', async () => {
    sqs.on(SendMessageBatchCommand).resolves({ Successful: [{ Id: '0', MessageId: 'a', MD5OfMessageBody: '' }] });
    await sendMessageBatch(client, `${QUEUE}.fifo`, [{ body: 'a', groupId: 'g', dedupId: 'b1' }]);
    expect(sqs.commandCalls(SendMessageBatchCommand)[0]?.args[0].input.Entries).toEqual([
      { Id: '0', MessageBody: 'a', MessageGroupId: 'g', MessageDeduplicationId: 'b1' },
    ]);
  });
});

describe('RateLimitedLog', () => {
  it('logs the first occurrence, then one line per interval with the suppressed count', () => {
    const lines: Array<[string, string, Record<string, unknown> | undefined]> = [];
    const rl = new RateLimitedLog((level, msg, fields) => lines.push([level, msg, fields]), 1_000);
    rl.log('k', 'spool full', 'error', { n: 1 }, 0);
    rl.log('k', 'spool full', 'error', { n: 2 }, 10);
    rl.log('k', 'spool full', 'error', { n: 3 }, 20);
    rl.log('other', 'oversize', 'warn', undefined, 30);
    rl.log('k', 'spool full', 'error', { n: 4 }, 1_500);
    expect(lines).toEqual([
      ['error', 'spool full', { n: 1 }],
      ['warn', 'oversize', undefined],
      ['error', 'spool full', { n: 4, suppressed: 2 }],
    ]);
  });
});

describe('parseProcNetUdp', () => {
  it('reads the local port, inode and drops of each row (IPv4 and IPv6 layouts)', () => {
    const v4 = [
      '   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops            ',
      '13540: 0100007F:96D4 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 21541 2 00000000aeb8231c 1994       ',
      ' 2001: 00000000:0202 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 99 2 0000000000000000 0',
      '',
    ].join('\n');
    expect(parseProcNetUdp(v4)).toEqual([
      { localPort: 0x96d4, inode: '21541', drops: 1994 },
      { localPort: 514, inode: '99', drops: 0 },
    ]);
    const v6 = [
      '  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops',
      '  101: 00000000000000000000000001000000:15B3 00000000000000000000000000000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 4242 2 0000000000000000 7',
    ].join('\n');
    expect(parseProcNetUdp(v6)).toEqual([{ localPort: 5555, inode: '4242', drops: 7 }]);
    // a kernel without the column: nothing to read
    expect(parseProcNetUdp('sl local_address rem_address st\n 1: 0100007F:0202 00000000:0000 07')).toEqual([]);
  });
});
