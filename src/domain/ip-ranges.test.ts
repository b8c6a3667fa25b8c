import { addressAllowed, addressBucketOf, checkAllowList, parseCidr, plainAddress } from './ip-ranges';

describe('parseCidr', () => {
  it.each([
    ['203.0.113.0/24', { address: '203.0.113.0', prefix: 24, family: 'ipv4' }],
    ['203.0.113.7', { address: '203.0.113.7', prefix: 32, family: 'ipv4' }],
    ['0.0.0.0/1', { address: '0.0.0.0', prefix: 1, family: 'ipv4' }],
    ['2001:db8:4f::/48', { address: '2001:db8:4f::', prefix: 48, family: 'ipv6' }],
    ['::1', { address: '::1', prefix: 128, family: 'ipv6' }],
    ['::ffff:203.0.113.0/120', { address: '::ffff:203.0.113.0', prefix: 120, family: 'ipv6' }],
  ])('when given %s, then it reads the range', (text, expected) => {
    expect(parseCidr(text)).toEqual(expected);
  });

  it.each([
    ['203.0.113.7/24', 'bits set beyond the prefix'],
    ['2001:db8:4f::1/48', 'bits set beyond the prefix'],
    ['203.0.113.0/33', 'prefix'],
    ['2001:db8::/129', 'prefix'],
    ['203.0.113.0/024', 'prefix'],
    ['203.0.113.0/', 'prefix'],
    ['203.0.113.0/24/8', 'address/prefix'],
    ['0.0.0.0/0', 'allows every address'],
    ['::/0', 'allows every address'],
    ['256.0.0.0/8', 'not an IPv4 or IPv6'],
    ['203.0.113', 'not an IPv4 or IPv6'],
    ['fe80::1%eth0', 'not an IPv4 or IPv6'],
    ['example.com', 'not an IPv4 or IPv6'],
    ['', 'not an IPv4 or IPv6'],
  ])('when given %s, then it says why it is not a range', (text, reason) => {
    expect(parseCidr(text)).toEqual(expect.stringContaining(reason));
  });
});

describe('checkAllowList', () => {
  it('when entries are valid, then they come back canonical (lower case, with a prefix)', () => {
    expect(checkAllowList(['203.0.113.7', '2001:DB8:4F::/48', '2001:0db8:0:0::1'])).toEqual(['203.0.113.7/32', '2001:db8:4f::/48', '2001:db8::1/128']);
  });

  it('when two IPv6 ranges differ only in how they are written, then they are the same range twice', () => {
    expect(() => checkAllowList(['2001:0db8::/32', '2001:DB8::/32'])).toThrow(expect.objectContaining({ codeName: 'VALIDATION_FAILED' }));
  });

  it('when entries are invalid or repeated, then VALIDATION_FAILED names each faulty index', () => {
    expect(() => checkAllowList(['203.0.113.0/24', 'nope', '10.0.0.1/8'])).toThrow(
      expect.objectContaining({
        codeName: 'VALIDATION_FAILED',
        errors: [expect.objectContaining({ path: '/body/allowedIps/1' }), expect.objectContaining({ path: '/body/allowedIps/2' })],
      }),
    );
    expect(() => checkAllowList(['203.0.113.7', '203.0.113.7/32'])).toThrow(
      expect.objectContaining({ errors: [{ path: '/body/allowedIps', message: 'must not contain the same range twice' }] }),
    );
  });
});

describe('addressAllowed', () => {
  const list = ['203.0.113.0/24', '2001:db8:4f::/48'];
  it.each([
    ['203.0.113.1', true],
    ['203.0.113.255', true],
    ['203.0.114.0', false],
    ['::ffff:203.0.113.9', true],
    ['::ffff:198.51.100.1', false],
    ['2001:db8:4f:1::5', true],
    ['2001:db8:50::1', false],
    ['127.0.0.1', false],
    // IPv4-compatible (::a.b.c.d) is not IPv4-mapped: it is not the IPv4 address it spells.
    ['::203.0.113.9', false],
    [undefined, false],
  ])('when the address is %s, then allowed is %s', (address, allowed) => {
    expect(addressAllowed(list, address)).toBe(allowed);
  });

  it('when the list is empty, then every address is allowed', () => {
    expect(addressAllowed([], '198.51.100.1')).toBe(true);
  });
});

describe('plainAddress', () => {
  it.each([
    ['203.0.113.7', '203.0.113.7'],
    ['::ffff:203.0.113.7', '203.0.113.7'],
    ['::FFFF:CB00:7107', '203.0.113.7'],
    ['::203.0.113.7', '::cb00:7107'],
    ['2001:0DB8:0:0::1', '2001:db8::1'],
    ['::1', '::1'],
    ['fe80::1%eth0', 'fe80::1%eth0'],
  ])('when the address is %s, then it is compared and recorded as %s', (address, expected) => {
    expect(plainAddress(address)).toBe(expected);
  });
});

describe('addressBucketOf', () => {
  it('when failures are counted, then an IPv4 address counts alone and IPv6 addresses by /64', () => {
    expect(addressBucketOf('203.0.113.7')).toBe('203.0.113.7');
    expect(addressBucketOf('2001:db8:4f:1::5')).toBe('2001:db8:4f:1::/64');
    expect(addressBucketOf('2001:db8:4f:1:ffff::9')).toBe('2001:db8:4f:1::/64');
    expect(addressBucketOf('2001:db8:4f:2::5')).not.toBe(addressBucketOf('2001:db8:4f:1::5'));
    // The bucket is a key of rate_counters that every instance shares: its form does not change.
    expect(addressBucketOf('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(addressBucketOf('fe80::1%eth0')).toBe('fe80:0:0:0::/64');
    expect(addressBucketOf(null)).toBe('unknown');
  });
});
