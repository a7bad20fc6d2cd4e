/**
 * Which addresses a process may connect to when the URL is someone else's to choose: the
 * gateway's upstreams and its policies' calls (PORTICO_GATEWAY_UPSTREAM_DENY), the control
 * plane's alert webhooks (PORTICO_OUTBOUND_DENY). Such a URL is whatever its owner typed: without
 * a policy, it can reach the process's own local endpoints (admin, metrics), the control plane's,
 * or a cloud metadata service (instance credentials). Envoy, Kong and agentgateway connect
 * anywhere; this is the SSRF deny list of Grafana's data proxy and Gravitee.
 *
 * Contract:
 * - The check is on the address each connection is actually made to, inside that connection's
 *   own DNS lookup (net.connect's `lookup`): what was checked is what is connected to, so a name
 *   resolving to a denied address is denied like the address, and a DNS answer that changes
 *   between a check and the connect (DNS rebinding) has no window to slip through.
 * - IP literals never reach net's lookup; the connector checks them itself.
 * - An IPv4-mapped IPv6 address (`::ffff:127.0.0.1`, `::ffff:7f00:1`) is its IPv4 address.
 * - A name with allowed and denied addresses connects to the allowed ones only; a name or literal
 *   with no allowed address fails the connection with {@link AddressDenied}, and with it every
 *   request waiting for that connection. Its message names the host, the address and the rule,
 *   for the log; what a client is told is the caller's to word (it should not learn the network).
 */
import { lookup as dnsLookup, type LookupAddress, type LookupAllOptions, type LookupOptions } from 'node:dns';
import { isIP, type BlockList, type LookupFunction } from 'node:net';
import { buildConnector } from 'undici';
import { addressList, inAddressList } from '#portico/policy-engine';

/** The keywords of a deny list and the ranges each stands for. */
export const ADDRESS_KEYWORDS: Readonly<Record<string, readonly string[]>> = {
  /** This host. The unspecified addresses are here because connecting to them reaches this host. */
  loopback: ['127.0.0.0/8', '::1/128', '0.0.0.0/8', '::/128'],
  'link-local': ['169.254.0.0/16', 'fe80::/10'],
  /** Cloud instance metadata services; some are outside the link-local ranges. */
  metadata: [
    '169.254.169.254', // AWS, GCP (metadata.google.internal), Azure, Oracle, DigitalOcean, OpenStack
    '169.254.170.2', // AWS ECS task metadata and credentials
    'fd00:ec2::254', // AWS instance metadata over IPv6
    '100.100.100.200', // Alibaba Cloud
    '168.63.129.16', // Azure WireServer (VM agent configuration)
  ],
  /** RFC 1918, shared address space (RFC 6598, carrier-grade NAT) and IPv6 unique local addresses. */
  private: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/10', 'fc00::/7'],
};

