import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../../test/helpers/app.js';
import { TEST_DIALECTS } from '../../test/helpers/databases.js';
import {
  createCustomer,
  createHotspot,
  createPlan,
  createSession,
  createTenant,
  createUsageDay,
  createVoucher,
} from '../../test/helpers/factories.js';
import { CookieJar, csrfTokenIn, getPage, portalSignIn, postForm } from '../../test/helpers/portal.js';
import { HOUR_MS, MB, dayInZone } from '../shared/index.js';
import { sha256Hex } from '../shared/index.js';
import { PORTAL_SESSION_COOKIE } from './plugin.js';
import { touchVoucherOwnersPortals } from '../store/index.js';

const ALEX = '+12025550143';
const SAM = '+12025550188';
const XSS = '<script>alert("x")</script>';

describe.each(TEST_DIALECTS)('customer portal over HTTP (%s)', (dialect) => {
  let app: TestApp;
  let tenantId: number;
  let alexVoucherId: number;
  let samVoucherId: number;

  let alexId: number;

  /** A portal session without the sign-in form (the form's per-number limit is tested elsewhere). */
  async function signedInDirectly(jar: CookieJar, customerId: number): Promise<void> {
    const token = await app.webSessions.create(tenantId, 'portal', customerId, { authMethod: 'phone' });
    jar.store({ cookies: [{ name: PORTAL_SESSION_COOKIE, value: token }] } as never);
  }

  /** The sign-in form's POST with this exact body (no token added: the tests of a bad post). */
  const postSignInRaw = (jar: CookieJar, payload: string) =>
    app.http.inject({
      method: 'POST',
      url: '/portal/sign-in',
      headers: {
        accept: 'text/html',
        cookie: jar.header(),
        'content-type': 'application/x-www-form-urlencoded',
      },
      payload,
    });

  /** As if accounting had counted this much downloaded on Alex's voucher (120 MB is the fixture's). */
  async function setAlexDownloaded(bytes: number): Promise<void> {
    await app.store.db
      .updateTable('vouchers')
      .set({ downloaded_bytes: bytes })
      .where('id', '=', alexVoucherId)
      .execute();
    // As accounting does after its writes (invalidation.test.ts sends real accounting).
    await touchVoucherOwnersPortals(app.store.db, [alexVoucherId]);
  }

  beforeAll(async () => {
    app = await buildTestApp(dialect);
    const db = app.store.db;
    const tenant = app.bootstrapped.tenant;
    tenantId = tenant.id;
    const nowMs = app.clock.nowMs();
    const hotspot = await createHotspot(db, tenantId, { title: `Lobby ${XSS}` });
    const plan = await createPlan(db, tenantId, {
      title: `Week <img src=x onerror=alert(1)>`,
      price_minor: 2500,
    });
    const alex = await createCustomer(db, tenantId, { phone: ALEX, name: `Alex ${XSS}` });
    alexId = alex.id;
    const sam = await createCustomer(db, tenantId, { phone: SAM, name: 'Sam' });
    await createCustomer(db, tenantId, { phone: '+12025550100', status: 'blocked' });
    const voucher = await createVoucher(db, plan, {
      customer_id: alex.id,
      short_code: 'ALEXCODE1',
      status: 'online',
      activated_at: nowMs - 2 * HOUR_MS,
      expires_at: nowMs + 22 * HOUR_MS,
      downloaded_bytes: 120 * MB,
      uploaded_bytes: 30 * MB,
      online_seconds: 1800,
    });
    alexVoucherId = voucher.id;
    await createVoucher(db, plan, {
      customer_id: alex.id,
      short_code: 'ALEXOLD01',
      status: 'used',
      used_reason: 'data',
      activated_at: nowMs - 10 * 24 * HOUR_MS,
      used_at: nowMs - 9 * 24 * HOUR_MS,
      downloaded_bytes: 480 * MB,
      uploaded_bytes: 20 * MB,
    });
    const samVoucher = await createVoucher(db, plan, { customer_id: sam.id, short_code: 'SAMCODE01' });
    samVoucherId = samVoucher.id;
    await createSession(db, {
      tenant_id: tenantId,
      hotspot_id: hotspot.id,
      voucher_id: voucher.id,
      mac: 'F0:99:B6:12:34:56',
      started_at: nowMs - 2 * HOUR_MS,
      stopped_at: nowMs - HOUR_MS,
      downloaded_bytes: 100 * MB,
      uploaded_bytes: 20 * MB,
      session_seconds: 3600,
      terminate_cause: 'Idle-Timeout',
    });
    await createSession(db, {
      tenant_id: tenantId,
      hotspot_id: hotspot.id,
      voucher_id: voucher.id,
      mac: '3A:1F:C2:77:08:9E',
      started_at: nowMs - 30 * 60_000,
      downloaded_bytes: 20 * MB,
      uploaded_bytes: 10 * MB,
    });
    await createUsageDay(db, {
      tenant_id: tenantId,
      voucher_id: voucher.id,
      customer_id: alex.id,
      day: dayInZone(nowMs, tenant.time_zone),
      downloaded_bytes: 120 * MB,
      uploaded_bytes: 30 * MB,
      online_seconds: 1800,
    });
    // Another tenant with its own customer: their number means nothing here.
    const other = await createTenant(db, { name: 'Other', hosts: ['other.example.com'] });
    await createCustomer(db, other.id, { phone: '+12025550177' });
  });
  afterAll(() => app.destroy());

  it('shows the sign-in form with a CSRF token, labelled, without a session', async () => {
    const jar = new CookieJar();
    const page = await getPage(app.http, jar, '/portal');
    expect(page.statusCode).toBe(200);
    expect(page.headers['cache-control']).toBe('no-store');
    expect(page.body).toContain('<label for="phone">Phone number</label>');
    expect(csrfTokenIn(page.body).length).toBeGreaterThan(10);
  });

  it.each([['(202) 555-0143'], ['+1 202 555 0143'], ['2025550143'], ['001 202-555-0143']])(
    'signs in with %s and shows the dashboard',
    async (input) => {
      const jar = new CookieJar();
      const response = await portalSignIn(app.http, jar, input);
      expect(response.statusCode).toBe(303);
      expect(response.headers.location).toBe('/portal');
      expect(jar.get(PORTAL_SESSION_COOKIE)).toBeTruthy();
      const dashboard = await getPage(app.http, jar, '/portal');
      expect(dashboard.statusCode).toBe(200);
      expect(dashboard.body).toContain('Signed in as (202) 555-0143');
      expect(dashboard.body).toContain('150 MB of 500 MB'); // the voucher's traffic
      expect(dashboard.body).toContain('Ended after a while without activity'); // Idle-Timeout
      expect(dashboard.body).toContain('F0:99:B6:12:34:56');
      expect(dashboard.body).toContain('<svg class="chart-svg"');
      expect(dashboard.body).toContain('Data used up'); // the history
    },
  );

  it.each([
    ['', 'Enter your phone number.'],
    ['abc', 'That does not look like a phone number'],
    ['12345', 'That number is too short'],
    ['+1 999 555 0143', 'That is not a valid phone number for United States'],
  ])('refuses the malformed number %j with a clear message', async (input, message) => {
    const jar = new CookieJar();
    const response = await portalSignIn(app.http, jar, input);
    expect(response.statusCode).toBe(400);
    expect(response.body).toContain(message);
    expect(response.body).toContain('aria-invalid="true"');
    expect(jar.get(PORTAL_SESSION_COOKIE)).toBeUndefined();
  });

  it('says an unknown number is unknown, and so is a number of another tenant', async () => {
    for (const phone of ['+12025550199', '+12025550177']) {
      const jar = new CookieJar();
      const response = await portalSignIn(app.http, jar, phone);
      expect(response.statusCode).toBe(400);
      expect(response.body).toContain('We could not find an account for');
      expect(jar.get(PORTAL_SESSION_COOKIE)).toBeUndefined();
    }
    // On the other tenant's host the same number signs in.
    const jar = new CookieJar();
    const response = await portalSignIn(app.http, jar, '+12025550177', { host: 'other.example.com' });
    expect(response.statusCode).toBe(303);
  });

  it('refuses a blocked customer', async () => {
    const jar = new CookieJar();
    const response = await portalSignIn(app.http, jar, '+12025550100');
    expect(response.statusCode).toBe(403);
    expect(response.body).toContain('This account is blocked');
  });

  it('answers a POST without a CSRF token with a 403 page', async () => {
    const jar = new CookieJar();
    await getPage(app.http, jar, '/portal');
    const response = await postSignInRaw(jar, `phone=${encodeURIComponent(ALEX)}`);
    expect(response.statusCode).toBe(403);
    expect(response.headers['content-type']).toContain('text/html');
    expect(response.body).toContain('This form has expired or did not come from this site');
    expect(response.cookies.find((c) => c.name === PORTAL_SESSION_COOKIE)).toBeUndefined();
  });

  it('answers a huge body with a clear 413 page', async () => {
    const jar = new CookieJar();
    const page = await getPage(app.http, jar, '/portal');
    const response = await postSignInRaw(
      jar,
      `_csrf=${encodeURIComponent(csrfTokenIn(page.body))}&phone=${'1'.repeat(200_000)}`,
    );
    expect(response.statusCode).toBe(413);
    expect(response.body).toContain('What you sent is too large');
    expect(response.body).not.toMatch(/at .+\.tsx?:\d+/);
  });

  it('issues a new session token on every sign-in', async () => {
    const jar = new CookieJar();
    await portalSignIn(app.http, jar, ALEX);
    const first = jar.get(PORTAL_SESSION_COOKIE);
    await portalSignIn(app.http, jar, ALEX);
    const second = jar.get(PORTAL_SESSION_COOKIE);
    expect(second).toBeTruthy();
    expect(second).not.toBe(first);
    // The replaced token is gone server-side.
    const old = await app.store.db
      .selectFrom('web_sessions')
      .select('id_hash')
      .where('id_hash', '=', sha256Hex(first ?? ''))
      .executeTakeFirst();
    expect(old).toBeUndefined();
  });

  it('signs out with a POST and ends the session server-side', async () => {
    const jar = new CookieJar();
    await portalSignIn(app.http, jar, ALEX);
    const token = jar.get(PORTAL_SESSION_COOKIE) ?? '';
    const stolenCookie = `${PORTAL_SESSION_COOKIE}=${token}`;
    const out = await postForm(app.http, jar, '/portal/sign-out', {});
    expect(out.statusCode).toBe(303);
    expect(out.headers.location).toBe('/portal?signed-out');
    expect(jar.get(PORTAL_SESSION_COOKIE)).toBeUndefined();
    const row = await app.store.db
      .selectFrom('web_sessions')
      .select('id_hash')
      .where('id_hash', '=', sha256Hex(token))
      .executeTakeFirst();
    expect(row).toBeUndefined();
    // Replaying the old cookie opens nothing.
    const replay = await app.http.inject({ url: '/portal', headers: { cookie: stolenCookie } });
    expect(replay.body).toContain('<label for="phone">');
    expect(replay.body).not.toContain('Signed in as');
    const api = await app.http.inject({ url: '/portal/api/summary', headers: { cookie: stolenCookie } });
    expect(api.statusCode).toBe(401);
  });

  it('shows a voucher to its owner (code masked after a phone-only sign-in), and 404 for anyone else’s', async () => {
    const jar = new CookieJar();
    await portalSignIn(app.http, jar, ALEX);
    const own = await getPage(app.http, jar, `/portal/vouchers/${alexVoucherId}`);
    expect(own.statusCode).toBe(200);
    expect(own.body).toContain('<code>•••• E1</code>');
    expect(own.body).not.toContain('ALEXCODE1');
    const others = await getPage(app.http, jar, `/portal/vouchers/${samVoucherId}`);
    expect(others.statusCode).toBe(404);
    expect(others.body).not.toContain('SAMCODE01');
    expect((await getPage(app.http, jar, '/portal/vouchers/abc')).statusCode).toBe(404);
    expect((await getPage(app.http, jar, '/portal/vouchers/999999999')).statusCode).toBe(404);
  });

  it('shows a customer only their own vouchers', async () => {
    const jar = new CookieJar();
    await portalSignIn(app.http, jar, SAM);
    const page = await getPage(app.http, jar, '/portal');
    expect(page.body).toContain('Hello, Sam');
    expect(page.body).not.toContain('ALEX');
    expect(page.body).not.toContain('F0:99:B6:12:34:56');
    const summary = await app.http.inject({ url: '/portal/api/summary', headers: { cookie: jar.header() } });
    expect(Object.keys(summary.json<{ text: Record<string, string> }>().text)).not.toContain(
      `v${alexVoucherId}.data`,
    );
  });

  it('escapes customer names, plan titles and hotspot titles', async () => {
    const jar = new CookieJar();
    await portalSignIn(app.http, jar, ALEX);
    const page = await getPage(app.http, jar, '/portal');
    expect(page.body).not.toContain('<script>alert');
    expect(page.body).not.toContain('<img src=x');
    expect(page.body).toContain('Alex &lt;script>alert(&quot;x&quot;)&lt;/script>');
    expect(page.body).toContain('Week &lt;img src=x onerror=alert(1)>');
    expect(page.body).toContain('Lobby &lt;script>');
  });

  it('serves live numbers that follow the database', async () => {
    const jar = new CookieJar();
    await portalSignIn(app.http, jar, ALEX);
    const page = await getPage(app.http, jar, '/portal');
    const summaryUrl = /data-live-url="([^"]+)"/.exec(page.body)?.[1]?.replaceAll('&amp;', '&') ?? '';
    const before = await app.http.inject({ url: summaryUrl, headers: { cookie: jar.header() } });
    expect(before.statusCode).toBe(200);
    const live = before.json<{ fingerprint: string; text: Record<string, string> }>();
    // Every number the page marks as live is in the JSON, with the same text.
    for (const [, key, text] of page.body.matchAll(/data-live="([^"]+)">([^<]*)</g)) {
      expect(live.text[key ?? '']).toBe(text?.replaceAll('&amp;', '&'));
    }
    expect(live.text[`v${alexVoucherId}.data`]).toBe('150 MB of 500 MB');
    await setAlexDownloaded(300 * MB);
    const after = await app.http.inject({ url: summaryUrl, headers: { cookie: jar.header() } });
    const updated = after.json<{
      fingerprint: string;
      text: Record<string, string>;
      progress: Record<string, number>;
    }>();
    expect(updated.text[`v${alexVoucherId}.data`]).toBe('330 MB of 500 MB');
    expect(updated.progress[`v${alexVoucherId}.data`]).toBe(66);
    expect(updated.fingerprint).toBe(live.fingerprint);
    await setAlexDownloaded(120 * MB);
  });

  it('answers an unchanged live refresh 304 by ETag, and the full numbers once accounting moved them', async () => {
    const jar = new CookieJar();
    await signedInDirectly(jar, alexId); // ALEX's sign-ins per minute are limited
    const url = '/portal/api/summary';
    const first = await app.http.inject({ url, headers: { cookie: jar.header() } });
    const etag = first.headers.etag as string;
    expect(etag).toMatch(/^"[\w-]{22}"$/);
    const same = await app.http.inject({ url, headers: { cookie: jar.header(), 'if-none-match': etag } });
    expect(same.statusCode).toBe(304);
    expect(same.body).toBe('');
    expect(same.headers['cache-control']).toBe('no-store');
    // Accounting between two refreshes: new numbers, a new ETag, the old one no longer matches.
    await app.store.db
      .updateTable('vouchers')
      .set((eb) => ({ downloaded_bytes: eb('downloaded_bytes', '+', 50 * MB) }))
      .where('id', '=', alexVoucherId)
      .execute();
    await touchVoucherOwnersPortals(app.store.db, [alexVoucherId]);
    const moved = await app.http.inject({ url, headers: { cookie: jar.header(), 'if-none-match': etag } });
    expect(moved.statusCode).toBe(200);
    expect(moved.headers.etag).not.toBe(etag);
    expect(moved.json<{ text: Record<string, string> }>().text[`v${alexVoucherId}.data`]).toBe(
      '200 MB of 500 MB',
    );
    // Without a session the ETag of someone else's summary opens nothing.
    const stranger = await app.http.inject({
      url,
      headers: { 'if-none-match': moved.headers.etag as string },
    });
    expect(stranger.statusCode).toBe(401);
    await setAlexDownloaded(120 * MB);
  });

  it('compresses pages, JSON and assets for clients that accept it, and nothing for those that do not', async () => {
    const jar = new CookieJar();
    await signedInDirectly(jar, alexId); // ALEX's sign-ins per minute are limited
    const plain = await getPage(app.http, jar, '/portal', { 'accept-encoding': 'identity' });
    expect(plain.headers['content-encoding']).toBeUndefined();
    const br = await getPage(app.http, jar, '/portal', { 'accept-encoding': 'gzip, deflate, br' });
    expect(br.headers['content-encoding']).toBe('br');
    expect(br.headers.vary).toMatch(/Accept-Encoding/);
    expect(br.rawPayload.length).toBeLessThan(plain.rawPayload.length / 3);
    const html = zlib.brotliDecompressSync(br.rawPayload).toString();
    // Same page but for the per-response CSRF token.
    const strip = (page: string) => page.replace(/value="[^"]{20,}"/g, 'value=""');
    expect(strip(html)).toBe(strip(plain.body));
    const json = await app.http.inject({
      url: '/portal/api/summary',
      headers: { cookie: jar.header(), 'accept-encoding': 'gzip' },
    });
    expect(json.headers['content-encoding']).toBe('gzip');
    expect(JSON.parse(zlib.gunzipSync(json.rawPayload).toString())).toHaveProperty('text');
    for (const asset of ['/assets/portal.css', '/assets/portal.js']) {
      const raw = await app.http.inject({ url: asset });
      for (let i = 0; i < 2; i++) {
        // The second time from the compressed copy kept for this file version.
        const packed = await app.http.inject({ url: asset, headers: { 'accept-encoding': 'br' } });
        expect(packed.headers['content-encoding']).toBe('br');
        expect(zlib.brotliDecompressSync(packed.rawPayload).toString()).toBe(raw.body);
      }
    }
  });

  it('speaks Spanish to a Spanish browser and follows the language switch', async () => {
    const jar = new CookieJar();
    const spanish = await getPage(app.http, jar, '/portal', { 'accept-language': 'es-MX,es;q=0.9,en;q=0.5' });
    expect(spanish.body).toContain('<html lang="es"');
    expect(spanish.body).toContain('Número de teléfono');
    const switched = await getPage(app.http, jar, '/portal/language/en?next=%2Fportal');
    expect(switched.statusCode).toBe(303);
    expect(switched.headers.location).toBe('/portal');
    const english = await getPage(app.http, jar, '/portal', { 'accept-language': 'es' });
    expect(english.body).toContain('Phone number');
    const offsite = await getPage(app.http, jar, '/portal/language/es?next=https%3A%2F%2Fevil.example');
    expect(offsite.headers.location).toBe('/portal');
  });

  it('limits sign-in attempts per number, and per address sized for a venue NAT, with the form and the wait in words', async () => {
    const jar = new CookieJar();
    const page = await getPage(app.http, jar, '/portal');
    const token = csrfTokenIn(page.body);
    const attempt = (phone: string, remoteAddress = '127.0.0.99') =>
      app.http.inject({
        method: 'POST',
        url: '/portal/sign-in',
        remoteAddress,
        headers: {
          accept: 'text/html',
          cookie: jar.header(),
          'content-type': 'application/x-www-form-urlencoded',
        },
        payload: `_csrf=${encodeURIComponent(token)}&phone=${encodeURIComponent(phone)}`,
      });
    // One number: 10 a minute, then the form again with the number kept and the wait in words.
    const statuses: number[] = [];
    for (let i = 0; i < 10; i++) statuses.push((await attempt('2025550199')).statusCode);
    expect(statuses.every((s) => s === 400)).toBe(true);
    const perNumber = await attempt('(202) 555-0199');
    expect(perNumber.statusCode).toBe(429);
    expect(perNumber.headers['retry-after']).toBeDefined();
    expect(perNumber.body).toContain(
      'Too many sign-in attempts for this number. Please wait 1 min and try again.',
    );
    expect(perNumber.body).toContain('action="/portal/sign-in"');
    expect(perNumber.body).toContain('value="(202) 555-0199"');

    // One address (a venue behind NAT): 120 a minute over many numbers, then the form with the wait.
    for (let i = 0; i < 109; i++) {
      expect((await attempt(`20255520${String(i).padStart(2, '0')}`, '127.0.0.98')).statusCode).toBe(400);
    }
    for (let i = 0; i < 11; i++) await attempt(`2025553${String(i).padStart(3, '0')}`, '127.0.0.98');
    const perAddress = await attempt('2025554000', '127.0.0.98');
    expect(perAddress.statusCode).toBe(429);
    expect(perAddress.headers['retry-after']).toBeDefined();
    expect(perAddress.body).toContain('Too many attempts from your network. Please wait');
    expect(perAddress.body).toContain('action="/portal/sign-in"');
    // Another address is not affected.
    expect((await portalSignIn(app.http, new CookieJar(), ALEX)).statusCode).toBe(303);
  });

  it('caps sessions and history with links that work without JavaScript', async () => {
    const jar = new CookieJar();
    await portalSignIn(app.http, jar, ALEX);
    const full = await getPage(app.http, jar, '/portal');
    expect(full.body.match(/<tr class|<tr>/g)?.length).toBe(3); // header + 2 sessions
    expect(full.body).not.toContain('All your sessions');
    const capped = await getPage(app.http, jar, '/portal?sessions=1&history=1');
    expect(capped.body.match(/<tbody>[\s\S]*<\/tbody>/)?.[0].match(/<tr/g)?.length).toBe(1);
    expect(capped.body).toContain('href="/portal/sessions"');
    expect(capped.body).not.toContain('Show more vouchers');
    const junk = await getPage(app.http, jar, '/portal?sessions=-5&history=abc');
    expect(junk.statusCode).toBe(200);
    const detail = await getPage(app.http, jar, `/portal/vouchers/${alexVoucherId}?sessions=1`);
    expect(detail.body).toContain(`href="/portal/vouchers/${alexVoucherId}?sessions=21#sessions-title"`);
  });

  it('puts what is left and the online status first, then vouchers, then 5 recent sessions, paged beyond', async () => {
    const db = app.store.db;
    const nowMs = app.clock.nowMs();
    const phone = '+12025550177';
    const kim = await createCustomer(db, tenantId, { phone, name: 'Kim' });
    const plan = await createPlan(db, tenantId, { title: 'Day pass', data_limit_bytes: 1000 * MB });
    const voucher = await createVoucher(db, plan, {
      customer_id: kim.id,
      status: 'online',
      activated_at: nowMs - 30 * HOUR_MS,
      expires_at: nowMs + 2 * HOUR_MS,
      downloaded_bytes: 250 * MB,
    });
    const hotspot = await createHotspot(db, tenantId, { title: 'Terrace' });
    for (let i = 0; i < 27; i++) {
      await createSession(db, {
        tenant_id: tenantId,
        hotspot_id: hotspot.id,
        voucher_id: voucher.id,
        started_at: nowMs - (i + 1) * HOUR_MS,
        stopped_at: i === 0 ? null : nowMs - (i + 1) * HOUR_MS + 600_000,
        downloaded_bytes: (i + 1) * MB,
      });
    }
    const jar = new CookieJar();
    await portalSignIn(app.http, jar, phone);
    const page = (await getPage(app.http, jar, '/portal')).body;
    const at = (needle: string) => {
      const index = page.indexOf(needle);
      expect(index, needle).toBeGreaterThan(-1);
      return index;
    };
    expect(at('Right now')).toBeLessThan(at('id="vouchers-title"'));
    expect(at('id="vouchers-title"')).toBeLessThan(at('Recent sessions'));
    expect(at('You are online now.')).toBeLessThan(at('id="vouchers-title"'));
    expect(at(`data-live="v${voucher.id}.data.left">750 MB left<`)).toBeLessThan(at('id="vouchers-title"'));
    const recent = page.slice(at('Recent sessions'));
    expect(recent.match(/<tbody>[\s\S]*?<\/tbody>/)?.[0].match(/<tr/g)?.length).toBe(5);
    expect(recent).toContain('href="/portal/sessions"');

    const first = await getPage(app.http, jar, '/portal/sessions');
    expect(first.statusCode).toBe(200);
    expect(first.body.match(/<tbody>[\s\S]*?<\/tbody>/)?.[0].match(/<tr/g)?.length).toBe(20);
    expect(first.body).toContain('href="/portal/sessions?page=2"');
    expect(first.body).not.toContain('Newer sessions');
    const second = await getPage(app.http, jar, '/portal/sessions?page=2');
    expect(second.body.match(/<tbody>[\s\S]*?<\/tbody>/)?.[0].match(/<tr/g)?.length).toBe(7);
    expect(second.body).toContain('href="/portal/sessions"');
    expect(second.body).not.toContain('Older sessions');
    // The oldest session (27 MB) is on page 2, the newest (online) on page 1.
    expect(second.body).toContain('27 MB');
    expect(first.body).toContain('Online now');
    expect((await getPage(app.http, jar, '/portal/sessions?page=abc')).statusCode).toBe(200);
    expect((await getPage(app.http, new CookieJar(), '/portal/sessions')).statusCode).toBe(303);
  });

  it('ends the session of a customer the operator blocks', async () => {
    const phone = '+12025550166';
    const customer = await createCustomer(app.store.db, tenantId, { phone });
    const jar = new CookieJar();
    expect((await portalSignIn(app.http, jar, phone)).statusCode).toBe(303);
    expect((await getPage(app.http, jar, '/portal')).body).toContain('Signed in as');
    await app.store.db
      .updateTable('customers')
      .set({ status: 'blocked' })
      .where('id', '=', customer.id)
      .execute();
    const page = await getPage(app.http, jar, '/portal');
    expect(page.body).toContain('<label for="phone">');
    const rows = await app.store.db
      .selectFrom('web_sessions')
      .select('id_hash')
      .where('subject_id', '=', customer.id)
      .where('kind', '=', 'portal')
      .execute();
    expect(rows).toEqual([]);
  });

  it('signs a customer out after a day without activity', async () => {
    const jar = new CookieJar();
    await portalSignIn(app.http, jar, SAM);
    app.clock.advance(23 * HOUR_MS);
    expect((await getPage(app.http, jar, '/portal')).body).toContain('Signed in as');
    app.clock.advance(23 * HOUR_MS); // the last visit counts as activity
    expect((await getPage(app.http, jar, '/portal')).body).toContain('Signed in as');
    app.clock.advance(25 * HOUR_MS);
    expect((await getPage(app.http, jar, '/portal')).body).not.toContain('Signed in as');
    app.clock.advance(-71 * HOUR_MS);
  });

  it('answers the live endpoint without a session with problem+json 401', async () => {
    const response = await app.http.inject({ url: '/portal/api/summary' });
    expect(response.statusCode).toBe(401);
    expect(response.headers['content-type']).toContain('application/problem+json');
  });
});
