/**
 * Issue 10, item 4: TRUST_PROXY is a hop count or the proxies' addresses, never "trust all". A
 * client that writes its own X-Forwarded-For in front of what the proxy appends keeps its real
 * address, so per-address limits hold.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../../test/helpers/app.js';
import { AdminClient, createAdmin } from '../../test/helpers/admin.js';
import { ConfigError, loadConfig } from './index.js';

const trust = (value: string) => loadConfig({ TRUST_PROXY: value }).trustProxy;
const problemsOf = (value: string): string[] => {
  try {
    loadConfig({ TRUST_PROXY: value });
    return [];
  } catch (error) {
    return error instanceof ConfigError ? error.problems : [String(error)];
  }
};

describe('TRUST_PROXY', () => {
  it('is off, a hop count, or a list of addresses and CIDR ranges', () => {
    expect(loadConfig({}).trustProxy).toBe(false);
    expect(trust('0')).toBe(false);
    expect(trust('1')).toBe(1);
    expect(trust('2')).toBe(2);
    expect(trust('10.0.0.5, 192.168.0.0/24,::1,fd00::/8')).toEqual([
      '10.0.0.5',
      '192.168.0.0/24',
      '::1',
      'fd00::/8',
    ]);
    expect(trust('loopback')).toEqual(['loopback']);
  });

  it('refuses "trust everyone" and anything that is not an address, saying what to write', () => {
    expect(problemsOf('true')[0]).toMatch(/number of reverse proxies.*forge/);
    expect(problemsOf('yes')).toHaveLength(1);
    expect(problemsOf('11')[0]).toMatch(/1-10/);
    expect(problemsOf('10.0.0.0/33')[0]).toContain('"10.0.0.0/33"');
    expect(problemsOf('proxy.example.com,10.0.0.1')[0]).toContain('"proxy.example.com"');
    expect(problemsOf('10.0.0.1/8/2')).toHaveLength(1);
  });
});

describe('a client forging X-Forwarded-For behind a proxy that appends', () => {
  let app: TestApp | undefined;
  afterEach(async () => {
    await app?.destroy();
    app = undefined;
  });

  const PROXY = '10.0.0.5';
  const CLIENT = '203.0.113.7';

  /** The admin sign-in form, sent from `remoteAddress` with this X-Forwarded-For. */
  const signIn = async (remoteAddress: string, forwardedFor: string, email: string, password: string) => {
    const client = new AdminClient(app!);
    const csrf = await client.csrf();
    return client.request({
      method: 'POST',
      url: '/admin/sign-in',
      remoteAddress,
      headers: { 'x-forwarded-for': forwardedFor, 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ email, password, _csrf: csrf }).toString(),
    });
  };
  /** The client address Portico recorded for the admin's session. */
  const sessionIp = async (adminId: number) =>
    (
      await app!.store.db
        .selectFrom('web_sessions')
        .select('client_ip')
        .where('subject_id', '=', adminId)
        .executeTakeFirstOrThrow()
    ).client_ip;

  for (const setting of ['1', `${PROXY}`, '10.0.0.0/8']) {
    it(`keeps the real address and the per-address sign-in limit (TRUST_PROXY=${setting})`, async () => {
      app = await buildTestApp('sqlite', { env: { TRUST_PROXY: setting } });
      const tenantId = app.bootstrapped.tenant.id;
      const admin = await createAdmin(app, tenantId, { role: 'owner' });
      // Every request comes from the proxy, which appends the address it saw; the client writes
      // a different fake address at the left each time.
      const attempt = (n: number, email: string, password: string) =>
        signIn(PROXY, `198.51.100.${n}, ${CLIENT}`, email, password);
      const ok = await attempt(0, admin.email, 'correct horse battery staple');
      expect(ok.statusCode).toBe(303);
      expect(await sessionIp(admin.id)).toBe(CLIENT);
      // 10 attempts a minute per address: the 11th is refused, however the left entry changes.
      // (A different e-mail each time, so only the per-address limit is at work.)
      const statuses: number[] = [];
      for (let n = 1; n <= 10; n++)
        statuses.push((await attempt(n, `nobody-${n}@example.com`, 'wrong password, again')).statusCode);
      expect(statuses.slice(0, 9)).toEqual(Array(9).fill(401));
      expect(statuses[9]).toBe(429);
    });
  }

  it('with a list, a client reaching Portico directly cannot pose as anyone', async () => {
    app = await buildTestApp('sqlite', { env: { TRUST_PROXY: PROXY } });
    const admin = await createAdmin(app, app.bootstrapped.tenant.id, { role: 'owner' });
    const response = await signIn(CLIENT, '192.0.2.99', admin.email, 'correct horse battery staple');
    expect(response.statusCode).toBe(303);
    expect(await sessionIp(admin.id)).toBe(CLIENT);
  });
});
