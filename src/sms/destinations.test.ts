/**
 * Issue 10 item 2 (SSRF), the guard on its own: which addresses a gateway may reach, names that
 * resolve to refused addresses, DNS rebinding, redirects, and the operator's allow-list. The
 * attacks through the API and the admin pages are in src/admin/tests/sms-ssrf.test.ts.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import smpp from 'smpp';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig, parseAllowedDestinations } from '../config/index.js';
import { DestinationGuard, DestinationRefused, type HostResolver } from './destinations.js';
import type { GatewayError } from './gateway.js';
import { parseGatewaySettings } from './gateway-settings.js';
import { HttpGateway } from './gateways/http.js';
import { SmppGateway } from './gateways/smpp.js';
import { TwilioGateway } from './gateways/twilio.js';
import { startHttpStandIn, type StandIn } from './test-servers.js';

const REFUSED = [
  ['127.0.0.1', 'loopback'],
  ['127.0.0.2', 'loopback'],
  ['10.1.2.3', 'private'],
  ['172.16.0.1', 'private'],
  ['192.168.1.1', 'private'],
  ['169.254.169.254', 'link-local'], // cloud metadata
  ['100.64.0.1', 'carrier-grade NAT'],
  ['0.0.0.0', 'unspecified'], // Linux connects it to the loopback
  ['224.0.0.1', 'multicast'],
  ['255.255.255.255', 'broadcast'],
  ['240.0.0.1', 'reserved'],
  ['192.0.2.1', 'reserved'],
  ['::1', 'loopback'],
  ['::', 'unspecified'],
  ['fe80::1', 'link-local'],
  ['fc00::1', 'unique local'],
  ['fd00:ec2::254', 'unique local'], // AWS metadata over IPv6
  ['ff02::1', 'multicast'],
  ['::ffff:127.0.0.1', 'loopback'], // IPv4-mapped
  ['::ffff:7f00:1', 'loopback'],
  ['::ffff:169.254.169.254', 'link-local'],
  ['::ffff:10.0.0.1', 'private'],
  ['::7f00:1', 'IPv4-compatible'],
  ['64:ff9b::7f00:1', 'rfc6052'], // NAT64 of 127.0.0.1
  ['2002:7f00:1::', '6to4'],
] as const;

const PUBLIC = ['8.8.8.8', '1.1.1.1', '52.1.2.3', '2606:4700:4700::1111', '2a00:1450:4001::200e'];

/** A fake DNS: each name answers the addresses given (in turn, for rebinding). */
function fakeDns(answers: Record<string, string[][]>): HostResolver & { calls: string[] } {
  const calls: string[] = [];
  const resolver = async (name: string) => {
    calls.push(name);
    const queue = answers[name];
    if (!queue || queue.length === 0) throw Object.assign(new Error('not found'), { code: 'ENOTFOUND' });
    const addresses = queue.length > 1 ? queue.shift()! : queue[0]!;
    return addresses.map((address) => ({
      address,
      family: address.includes(':') ? (6 as const) : (4 as const),
    }));
  };
  return Object.assign(resolver, { calls });
}

let standIns: StandIn[] = [];
afterEach(async () => {
  for (const s of standIns) await s.close();
  standIns = [];
});

