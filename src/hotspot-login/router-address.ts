/**
 * Whether a `link-login-only` can be the router's own login address. The login page posts the
 * voucher code (as the username) there, and anyone can open Portico's page with any parameters:
 * without this check a link to Portico's page with `link-login-only=https://evil.example/` would
 * collect codes through a page guests trust. A hotspot router answers on an address of the guest
 * network: a private, shared (CGNAT), link-local or loopback IP, a name that cannot be public
 * (one label, .lan, .local, .internal, .home.arpa), or a DNS name the operator listed.
 */
import net from 'node:net';

const LOCAL_SUFFIXES = ['.lan', '.local', '.localdomain', '.internal', '.home.arpa'];

function ipv4InRanges(ip: string): boolean {
  const [a = 0, b = 0] = ip.split('.').map(Number);
  return (
    a === 10 ||
    a === 127 ||
    (a === 172 && b >= 16 && b <= 31) ||
    (a === 192 && b === 168) ||
    (a === 100 && b >= 64 && b <= 127) ||
    (a === 169 && b === 254)
  );
}

function ipv6Local(ip: string): boolean {
  const lower = ip.toLowerCase();
  if (lower === '::1') return true;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(lower);
  if (mapped) return ipv4InRanges(mapped[1]!);
  return /^f[cd][0-9a-f]{0,2}:/.test(lower) || /^fe[89ab][0-9a-f]?:/.test(lower);
}

export function isRouterAddress(url: URL, listedHosts: readonly string[]): boolean {
  const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (net.isIPv4(host)) return ipv4InRanges(host);
  if (net.isIPv6(host)) return ipv6Local(host);
  if (listedHosts.includes(host)) return true;
  if (!host.includes('.')) return true;
  return LOCAL_SUFFIXES.some((suffix) => host.endsWith(suffix));
}

/** A DNS name an operator may list (lower-case labels, at least one dot). */
export function isHostName(text: string): boolean {
  return (
    text.length <= 253 && /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9-]{1,63}$/.test(text)
  );
}
