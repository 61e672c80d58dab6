import { describe, expect, it } from 'vitest';
import type { Tenant } from '../store/index.js';
import { portalAddressFor, type PortalUrlFallback } from './portal-url.js';

const tenant = (publicUrl: string | null) => ({ id: 1, public_url: publicUrl }) as Tenant;
const nic = (address: string, family: 'IPv4' | 'IPv6', internal: boolean) =>
  ({ address, family, internal, netmask: '', mac: '', cidr: null }) as never;

function fallback(values: Partial<PortalUrlFallback> & { hosts?: string[]; adminOrigin?: string }) {
  return {
    publicUrl: values.publicUrl,
    hostsOf: async () => values.hosts ?? [],
    adminOriginOf: async () => values.adminOrigin ?? '',
    port: 3000,
    networkInterfaces: values.networkInterfaces ?? (() => ({})),
  };
}

describe('the portal address in SMS links', () => {
  it('takes the public URLs, then a host name, then where an admin signed in', async () => {
    const all = {
      publicUrl: 'https://wifi.example.com/',
      hosts: ['cafe.example'],
      adminOrigin: 'http://10.0.0.2:3000',
    };
    expect(await portalAddressFor(tenant('https://own.example/'), fallback(all))).toEqual({
      url: 'https://own.example/portal',
      source: 'tenant',
    });
    expect(await portalAddressFor(tenant(null), fallback(all))).toEqual({
      url: 'https://wifi.example.com/portal',
      source: 'deployment',
    });
    expect(await portalAddressFor(tenant(null), fallback({ ...all, publicUrl: undefined }))).toEqual({
      url: 'https://cafe.example/portal',
      source: 'host',
    });
    expect(await portalAddressFor(tenant(null), fallback({ adminOrigin: 'http://10.0.0.2:3000' }))).toEqual({
      url: 'http://10.0.0.2:3000/portal',
      source: 'admin',
    });
  });

  it('is never a made-up localhost: the machine’s network address before anyone signed in', async () => {
    const interfaces = () => ({
      lo: [nic('127.0.0.1', 'IPv4', true)],
      eth0: [nic('192.168.1.20', 'IPv4', false)],
    });
    const address = await portalAddressFor(tenant(null), fallback({ networkInterfaces: interfaces }));
    expect(address).toEqual({ url: 'http://192.168.1.20:3000/portal', source: 'network' });
    const bare = await portalAddressFor(tenant(null), fallback({}));
    expect(bare.url).toBe('http://127.0.0.1:3000/portal');
    expect(bare.url).not.toContain('localhost');
  });
});