describe('destination guard', () => {
  const guard = new DestinationGuard();

  it.each(REFUSED)('refuses %s (%s)', async (address, kind) => {
    expect(guard.refusal(address)).toContain(kind);
    await expect(guard.resolve(address)).rejects.toBeInstanceOf(DestinationRefused);
    await expect(guard.resolve(`[${address}]`)).rejects.toThrow(/not allowed; .*PORTICO_SMS_ALLOWED_HOSTS/);
  });

  it.each(PUBLIC)('allows the public address %s', async (address) => {
    expect(guard.refusal(address)).toBeUndefined();
    await expect(guard.resolve(address)).resolves.toEqual([
      { address, family: address.includes(':') ? 6 : 4 },
    ]);
  });

  it('refuses a name that resolves to a refused address, without naming the address', async () => {
    const dns = fakeDns({
      'sms.evil.example': [['203.0.113.9', '8.8.8.8']],
      'meta.example': [['8.8.8.8', '169.254.169.254']],
    });
    const checked = new DestinationGuard(undefined, dns);
    const error = await checked.resolve('sms.evil.example').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DestinationRefused);
    expect((error as Error).message).toBe(
      'the gateway host sms.evil.example resolves to a reserved address, which is not allowed; ' +
        'the instance operator can allow it with PORTICO_SMS_ALLOWED_HOSTS',
    );
    // One refused address among public ones refuses the name.
    await expect(checked.resolve('meta.example')).rejects.toThrow(/link-local/);
    await expect(checked.resolve('meta.example')).rejects.not.toThrow(/169\.254/);
  });

  it('refuses localhost through the real resolver', async () => {
    await expect(guard.resolve('localhost')).rejects.toThrow(/localhost resolves to a loopback address/);
  });

  it('the operator allow-list: networks and exact host names', async () => {
    const dns = fakeDns({ 'kannel.internal': [['10.9.8.7']], 'other.internal': [['10.9.8.7']] });
    const allowed = new DestinationGuard(
      parseAllowedDestinations('127.0.0.1, 192.168.0.0/16 ,kannel.internal,[::1]', 'X').allowed,
      dns,
    );
    expect(allowed.refusal('127.0.0.1')).toBeUndefined();
    expect(allowed.refusal('::ffff:127.0.0.1')).toBeUndefined();
    expect(allowed.refusal('127.0.0.2')).toBe('loopback'); // /32: only that address
    expect(allowed.refusal('192.168.77.1')).toBeUndefined();
    expect(allowed.refusal('::1')).toBeUndefined();
    expect(allowed.refusal('169.254.169.254')).toContain('link-local');
    await expect(allowed.resolve('kannel.internal')).resolves.toEqual([{ address: '10.9.8.7', family: 4 }]);
    await expect(allowed.resolve('KANNEL.Internal')).resolves.toHaveLength(1);
    await expect(allowed.resolve('other.internal')).rejects.toThrow(/private/);
  });

  it('PORTICO_SMS_ALLOWED_HOSTS is parsed and validated at start', () => {
    expect(loadConfig({}).smsAllowedHosts).toEqual({ hostNames: [], networks: [] });
    expect(
      loadConfig({ PORTICO_SMS_ALLOWED_HOSTS: '127.0.0.1,10.1.2.3/8,Kannel.Internal,[::1],fd00::/8' })
        .smsAllowedHosts,
    ).toEqual({
      hostNames: ['kannel.internal'],
      networks: ['127.0.0.1/32', '10.0.0.0/8', '::1/128', 'fd00::/8'],
    });
    expect(() => loadConfig({ PORTICO_SMS_ALLOWED_HOSTS: '10.0.0.0/33,http://x,127.1,-bad-' })).toThrow(
      /"10.0.0.0\/33" is not a valid CIDR range[\s\S]*"http:\/\/x" is not a host name[\s\S]*"127.1" is not[\s\S]*"-bad-" is not/,
    );
  });
});

