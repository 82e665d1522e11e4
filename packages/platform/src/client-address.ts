import ipaddr from 'ipaddr.js';

type Range = [ipaddr.IPv4 | ipaddr.IPv6, number];

/** Parses `PAKATI_TRUSTED_PROXIES`: addresses or CIDR ranges, comma-separated. Throws on a bad entry. */
export function parseTrustedProxies(text: string): Range[] {
  return text
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean)
    .map((entry) => {
      const cidr = entry.includes('/')
        ? entry
        : `${entry}/${ipaddr.parse(entry).kind() === 'ipv4' ? 32 : 128}`;
      const [address, bits] = ipaddr.parseCIDR(cidr);
      return [
        ipaddr.process(address.toString()),
        address.kind() === 'ipv6' && ipaddr.process(address.toString()).kind() === 'ipv4' ? bits - 96 : bits,
      ] as Range;
    });
}

function trusted(address: string, proxies: readonly Range[]): boolean {
  if (!ipaddr.isValid(address)) return false;
  const parsed = ipaddr.process(address);
  return proxies.some(([range, bits]) => parsed.kind() === range.kind() && parsed.match(range, bits));
}

/**
 * The client's address. Behind proxies the socket shows the proxy, so `X-Forwarded-For` is read from the right,
 * skipping the proxies we trust; the first address we do not trust is the client. Without trusted proxies the
 * header is ignored: anyone could write it.
 */
export function clientAddress(
  socketAddress: string | undefined,
  forwardedFor: string | string[] | undefined,
  proxies: readonly Range[],
): string {
  const peer = socketAddress
    ? ipaddr.isValid(socketAddress)
      ? ipaddr.process(socketAddress).toString()
      : socketAddress
    : 'unknown';
  if (!proxies.length || !trusted(peer, proxies)) return peer;
  const hops = (Array.isArray(forwardedFor) ? forwardedFor.join(',') : (forwardedFor ?? ''))
    .split(',')
    .map((h) => h.trim())
    .filter(Boolean);
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = hops[i]!;
    if (!ipaddr.isValid(hop)) return peer;
    if (!trusted(hop, proxies)) return ipaddr.process(hop).toString();
  }
  return hops.length ? ipaddr.process(hops[0]!).toString() : peer;
}
