/**
 * Where SMS gateways may connect. Gateway URLs and hosts are typed by tenant admins, so without
 * a check an admin could make the server talk to its own private network (the loopback, the
 * LAN, a cloud's metadata service) and read the answers back. Only public unicast addresses are
 * reachable, plus what the instance operator allows in PORTICO_SMS_ALLOWED_HOSTS.
 *
 * The check runs on the addresses a host name resolves to, at connect time, and the connection
 * goes to exactly the address that was checked (a `lookup` that only yields checked addresses,
 * or a connect to the checked IP): a DNS answer that changes between check and connect (DNS
 * rebinding) gains nothing. Redirects are never followed (see http-client.ts).
 */
import dns from 'node:dns';
import net, { type LookupFunction } from 'node:net';
import ipaddr from 'ipaddr.js';
import type { AllowedDestinations } from '../config/index.js';
import { GatewayError } from './gateway.js';

export type { AllowedDestinations };

export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

/** Resolves a host name to all its addresses (the system resolver by default). */
export type HostResolver = (hostName: string) => Promise<ResolvedAddress[]>;

const systemResolver: HostResolver = async (hostName) =>
  (await dns.promises.lookup(hostName, { all: true, verbatim: true })).map((a) => ({
    address: a.address,
    family: a.family === 6 ? 6 : 4,
  }));

/** Ranges ipaddr.js files as 'unicast' but that still do not lead to the public Internet. */
const EXTRA_REFUSED: Array<[ipaddr.IPv4 | ipaddr.IPv6, number, string]> = [
  // IPv4-compatible IPv6 (deprecated, RFC 4291 §2.5.5.1): ::a.b.c.d.
  [...ipaddr.parseCIDR('::/96'), 'IPv4-compatible'],
];

/** Plain words for ipaddr.js range names, for error messages. */
const RANGE_WORDS: Record<string, string> = {
  loopback: 'loopback',
  private: 'private (RFC 1918)',
  uniqueLocal: 'private (unique local, fc00::/7)',
  linkLocal: 'link-local (cloud metadata lives here)',
  carrierGradeNat: 'carrier-grade NAT (100.64.0.0/10)',
  unspecified: 'unspecified',
  multicast: 'multicast',
  broadcast: 'broadcast',
  reserved: 'reserved',
};

/** A destination a gateway may not reach; `permanent: false` because the operator can fix it. */
export class DestinationRefused extends GatewayError {
  constructor(message: string) {
    super(message, { permanent: false });
    this.name = 'DestinationRefused';
  }
}

const HOW_TO_ALLOW = 'the instance operator can allow it with PORTICO_SMS_ALLOWED_HOSTS';

export class DestinationGuard {
  private readonly hostNames: ReadonlySet<string>;
  private readonly networks: Array<[ipaddr.IPv4 | ipaddr.IPv6, number]>;

  constructor(
    allowed: AllowedDestinations = { hostNames: [], networks: [] },
    private readonly resolver: HostResolver = systemResolver,
  ) {
    this.hostNames = new Set(allowed.hostNames.map((h) => h.toLowerCase()));
    this.networks = allowed.networks.map((cidr) => ipaddr.parseCIDR(cidr));
  }

  /**
   * Why `address` may not be reached (e.g. "loopback"), or undefined when it may: it is a public
   * unicast address, or it lies in an allowed network. IPv4-mapped IPv6 (::ffff:127.0.0.1) is
   * judged as the IPv4 address it carries.
   */
  refusal(address: string): string | undefined {
    let parsed: ipaddr.IPv4 | ipaddr.IPv6;
    try {
      parsed = ipaddr.parse(address.replace(/%.*$/, ''));
    } catch {
      return 'not an IP address';
    }
    if (parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).isIPv4MappedAddress())
      parsed = (parsed as ipaddr.IPv6).toIPv4Address();
    if (this.networks.some(([network, bits]) => inRange(parsed, network, bits))) return undefined;
    const range = parsed.range();
    if (range !== 'unicast') return RANGE_WORDS[range] ?? `special-purpose (${range})`;
    const extra = EXTRA_REFUSED.find(([network, bits]) => inRange(parsed, network, bits));
    return extra ? extra[2] : undefined;
  }

  /** Whether the operator allowed this host name as such (it may resolve anywhere). */
  isAllowedName(hostName: string): boolean {
    return this.hostNames.has(hostName.toLowerCase().replace(/\.$/, ''));
  }

  /**
   * Resolves `host` (a name or an IP literal, IPv6 with or without brackets) and returns the
   * addresses a gateway may connect to. Throws DestinationRefused when any address is refused (a
   * name that resolves both to a public and a private address is refused as a whole), and a
   * GatewayError when the name cannot be resolved.
   */
  async resolve(host: string): Promise<ResolvedAddress[]> {
    const bare = host.replace(/^\[(.*)\]$/, '$1').toLowerCase();
    const family = net.isIP(bare);
    if (family !== 0) {
      const why = this.refusal(bare);
      if (why)
        throw new DestinationRefused(
          `the gateway address ${bare} is ${why}, which is not allowed; ${HOW_TO_ALLOW}`,
        );
      return [{ address: bare, family: family as 4 | 6 }];
    }
    let addresses: ResolvedAddress[];
    try {
      addresses = await this.resolver(bare);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      throw new GatewayError(
        code === 'EAI_AGAIN'
          ? 'the gateway host name could not be resolved (DNS did not answer)'
          : 'the gateway host name could not be resolved',
      );
    }
    if (addresses.length === 0) throw new GatewayError('the gateway host name could not be resolved');
    if (this.isAllowedName(bare)) return addresses;
    for (const { address } of addresses) {
      const why = this.refusal(address);
      // The address itself is not named: it may be an internal name's, and only the kind matters.
      if (why)
        throw new DestinationRefused(
          `the gateway host ${bare} resolves to a ${why} address, which is not allowed; ${HOW_TO_ALLOW}`,
        );
    }
    return addresses;
  }

  /**
   * A `lookup` for net.connect / http.request that yields only checked addresses: the socket
   * connects to what was checked. (Node does not call `lookup` for IP literals: check those
   * with resolve() first.)
   */
  readonly lookup: LookupFunction = (hostName, options, callback) => {
    this.resolve(hostName).then(
      (addresses) => {
        const wanted = options.family === 4 || options.family === 6 ? options.family : undefined;
        const usable = wanted ? addresses.filter((a) => a.family === wanted) : addresses;
        if (usable.length === 0) {
          const error: NodeJS.ErrnoException = new Error('no address of the wanted family');
          error.code = 'ENOTFOUND';
          callback(error, '', 4);
        } else if (options.all) {
          (callback as unknown as (e: null, a: dns.LookupAddress[]) => void)(null, usable);
        } else {
          callback(null, usable[0]!.address, usable[0]!.family);
        }
      },
      (error: Error) => callback(error as NodeJS.ErrnoException, '', 4),
    );
  };
}

function inRange(
  address: ipaddr.IPv4 | ipaddr.IPv6,
  network: ipaddr.IPv4 | ipaddr.IPv6,
  bits: number,
): boolean {
  return address.kind() === network.kind() && address.match(network, bits);
}
