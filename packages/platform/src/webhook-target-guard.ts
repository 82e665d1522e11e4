import { lookup } from 'node:dns';
import { lookup as lookupAll } from 'node:dns/promises';
import { isIP, type LookupFunction } from 'node:net';
import { PakatiError } from '@pakati/core';
import ipaddr from 'ipaddr.js';

/**
 * Which non-public targets webhooks may reach: none (`false`, production), loopback only (local development and
 * tests), or everything (a private deployment whose receivers live on the internal network).
 */
export type PrivateTargetPolicy = 'false' | 'loopback' | 'all';

const MAX_URL_LENGTH = 2048;

/** The address's IANA range as ipaddr.js names it; IPv4-mapped IPv6 counts as the IPv4 address it maps. */
const rangeOf = (address: string) => ipaddr.process(address).range();

/** Public unicast always; loopback, private, link-local, unique-local, multicast... only as the policy allows. */
export function isAllowedAddress(address: string, policy: PrivateTargetPolicy): boolean {
  if (!ipaddr.isValid(address)) return false;
  const range = rangeOf(address);
  return range === 'unicast' || policy === 'all' || (policy === 'loopback' && range === 'loopback');
}

export class WebhookTargetRefusedError extends Error {
  override readonly name = 'WebhookTargetRefusedError';
  constructor(
    readonly host: string,
    readonly address: string,
  ) {
    super(
      `${host} resolves to ${address}, a ${ipaddr.isValid(address) ? rangeOf(address) : 'invalid'} address; webhooks only go to public addresses (PAKATI_WEBHOOK_ALLOW_PRIVATE_TARGETS)`,
    );
  }
}

/**
 * A `lookup` for node:http(s) that resolves the host and refuses the connection if any address is not allowed.
 * The check happens on the address actually connected to, so a name that resolved to a public address when the
 * endpoint was created and to 127.0.0.1 now (DNS rebinding) is still refused.
 */
export function guardedLookup(policy: PrivateTargetPolicy): LookupFunction {
  return (hostname, options, callback) => {
    lookup(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, '', 0);
      const refused = addresses.find((a) => !isAllowedAddress(a.address, policy));
      if (refused || addresses.length === 0) {
        return callback(new WebhookTargetRefusedError(hostname, refused?.address ?? 'nothing'), '', 0);
      }
      if (options.all) return callback(null, addresses);
      callback(null, addresses[0]!.address, addresses[0]!.family);
    });
  };
}

/** The host without IPv6 brackets, as it is resolved or connected to. */
export const bareHost = (url: URL) => url.hostname.replace(/^\[(.*)\]$/, '$1');

function refuse(message: string, reason: string): never {
  throw new PakatiError('BAD_USER_INPUT', message, { field: 'url', reason });
}

/**
 * Checks an endpoint URL when it is created or changed: http(s), no credentials, and a host whose addresses are
 * all allowed now. Delivery checks again at connect time (`guardedLookup`).
 */
export async function checkWebhookUrl(raw: string, policy: PrivateTargetPolicy): Promise<string> {
  const text = raw.trim();
  if (text.length > MAX_URL_LENGTH) refuse(`url is longer than ${MAX_URL_LENGTH} characters`, 'INVALID_URL');
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    refuse('url is not an absolute URL', 'INVALID_URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    refuse('url must use http or https', 'UNSUPPORTED_SCHEME');
  }
  if (url.username || url.password) {
    refuse('url must not carry credentials; verify the webhook signature instead', 'CREDENTIALS_IN_URL');
  }
  const host = bareHost(url);
  let addresses: string[];
  if (isIP(host)) addresses = [host];
  else {
    try {
      addresses = (await lookupAll(host, { all: true })).map((a) => a.address);
    } catch {
      refuse(`the host ${host} does not resolve`, 'UNRESOLVABLE_HOST');
    }
  }
  const forbidden = addresses.find((address) => !isAllowedAddress(address, policy));
  if (forbidden) refuse(new WebhookTargetRefusedError(host, forbidden).message, 'WEBHOOK_TARGET_FORBIDDEN');
  return url.toString();
}
