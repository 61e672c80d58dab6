import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../../test/helpers/app.js';
import { TEST_DIALECTS } from '../../test/helpers/databases.js';
import { createTenant } from '../../test/helpers/factories.js';
import { SETTINGS_DEFAULTS } from '../tenants/index.js';
import type { Tenant } from '../store/index.js';
import { seedDemoSms } from './demo.js';
import { maskUrl } from './gateway-settings.js';

describe('masking URLs', () => {
  it('masks password-like query values and user info, keeps placeholders', () => {
    expect(maskUrl('http://u:p@127.0.0.1:13013/cgi-bin/sendsms?username=x&password=hunter2&to={to}')).toBe(
      'http://********@127.0.0.1:13013/cgi-bin/sendsms?username=x&password=********&to={to}',
    );
    expect(maskUrl('https://sms.example/send?api_key={password}&text={text}')).toBe(
      'https://sms.example/send?api_key={password}&text={text}',
    );
  });
});

describe.each(TEST_DIALECTS)('SMS gateway management (%s)', (dialect) => {
  let app: TestApp;
  let tenant: Tenant;
  beforeAll(async () => {
    // The gateways below point at 127.0.0.1 (a local Kannel), which the operator allows here.
    app = await buildTestApp(dialect, { env: { PORTICO_SMS_ALLOWED_HOSTS: '127.0.0.1' } });
  });
  afterAll(() => app.destroy());
  beforeEach(async () => {
    tenant = await createTenant(app.store.db);
  });

  it('never returns secrets, and keeps them when an update leaves them empty', async () => {
    const created = await app.sms.service.createGateway(tenant.id, {
      name: 'Kannel',
      type: 'http',
      settings: {
        url: 'http://127.0.0.1:13013/cgi-bin/sendsms?user=portico&pass=literal-secret&to={to}&text={text}',
        password: 'kannel-pw',
        headerName: 'Authorization',
        headerValue: 'Bearer abc',
      },
    });
    const shown = JSON.stringify(await app.sms.service.listGateways(tenant.id));
    for (const secret of ['kannel-pw', 'Bearer abc', 'literal-secret']) expect(shown).not.toContain(secret);
    expect(created.secretsSet.sort()).toEqual(['headerValue', 'password']);

    // The operator edits the name and the timeout, sending back the masked URL and no secrets.
    await app.sms.service.updateGateway(tenant.id, created.id, {
      name: 'Kannel 2',
      settings: { ...created.settings, timeoutSeconds: 5 },
    });
    const row = await app.sms.repository.findGateway(tenant.id, created.id);
    expect(JSON.parse(row!.settings_json)).toMatchObject({
      url: 'http://127.0.0.1:13013/cgi-bin/sendsms?user=portico&pass=literal-secret&to={to}&text={text}',
      password: 'kannel-pw',
      headerValue: 'Bearer abc',
      timeoutSeconds: 5,
    });
  });

  it('validates settings per type', async () => {
    await expect(
      app.sms.service.createGateway(tenant.id, { name: 'x', type: 'http', settings: { url: 'ftp://x' } }),
    ).rejects.toThrow('The gateway settings are not valid');
    await expect(
      app.sms.service.createGateway(tenant.id, { name: 'x', type: 'carrier-pigeon' as 'log', settings: {} }),
    ).rejects.toThrow('Unknown gateway type');
    await expect(
      app.sms.service.createGateway(tenant.id, { name: ' ', type: 'log', settings: {} }),
    ).rejects.toThrow('name');
  });

  it('orders gateways and moves them', async () => {
    const a = await app.sms.service.createGateway(tenant.id, { name: 'A', type: 'log', settings: {} });
    const b = await app.sms.service.createGateway(tenant.id, { name: 'B', type: 'log', settings: {} });
    const c = await app.sms.service.createGateway(tenant.id, { name: 'C', type: 'log', settings: {} });
    expect((await app.sms.service.reorderGateways(tenant.id, [c.id, a.id, b.id])).map((g) => g.name)).toEqual(
      ['C', 'A', 'B'],
    );
    expect((await app.sms.service.moveGateway(tenant.id, b.id, -1)).map((g) => g.name)).toEqual([
      'C',
      'B',
      'A',
    ]);
    await expect(app.sms.service.reorderGateways(tenant.id, [a.id, b.id])).rejects.toThrow('exactly once');
    const other = await createTenant(app.store.db);
    await expect(app.sms.service.getGateway(other.id, a.id)).rejects.toThrow('not found');
  });

  it('refuses to disable or delete the last enabled gateway while the portal requires OTP', async () => {
    const only = await app.sms.service.createGateway(tenant.id, { name: 'Only', type: 'log', settings: {} });
    await app.tenants.putSettings(tenant.id, 'portal', { ...SETTINGS_DEFAULTS.portal, otpEnabled: true }, 0);
    await expect(app.sms.service.updateGateway(tenant.id, only.id, { enabled: false })).rejects.toThrow(
      'last enabled SMS gateway',
    );
    await expect(app.sms.service.deleteGateway(tenant.id, only.id)).rejects.toThrow(
      'last enabled SMS gateway',
    );
    const spare = await app.sms.service.createGateway(tenant.id, {
      name: 'Spare',
      type: 'log',
      settings: {},
    });
    await app.sms.service.updateGateway(tenant.id, only.id, { enabled: false });
    await expect(app.sms.service.deleteGateway(tenant.id, spare.id)).rejects.toThrow(
      'last enabled SMS gateway',
    );
    await app.sms.service.deleteGateway(tenant.id, only.id); // disabled: fine
  });

  it('sends a test SMS through one gateway now and logs it', async () => {
    const gateway = await app.sms.service.createGateway(tenant.id, {
      name: 'Log',
      type: 'log',
      settings: {},
    });
    const message = await app.sms.service.sendTest(tenant, gateway.id, { to: '(202) 555-0123' });
    expect(message).toMatchObject({
      type: 'test',
      recipient: '+12025550123',
      status: 'sent',
      attempts: 1,
      gatewayName: 'Log',
      gatewayAnswer: 'written to the server log',
    });
    await expect(app.sms.service.sendTest(tenant, gateway.id, { to: '12' })).rejects.toThrow(
      'not a valid phone',
    );
  });

  it('filters the SMS log by type, status, recipient and date, newest first', async () => {
    const base = app.clock.nowMs();
    const add = async (type: 'test' | 'login_code', recipient: string, offsetMs: number) => {
      app.clock.set(base + offsetMs);
      return app.sms.outbox.enqueue({
        tenantId: tenant.id,
        customerId: null,
        type,
        recipient,
        text: 'Code 123456',
      });
    };
    await add('test', '+12025550001', 0);
    const code = await add('login_code', '+12025550002', 1000);
    await add('test', '+4915112345678', 2000);
    const all = await app.sms.service.listMessages(tenant.id, { limit: 10, offset: 0 });
    expect(all.total).toBe(3);
    expect(all.items.map((m) => m.recipient)).toEqual(['+4915112345678', '+12025550002', '+12025550001']);
    expect(all.items[1]!.text).toBe('Code ••••••'); // login codes are always masked in views
    expect(
      (await app.sms.service.listMessages(tenant.id, { type: 'login_code', limit: 10, offset: 0 })).items,
    ).toHaveLength(1);
    expect(
      (await app.sms.service.listMessages(tenant.id, { recipient: '4915', limit: 10, offset: 0 })).total,
    ).toBe(1);
    expect(
      (await app.sms.service.listMessages(tenant.id, { status: 'sent', limit: 10, offset: 0 })).total,
    ).toBe(0);
    const window = await app.sms.service.listMessages(tenant.id, {
      fromMs: base + 500,
      toMs: base + 1500,
      limit: 10,
      offset: 0,
    });
    expect(window.items.map((m) => m.id)).toEqual([code!.id]);
    await expect(app.sms.service.getMessage(tenant.id, code!.id)).resolves.toMatchObject({
      type: 'login_code',
    });
    const other = await createTenant(app.store.db);
    await expect(app.sms.service.getMessage(other.id, code!.id)).rejects.toThrow('not found');
  });

  it('seeds the demo: a log gateway and status page notifications on, idempotently', async () => {
    await seedDemoSms(app.store.db, tenant.id, app.clock.nowMs());
    await seedDemoSms(app.store.db, tenant.id, app.clock.nowMs());
    const gateways = await app.sms.service.listGateways(tenant.id);
    expect(gateways.map((g) => [g.type, g.enabled])).toEqual([['log', true]]);
    expect((await app.tenants.getSettings(tenant.id, 'notifications')).statusPageEnabled).toBe(true);
  });
});