describe('gateways behind the guard', () => {
  const settings = (url: string) =>
    parseGatewaySettings('http', { url, password: 'pw', successSubstring: '' });

  it('an http gateway never connects to a refused address, by literal or by name', async () => {
    const internal = await startHttpStandIn(() => ({ status: 200, body: 'internal secret page' }));
    standIns.push(internal);
    const port = new URL(internal.url).port;
    for (const url of [
      `http://127.0.0.1:${port}/`,
      `http://localhost:${port}/`,
      `http://[::ffff:127.0.0.1]:${port}/`,
      `http://2130706433:${port}/`, // 127.0.0.1 as one number
      `http://0x7f.1:${port}/`,
      `http://0:${port}/`, // 0.0.0.0
    ]) {
      const error = await new HttpGateway(settings(url), new DestinationGuard())
        .send({ to: '+12025550123', text: 'x' })
        .catch((e: unknown) => e);
      expect(error, url).toBeInstanceOf(DestinationRefused);
      expect(String((error as Error).message)).not.toContain('internal secret page');
    }
    expect(internal.requests).toHaveLength(0);
  });

  it('DNS rebinding: the connection goes to the address that was checked', async () => {
    const internal = await startHttpStandIn(() => ({ status: 200, body: 'internal' }));
    standIns.push(internal);
    const port = new URL(internal.url).port;
    // Public at the first lookup (a save-time check), loopback at every later one (the send).
    const dns = fakeDns({ 'rebind.example': [['93.184.216.34'], ['127.0.0.1']] });
    const guard = new DestinationGuard(undefined, dns);
    await expect(guard.resolve('rebind.example')).resolves.toHaveLength(1);
    await expect(
      new HttpGateway(settings(`http://rebind.example:${port}/`), guard).send({
        to: '+12025550123',
        text: 'x',
      }),
    ).rejects.toBeInstanceOf(DestinationRefused);
    expect(internal.requests).toHaveLength(0);
    // And an allowed name is dialled at the address the lookup gave (here the stand-in).
    const named = new DestinationGuard(
      { hostNames: ['kannel.internal'], networks: [] },
      fakeDns({ 'kannel.internal': [['127.0.0.1']] }),
    );
    await expect(
      new HttpGateway(settings(`http://kannel.internal:${port}/send`), named).send({ to: '+1', text: 'x' }),
    ).resolves.toMatchObject({ answer: 'HTTP 200' });
    expect(internal.requests).toHaveLength(1);
    expect(internal.requests[0]!.headers.host).toBe(`kannel.internal:${port}`);
  });

  it('a redirect to the loopback is not followed, and its body is not shown', async () => {
    // The operator allows exactly 127.0.0.1 (a local Kannel); 127.0.0.2 is the "internal" service.
    const target = http.createServer((_req, res) => res.end('internal secret page'));
    let targetHits = 0;
    target.on('request', () => targetHits++);
    await new Promise<void>((resolve) => target.listen(0, '127.0.0.2', resolve));
    const targetPort = (target.address() as AddressInfo).port;
    try {
      const redirector = await startHttpStandIn(() => ({
        status: 302,
        body: 'moved, see internal secret page',
      }));
      standIns.push(redirector);
      const guard = new DestinationGuard({ hostNames: [], networks: ['127.0.0.1/32'] });
      // The stand-in cannot set a Location header; any 3xx is refused the same way.
      const error = (await new HttpGateway(settings(`${redirector.url}/send`), guard)
        .send({ to: '+12025550123', text: 'x' })
        .catch((e: unknown) => e)) as GatewayError;
      expect(error.message).toBe(
        'the gateway answered HTTP 302 (a redirect: not followed, set the final URL)',
      );
      expect(error.options.answer).toBe('HTTP 302');
      // Pointing the gateway at the redirect's target directly is refused too.
      await expect(
        new HttpGateway(settings(`http://127.0.0.2:${targetPort}/`), guard).send({ to: '+1', text: 'x' }),
      ).rejects.toThrow(/127\.0\.0\.2 is loopback/);
      expect(targetHits).toBe(0);
    } finally {
      await new Promise<void>((resolve) => target.close(() => resolve()));
    }
  });

  it('a real Location redirect to the loopback is not followed', async () => {
    const internal = await startHttpStandIn(() => ({ status: 200, body: 'internal secret page' }));
    standIns.push(internal);
    const redirector = http.createServer((_req, res) => {
      res.writeHead(307, { location: `${internal.url}/latest/meta-data/` });
      res.end(`<a href="${internal.url}">internal secret page</a>`);
    });
    await new Promise<void>((resolve) => redirector.listen(0, '127.0.0.1', resolve));
    const port = (redirector.address() as AddressInfo).port;
    try {
      // The redirector alone is allowed, by name (its address is the loopback, like the target's).
      const guard = new DestinationGuard(
        { hostNames: ['gateway.example'], networks: [] },
        fakeDns({ 'gateway.example': [['127.0.0.1']] }),
      );
      const error = (await new HttpGateway(settings(`http://gateway.example:${port}/send`), guard)
        .send({ to: '+12025550123', text: 'x' })
        .catch((e: unknown) => e)) as GatewayError;
      expect(error.message).toContain('HTTP 307 (a redirect: not followed');
      expect(JSON.stringify(error)).not.toContain('internal secret page');
      expect(internal.requests).toHaveLength(0);
    } finally {
      await new Promise<void>((resolve) => redirector.close(() => resolve()));
    }
  });

  it('a twilio base URL on a refused address is not called', async () => {
    const internal = await startHttpStandIn(() => ({ status: 201, body: '{"sid":"SM1"}' }));
    standIns.push(internal);
    for (const baseUrl of [
      internal.url,
      'http://169.254.169.254',
      'http://[::1]:8080',
      'http://[fd00:ec2::254]',
    ]) {
      const gateway = new TwilioGateway(
        parseGatewaySettings('twilio', { baseUrl, accountSid: 'AC1', secret: 'token', from: '+15005550006' }),
        new DestinationGuard(),
      );
      await expect(gateway.send({ to: '+12025550123', text: 'x' }), baseUrl).rejects.toBeInstanceOf(
        DestinationRefused,
      );
    }
    expect(internal.requests).toHaveLength(0);
  });

  it('an SMPP host on a refused address is never dialled; an allowed one is dialled by its checked address', async () => {
    let connections = 0;
    const smsc = smpp.createServer({}, (session) => {
      connections++;
      session.on('bind_transceiver', (pdu) => session.send(pdu.response()));
      session.on('error', () => undefined);
    });
    await new Promise<void>((resolve) => smsc.listen(0, '127.0.0.1', resolve));
    const port = (smsc.address() as AddressInfo).port;
    const logger = pino({ level: 'silent' });
    const make = (host: string, guard: DestinationGuard) =>
      new SmppGateway(
        parseGatewaySettings('smpp', { host, port, systemId: 'portico', password: 'pw', timeoutSeconds: 2 }),
        { tenantId: 1, gatewayId: 1, logger, onReceipt: () => undefined, destinations: guard },
      );
    try {
      for (const host of ['127.0.0.1', 'localhost', '::ffff:127.0.0.1', '127.1']) {
        const gateway = make(host, new DestinationGuard());
        await expect(gateway.send({ to: '+12025550123', text: 'x' }), host).rejects.toBeInstanceOf(
          DestinationRefused,
        );
        await gateway.close();
      }
      expect(connections).toBe(0);
      const named = make(
        'smsc.internal',
        new DestinationGuard(
          { hostNames: ['smsc.internal'], networks: [] },
          fakeDns({ 'smsc.internal': [['127.0.0.1']] }),
        ),
      );
      // The stand-in SMSC binds but never answers submit_sm: connecting is what is tested.
      await named.send({ to: '+12025550123', text: 'x' }).catch(() => undefined);
      await named.close();
      expect(connections).toBe(1);
    } finally {
      await new Promise<void>((resolve) => smsc.close(() => resolve()));
    }
  });
});

