/**
 * Lists of IP addresses and CIDR ranges, IPv4 and IPv6 (node:net BlockList), for the IP
 * allow/block policies and the gateway's trusted proxies. An IPv4-mapped IPv6 address
 * (`::ffff:10.0.0.1`) counts as its IPv4 address, in lists and in lookups.
 */
import { BlockList, isIP } from 'node:net';

/** `address` without an IPv4-mapped IPv6 prefix. */
export function unmappedAddress(address: string): string {
  return address.startsWith('::ffff:') && isIP(address.slice(7)) === 4 ? address.slice(7) : address;
}

/** A list of `entries` (`10.0.0.1`, `10.0.0.0/8`, `2001:db8::/32`); throws an Error naming a bad entry. */
export function addressList(entries: readonly string[]): BlockList {
  const list = new BlockList();
  for (const entry of entries) {
    const [address = '', prefix, ...rest] = entry.trim().split('/');
    const mapped = unmappedAddress(address) !== address;
    const ip = unmappedAddress(address);
    const family = isIP(ip);
    const bits = prefix === undefined ? undefined : Number(prefix) - (mapped ? 96 : 0);
    const max = family === 6 ? 128 : 32;
    if (family === 0 || rest.length > 0 || (bits !== undefined && !(Number.isInteger(bits) && bits >= 0 && bits <= max)))
      throw new Error(`${JSON.stringify(entry)} is not an IP address or CIDR range`);
    const type = family === 6 ? 'ipv6' : 'ipv4';
    if (bits === undefined) list.addAddress(ip, type);
    else list.addSubnet(ip, bits, type);
  }
  return list;
}

/** Whether `address` is in `list`; undefined when it is not an IP address. */
export function inAddressList(list: BlockList, address: string): boolean | undefined {
  const ip = unmappedAddress(address.trim());
  const family = isIP(ip);
  if (family === 0) return undefined;
  return list.check(ip, family === 6 ? 'ipv6' : 'ipv4');
}
