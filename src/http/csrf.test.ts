/**
 * Issue 10 (Low): the CSRF cookie was not bound to the session — a (secret, token) pair an attacker
 * got on their own visit worked on anyone's session once the secret cookie was planted. Tokens are
 * now bound to the session of the form's area, and the cookie is `__Host-` prefixed over HTTPS.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_DIALECTS } from '../../test/helpers/databases.js';
import { buildTestApp, type TestApp } from '../../test/helpers/app.js';
import { AdminClient, createAdmin, signedInAdmin } from '../../test/helpers/admin.js';

describe.each(TEST_DIALECTS)('CSRF tokens bound to the session (%s)', (dialect) => {
  let app: TestApp;
  let victim: AdminClient;
  let attacker: AdminClient;
  beforeAll(async () => {
    app = await buildTestApp(dialect, { env: { TRUST_PROXY: '1' } });
    const tenantId = app.bootstrapped.tenant.id;
    victim = await signedInAdmin(app, tenantId, { role: 'owner' });
    attacker = await signedInAdmin(app, tenantId, { role: 'readonly' });
  });
  afterAll(() => app.destroy());

  const cookie = (client: AdminClient, name: string) =>
    new RegExp(`(?:^|; )${name}=([^;]+)`).exec(client.cookieHeader)?.[1] ?? '';

  /** A plan-creating form post on the victim's session with a CSRF pair of the attacker's choosing. */
  const forged = (csrfSecret: string, token: string) =>
    app.http.inject({
      method: 'POST',
      url: '/admin/plans',
      headers: {
        host: 'localhost',
        accept: 'text/html',
        'content-type': 'application/x-www-form-urlencoded',
        cookie: `portico_admin=${cookie(victim, 'portico_admin')}; portico_csrf=${csrfSecret}`,
      },
      payload: new URLSearchParams({ title: 'Planted plan', voucherPrefix: 'pp', _csrf: token }).toString(),
    });

  it("refuses a token minted for another session (or none) on the victim's session", async () => {
    // The attacker's own pair, signed in...
    const own = await attacker.csrf('/admin');
    const ownForged = await forged(cookie(attacker, 'portico_csrf'), own);
    expect(ownForged.statusCode).toBe(403);
    expect(ownForged.body).toContain('did not come from this site');
    // ...and signed out, from the sign-in page.
    const stranger = new AdminClient(app);
    const anonymous = await stranger.csrf('/admin/sign-in');
    expect((await forged(cookie(stranger, 'portico_csrf'), anonymous)).statusCode).toBe(403);
    const plans = await app.store.db.selectFrom('plans').select('title').execute();
    expect(plans.map((p) => p.title)).not.toContain('Planted plan');
    // The victim's own form still works.
    const real = await victim.post(
      '/admin/plans',
      { title: 'Real plan', voucherPrefix: 'rp' },
      '/admin/plans/new',
    );
    expect(real.statusCode).toBe(303);
  });

  it('a token from before sign-in does not work after it (the session changed)', async () => {
    const client = new AdminClient(app);
    const before = await client.csrf('/admin/sign-in');
    const owner = await createAdmin(app, app.bootstrapped.tenant.id, { role: 'owner' });
    expect((await client.signIn(owner.email)).statusCode).toBe(303);
    const stale = await client.postRaw('/admin/sign-out', new URLSearchParams({ _csrf: before }).toString());
    expect(stale.statusCode).toBe(403);
  });

  it('names the secret cookie __Host-portico_csrf (Secure, Path=/, no Domain) over HTTPS', async () => {
    const page = await app.http.inject({
      url: '/admin/sign-in',
      remoteAddress: '10.0.0.5',
      headers: { host: 'localhost', 'x-forwarded-proto': 'https', 'x-forwarded-for': '203.0.113.5' },
    });
    const csrf = page.cookies.find((c) => c.name.includes('portico_csrf'));
    expect(csrf).toMatchObject({ name: '__Host-portico_csrf', secure: true, path: '/', httpOnly: true });
    expect(csrf?.domain).toBeUndefined();
    // The plain-HTTP name is not read over HTTPS (a planted non-prefixed cookie counts for nothing).
    const token = /name="_csrf" value="([^"]+)"/.exec(page.body)?.[1] ?? '';
    const post = await app.http.inject({
      method: 'POST',
      url: '/admin/sign-in',
      remoteAddress: '10.0.0.5',
      headers: {
        host: 'localhost',
        'x-forwarded-proto': 'https',
        'x-forwarded-for': '203.0.113.5',
        'content-type': 'application/x-www-form-urlencoded',
        cookie: `portico_csrf=${csrf?.value ?? ''}`,
      },
      payload: new URLSearchParams({
        email: 'x@example.com',
        password: 'whatever-1234',
        _csrf: token,
      }).toString(),
    });
    expect(post.statusCode).toBe(403);
  });
});
