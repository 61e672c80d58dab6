/**
 * Migration 0005 on both databases: audit rows written before it get their MAC columns from
 * their details (people's and the device-limit policy's replacements alike), and it goes down
 * and up again cleanly.
 */
import { Migrator, type Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestStore, TEST_DIALECTS, type TestStore } from '../../test/helpers/databases.js';
import { createPlan, createTenant, createVoucher } from '../../test/helpers/factories.js';
import { migrateToLatest } from '../store/index.js';
import { migrationProvider } from '../store/migrations/index.js';
import { DevicesRepository } from './repository.js';

describe.each(TEST_DIALECTS)('device audit MAC columns, migration 0005 (%s)', (dialect) => {
  let store: TestStore;

  beforeAll(async () => {
    store = await createTestStore(dialect);
  });
  afterAll(() => store.destroy());

  it('fills mac and replaced_mac of earlier rows from their details', async () => {
    const tenantId = (await createTenant(store.db)).id;
    const voucherId = (await createVoucher(store.db, await createPlan(store.db, tenantId))).id;
    const migrator = new Migrator({ db: store.db, provider: migrationProvider });
    const down = await migrator.migrateTo('0004-sessions-mac');
    expect(down.error).toBeUndefined();

    // Rows as the code before 0005 wrote them (no MAC columns yet).
    const old = store.db as unknown as Kysely<Record<string, Record<string, unknown>>>;
    const rows: Array<[string, string]> = [
      ['added', JSON.stringify({ mac: 'AA:BB:CC:00:00:01', title: 'Till' })],
      ['replaced', JSON.stringify({ fromMac: 'AA:BB:CC:00:00:01', toMac: 'AA:BB:CC:00:00:02' })],
      [
        'replaced',
        JSON.stringify({
          mac: 'AA:BB:CC:00:00:02',
          replacedBy: 'AA:BB:CC:00:00:03',
          policy: 'replace_offline',
        }),
      ],
      ['removed', JSON.stringify({ mac: 'AA:BB:CC:00:00:03', title: null })],
      ['disconnected', JSON.stringify({ mac: 'not a mac', sessions: 1 })],
      ['edited', '{broken'],
    ];
    for (const [i, [action, details]] of rows.entries()) {
      await old
        .insertInto('device_events')
        .values({
          tenant_id: tenantId,
          voucher_id: voucherId,
          device_id: null,
          actor: 'operator',
          actor_id: null,
          client_ip: null,
          action,
          details_json: details,
          created_at: 1_000 + i,
        })
        .execute();
    }
    await migrateToLatest(store.db);

    const filled = await store.db
      .selectFrom('device_events')
      .select(['action', 'mac', 'replaced_mac'])
      .where('tenant_id', '=', tenantId)
      .orderBy('id')
      .execute();
    expect(filled).toEqual([
      { action: 'added', mac: 'AA:BB:CC:00:00:01', replaced_mac: null },
      { action: 'replaced', mac: 'AA:BB:CC:00:00:02', replaced_mac: 'AA:BB:CC:00:00:01' },
      { action: 'replaced', mac: 'AA:BB:CC:00:00:03', replaced_mac: 'AA:BB:CC:00:00:02' },
      { action: 'removed', mac: 'AA:BB:CC:00:00:03', replaced_mac: null },
      { action: 'disconnected', mac: null, replaced_mac: null },
      { action: 'edited', mac: null, replaced_mac: null },
    ]);
    // The log finds each MAC's story through the new columns.
    const about = async (mac: string) =>
      (await new DevicesRepository(store.db).listEvents(tenantId, { mac, limit: 10 })).map((e) => e.action);
    expect(await about('AA:BB:CC:00:00:02')).toEqual(['replaced', 'replaced']);
    expect(await about('AA:BB:CC:00:00:03')).toEqual(['removed', 'replaced']);
  });
});
