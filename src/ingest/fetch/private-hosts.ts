// Requests that must not reach the service's own networks: a URL someone else supplied (a partner's
// reprint page) could point there, or redirect there. The rule is data, not a callback, so that it
// holds in the fetch thread as on any other (worker/fetch-pool.ts).

import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';

// Loopback, private (RFC 1918, RFC 4193), link-local, shared (RFC 6598), unspecified and multicast.
const PRIVATE = new BlockList();
for (const [net, prefix] of [['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12], ['192.168.0.0', 16], ['224.0.0.0', 3]] as const) {
  PRIVATE.addSubnet(net, prefix, 'ipv4');
}
for (const [net, prefix] of [['::', 127], ['fc00::', 7], ['fe80::', 10], ['ff00::', 8]] as const) PRIVATE.addSubnet(net, prefix, 'ipv6');

/**
 * Rejects with "refused: …" when the URL's host is, or resolves to, a loopback, private or link-local
 * address, unless `allowed` lists it as a URL writes it: `host` (any port) or `host:port`.
 */
export async function refusePrivateHost(url: URL, allowed: readonly string[] = []): Promise<void> {
  if (allowed.includes(url.host) || allowed.includes(url.hostname)) return;
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const addresses = isIP(host) !== 0 ? [{ address: host, family: isIP(host) }] : await lookup(host, { all: true });
  for (const { address, family } of addresses) {
    const v4 = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
    const blocked = v4 !== undefined ? PRIVATE.check(v4, 'ipv4') : PRIVATE.check(address, family === 6 ? 'ipv6' : 'ipv4');
    if (blocked) throw new Error(`refused: ${host} is${address === host ? '' : ` (resolves to ${address})`} a loopback, private or link-local address`);
  }
}
