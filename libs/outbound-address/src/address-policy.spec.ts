import { AddressDenied, AddressPolicy } from './address-policy.js';

const ALL_KEYWORDS = new AddressPolicy(['loopback', 'metadata', 'link-local', 'private']);

describe('address policy', () => {
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
    const linkLocal = new AddressPolicy(['link-local']);
    expect(linkLocal.deniedBy('169.254.169.254')).toBe('link-local');
    expect(linkLocal.deniedBy('fd00:ec2::254')).toBeUndefined();
    expect(linkLocal.deniedBy('100.100.100.200')).toBeUndefined();
    const metadata = new AddressPolicy(['metadata']);
    expect(metadata.deniedBy('169.254.169.254')).toBe('metadata');
    expect(metadata.deniedBy('169.254.0.1')).toBeUndefined();
  });

  it('takes explicit addresses and CIDR ranges, and keywords in any case', () => {
    const policy = new AddressPolicy([' 203.0.113.0/24', '2001:db8::/32', '198.51.100.7', 'LOOPBACK']);
    expect(policy.deniedBy('203.0.113.9')).toBe('203.0.113.0/24');
    expect(policy.deniedBy('2001:db8:1::1')).toBe('2001:db8::/32');
    expect(policy.deniedBy('198.51.100.7')).toBe('198.51.100.7');
    expect(policy.deniedBy('198.51.100.8')).toBeUndefined();
    expect(policy.deniedBy('127.0.0.1')).toBe('loopback');
  });

  it('denies nothing when empty', () => {
    expect(new AddressPolicy([]).deniedBy('127.0.0.1')).toBeUndefined();
  });

  it.each(['localhost', 'metadata.google.internal', '10.0.0.0/33', 'intranet'])('refuses the entry %s, naming it', (entry) => {
    expect(() => new AddressPolicy([entry])).toThrow(
      `"${entry}" is not one of loopback, link-local, metadata, private, an IP address or a CIDR range`,
    );
  });

  it('checks a URL host that is an IP address, in brackets or not, and leaves a name to the connection', () => {
    const hosts = ['127.0.0.1', '[::1]', '::1', '[::ffff:a9fe:a9fe]', '10.0.0.1', '8.8.8.8', '[2001:4860:4860::8888]'];
    const names = ['localhost', 'metadata.google.internal', '[localhost]'];
    expect(Object.fromEntries([...hosts, ...names].map((host) => [host, ALL_KEYWORDS.deniedLiteral(host)]))).toEqual({
      '127.0.0.1': 'loopback',
      '[::1]': 'loopback',
      '::1': 'loopback',
      '[::ffff:a9fe:a9fe]': 'metadata',
      '10.0.0.1': 'private',
      '8.8.8.8': undefined,
      '[2001:4860:4860::8888]': undefined,
      localhost: undefined,
      'metadata.google.internal': undefined,
      '[localhost]': undefined,
    });
  });
});

describe('address refusals', () => {
  it('name the host, the address and the rule, with the code of their purpose', () => {
    expect(new AddressDenied('metadata.google.internal', '169.254.169.254', 'metadata', 'upstream')).toMatchObject({
      code: 'PORTICO_UPSTREAM_DENIED',
      message: 'upstream address 169.254.169.254 of metadata.google.internal is denied by metadata',
    });
    expect(new AddressDenied('127.0.0.1', '127.0.0.1', 'loopback', 'outbound')).toMatchObject({
      code: 'PORTICO_OUTBOUND_DENIED',
      message: 'outbound address 127.0.0.1 is denied by loopback',
    });
  });
});
