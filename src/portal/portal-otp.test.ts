/** The portal's sign-in with SMS one-time codes, over HTTP (inject), on both databases. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../../test/helpers/app.js';
import { TEST_DIALECTS } from '../../test/helpers/databases.js';
import { createCustomer } from '../../test/helpers/factories.js';
import { CookieJar, getPage, portalSignIn, postForm, queuedLoginCode } from '../../test/helpers/portal.js';
import { SETTINGS_DEFAULTS } from '../tenants/index.js';
import { OTP_ATTEMPT_COOKIE, PORTAL_SESSION_COOKIE } from './plugin.js';

const KNOWN = '+12025550143';
const UNKNOWN = '+12025550199';
/** A number of its own for the second-browser test (the others use up KNOWN's hourly codes). */
const SECOND = '+12025550144';

describe.each(TEST_DIALECTS)('portal sign-in with SMS codes (%s)', (dialect) => {
  let app: TestApp;
  let tenantId: number;

  beforeAll(async () => {
    app = await buildTestApp(dialect);
    tenantId = app.bootstrapped.tenant.id;
    await createCustomer(app.store.db, tenantId, { phone: KNOWN, name: 'Alex' });
    await createCustomer(app.store.db, tenantId, { phone: SECOND, name: 'Bea' });
    await app.sms.service.createGateway(tenantId, { name: 'Log', type: 'log', settings: {} });
    await app.portalSettings.update(tenantId, { otpEnabled: true });
  });
  afterAll(() => app.destroy());

  const queuedCode = (phone: string) => queuedLoginCode(app, tenantId, phone);
  /** Sends the code form as a person would (its CSRF token from `formPageUrl`). */
  const enterCode = (jar: CookieJar, code: string, formPageUrl = '/portal/sign-in/code') =>
    postForm(app.http, jar, '/portal/sign-in/code', { code }, { formPageUrl });
  const codeMessages = async () =>
    (
      await app.store.db
        .selectFrom('sms_messages')
        .select('recipient')
        .where('tenant_id', '=', tenantId)
        .where('type', '=', 'login_code')
        .orderBy('id')
        .execute()
    ).map((r) => r.recipient);

  it('asks for the code after the phone number, and signs in with it into a new session', async () => {
    const jar = new CookieJar();
    const start = await portalSignIn(app.http, jar, '(202) 555-0143');
    expect(start.statusCode).toBe(303);
    expect(start.headers.location).toBe('/portal/sign-in/code');
    expect(jar.get(PORTAL_SESSION_COOKIE)).toBeUndefined();
    const attemptCookie = start.cookies.find((c) => c.name === OTP_ATTEMPT_COOKIE)!;
    expect(attemptCookie.httpOnly).toBe(true);
    expect(attemptCookie.sameSite).toBe('Lax');

    const page = await getPage(app.http, jar, '/portal/sign-in/code');
    expect(page.body).toContain('If (202) 555-0143 is registered here');
    const code = await queuedCode(KNOWN);
    expect(code).toMatch(/^\d{6}$/);

    const wrong = await enterCode(jar, code === '000000' ? '111111' : '000000');
    expect(wrong.statusCode).toBe(400);
    expect(wrong.body).toContain('That code is not right. 4 tries left.');

    const right = await enterCode(jar, ` ${code!.slice(0, 3)} ${code!.slice(3)} `);
    expect(right.statusCode).toBe(303);
    expect(right.headers.location).toBe('/portal');
    const session = jar.get(PORTAL_SESSION_COOKIE);
    expect(session).toBeDefined();
    expect(jar.get(OTP_ATTEMPT_COOKIE)).toBeUndefined();
    const dashboard = await getPage(app.http, jar, '/portal');
    expect(dashboard.body).toContain('Hello, Alex');

    // Sign-out ends the session on the server: the old cookie opens nothing.
    await postForm(app.http, jar, '/portal/sign-out', {});
    const replay = await app.http.inject({
      url: '/portal',
      headers: { accept: 'text/html', cookie: `${PORTAL_SESSION_COOKIE}=${session}` },
    });
    expect(replay.body).not.toContain('Hello, Alex');
    expect(replay.body).toContain('name="phone"');
  });

  it('a second browser within the resend wait gets the code field for the code already sent (6d)', async () => {
    const first = new CookieJar();
    await portalSignIn(app.http, first, SECOND);
    await app.otp.idle();
    const code = await queuedCode(SECOND);
    app.clock.advance(4_000);
    const fresh = new CookieJar();
    const again = await portalSignIn(app.http, fresh, SECOND);
    expect(again.statusCode).toBe(303);
    expect(again.headers.location).toBe('/portal/sign-in/code?already-sent');
    const page = await getPage(app.http, fresh, again.headers.location!);
    expect(page.body).toContain('A code was sent to (202) 555-0144 a moment ago.');
    expect(page.body).toContain('name="code"');
    expect(page.body).toContain('You can ask for a new code in 56 s.');
    // An unknown number in its own wait gets the same page (nothing says which is registered).
    const stranger = new CookieJar();
    await portalSignIn(app.http, stranger, '+12025550198');
    app.clock.advance(1_000);
    const strangerAgain = new CookieJar();
    const b = await portalSignIn(app.http, strangerAgain, '+12025550198');
    expect(b.headers.location).toBe('/portal/sign-in/code?already-sent');
    const right = await enterCode(fresh, code!, '/portal/sign-in/code?already-sent');
    expect(/role="alert">([^<]*)/.exec(right.body)?.[1]).toBeUndefined();
    expect(right.statusCode).toBe(303);
    expect(right.headers.location).toBe('/portal');
    expect((await getPage(app.http, fresh, '/portal')).body).toContain('Hello, Bea');
    // Spanish words for the same page.
    const es = new CookieJar();
    await getPage(app.http, es, '/portal/language/es');
    app.clock.advance(60_000);
    await portalSignIn(app.http, first, SECOND);
    const spanish = await portalSignIn(app.http, es, SECOND);
    const esPage = await getPage(app.http, es, spanish.headers.location!);
    expect(esPage.body).toContain('Hace un momento enviamos un código al (202) 555-0144.');
    await app.otp.idle();
  });

  it('answers an unknown number exactly like a registered one and texts nothing', async () => {
    const before = await codeMessages();
    const known = new CookieJar();
    const unknown = new CookieJar();
    app.clock.advance(60_000);
    const a = await portalSignIn(app.http, known, KNOWN);
    const b = await portalSignIn(app.http, unknown, UNKNOWN);
    expect(b.statusCode).toBe(a.statusCode);
    expect(b.headers.location).toBe(a.headers.location);
    expect(b.cookies.map((c) => c.name)).toEqual(a.cookies.map((c) => c.name));
    const pageA = await getPage(app.http, known, '/portal/sign-in/code');
    const pageB = await getPage(app.http, unknown, '/portal/sign-in/code');
    const normalize = (html: string) =>
      html.replace(/value="[^"]+"/g, 'value=""').replace(/\(202\) 555-01\d\d/g, 'PHONE');
    expect(normalize(pageB.body)).toBe(normalize(pageA.body));
    const wrongA = await enterCode(known, '000000');
    const wrongB = await enterCode(unknown, '000000');
    expect(wrongB.statusCode).toBe(wrongA.statusCode);
    expect(normalize(wrongB.body)).toBe(normalize(wrongA.body));
    await app.otp.idle();
    expect((await codeMessages()).slice(before.length)).toEqual([KNOWN]);
  });

  it('locks a code after 5 wrong tries, even for the right code', async () => {
    const jar = new CookieJar();
    app.clock.advance(60_000);
    await portalSignIn(app.http, jar, KNOWN);
    const code = await queuedCode(KNOWN);
    const wrong = code === '000000' ? '111111' : '000000';
    for (let i = 0; i < 4; i++) await enterCode(jar, wrong);
    const fifth = await enterCode(jar, wrong);
    expect(fifth.statusCode).toBe(429);
    expect(fifth.body).toContain('Too many wrong codes. Ask for a new one.');
    const right = await enterCode(jar, code!);
    expect(right.statusCode).toBe(429);
    expect(jar.get(PORTAL_SESSION_COOKIE)).toBeUndefined();
  });

  it('resends only after the cooldown; the new code replaces the old one', async () => {
    const jar = new CookieJar();
    app.clock.advance(60_000);
    await portalSignIn(app.http, jar, KNOWN);
    const first = await queuedCode(KNOWN);
    const early = await postForm(
      app.http,
      jar,
      '/portal/sign-in/resend',
      {},
      { formPageUrl: '/portal/sign-in/code' },
    );
    expect(early.statusCode).toBe(429);
    expect(early.body).toContain('Please wait 1 min before asking for a new code.');
    app.clock.advance(60_000);
    const resent = await postForm(
      app.http,
      jar,
      '/portal/sign-in/resend',
      {},
      { formPageUrl: '/portal/sign-in/code' },
    );
    expect(resent.statusCode).toBe(303);
    expect((await getPage(app.http, jar, resent.headers.location as string)).body).toContain(
      'A new code is on its way.',
    );
    const second = await queuedCode(KNOWN);
    if (first !== second) {
      const old = await enterCode(jar, first!);
      expect(old.statusCode).toBe(400);
    }
    const ok = await enterCode(jar, second!);
    expect(ok.statusCode).toBe(303);
  });

  it('caps codes per number per hour; refuses an expired code and a code post without the CSRF token', async () => {
    const jar = new CookieJar();
    app.clock.advance(60_000);
    // Five codes went to this number within the hour: the sixth is refused, alike for any number.
    const capped = await portalSignIn(app.http, jar, KNOWN);
    expect(capped.statusCode).toBe(429);
    expect(capped.body).toContain('Please wait 1 h before asking for a new code.');
    app.clock.advance(3_600_000);
    await portalSignIn(app.http, jar, KNOWN);
    const code = await queuedCode(KNOWN);
    const noCsrf = await app.http.inject({
      method: 'POST',
      url: '/portal/sign-in/code',
      remoteAddress: jar.remoteAddress,
      headers: {
        accept: 'text/html',
        'content-type': 'application/x-www-form-urlencoded',
        cookie: jar.header(),
      },
      payload: `code=${code}`,
    });
    expect(noCsrf.statusCode).toBe(403);
    app.clock.advance(SETTINGS_DEFAULTS.portal.otpTtlSeconds * 1000);
    const expired = await enterCode(jar, code!);
    expect(expired.statusCode).toBe(400);
    expect(expired.body).toContain('This code has expired. Ask for a new one.');
  });
});
