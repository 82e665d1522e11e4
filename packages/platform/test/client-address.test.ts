import { describe, expect, it } from 'vitest';
import { clientAddress, parseTrustedProxies } from '../src/client-address.ts';

const proxies = parseTrustedProxies('10.0.0.0/8, 192.168.1.1, fd00::/8');

describe('clientAddress', () => {
  it('ignores X-Forwarded-For without trusted proxies: anyone can write it', () => {
    expect(clientAddress('203.0.113.9', '1.2.3.4', [])).toBe('203.0.113.9');
  });

  it('ignores it when the peer is not a trusted proxy', () => {
    expect(clientAddress('203.0.113.9', '1.2.3.4', proxies)).toBe('203.0.113.9');
  });

  it('takes the right-most address that is not a trusted proxy', () => {
    expect(clientAddress('10.0.0.5', '1.2.3.4, 10.0.0.7', proxies)).toBe('1.2.3.4');
    // A client that writes its own header cannot pick the address: its forgery is left of the real hop.
    expect(clientAddress('10.0.0.5', '6.6.6.6, 1.2.3.4', proxies)).toBe('1.2.3.4');
    expect(clientAddress('192.168.1.1', ['1.2.3.4', '10.1.1.1'], proxies)).toBe('1.2.3.4');
  });

  it('treats IPv4-mapped IPv6 as IPv4, and reads IPv6 ranges', () => {
    expect(clientAddress('::ffff:10.0.0.5', '198.51.100.2', proxies)).toBe('198.51.100.2');
    expect(clientAddress('fd00::1', '2001:db8::7', proxies)).toBe('2001:db8::7');
    expect(clientAddress('::ffff:203.0.113.9', undefined, proxies)).toBe('203.0.113.9');
  });

  it('falls back to the peer on a malformed hop, and to the left-most when every hop is trusted', () => {
    expect(clientAddress('10.0.0.5', 'not-an-ip', proxies)).toBe('10.0.0.5');
    expect(clientAddress('10.0.0.5', '10.0.0.9, 10.0.0.8', proxies)).toBe('10.0.0.9');
    expect(clientAddress('10.0.0.5', undefined, proxies)).toBe('10.0.0.5');
  });

  it('refuses a bad proxy list', () => {
    expect(() => parseTrustedProxies('10.0.0.0/99')).toThrow();
    expect(() => parseTrustedProxies('example.com')).toThrow();
    expect(parseTrustedProxies('')).toEqual([]);
  });
});
