/** Which destination addresses the proxy may reach, by range; and the checked lookup. */
import type { LookupAddress } from 'node:dns';
import { describe, expect, it } from 'vitest';
import { createAddressPolicy, ForbiddenAddressError } from './address-policy.ts';

const strict = createAddressPolicy({ allowPrivate: false, allowedCidrs: ['192.168.7.0/24', 'fd12::/16'] });

describe('AddressPolicy.check', () => {
  it('allows public unicast addresses', () => {
    for (const address of ['8.8.8.8', '1.1.1.1', '93.184.216.34', '2606:4700:4700::1111', '2001:4860:4860::8888']) {
      expect(() => strict.check(address, address), address).not.toThrow();
    }
  });

  it('refuses every non-public range, naming it', () => {
    const cases: [string, string][] = [
      ['127.0.0.1', 'loopback'],
      ['127.255.0.9', 'loopback'],
      ['10.0.0.1', 'private'],
      ['172.16.5.4', 'private'],
      ['192.168.1.1', 'private'],
      ['169.254.169.254', 'linkLocal'],
      ['224.0.0.251', 'multicast'],
      ['239.255.255.250', 'multicast'],
      ['100.64.0.1', 'carrierGradeNat'],
      ['0.0.0.0', 'unspecified'],
      ['255.255.255.255', 'broadcast'],
      ['::1', 'loopback'],
      ['::', 'unspecified'],
      ['fe80::1', 'linkLocal'],
      ['fc00::1', 'uniqueLocal'],
      ['ff02::1', 'multicast'],
      ['::ffff:10.0.0.1', 'private'],
      ['::ffff:127.0.0.1', 'loopback'],
    ];
    for (const [address, range] of cases) {
      let caught: unknown;
      try {
        strict.check(address, address);
      } catch (error) {
        caught = error;
      }
      expect(caught, address).toBeInstanceOf(ForbiddenAddressError);
      expect((caught as ForbiddenAddressError).range, address).toBe(range);
    }
  });

  it('allows the ranges given by --allow-cidr, and everything with --allow-private', () => {
    expect(() => strict.check('nvr.lan', '192.168.7.20')).not.toThrow();
    expect(() => strict.check('nvr.lan', '192.168.8.20')).toThrow(ForbiddenAddressError);
    expect(() => strict.check('x', 'fd12::5')).not.toThrow();
    const open = createAddressPolicy({ allowPrivate: true, allowedCidrs: [] });
    expect(() => open.check('localhost', '127.0.0.1')).not.toThrow();
  });
});

describe('AddressPolicy.lookup', () => {
  const answers: Record<string, LookupAddress[]> = {
    'public.test': [{ address: '93.184.216.34', family: 4 }],
    'rebind.test': [{ address: '127.0.0.1', family: 4 }],
    'both.test': [
      { address: '10.0.0.1', family: 4 },
      { address: '93.184.216.34', family: 4 },
    ],
  };
  const policy = createAddressPolicy({ allowPrivate: false, allowedCidrs: [], resolve: (name) => Promise.resolve(answers[name] ?? []) });
  const lookup = (name: string, all: boolean) =>
    new Promise<{ error: NodeJS.ErrnoException | null; address: string | LookupAddress[] }>((resolve) => {
      policy.lookup(name, { all }, (error: NodeJS.ErrnoException | null, address: string | LookupAddress[]) => resolve({ error, address }));
    });

  it('answers only checked addresses', async () => {
    expect(await lookup('public.test', false)).toEqual({ error: null, address: '93.184.216.34' });
    expect(await lookup('both.test', true)).toEqual({ error: null, address: [{ address: '93.184.216.34', family: 4 }] });
  });

  it('fails with ForbiddenAddressError when every address is refused', async () => {
    const { error } = await lookup('rebind.test', true);
    expect(error).toBeInstanceOf(ForbiddenAddressError);
    expect(error?.message).toContain('rebind.test (127.0.0.1)');
  });

  it('fails with ENOTFOUND when the name has no address', async () => {
    expect((await lookup('nothing.test', false)).error?.code).toBe('ENOTFOUND');
  });
});
