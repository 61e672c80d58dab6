import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_DIALECTS } from '../../test/helpers/databases.js';
import { buildTestApp, type TestApp } from '../../test/helpers/app.js';
import { createApiToken, callApi } from '../../test/helpers/admin.js';
import {
  createCustomer,
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
    callApi(app, token, method, url, payload);

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

  it('pages the audit trail like every list: per voucher, and tenant-wide with filters', async () => {
    type EventPage = {
      items: Array<{
        id: number;
        voucherId: number;
        action: string;
        actor: string;
        actorId: number | null;
        clientIp: string | null;
        mac: string | null;
        replacedMac: string | null;
        createdAtMs: number;
      }>;
      page: number;
      perPage: number;
      total: number;
    };
    const get = async (url: string) => {
      const response = await api(readonlyToken, 'GET', url);
      expect(response.statusCode, `${url}: ${response.body}`).toBe(200);
      return response.json<EventPage>();
    };
    const voucherUrl = `/api/v1/vouchers/${voucherId}/device-events`;
    const first = await get(voucherUrl);
    expect(first).toMatchObject({ page: 1, perPage: 50, total: 6 });
    expect(first.items[1]).toMatchObject({
      voucherId,
      action: 'replaced',
      actor: 'operator',
      actorId: null,
      clientIp: '127.0.0.1',
      mac: 'AA:BB:CC:00:11:55',
      replacedMac: 'AA:BB:CC:00:11:22',
    });
    const second = await get(`${voucherUrl}?perPage=4&page=2`);
    expect(second).toMatchObject({ page: 2, perPage: 4, total: 6 });
    expect(second.items.map((e) => e.id)).toEqual(first.items.slice(4).map((e) => e.id));
    expect(
      (await api(readonlyToken, 'GET', `/api/v1/vouchers/${otherVoucherId}/device-events`)).statusCode,
    ).toBe(404);
    expect((await api(readonlyToken, 'GET', `${voucherUrl}?limit=5`)).statusCode).toBe(400);

    // A customer's change a day later on the second voucher, and another tenant's change of a MAC we used.
    const customer = await createCustomer(app.store.db, tenantId);
    await app.store.db
      .updateTable('vouchers')
      .set({ customer_id: customer.id })
      .where('id', '=', secondVoucherId)
      .execute();
    const dayLaterMs = app.clock.nowMs() + 86_400_000;
    app.clock.set(dayLaterMs);
    await app.devices.add(
      tenantId,
      { kind: 'customer', customerId: customer.id, clientIp: '198.51.100.4' },
      secondVoucherId,
      { mac: 'AA:BB:CC:00:11:22' },
    );
    const otherTenantId = (
      await app.store.db
        .selectFrom('vouchers')
        .select('tenant_id')
        .where('id', '=', otherVoucherId)
        .executeTakeFirstOrThrow()
    ).tenant_id;
    await app.devices.add(
      otherTenantId,
      { kind: 'operator', adminId: null, clientIp: null },
      otherVoucherId,
      {
        mac: 'AA:BB:CC:00:11:33',
      },
    );

    const all = await get('/api/v1/device-events');
    expect(all.total).toBe(7);
    expect(all.items[0]).toMatchObject({
      voucherId: secondVoucherId,
      actor: 'customer',
      actorId: customer.id,
    });
    expect(all.items.every((e) => e.voucherId !== otherVoucherId)).toBe(true);
    const actions = async (query: string) =>
      (await get(`/api/v1/device-events?${query}`)).items.map((e) => e.action);
    expect(await actions(`voucherId=${secondVoucherId}`)).toEqual(['added']);
    expect(await actions(`voucherId=${otherVoucherId}`)).toEqual([]);
    // Replacements count for the MAC they took away and the one they brought.
    expect(await actions('mac=aabb.cc00.1122')).toEqual([
      'added',
      'replaced',
      'edited',
      'disconnected',
      'added',
    ]);
    expect(await actions('mac=AA-BB-CC-00-11-55')).toEqual(['removed', 'replaced']);
    expect(await actions('mac=AA:BB:CC:00:11:33')).toEqual(['added']);
    expect(await actions('actor=customer')).toEqual(['added']);
    expect(await actions('actor=system')).toEqual([]);
    expect(await actions(`createdFromMs=${dayLaterMs}`)).toEqual(['added']);
    expect(await actions(`createdToMs=${dayLaterMs}`)).toHaveLength(6);
    expect(await actions(`actor=operator&mac=AA:BB:CC:00:11:33&createdToMs=${dayLaterMs}`)).toEqual([
      'added',
    ]);
    const paged = await get('/api/v1/device-events?perPage=3&page=3');
    expect(paged).toMatchObject({ page: 3, perPage: 3, total: 7 });
    expect(paged.items.map((e) => e.id)).toEqual(all.items.slice(6).map((e) => e.id));

    for (const query of ['mac=nonsense', 'actor=robot', 'voucherId=0', 'createdFromMs=-1', 'limit=3']) {
      const refused = await api(readonlyToken, 'GET', `/api/v1/device-events?${query}`);
      expect(refused.statusCode, query).toBe(400);
    }
    expect((await api(readonlyToken, 'GET', '/api/v1/device-events?mac=nonsense')).json()).toMatchObject({
      code: 'MAC_INVALID',
    });
    expect((await api('nope', 'GET', '/api/v1/device-events')).statusCode).toBe(401);
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
