import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_DIALECTS } from '../../test/helpers/databases.js';
import { buildTestApp, type TestApp } from '../../test/helpers/app.js';
import { createApiToken } from '../../test/helpers/admin.js';
import {
  createHotspot,
  createPlan,
  createSession,
  createTenant,
  createVoucher,
} from '../../test/helpers/factories.js';
import { FakeSessionTerminator } from '../usage/index.js';

describe.each(TEST_DIALECTS)('devices REST API (%s)', (dialect) => {
  let app: TestApp;
  let terminator: FakeSessionTerminator;
  let tenantId: number;
  let ownerToken: string;
  let readonlyToken: string;
  let voucherId: number;
  let otherVoucherId: number;
  let secondVoucherId: number;
  let hotspotId: number;

  const api = (token: string, method: string, url: string, payload?: Record<string, unknown>) =>
    app.http.inject({
      method: method as 'GET',
      url,
      headers: { authorization: `Bearer ${token}` },
      ...(payload ? { payload } : {}),
    });

  beforeAll(async () => {
    terminator = new FakeSessionTerminator();
    app = await buildTestApp(dialect, { overrides: { sessionTerminator: terminator } });
    tenantId = app.bootstrapped.tenant.id;
    ownerToken = await createApiToken(app, tenantId, 'owner');
    readonlyToken = await createApiToken(app, tenantId, 'readonly');
    hotspotId = (await createHotspot(app.store.db, tenantId, { title: 'Lobby' })).id;
    const plan = await createPlan(app.store.db, tenantId, { devices_limit: 2 });
    voucherId = (await createVoucher(app.store.db, plan, { status: 'active' })).id;
    secondVoucherId = (await createVoucher(app.store.db, plan, { status: 'active' })).id;
    const other = await createTenant(app.store.db, { hosts: ['other.example.com'] });
    otherVoucherId = (await createVoucher(app.store.db, await createPlan(app.store.db, other.id))).id;
  });
  afterAll(() => app.destroy());

  it('lists, adds, edits, disconnects and removes devices, with the audit trail', async () => {
    const url = `/api/v1/vouchers/${voucherId}/devices`;
    const added = await api(ownerToken, 'POST', url, { mac: 'aabb.cc00.1122', title: 'Till' });
    expect(added.statusCode).toBe(201);
    const device = added.json<{ id: number; mac: string; title: string; online: boolean }>();
    expect(device).toMatchObject({ mac: 'AA:BB:CC:00:11:22', title: 'Till', online: false });

    const duplicate = await api(ownerToken, 'POST', url, { mac: 'AA-BB-CC-00-11-22' });
    expect(duplicate.statusCode).toBe(409);
    expect(duplicate.json()).toMatchObject({ code: 'MAC_ALREADY_ON_VOUCHER' });
    const elsewhere = await api(ownerToken, 'POST', `/api/v1/vouchers/${secondVoucherId}/devices`, {
      mac: 'aabbcc001122',
    });
    expect(elsewhere.statusCode).toBe(409);
    expect(elsewhere.json()).toMatchObject({
      code: 'MAC_ON_OTHER_VOUCHER',
      title: 'AA:BB:CC:00:11:22 is already used with another voucher. Remove it there first.',
      errors: { voucherId },
    });
    expect((await api(ownerToken, 'POST', url, { mac: 'ff:ff:ff:ff:ff:ff' })).statusCode).toBe(400);
    expect((await api(ownerToken, 'POST', url, { mac: 'nonsense' })).json()).toMatchObject({
      code: 'MAC_INVALID',
    });
    expect((await api(ownerToken, 'POST', url, { mac: 'AA:BB:CC:00:11:33' })).statusCode).toBe(201);
    const limit = await api(ownerToken, 'POST', url, { mac: 'AA:BB:CC:00:11:44' });
    expect(limit.statusCode).toBe(409);
    expect(limit.json()).toMatchObject({ code: 'VOUCHER_DEVICE_LIMIT' });

    await createSession(app.store.db, {
      tenant_id: tenantId,
      voucher_id: voucherId,
      hotspot_id: hotspotId,
      mac: 'AA:BB:CC:00:11:22',
    });
    const list = await api(readonlyToken, 'GET', url);
    expect(list.statusCode).toBe(200);
    expect(list.json()).toMatchObject({
      devicesLimit: 2,
      live: true,
      items: [
        { mac: 'AA:BB:CC:00:11:22', online: true },
        { mac: 'AA:BB:CC:00:11:33', online: false },
      ],
    });

    const disconnected = await api(ownerToken, 'POST', `${url}/${device.id}/disconnect`);
    expect(disconnected.json()).toEqual({ sessions: 1, confirmed: 1, unconfirmed: 0 });
    expect(terminator.requests.at(-1)?.session).toBeDefined();

    const renamed = await api(ownerToken, 'PATCH', `${url}/${device.id}`, { title: 'Front till' });
    expect(renamed.json()).toMatchObject({ device: { title: 'Front till' }, disconnect: { sessions: 0 } });
    const replaced = await api(ownerToken, 'PATCH', `${url}/${device.id}`, { mac: 'AA:BB:CC:00:11:55' });
    expect(replaced.statusCode).toBe(200);
    expect(replaced.json()).toMatchObject({ device: { mac: 'AA:BB:CC:00:11:55' } });

    const removed = await api(ownerToken, 'DELETE', `${url}/${device.id}`);
    expect(removed.statusCode).toBe(200);
    expect(removed.json()).toEqual({ sessions: 0, confirmed: 0, unconfirmed: 0 });
    expect((await api(ownerToken, 'DELETE', `${url}/${device.id}`)).statusCode).toBe(404);

    const events = await api(readonlyToken, 'GET', `/api/v1/vouchers/${voucherId}/device-events`);
    const actions = events.json<{ items: Array<{ action: string; actor: string }> }>().items;
    expect(actions.map((e) => e.action)).toEqual([
      'removed',
      'replaced',
      'edited',
      'disconnected',
      'added',
      'added',
    ]);
    expect(actions.every((e) => e.actor === 'operator')).toBe(true);
  });

  it('documents which 409 codes adding and replacing a MAC give', async () => {
    const doc = (await app.http.inject({ url: '/api/v1/openapi.json' })).json<{
      paths: Record<string, Record<string, { responses: Record<string, { description: string }> }>>;
    }>();
    const add = doc.paths['/api/v1/vouchers/{id}/devices']!.post!.responses['409']!.description;
    const patch = doc.paths['/api/v1/vouchers/{id}/devices/{deviceId}']!.patch!.responses['409']!.description;
    for (const code of ['MAC_ALREADY_ON_VOUCHER', 'MAC_ON_OTHER_VOUCHER', 'VOUCHER_DEVICE_LIMIT'])
      expect(add).toContain(code);
    expect(patch).toContain('MAC_ALREADY_ON_VOUCHER');
    expect(patch).toContain('MAC_ON_OTHER_VOUCHER');
    expect(patch).not.toContain('VOUCHER_DEVICE_LIMIT');
    expect(add + patch).not.toContain('MAC_IN_USE');
  });

  it('refuses read-only tokens every change, and answers 404 for another tenant', async () => {
    const url = `/api/v1/vouchers/${voucherId}/devices`;
    const [first] = (await api(ownerToken, 'GET', url)).json<{ items: Array<{ id: number }> }>().items;
    for (const [method, target, body] of [
      ['POST', url, { mac: 'AA:BB:CC:00:11:66' }],
      ['PATCH', `${url}/${first!.id}`, { title: 'x' }],
      ['DELETE', `${url}/${first!.id}`, undefined],
      ['POST', `${url}/${first!.id}/disconnect`, undefined],
    ] as const) {
      const refused = await api(readonlyToken, method, target, body);
      expect(refused.statusCode, `${method} ${target}`).toBe(403);
    }
    expect((await api(ownerToken, 'GET', `/api/v1/vouchers/${otherVoucherId}/devices`)).statusCode).toBe(404);
    expect(
      (
        await api(ownerToken, 'POST', `/api/v1/vouchers/${otherVoucherId}/devices`, {
          mac: 'AA:BB:CC:00:11:77',
        })
      ).statusCode,
    ).toBe(404);
    expect((await api('nope', 'GET', url)).statusCode).toBe(401);
  });
});
