/**
 * The hotspot login path on the wire, without a browser: a guest's HTTP requests go through the
 * router simulator (captive redirect → Portico's generated login.html → Portico's page) and
 * Portico's answers, the router sends real RADIUS Access-Requests (HTTP-CHAP) to Portico's
 * RADIUS server, and the guest lands on the view of the voucher just used. On every database in
 * TEST_DIALECTS.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_DIALECTS } from '../helpers/databases.js';
import { createPlan, createVoucher } from '../helpers/factories.js';
import { E2E_TIMEOUT_MS, startHotspotWorld, type HotspotWorld } from '../helpers/hotspot-world.js';
import { parseForm } from '../helpers/html-forms.js';
import { RouterSimulator } from '../helpers/router-simulator.js';
import { NAS_SECRET } from '../helpers/radius-factories.js';

const MAC = 'F0:99:B6:12:34:56';

/** Follows redirects by hand (fetch's own would hide the hops), returns the final answer. */
async function follow(
  url: string,
  init: RequestInit = {},
): Promise<{ url: string; status: number; body: string; hops: string[] }> {
  const hops: string[] = [];
  let current = url;
  let response = await fetch(current, { ...init, redirect: 'manual' });
  while (response.status >= 300 && response.status < 400) {
    current = new URL(response.headers.get('location')!, current).href;
    hops.push(current);
    response = await fetch(current, { redirect: 'manual' });
  }
  return { url: current, status: response.status, body: await response.text(), hops };
}

/** Submits a parsed form like a browser (GET → query, POST → urlencoded body). */
function submit(form: { action: string; method: string; fields: Record<string, string> }, base: string) {
  const action = new URL(form.action, base);
  const data = new URLSearchParams(form.fields);
  if (form.method === 'get') {
    action.search = data.toString();
    return follow(action.href);
  }
  return follow(action.href, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: data.toString(),
  });
}

