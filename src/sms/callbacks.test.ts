/**
 * Delivery callbacks of HTTP gateways through the whole app, against stand-ins: a Twilio-shaped
 * server (its status callback signed as Twilio signs) and a Kannel-like sendsms (its dlr-url).
 * Also the SMS log detail (page and API) with every attempt and every part's receipt.
 */
import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AdminClient, createApiToken, signedInAdmin } from '../../test/helpers/admin.js';
import { buildTestApp, type TestApp } from '../../test/helpers/app.js';
import { TEST_DIALECTS } from '../../test/helpers/databases.js';
import { createTenant } from '../../test/helpers/factories.js';
import { twilioSignature } from './gateways/twilio.js';
import { STAND_IN_ALLOWED_HOSTS, startHttpStandIn, type StandIn } from './test-servers.js';

/** Twilio's signing as its docs describe it, written apart from the app's on purpose. */
function signLikeTwilio(authToken: string, url: string, params: Record<string, string>): string {
  let data = url;
  for (const name of Object.keys(params).sort()) data += name + params[name];
  return crypto
    .createHmac('sha1', Buffer.from(authToken, 'utf8'))
    .update(Buffer.from(data, 'utf8'))
    .digest('base64');
}

describe('Twilio request signature', () => {
  it("matches Twilio's documented example (auth token 12345)", () => {
    const params = {
      CallSid: 'CA1234567890ABCDE',
      Caller: '+14158675309',
      Digits: '1234',
      From: '+14158675309',
      To: '+18005551212',
    };
    const url = 'https://mycompany.com/myapp.php?foo=1&bar=2';
    expect(twilioSignature('12345', url, params)).toBe('RSOYDt4T1cUTdK1PDd93/VVr8B8=');
    expect(signLikeTwilio('12345', url, params)).toBe('RSOYDt4T1cUTdK1PDd93/VVr8B8=');
  });
});

