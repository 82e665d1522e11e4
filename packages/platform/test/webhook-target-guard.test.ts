import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PakatiError } from '@pakati/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkWebhookUrl, isAllowedAddress, postWebhook } from '../src/index.ts';

describe('allowed webhook addresses', () => {
  it.each([
    ['8.8.8.8', true],
    ['2606:4700:4700::1111', true],
    ['127.0.0.1', false],
    ['::1', false],
    ['::ffff:127.0.0.1', false],
    ['10.1.2.3', false],
    ['172.16.0.1', false],
    ['192.168.1.1', false],
    ['169.254.169.254', false],
    ['fe80::1', false],
    ['fc00::1', false],
    ['100.64.0.1', false],
    ['224.0.0.1', false],
    ['0.0.0.0', false],
    ['::', false],
    ['not an address', false],
  ])('%s is allowed without configuration: %s', (address, allowed) => {
    expect(isAllowedAddress(address, 'false')).toBe(allowed);
  });

  it('loopback opens only loopback; all opens everything', () => {
    expect(isAllowedAddress('127.0.0.1', 'loopback')).toBe(true);
    expect(isAllowedAddress('::1', 'loopback')).toBe(true);
    expect(isAllowedAddress('10.1.2.3', 'loopback')).toBe(false);
    expect(isAllowedAddress('0.0.0.0', 'loopback')).toBe(false);
    expect(isAllowedAddress('10.1.2.3', 'all')).toBe(true);
  });
});

describe('endpoint URLs', () => {
  const reasonOf = async (url: string, policy: 'false' | 'loopback' = 'false') => {
    const error = await checkWebhookUrl(url, policy).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(PakatiError);
    expect((error as PakatiError).code).toBe('BAD_USER_INPUT');
    expect((error as PakatiError).details.field).toBe('url');
    return (error as PakatiError).details.reason;
  };

  it.each([
    ['not a url', 'INVALID_URL'],
    ['ftp://93.184.215.14/hook', 'UNSUPPORTED_SCHEME'],
    ['https://user:pass@93.184.215.14/hook', 'CREDENTIALS_IN_URL'],
    ['http://127.0.0.1:8080/hook', 'WEBHOOK_TARGET_FORBIDDEN'],
    ['http://[::1]/hook', 'WEBHOOK_TARGET_FORBIDDEN'],
    ['http://169.254.169.254/latest/meta-data', 'WEBHOOK_TARGET_FORBIDDEN'],
    ['http://localhost:8080/hook', 'WEBHOOK_TARGET_FORBIDDEN'],
    ['http://pakati-test.invalid/hook', 'UNRESOLVABLE_HOST'],
  ])('%s is refused: %s', async (url, reason) => {
    expect(await reasonOf(url)).toBe(reason);
  });

  it('accepts public and (when configured) loopback targets', async () => {
    expect(await checkWebhookUrl('https://93.184.215.14/hook', 'false')).toBe('https://93.184.215.14/hook');
    expect(await checkWebhookUrl('http://localhost:8080/hook', 'loopback')).toBe(
      'http://localhost:8080/hook',
    );
    expect(await reasonOf('http://10.0.0.5/hook', 'loopback')).toBe('WEBHOOK_TARGET_FORBIDDEN');
  });
});

describe('delivery-time guard', () => {
  let server: Server;
  let port: number;
  let hits = 0;
  beforeAll(async () => {
    server = createServer((_req, res) => {
      hits += 1;
      res.writeHead(204).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const send = (url: string, policy: 'false' | 'loopback') =>
    postWebhook(url, {}, '{}', { policy, timeoutMs: 5000 });

  it('refuses a host name that resolves to loopback at connect time, before anything is sent', async () => {
    const before = hits;
    const response = await send(`http://localhost:${port}/hook`, 'false');
    expect(response.statusCode).toBeNull();
    expect(response.error).toMatch(/localhost resolves to .*loopback/);
    expect(hits).toBe(before);
  });

  it('refuses an IP literal too, and connects once loopback is allowed', async () => {
    const before = hits;
    expect((await send(`http://127.0.0.1:${port}/hook`, 'false')).error).toMatch(/loopback/);
    expect(hits).toBe(before);
    expect(await send(`http://localhost:${port}/hook`, 'loopback')).toMatchObject({
      statusCode: 204,
      error: null,
    });
    expect(hits).toBe(before + 1);
  });
});
