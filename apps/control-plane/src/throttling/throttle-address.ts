import { isIP } from 'node:net';
import { unmappedAddress } from '#portico/policy-engine';

/**
 * The address a login attempt is counted under: an IPv4 address as it is, an IPv6 address as its
 * /64 (`2001:db8:1:2::/64`). One IPv6 subscriber is usually handed a whole /64 and may pick any
 * address in it, so counting single IPv6 addresses would give one sender 2^64 fresh allowances.
 * Anything else (no address known) is counted as it is.
 */
export function throttleAddress(ip: string): string {
  const address = unmappedAddress(ip.split('%')[0]!);
  if (isIP(address) !== 6) return address;
  return `${hextets(address).slice(0, 4).join(':')}::/64`;
}

/** The eight groups of an IPv6 address, `::` expanded, without leading zeros (an IPv4 tail counts as two). */
function hextets(address: string): string[] {
  const [head = '', tail] = address.split('::');
  const groups = (part: string) => (part === '' ? [] : part.split(':'));
  const left = groups(head);
  const right = tail === undefined ? [] : groups(tail);
  const width = (parts: string[]) => parts.reduce((n, p) => n + (p.includes('.') ? 2 : 1), 0);
  const zeros: string[] = new Array<string>(8 - width(left) - width(right)).fill('0');
  return [...left, ...zeros, ...right].map((g) => (g.includes('.') ? g : parseInt(g, 16).toString(16)));
}