describe.each(TEST_DIALECTS)('SMS delivery callbacks (%s)', (dialect) => {
  let app: TestApp;
  let twilio: StandIn;
  let kannel: StandIn;
  let tenantId: number;
  let otherTenantId: number;
  let token: string;
  let owner: AdminClient;
  const host = 'wifi.beach.example';
  const publicUrl = `https://${host}`;
  const AUTH_TOKEN = 'twilio-auth-token-0123456789';
  let sidCounter = 0;
  let kannelReport: ((url: string) => void) | undefined;

  beforeAll(async () => {
    // Unknown host names reach the default tenant here, so the spoofed-Host callback below gets
    // as far as the signature check (with several tenants they would otherwise answer 404).
    // The stand-in providers listen on 127.0.0.1, allowed explicitly as an operator would.
    app = await buildTestApp(dialect, {
      env: { PORTICO_HOST_FALLBACK: 'on', PORTICO_SMS_ALLOWED_HOSTS: STAND_IN_ALLOWED_HOSTS },
    });
    tenantId = (await createTenant(app.store.db, { name: 'Beach', hosts: [host], public_url: publicUrl })).id;
    otherTenantId = (
      await createTenant(app.store.db, {
        name: 'Other',
        hosts: ['other.example'],
        public_url: 'https://other.example',
      })
    ).id;
    token = await createApiToken(app, tenantId, 'owner');
    owner = await signedInAdmin(app, tenantId, { role: 'owner' }, host);
    twilio = await startHttpStandIn(() => ({
      status: 201,
      contentType: 'application/json',
      body: JSON.stringify({ sid: `SM${String(++sidCounter).padStart(32, '0')}`, status: 'queued' }),
    }));
    kannel = await startHttpStandIn((request) => {
      kannelReport?.(request.url);
      return { status: 202, body: '0: Accepted for delivery' };
    });
  });
  afterAll(async () => {
    await twilio.close();
    await kannel.close();
    await app.destroy();
  });

  const api = (url: string) => app.http.inject({ url, headers: { host, authorization: `Bearer ${token}` } });
  const message = async (id: number) =>
    (await api(`/api/v1/sms-messages/${id}`)).json<{
      status: string;
      history: Array<Record<string, unknown>>;
      parts: Array<Record<string, unknown>>;
    }>();
  const send = async (tenant: number, text: string) => {
    const queued = await app.sms.outbox.enqueue({
      tenantId: tenant,
      customerId: null,
      type: 'test',
      recipient: '+12025550123',
      text,
    });
    await app.sms.outbox.runOnce();
    return queued!.id;
  };
  const gatewaysOff = async (tenant: number) => {
    for (const g of await app.sms.service.listGateways(tenant))
      await app.sms.service.updateGateway(tenant, g.id, { enabled: false });
  };
  const postForm = (url: string, params: Record<string, string>, headers: Record<string, string> = {}) => {
    const u = new URL(url);
    return app.http.inject({
      method: 'POST',
      url: u.pathname + u.search,
      headers: { host: u.host, 'content-type': 'application/x-www-form-urlencoded', ...headers },
      payload: new URLSearchParams(params).toString(),
    });
  };

  it('asks Twilio for signed status callbacks on the public URL and applies only verified ones', async () => {
    await gatewaysOff(tenantId);
    const gateway = await app.sms.service.createGateway(tenantId, {
      name: 'Twilio',
      type: 'twilio',
      settings: { baseUrl: twilio.url, accountSid: 'AC123', secret: AUTH_TOKEN, from: '+15005550006' },
    });
    const page = await owner.get(`/admin/config/sms-gateways/${gateway.id}`);
    expect(page.body).toContain(
      `Delivery reports: On: Twilio reports to ${publicUrl}/sms/callbacks/twilio/${gateway.id}`,
    );
    const id = await send(tenantId, 'Your code');
    const form = new URLSearchParams(twilio.requests.at(-1)!.body);
    const callbackUrl = `${publicUrl}/sms/callbacks/twilio/${gateway.id}`;
    expect(form.get('StatusCallback')).toBe(callbackUrl);
    const sid = `SM${String(sidCounter).padStart(32, '0')}`;
    expect((await message(id)).parts).toMatchObject([{ externalId: sid, status: 'accepted' }]);

    const report = (status: string, extra: Record<string, string> = {}) => ({
      AccountSid: 'AC123',
      MessageSid: sid,
      SmsSid: sid,
      MessageStatus: status,
      SmsStatus: status,
      From: '+15005550006',
      To: '+12025550123',
      ApiVersion: '2010-04-01',
      ...extra,
    });
    // Unsigned, signed with another token, signed for the URL an attacker's Host header makes up.
    const unsigned = await postForm(callbackUrl, report('delivered'));
    expect(unsigned.statusCode).toBe(403);
    const wrongKey = await postForm(callbackUrl, report('delivered'), {
      'x-twilio-signature': signLikeTwilio('not-the-token', callbackUrl, report('delivered')),
    });
    expect(wrongKey.statusCode).toBe(403);
    const spoofedUrl = `https://evil.example/sms/callbacks/twilio/${gateway.id}`;
    const spoofed = await app.http.inject({
      method: 'POST',
      url: `/sms/callbacks/twilio/${gateway.id}`,
      headers: {
        host: 'evil.example',
        'content-type': 'application/x-www-form-urlencoded',
        'x-twilio-signature': signLikeTwilio(AUTH_TOKEN, spoofedUrl, report('delivered')),
      },
      payload: new URLSearchParams(report('delivered')).toString(),
    });
    expect(spoofed.statusCode).toBe(403);
    const tampered = await postForm(callbackUrl, report('delivered'), {
      'x-twilio-signature': signLikeTwilio(AUTH_TOKEN, callbackUrl, report('undelivered')),
    });
    expect(tampered.statusCode).toBe(403);
    expect((await message(id)).status).toBe('sent');

    const sent = await postForm(callbackUrl, report('sent'), {
      'x-twilio-signature': signLikeTwilio(AUTH_TOKEN, callbackUrl, report('sent')),
    });
    expect(sent.statusCode).toBe(204);
    expect(await message(id)).toMatchObject({ status: 'sent', parts: [{ receiptState: 'sent' }] });
    const failed = report('undelivered', { ErrorCode: '30003' });
    const undelivered = await postForm(callbackUrl, failed, {
      'x-twilio-signature': signLikeTwilio(AUTH_TOKEN, callbackUrl, failed),
    });
    expect(undelivered.statusCode).toBe(204);
    expect(await message(id)).toMatchObject({
      status: 'undelivered',
      parts: [{ status: 'undelivered', receiptState: 'undelivered (error 30003)' }],
    });
  });

  it('does not ask Twilio for callbacks it cannot verify (API key without the auth token)', async () => {
    await gatewaysOff(tenantId);
    const keyed = await app.sms.service.createGateway(tenantId, {
      name: 'Twilio key',
      type: 'twilio',
      settings: {
        baseUrl: twilio.url,
        accountSid: 'AC123',
        apiKeySid: 'SK1',
        secret: 'key-secret',
        from: '+1500',
      },
    });
    await send(tenantId, 'x');
    expect(new URLSearchParams(twilio.requests.at(-1)!.body).has('StatusCallback')).toBe(false);
    expect((await owner.get(`/admin/config/sms-gateways/${keyed.id}`)).body).toContain(
      'Delivery reports: Off: with an API key, enter the auth token',
    );
  });

  it("fills Kannel's dlr-url with the gateway's secret and applies its reports, even one that comes first", async () => {
    await gatewaysOff(tenantId);
    const gateway = await app.sms.service.createGateway(tenantId, {
      name: 'Kannel',
      type: 'http',
      settings: {
        url: `${kannel.url}/cgi-bin/sendsms?username=u&password={password}&to={to}&text={text}&dlr-mask=31&dlr-url={dlr_url}`,
        password: 'p',
        successSubstring: 'Accepted',
      },
    });
    // Kannel reports "delivered to SMSC" (8) before its own sendsms answer is read.
    const early: Array<Promise<unknown>> = [];
    kannelReport = (url) => {
      const dlr = new URL(url, 'http://kannel').searchParams.get('dlr-url')!;
      early.push(
        app.http.inject({
          url: new URL(dlr.replace('%d', '8')).pathname + new URL(dlr.replace('%d', '8')).search,
          headers: { host },
        }),
      );
    };
    const id = await send(tenantId, 'Your voucher');
    kannelReport = undefined;
    await Promise.all(early);
    const dlrUrl = new URL(kannel.requests.at(-1)!.url, 'http://kannel').searchParams.get('dlr-url')!;
    const row = await app.sms.repository.findGateway(tenantId, gateway.id);
    const page = await owner.get(`/admin/config/sms-gateways/${gateway.id}`);
    expect(page.body).toContain(
      `Delivery reports: On: {dlr_url} becomes ${publicUrl}/sms/callbacks/http/${gateway.id}/`,
    );
    expect(page.body).not.toContain(row!.callback_secret!);
    expect(dlrUrl).toBe(
      `${publicUrl}/sms/callbacks/http/${gateway.id}/${row!.callback_secret}?ref=${id}&status=%d`,
    );
    expect(await message(id)).toMatchObject({
      status: 'sent',
      parts: [{ status: 'accepted', receiptState: '8' }],
    });

    const call = (url: string) => {
      const u = new URL(url);
      return app.http.inject({ url: u.pathname + u.search, headers: { host: u.host } });
    };
    // A wrong secret, and another tenant's gateway secret with this message's ref.
    expect((await call(dlrUrl.replace(row!.callback_secret!, 'guess').replace('%d', '1'))).statusCode).toBe(
      403,
    );
    const other = await app.sms.service.createGateway(otherTenantId, {
      name: 'Theirs',
      type: 'http',
      settings: { url: `${kannel.url}/x?to={to}` },
    });
    const theirs = await app.sms.repository.findGateway(otherTenantId, other.id);
    const crossTenant = await call(
      `https://other.example/sms/callbacks/http/${other.id}/${theirs!.callback_secret}?ref=${id}&status=2`,
    );
    expect(crossTenant.statusCode).toBe(200); // accepted, but about their gateway's parts only
    expect((await message(id)).status).toBe('sent');
    expect((await call(dlrUrl.replace('%d', 'nonsense'))).statusCode).toBe(400);

    const delivered = await call(dlrUrl.replace('%d', '1'));
    expect(delivered.statusCode).toBe(200);
    expect(await message(id)).toMatchObject({
      status: 'delivered',
      parts: [{ status: 'delivered', receiptState: '1' }],
    });
  });

  it('shows every attempt and every part on the SMS log page and in the API', async () => {
    await gatewaysOff(tenantId);
    let calls = 0;
    const flaky = await startHttpStandIn(() =>
      ++calls < 3
        ? { status: 503, body: 'busy <b>now</b>' }
        : { status: 202, body: '0: Accepted for delivery' },
    );
    try {
      await app.sms.service.createGateway(tenantId, {
        name: 'Flaky <gw>',
        type: 'http',
        settings: { url: `${flaky.url}/send?to={to}&text={text}` },
      });
      const id = await send(tenantId, 'hello');
      for (const wait of [10_000, 30_000]) {
        app.clock.advance(wait);
        await app.sms.outbox.runOnce();
      }
      const body = await message(id);
      expect(body.status).toBe('sent');
      expect(body.history.map((a) => [a.pass, a.gatewayName, a.outcome, a.answer])).toEqual([
        // The status only: the answer's body is never kept (issue 10, the URL is a tenant admin's).
        [1, 'Flaky <gw>', 'temporary_failure', 'HTTP 503'],
        [2, 'Flaky <gw>', 'temporary_failure', 'HTTP 503'],
        [3, 'Flaky <gw>', 'accepted', 'HTTP 202'],
      ]);
      const page = await owner.get(`/admin/logs/sms/${id}`);
      expect(page.statusCode).toBe(200);
      expect(page.body).toContain('Attempts');
      expect(page.body).toContain('HTTP 503 (a server error on its side)');
      expect(page.body).not.toContain('busy');
      expect(page.body).toContain('Flaky &lt;gw>');
      expect(page.body).toContain('Failed, will retry');
      expect(page.body).toContain('Parts and delivery receipts');
      expect(page.body).not.toContain('<b>now</b>');
    } finally {
      await flaky.close();
    }
  });
});
