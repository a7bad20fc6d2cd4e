import { loadGatewayEnv } from '../env.js';
import { UpstreamAddressPolicy } from './address-policy.js';

const ALL_KEYWORDS = new UpstreamAddressPolicy(['loopback', 'metadata', 'link-local', 'private']);

describe('upstream address policy', () => {
  it.each([
    // This host, IPv4, IPv6 and IPv4-mapped in both spellings; the unspecified addresses reach it too.
    ['127.0.0.1', 'loopback'],
    ['127.255.255.254', 'loopback'],
    ['::1', 'loopback'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['0.0.0.0', 'loopback'],
    ['::', 'loopback'],
    // Metadata services, before link-local because the rules are checked in order.
    ['169.254.169.254', 'metadata'],
    ['::ffff:169.254.169.254', 'metadata'],
    ['::ffff:a9fe:a9fe', 'metadata'],
    ['169.254.170.2', 'metadata'],
    ['fd00:ec2::254', 'metadata'],
    ['100.100.100.200', 'metadata'],
    ['168.63.129.16', 'metadata'],
    ['169.254.0.1', 'link-local'],
    ['fe80::1', 'link-local'],
    ['FE80::abcd', 'link-local'],
    ['10.1.2.3', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.1.1', 'private'],
    ['100.64.0.1', 'private'],
    ['fd12:3456::1', 'private'],
    ['::ffff:10.0.0.1', 'private'],
  ])('denies %s by %s', (address, rule) => {
    expect(ALL_KEYWORDS.deniedBy(address)).toBe(rule);
  });

  it.each(['8.8.8.8', '172.32.0.1', '100.128.0.1', '169.255.0.1', '2001:4860:4860::8888', '::ffff:8.8.8.8', '::127.0.0.1'])(
    'allows %s with every keyword denied',
    (address) => {
      expect(ALL_KEYWORDS.deniedBy(address)).toBeUndefined();
    },
  );

  it('tells metadata from link-local: link-local alone denies 169.254.169.254 but not fd00:ec2::254 or 100.100.100.200', () => {
    const linkLocal = new UpstreamAddressPolicy(['link-local']);
    expect(linkLocal.deniedBy('169.254.169.254')).toBe('link-local');
    expect(linkLocal.deniedBy('fd00:ec2::254')).toBeUndefined();
    expect(linkLocal.deniedBy('100.100.100.200')).toBeUndefined();
    const metadata = new UpstreamAddressPolicy(['metadata']);
    expect(metadata.deniedBy('169.254.169.254')).toBe('metadata');
    expect(metadata.deniedBy('169.254.0.1')).toBeUndefined();
  });

  it('takes explicit addresses and CIDR ranges, and keywords in any case', () => {
    const policy = new UpstreamAddressPolicy([' 203.0.113.0/24', '2001:db8::/32', '198.51.100.7', 'LOOPBACK']);
    expect(policy.deniedBy('203.0.113.9')).toBe('203.0.113.0/24');
    expect(policy.deniedBy('2001:db8:1::1')).toBe('2001:db8::/32');
    expect(policy.deniedBy('198.51.100.7')).toBe('198.51.100.7');
    expect(policy.deniedBy('198.51.100.8')).toBeUndefined();
    expect(policy.deniedBy('127.0.0.1')).toBe('loopback');
  });

  it('denies nothing when empty', () => {
    expect(new UpstreamAddressPolicy([]).deniedBy('127.0.0.1')).toBeUndefined();
  });

  it.each(['localhost', 'metadata.google.internal', '10.0.0.0/33', 'intranet'])('refuses the entry %s, naming it', (entry) => {
    expect(() => new UpstreamAddressPolicy([entry])).toThrow(
      `"${entry}" is not one of loopback, link-local, metadata, private, an IP address or a CIDR range`,
    );
  });
});

describe('upstream settings of the gateway environment', () => {
  it('default to no denied address and 1024 connections per pool', () => {
    const env = loadGatewayEnv({});
    expect(env.PORTICO_GATEWAY_UPSTREAM_DENY).toEqual([]);
    expect(env.PORTICO_GATEWAY_UPSTREAM_CONNECTIONS).toBe(1024);
  });

  it('parse a deny list and a connection cap', () => {
    const env = loadGatewayEnv({
      PORTICO_GATEWAY_UPSTREAM_DENY: ' Loopback, link-local ,metadata,10.0.0.0/8,',
      PORTICO_GATEWAY_UPSTREAM_CONNECTIONS: '64',
    });
    expect(env.PORTICO_GATEWAY_UPSTREAM_DENY).toEqual(['loopback', 'link-local', 'metadata', '10.0.0.0/8']);
    expect(env.PORTICO_GATEWAY_UPSTREAM_CONNECTIONS).toBe(64);
  });

  it.each([
    ['PORTICO_GATEWAY_UPSTREAM_DENY', 'loopback,intranet', '"intranet" is not one of'],
    ['PORTICO_GATEWAY_UPSTREAM_CONNECTIONS', '0', ''],
    ['PORTICO_GATEWAY_UPSTREAM_CONNECTIONS', 'many', ''],
  ])('refuse %s=%s naming the variable', (name, value, cause) => {
    expect(() => loadGatewayEnv({ [name]: value })).toThrow(name);
    expect(() => loadGatewayEnv({ [name]: value })).toThrow(cause);
  });
});
