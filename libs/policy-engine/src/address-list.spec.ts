import { addressList, inAddressList } from './address-list.js';

describe('address lists', () => {
  it('holds addresses and ranges of both families, IPv4-mapped ones as IPv4', () => {
    const list = addressList(['10.0.0.0/8', '::ffff:192.168.0.0/112', '2001:db8::1', '::ffff:172.16.0.1']);
    expect(inAddressList(list, '10.20.30.40')).toBe(true);
    expect(inAddressList(list, '::ffff:10.1.1.1')).toBe(true);
    expect(inAddressList(list, '192.168.44.1')).toBe(true);
    expect(inAddressList(list, '172.16.0.1')).toBe(true);
    expect(inAddressList(list, '2001:db8::1')).toBe(true);
    expect(inAddressList(list, '2001:db8::2')).toBe(false);
    expect(inAddressList(list, '11.0.0.1')).toBe(false);
    expect(inAddressList(list, 'localhost')).toBeUndefined();
  });

  it.each(['10.0.0.0/33', '2001:db8::/129', 'example.com', '10.0.0.1/8/1', '::ffff:10.0.0.0/95', '10.0.0.0/x'])(
    'refuses %s, naming it',
    (entry) => {
      expect(() => addressList([entry])).toThrow(`${JSON.stringify(entry)} is not an IP address or CIDR range`);
    },
  );
});