/** Resolves every address of a name (dns.lookup with `all`). */
export type ResolveAll = (
  hostname: string,
  options: LookupAllOptions,
  callback: (err: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void,
) => void;

/** A connection the policy refused; every request waiting for it fails with this. */
export class AddressDenied extends Error {
  override readonly name = 'AddressDenied';
  /** `PORTICO_<PURPOSE>_DENIED` (AddressPolicyOptions.purpose). */
  readonly code: string;

  constructor(
    readonly host: string,
    readonly address: string,
    readonly rule: string,
    purpose: string,
  ) {
    super(`${purpose} address ${address}${host === address ? '' : ` of ${host}`} is denied by ${rule}`);
    this.code = `PORTICO_${purpose.toUpperCase()}_DENIED`;
  }
}

/** How an {@link AddressPolicy} words its refusals and resolves names. */
export interface AddressPolicyOptions {
  /**
   * What the connections are for, in refusals: `upstream` words them `upstream address 127.0.0.1
   * is denied by loopback`, code `PORTICO_UPSTREAM_DENIED`. Default `outbound`.
   */
  purpose?: string;
  /**
   * Every address of a name; the system resolver by default. Tests hand in a fixed table for names
   * this machine cannot resolve (metadata.google.internal).
   */
  resolve?: ResolveAll;
}

interface Rule {
  /** The entry as configured: a keyword, an address or a range. */
  readonly name: string;
  readonly list: BlockList;
}

/** A parsed deny list: the addresses connections may not be made to. */
export class AddressPolicy {
  private readonly rules: readonly Rule[];
  private readonly purpose: string;
  private readonly resolve: ResolveAll;

  /**
   * `entries`: keywords of {@link ADDRESS_KEYWORDS} (any case), IP addresses and CIDR ranges;
   * throws an Error naming a bad entry. No entry: every address is allowed.
   */
  constructor(entries: readonly string[], options: AddressPolicyOptions = {}) {
    this.purpose = options.purpose ?? 'outbound';
    this.resolve = options.resolve ?? dnsLookup;
    this.rules = entries.map((entry) => {
      const name = entry.trim().toLowerCase();
      const ranges = ADDRESS_KEYWORDS[name];
      if (ranges) return { name, list: addressList(ranges) };
      try {
        return { name, list: addressList([name]) };
      } catch {
        const keywords = Object.keys(ADDRESS_KEYWORDS).join(', ');
        throw new Error(`${JSON.stringify(entry)} is not one of ${keywords}, an IP address or a CIDR range`);
      }
    });
  }

  /** The rule that denies IP address `address`, or undefined when it is allowed. */
  deniedBy(address: string): string | undefined {
    return this.rules.find((rule) => inAddressList(rule.list, address))?.name;
  }

  /**
   * The rule that denies `host` (a URL's hostname; an IPv6 address in brackets or not) when it is
   * an IP address; undefined when it is allowed or a name, which only its resolution at connect
   * time can tell (a check of a name before then would be undone by the next DNS answer).
   */
  deniedLiteral(host: string): string | undefined {
    const address = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
    return isIP(address) ? this.deniedBy(address) : undefined;
  }

  /**
   * An undici connector with `options` (connect timeout, TLS) that connects to allowed addresses
   * only; `onDenied` sees each connection it refused, with the origin it was for.
   */
  connector(
    options: buildConnector.BuildOptions,
    onDenied: (origin: string, denied: AddressDenied) => void,
  ): buildConnector.connector {
    const connect = buildConnector({ ...options, lookup: this.lookup });
    return (target, callback) => {
      const done: buildConnector.Callback = (...result) => {
        if (result[0] instanceof AddressDenied) onDenied(originOf(target), result[0]);
        callback(...result);
      };
      const literal = this.deniedLiteral(target.hostname);
      if (literal === undefined) return connect(target, done);
      // Asynchronous, as a socket's failure would be.
      const denied = new AddressDenied(target.hostname, target.hostname, literal, this.purpose);
      process.nextTick(() => done(denied, null));
    };
  }

  /** net.connect's lookup: every address of the name, less the denied ones, in the shape asked for. */
  private readonly lookup: LookupFunction = (hostname, options: LookupOptions, callback) => {
    this.resolve(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, []);
      let refused: AddressDenied | undefined;
      const allowed = addresses.filter(({ address }) => {
        const rule = this.deniedBy(address);
        if (rule !== undefined) refused ??= new AddressDenied(hostname, address, rule, this.purpose);
        return rule === undefined;
      });
      const first = allowed[0];
      if (!first) return callback(refused ?? Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND' }), []);
      if (options.all) callback(null, allowed);
      else callback(null, first.address, first.family);
    });
  };
}

/** `scheme://host[:port]` of a connection undici asks for. */
function originOf(target: buildConnector.Options): string {
  const host = target.hostname.includes(':') ? `[${target.hostname}]` : target.hostname;
  return `${target.protocol}//${host}${target.port ? `:${target.port}` : ''}`;
}