describe('gateway settings that would reroute a request', () => {
  it('refuses placeholders in the host, unparsable URLs, framing headers and SMPP hosts with ports', () => {
    const http = (settings: Record<string, unknown>) => () => parseGatewaySettings('http', settings);
    expect(http({ url: 'http://{username}.evil.example/send' })).toThrow('not valid');
    expect(http({ url: 'http://user:{password}@sms.example.com/send?to={to}' })).not.toThrow();
    expect(http({ url: 'http://sms.example.com:{to}/' })).toThrow('not valid');
    for (const headerName of ['Host', 'content-length', 'Transfer-Encoding', 'Proxy-Authorization'])
      expect(http({ url: 'https://sms.example.com/', headerName, headerValue: 'x' }), headerName).toThrow(
        'not valid',
      );
    expect(
      http({ url: 'https://sms.example.com/', headerName: 'Authorization', headerValue: 'x' }),
    ).not.toThrow();
    expect(() => parseGatewaySettings('smpp', { host: 'smsc.example.com:2775', systemId: 'x' })).toThrow(
      'not valid',
    );
    expect(() =>
      parseGatewaySettings('twilio', {
        baseUrl: 'https://{x}.twilio.com',
        accountSid: 'AC',
        secret: 's',
        from: '+1',
      }),
    ).toThrow('not valid');
  });
});
