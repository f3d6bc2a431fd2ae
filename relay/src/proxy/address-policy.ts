/**
 * Which addresses the proxy may connect to. Only public unicast addresses by default: loopback,
 * private (RFC 1918, RFC 4193), link-local (RFC 3927, RFC 4291 section 2.5.6), multicast,
 * carrier-grade NAT, unspecified, broadcast and reserved ranges are refused, so the relay cannot
 * be used to reach the machine it runs on or its network. The check is made on the address the
 * connection actually uses (a custom `lookup`), which defeats DNS rebinding.
 */
import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';
import ipaddr from 'ipaddr.js';

/** A destination address is not allowed; `address` is the IP, `range` its ipaddr.js range name. */
export class ForbiddenAddressError extends Error {
  override name = 'ForbiddenAddressError';
  readonly code = 'EFORBIDDENADDRESS';
  constructor(
    readonly host: string,
    readonly address: string,
    readonly range: string,
  ) {
    super(
      `The relay does not connect to ${host === address ? address : `${host} (${address})`}: it is a ${range} address. ` +
        'Start the relay with --allow-private (or --allow-cidr for one range) to allow it.',
    );
  }
}

/** Options for {@link createAddressPolicy}. */
export interface AddressPolicyOptions {
  /** Allow every address. */
  allowPrivate: boolean;
  /** CIDR ranges allowed although not public, e.g. `['192.168.1.0/24']`. */
  allowedCidrs: readonly string[];
  /** Resolver used by {@link AddressPolicy.lookup}; defaults to `dns.lookup`. Tests inject one. */
  resolve?: (hostname: string) => Promise<LookupAddress[]>;
}

/** The policy, as used by the upstream client. */
export interface AddressPolicy {
  /**
   * Checks one IP literal.
   * @throws ForbiddenAddressError when it is not allowed.
   */
  check(host: string, address: string): void;
  /**
   * A `lookup` for `http.request`: resolves the hostname, keeps only allowed addresses, and
   * fails with ForbiddenAddressError when none is left; the socket then connects to an address
   * that was checked.
   */
  lookup: LookupFunction;
}

/** Builds the policy. @throws Error on a malformed CIDR. */
export function createAddressPolicy(options: AddressPolicyOptions): AddressPolicy {
  const cidrs = options.allowedCidrs.map((cidr) => ipaddr.parseCIDR(cidr));
  const resolve = options.resolve ?? ((hostname: string) => new Promise<LookupAddress[]>((ok, fail) => dnsLookup(hostname, { all: true }, (error, addresses) => (error ? fail(error) : ok(addresses)))));

  const check = (host: string, address: string): void => {
    if (options.allowPrivate) return;
    const parsed = ipaddr.process(address); // IPv4-mapped IPv6 becomes IPv4
    const range = parsed.range();
    if (range === 'unicast') return;
    if (cidrs.some(([network, bits]) => network.kind() === parsed.kind() && parsed.match(network, bits))) return;
    throw new ForbiddenAddressError(host, parsed.toString(), range);
  };

  const lookup = ((hostname: string, lookupOptions: LookupOptions, callback: (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void) => {
    const wantAll = lookupOptions.all === true;
    const pending = isIP(hostname) !== 0 ? Promise.resolve([{ address: hostname, family: isIP(hostname) }]) : resolve(hostname);
    pending.then(
      (addresses) => {
        const family = lookupOptions.family === 'IPv4' ? 4 : lookupOptions.family === 'IPv6' ? 6 : lookupOptions.family;
        const candidates = addresses.filter((entry) => !family || entry.family === family);
        let firstRefusal: ForbiddenAddressError | undefined;
        const allowed = candidates.filter((entry) => {
          try {
            check(hostname, entry.address);
            return true;
          } catch (error) {
            firstRefusal ??= error as ForbiddenAddressError;
            return false;
          }
        });
        const first = allowed[0];
        if (first === undefined) {
          callback(firstRefusal ?? Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND' }), '', 0);
        } else if (wantAll) {
          callback(null, allowed);
        } else {
          callback(null, first.address, first.family);
        }
      },
      (error: NodeJS.ErrnoException) => callback(error, '', 0),
    );
  }) as LookupFunction;

  return { check, lookup };
}