describe.each(TEST_DIALECTS)('hotspot login through a simulated MikroTik (%s)', (dialect) => {
  let world: HotspotWorld;
  let router: RouterSimulator;
  let voucherCode: string;
  let shortCode: string;
  let usedCode: string;

  beforeAll(async () => {
    world = await startHotspotWorld(dialect, async (app, tenantId) => {
      const plan = await createPlan(app.store.db, tenantId, {
        title: 'Day pass',
        data_limit_bytes: 2_000_000_000,
        time_limit_seconds: 86_400,
        speed_down_kbps: 10_000,
        speed_up_kbps: 2_000,
        devices_limit: 2,
      });
      const voucher = await createVoucher(app.store.db, plan);
      voucherCode = voucher.code;
      shortCode = voucher.short_code;
      usedCode = (await createVoucher(app.store.db, plan, { status: 'used', used_reason: 'data' })).code;
      await app.hotspotLogin.updateSettings(tenantId, { openPortalAfterLogin: true });
    });
    const page = await world.app.hotspotLogin.ensurePage(world.tenantId, world.hotspotId);
    router = new RouterSimulator({
      radiusPort: world.authPort,
      secret: NAS_SECRET,
      clientMac: MAC,
      clientIp: '10.5.50.23',
      loginHtml: async () =>
        (await fetch(`${world.baseUrl}/hotspot/${page.publicId}/files/login.html`)).text(),
    });
    await router.start();
  }, E2E_TIMEOUT_MS);

  afterAll(async () => {
    await router?.close();
    await world?.close();
  }, E2E_TIMEOUT_MS);

  it(
    'explains a bad code in plain words, logs a good one in with HTTP-CHAP, and shows that voucher',
    async () => {
      // Join: any page → the router's login.html → Portico's page with the router's variables.
      const joined = await follow(`${router.baseUrl}/news/today`);
      expect(joined.url).toBe(
        `${router.baseUrl}/login?dst=${encodeURIComponent(`${router.baseUrl}/news/today`)}`,
      );
      const forward = parseForm(joined.body);
      expect(forward.fields['chap-challenge']).toMatch(/^(\\[0-7]{3}){16}$/);
      const portico = await submit(forward, router.baseUrl);
      expect(portico.url.startsWith(`${world.baseUrl}/hotspot/`)).toBe(true);
      expect(portico.body).toContain('Voucher code');
      expect(router.radius.map((r) => r.method)).toEqual(['mac']); // returning-device check first

      // A used-up voucher: Portico says why, and the router is not asked.
      const form = parseForm(portico.body);
      const used = await submit({ ...form, fields: { ...form.fields, code: usedCode } }, portico.url);
      expect(used.status).toBe(422);
      expect(used.body).toContain('This voucher is used up');
      const unknown = await submit({ ...form, fields: { ...form.fields, code: 'NOPE-1234' } }, portico.url);
      expect(unknown.body).toContain('We could not find this code');
      expect(router.radius).toHaveLength(1);

      // The short code: Portico checks it, the browser posts the full code + CHAP to the router.
      const checked = await submit({ ...form, fields: { ...form.fields, code: shortCode } }, portico.url);
      expect(checked.status).toBe(200);
      const routerForm = parseForm(checked.body, /id="router-login"/);
      expect(routerForm.action).toBe(`${router.baseUrl}/login`);
      expect(routerForm.fields.username).toBe(voucherCode);
      expect(routerForm.fields.password).toMatch(/^[0-9a-f]{32}$/);
      expect(routerForm.fields.password).not.toContain(voucherCode);

      const landed = await submit(routerForm, checked.url);
      expect(router.radius.at(-1)).toMatchObject({ method: 'chap', userName: voucherCode, accepted: true });
      expect(landed.hops.some((hop) => hop.includes('/done?f='))).toBe(true);
      expect(landed.url).toMatch(/\/hotspot\/welcome\/[\w-]+\.[\w-]{43}$/);
      expect(landed.body).toContain('Day pass');
      expect(landed.body).toContain('1 of 2'); // the device bound at this login
      expect(landed.body).toContain('10 Mbit/s down');
      expect(landed.body).not.toContain(voucherCode);

      // A forged or altered link shows nothing of the voucher.
      const forged = await follow(`${landed.url.slice(0, -3)}abc`);
      expect(forged.status).toBe(410);
      expect(forged.body).not.toContain('Day pass');

      // Back on the network later: MAC login, no page.
      router.logout();
      const again = await follow(`${router.baseUrl}/weather`);
      expect(again.url).toBe(`${router.baseUrl}/weather`);
      expect(router.radius.at(-1)).toMatchObject({ method: 'mac', accepted: true });
    },
    E2E_TIMEOUT_MS,
  );

  it(
    'never posts a code to an address that cannot be the router (a phishing link to the page)',
    async () => {
      const page = await world.app.hotspotLogin.ensurePage(world.tenantId, world.hotspotId);
      const phishing = `${world.baseUrl}/hotspot/${page.publicId}/login?link-login-only=${encodeURIComponent('https://evil.example/login')}&chap-id=%5C001&chap-challenge=%5C002`;
      const opened = await follow(phishing);
      expect(opened.body).toContain('This page opens by itself when you join the Wi-Fi');
      expect(opened.body).not.toContain('name="code"');
      const posted = await follow(`${world.baseUrl}/hotspot/${page.publicId}/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          'link-login-only': 'https://evil.example/login',
          code: voucherCode,
        }).toString(),
      });
      expect(posted.body).not.toContain('evil.example');
      expect(posted.body).not.toContain(voucherCode);
    },
    E2E_TIMEOUT_MS,
  );

  it(
    'retries once with the fresh challenge when the router says the first one was stale',
    async () => {
      router.logout();
      await world.app.store.db.deleteFrom('devices').execute(); // a new device: no MAC login
      const joined = await follow(`${router.baseUrl}/mail`);
      const portico = await submit(parseForm(joined.body), router.baseUrl);
      const form = parseForm(portico.body);
      const checked = await submit({ ...form, fields: { ...form.fields, code: voucherCode } }, portico.url);
      router.rotateChallenge(); // the router served its page again meanwhile
      const routerForm = parseForm(checked.body, /id="router-login"/);
      const bounced = await submit(routerForm, checked.url);
      // The router refused the stale response and sent the guest back through login.html to
      // Portico, which answered with the new challenge at once instead of "unknown code".
      expect(router.radius.filter((r) => r.method === 'chap').slice(-1)[0]!.accepted).toBe(false);
      const back = parseForm(bounced.body);
      expect(back.fields.error).toBe('Unknown voucher code');
      const retried = await submit(back, bounced.url);
      expect(retried.body).toContain('id="router-login"');
      expect(retried.body).not.toContain('We could not find this code');
      const landed = await submit(parseForm(retried.body, /id="router-login"/), retried.url);
      expect(router.radius.at(-1)).toMatchObject({ method: 'chap', accepted: true });
      expect(landed.url).toMatch(/\/hotspot\/welcome\//);
    },
    E2E_TIMEOUT_MS,
  );
});
