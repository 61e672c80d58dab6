/**
 * The stale-session rule closes a silent session at its last packet, and never stamps a stop
 * time earlier than anything Portico saw of it (a start on a hotspot clock that runs ahead).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../../test/helpers/app.js';
import { TEST_DIALECTS } from '../../test/helpers/databases.js';
import { createHotspot, createSession } from '../../test/helpers/factories.js';

describe.each(TEST_DIALECTS)('stale sessions (%s)', (dialect) => {
  let app: TestApp;

  beforeAll(async () => {
    app = await buildTestApp(dialect);
  });
  afterAll(() => app.destroy());

  it('closes at the last packet, or at the start when the hotspot clock put it later', async () => {
    const tenantId = app.bootstrapped.tenant.id;
    const hotspot = await createHotspot(app.store.db, tenantId, { interim_interval_seconds: 300 });
    const nowMs = app.clock.nowMs();
    const lastPacketMs = nowMs - 20 * 60_000;
    const plain = await createSession(app.store.db, {
      tenant_id: tenantId,
      hotspot_id: hotspot.id,
      started_at: lastPacketMs - 42 * 60_000,
      updated_at: lastPacketMs,
      session_seconds: 42 * 60,
    });
    const skewed = await createSession(app.store.db, {
      tenant_id: tenantId,
      hotspot_id: hotspot.id,
      started_at: lastPacketMs + 5 * 60_000, // the hotspot's clock runs 5 min ahead
      updated_at: lastPacketMs,
      session_seconds: 60,
    });
    const result = await app.usage.sweep();
    expect(result.staleSessions).toBe(2);
    const rows = await app.store.db
      .selectFrom('sessions')
      .select(['id', 'started_at', 'updated_at', 'stopped_at', 'terminate_cause'])
      .where('id', 'in', [plain.id, skewed.id])
      .orderBy('id')
      .execute();
    expect(rows.map((r) => [Number(r.stopped_at), r.terminate_cause])).toEqual([
      [lastPacketMs, 'Lost-Service'],
      [lastPacketMs + 5 * 60_000, 'Lost-Service'],
    ]);
    for (const row of rows) {
      expect(Number(row.stopped_at)).toBeGreaterThanOrEqual(Number(row.updated_at));
      expect(Number(row.stopped_at)).toBeGreaterThanOrEqual(Number(row.started_at));
    }
  });
});
