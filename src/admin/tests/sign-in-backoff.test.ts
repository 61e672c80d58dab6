/**
 * Issue 10 (Low): admin sign-in had only a per-address limit. Now wrong passwords for one account
 * make every new client wait (doubling, capped), from any number of addresses — while a browser
 * that signed in to the account before is not held, so an attacker cannot lock the admin out.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_DIALECTS } from '../../../test/helpers/databases.js';
import { buildTestApp, type TestApp } from '../../../test/helpers/app.js';
import { AdminClient, createAdmin, TEST_PASSWORD } from '../../../test/helpers/admin.js';
import { SIGN_IN_BACKOFF } from '../../auth/index.js';

describe.each(TEST_DIALECTS)('admin sign-in backoff per account (%s)', (dialect) => {
  let app: TestApp;
  let nextAddress = 1;
  beforeAll(async () => {
    app = await buildTestApp(dialect);
  });
  afterAll(() => app.destroy());

  /** One sign-in attempt from a fresh address (a botnet: the per-address limit never bites). */
  const attempt = async (email: string, password: string, client = new AdminClient(app)) => {
    const csrf = await client.csrf();
    return client.request({
      method: 'POST',
      url: '/admin/sign-in',
      remoteAddress: `198.51.${Math.floor(nextAddress / 250)}.${(nextAddress++ % 250) + 1}`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ email, password, _csrf: csrf }).toString(),
    });
  };

  it('holds an account back after 5 wrong passwords from many addresses, doubling up to 15 minutes', async () => {
    const owner = await createAdmin(app, app.bootstrapped.tenant.id, { role: 'owner' });
    for (let i = 0; i < SIGN_IN_BACKOFF.freeFailures; i++)
      expect((await attempt(owner.email, `wrong password ${i}`)).statusCode).toBe(401);
    // Even the right password from a new browser waits now: the guess is not even checked.
    const held = await attempt(owner.email, TEST_PASSWORD);
    expect(held.statusCode).toBe(429);
    expect(Number(held.headers['retry-after'])).toBe(30);
    expect(held.body).toContain('Too many wrong passwords for this account');

    // Each further failure doubles the wait, never beyond 15 minutes.
    const waits: number[] = [];
    for (let i = 0; i < 8; i++) {
      app.clock.advance(SIGN_IN_BACKOFF.maxWaitMs);
      expect((await attempt(owner.email, `still wrong ${i}`)).statusCode).toBe(401);
      waits.push(Number((await attempt(owner.email, 'x'.repeat(12))).headers['retry-after']));
    }
    expect(waits).toEqual([60, 120, 240, 480, 900, 900, 900, 900]);
    // After the wait, the right password works from a new browser too.
    app.clock.advance(SIGN_IN_BACKOFF.maxWaitMs);
    expect((await attempt(owner.email, TEST_PASSWORD)).statusCode).toBe(303);
  });

  it('lets the admin in from a browser that signed in before, while the attack goes on', async () => {
    const owner = await createAdmin(app, app.bootstrapped.tenant.id, { role: 'owner' });
    const laptop = new AdminClient(app);
    expect((await attempt(owner.email, TEST_PASSWORD, laptop)).statusCode).toBe(303);
    expect(laptop.cookieHeader).toContain('portico_admin_device=');
    await laptop.post('/admin/sign-out', {});

    for (let i = 0; i < SIGN_IN_BACKOFF.freeFailures + 3; i++) await attempt(owner.email, `guess ${i}`);
    expect((await attempt(owner.email, TEST_PASSWORD)).statusCode).toBe(429);
    // The attacker's failures did not touch the laptop's own count: it signs in at once.
    expect((await attempt(owner.email, TEST_PASSWORD, laptop)).statusCode).toBe(303);

    // A device cookie made for another account, or forged, earns nothing.
    const other = await createAdmin(app, app.bootstrapped.tenant.id, { role: 'admin' });
    for (let i = 0; i < SIGN_IN_BACKOFF.freeFailures; i++) await attempt(other.email, `guess ${i}`);
    await laptop.post('/admin/sign-out', {});
    expect((await attempt(other.email, TEST_PASSWORD, laptop)).statusCode).toBe(429);
    const forger = new AdminClient(app);
    await forger.request({
      url: '/admin/sign-in',
      headers: { cookie: 'portico_admin_device=abc.def' },
    });
    const forged = await app.http.inject({
      method: 'POST',
      url: '/admin/sign-in',
      remoteAddress: '203.0.113.99',
      headers: {
        host: 'localhost',
        cookie: `${forger.cookieHeader}; portico_admin_device=abc.def`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      payload: new URLSearchParams({
        email: other.email,
        password: TEST_PASSWORD,
        _csrf: await forger.csrf(),
      }).toString(),
    });
    expect(forged.statusCode).toBe(429);
  });

  it('treats unknown e-mails the same way, so the wait reveals no account', async () => {
    const statuses: number[] = [];
    for (let i = 0; i <= SIGN_IN_BACKOFF.freeFailures; i++)
      statuses.push((await attempt('nobody@example.com', `guess ${i}`)).statusCode);
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429]);
  });
});
