import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../shared/index.js';
import { createTestStore, TEST_DIALECTS, type TestStore } from '../../test/helpers/databases.js';
import { createCustomer, createPlan, createTenant, createVoucher } from '../../test/helpers/factories.js';
import { DevicesRepository } from './repository.js';
import type { DeviceActor, DisconnectSummary } from './model.js';
import { customerDevicesEnabled, DevicesService, type DeviceSessionTerminator } from './service.js';

class RecordingTerminator implements DeviceSessionTerminator {
  calls: Array<{ tenantId: number; voucherId: number; mac: string; reason: string }> = [];
  answer: DisconnectSummary = { sessions: 1, confirmed: 1, unconfirmed: 0 };
  async disconnectMac(tenantId: number, voucherId: number, mac: string, reason: string) {
    this.calls.push({ tenantId, voucherId, mac, reason });
    return this.answer;
  }
  async progress() {
    return 'confirmed' as const;
  }
}

describe.each(TEST_DIALECTS)('devices service (%s)', (dialect) => {
  let store: TestStore;
  let service: DevicesService;
  let repository: DevicesRepository;
  let terminator: RecordingTerminator;
  let tenantId: number;
  let otherTenantId: number;
  let owner: DeviceActor;
  let stranger: DeviceActor;
  let plan: Awaited<ReturnType<typeof createPlan>>;
  let customerId: number;

  beforeAll(async () => {
    store = await createTestStore(dialect);
    tenantId = (await createTenant(store.db)).id;
    otherTenantId = (await createTenant(store.db)).id;
    plan = await createPlan(store.db, tenantId, { devices_limit: 2 });
    customerId = (await createCustomer(store.db, tenantId)).id;
    const strangerId = (await createCustomer(store.db, tenantId)).id;
    owner = { kind: 'customer', customerId, clientIp: '198.51.100.7' };
    stranger = { kind: 'customer', customerId: strangerId, clientIp: null };
  });
  afterAll(() => store.destroy());
  beforeEach(() => {
    repository = new DevicesRepository(store.db);
    terminator = new RecordingTerminator();
    service = new DevicesService(repository, terminator, new FakeClock());
  });

  const newVoucher = (values = {}) =>
    createVoucher(store.db, plan, { customer_id: customerId, status: 'active', ...values });

  it('adds a MAC in any common format, stored normalised, flagged when randomised', async () => {
    const voucher = await newVoucher();
    const device = await service.add(tenantId, owner, voucher.id, {
      mac: '3a1f.c277.089e',
      title: ' Laptop ',
    });
    expect(device).toMatchObject({
      mac: '3A:1F:C2:77:08:9E',
      title: 'Laptop',
      added_by: 'customer',
      is_randomized: 1,
    });
    const events = await service.history(tenantId, owner, voucher.id);
    expect(events[0]).toMatchObject({
      action: 'added',
      actor: 'customer',
      actorId: customerId,
      clientIp: '198.51.100.7',
    });
  });

  it('refuses bad MACs, duplicates, going past the device limit and a MAC on another live voucher', async () => {
    const voucher = await newVoucher();
    await expect(service.add(tenantId, owner, voucher.id, { mac: 'nope' })).rejects.toMatchObject({
      code: 'MAC_INVALID',
    });
    await expect(
      service.add(tenantId, owner, voucher.id, { mac: 'ff:ff:ff:ff:ff:ff' }),
    ).rejects.toMatchObject({
      code: 'MAC_INVALID',
    });
    await service.add(tenantId, owner, voucher.id, { mac: '00:11:22:33:44:01' });
    await expect(
      service.add(tenantId, owner, voucher.id, { mac: '00-11-22-33-44-01' }),
    ).rejects.toMatchObject({
      code: 'MAC_ALREADY_ON_VOUCHER',
    });
    await service.add(tenantId, owner, voucher.id, { mac: '00:11:22:33:44:02' });
    await expect(
      service.add(tenantId, owner, voucher.id, { mac: '00:11:22:33:44:03' }),
    ).rejects.toMatchObject({
      code: 'VOUCHER_DEVICE_LIMIT',
    });
    const second = await newVoucher();
    await expect(service.add(tenantId, owner, second.id, { mac: '00:11:22:33:44:01' })).rejects.toMatchObject(
      {
        code: 'MAC_ON_OTHER_VOUCHER',
      },
    );
    // A replacement MAC is held to the same rules, each with its own code.
    const third = await newVoucher();
    const onThird = await service.add(tenantId, owner, third.id, { mac: '00:11:22:33:44:04' });
    await service.add(tenantId, owner, third.id, { mac: '00:11:22:33:44:05' });
    await expect(
      service.edit(tenantId, owner, third.id, onThird.id, { mac: '00:11:22:33:44:05' }),
    ).rejects.toMatchObject({ code: 'MAC_ALREADY_ON_VOUCHER' });
    await expect(
      service.edit(tenantId, owner, third.id, onThird.id, { mac: '00:11:22:33:44:02' }),
    ).rejects.toMatchObject({ code: 'MAC_ON_OTHER_VOUCHER' });
    // A used voucher no longer holds its MACs.
    const used = await newVoucher({ status: 'used' });
    await repository.insert({
      tenantId,
      voucherId: used.id,
      mac: '00:11:22:33:44:09',
      title: null,
      addedBy: 'operator',
      isRandomized: false,
      nowMs: 0,
    });
    await expect(
      service.add(tenantId, owner, second.id, { mac: '00:11:22:33:44:09' }),
    ).resolves.toMatchObject({
      mac: '00:11:22:33:44:09',
    });
  });

  it("hides another customer's and another tenant's vouchers as not found", async () => {
    const voucher = await newVoucher();
    await expect(service.list(tenantId, stranger, voucher.id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(
      service.add(tenantId, stranger, voucher.id, { mac: '00:11:22:33:44:55' }),
    ).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    await expect(
      service.list(otherTenantId, { kind: 'operator', adminId: 1, clientIp: null }, voucher.id),
    ).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
  });

  it('removes a device, audits it and disconnects its sessions', async () => {
    const voucher = await newVoucher();
    const device = await service.add(tenantId, owner, voucher.id, { mac: '00:11:22:33:44:66' });
    const result = await service.remove(tenantId, owner, voucher.id, device.id);
    expect(result.disconnect).toEqual({ sessions: 1, confirmed: 1, unconfirmed: 0 });
    expect(terminator.calls).toEqual([
      { tenantId, voucherId: voucher.id, mac: '00:11:22:33:44:66', reason: 'device_removed' },
    ]);
    expect(await service.list(tenantId, owner, voucher.id)).toEqual([]);
    expect((await service.history(tenantId, owner, voucher.id)).map((e) => e.action)).toEqual([
      'removed',
      'added',
    ]);
  });

  it('replacing a MAC disconnects the old one; a title edit disconnects nothing', async () => {
    const voucher = await newVoucher();
    const device = await service.add(tenantId, owner, voucher.id, { mac: '00:11:22:33:44:77' });
    const renamed = await service.edit(tenantId, owner, voucher.id, device.id, { title: 'Tablet' });
    expect(renamed.device.title).toBe('Tablet');
    expect(terminator.calls).toHaveLength(0);
    const replaced = await service.edit(tenantId, owner, voucher.id, device.id, { mac: '00:11:22:33:44:78' });
    expect(replaced.device.mac).toBe('00:11:22:33:44:78');
    expect(terminator.calls).toEqual([
      { tenantId, voucherId: voucher.id, mac: '00:11:22:33:44:77', reason: 'device_replaced' },
    ]);
    const [latest] = await service.history(tenantId, owner, voucher.id);
    expect(latest).toMatchObject({
      action: 'replaced',
      details: { fromMac: '00:11:22:33:44:77', toMac: '00:11:22:33:44:78' },
    });
  });

  it('operators manage any voucher of their tenant', async () => {
    const voucher = await newVoucher({ customer_id: null });
    const operator: DeviceActor = { kind: 'operator', adminId: 7, clientIp: null };
    const device = await service.add(tenantId, operator, voucher.id, {
      mac: '00:11:22:33:44:88',
      title: 'Front desk PC',
    });
    expect(device.added_by).toBe('operator');
  });

  it("disconnects a device's sessions without removing it, audited with the hotspot's answer", async () => {
    const voucher = await newVoucher({ customer_id: null });
    const operator: DeviceActor = { kind: 'operator', adminId: 7, clientIp: '203.0.113.9' };
    const device = await service.add(tenantId, operator, voucher.id, { mac: '00:11:22:33:44:99' });
    terminator.answer = { sessions: 2, confirmed: 1, unconfirmed: 1 };
    const result = await service.disconnect(tenantId, operator, voucher.id, device.id);
    expect(result.disconnect).toEqual({ sessions: 2, confirmed: 1, unconfirmed: 1 });
    expect(terminator.calls).toEqual([
      { tenantId, voucherId: voucher.id, mac: '00:11:22:33:44:99', reason: 'operator' },
    ]);
    expect(await service.list(tenantId, operator, voucher.id)).toMatchObject([{ id: device.id }]);
    const [latest] = await service.history(tenantId, operator, voucher.id);
    expect(latest).toMatchObject({
      action: 'disconnected',
      actor: 'operator',
      actorId: 7,
      clientIp: '203.0.113.9',
      details: { mac: '00:11:22:33:44:99', sessions: 2, confirmed: 1 },
    });
    await expect(service.disconnect(otherTenantId, operator, voucher.id, device.id)).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
  });
});

describe('customerDevicesEnabled', () => {
  it('needs both the OTP and the block setting', () => {
    expect(customerDevicesEnabled({ otpEnabled: true, showDevices: true })).toBe(true);
    expect(customerDevicesEnabled({ otpEnabled: false, showDevices: true })).toBe(false);
    expect(customerDevicesEnabled({ otpEnabled: true, showDevices: false })).toBe(false);
  });
});
