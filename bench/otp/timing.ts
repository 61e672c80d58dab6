/**
 * OTP enumeration timing: how long the sign-in code request takes for a registered number and
 * for an unknown one, interleaved in one run on the same database. Prints medians, p90 and the
 * ratio (≈ 1.0 means the answer time says nothing about registration).
 *
 *   npx tsx bench/otp/timing.ts [rounds=400] [sqlite|postgres]
 */
import { performance } from 'node:perf_hooks';
import pino from 'pino';
import { createApp } from '../../src/app.js';
import { loadConfig } from '../../src/config/index.js';
import { SETTINGS_DEFAULTS } from '../../src/tenants/index.js';
import { createTestStore } from '../../test/helpers/databases.js';
import { createCustomer, createTenant } from '../../test/helpers/factories.js';

const rounds = Number(process.argv[2] ?? 400);
const dialect = process.argv[3] === 'postgres' ? 'postgres' : 'sqlite';
const store = await createTestStore(dialect);
const config = loadConfig({
  PORT: '0',
  RADIUS_ENABLED: '0',
  PORTICO_DEMO: '0',
  PORTICO_SECRET: 'bench-secret-bench-secret-bench-secret-0',
  LOG_LEVEL: 'silent',
});
const app = await createApp(config, { store, logger: pino({ level: 'silent' }) });
const tenant = await createTenant(store.db, { name: 'Bench Wi-Fi' });
await app.sms.service.createGateway(tenant.id, { name: 'log', type: 'log', settings: {} });
await app.tenants.putSettings(
  tenant.id,
  'portal',
  {
    ...SETTINGS_DEFAULTS.portal,
    otpEnabled: true,
    otpMaxPerIpPerHour: 200,
    otpMaxPerTenantPerDay: 1_000_000,
  },
  Date.now(),
);
const known: string[] = [];
const unknown: string[] = [];
for (let i = 0; i < rounds; i++) {
  const phone = `+1202${String(5_000_000 + i).padStart(7, '0')}`;
  known.push(phone);
  await createCustomer(store.db, tenant.id, { phone });
  unknown.push(`+1303${String(5_000_000 + i).padStart(7, '0')}`);
}

const timings = { known: [] as number[], unknown: [] as number[] };
for (let i = 0; i < rounds; i++) {
  // Alternate which goes first, so warm-up and GC fall on both alike.
  const order: Array<'known' | 'unknown'> = i % 2 === 0 ? ['known', 'unknown'] : ['unknown', 'known'];
  for (const kind of order) {
    const phone = (kind === 'known' ? known : unknown)[i]!;
    const started = performance.now();
    await app.otp.start({ tenant, phone, clientIp: `198.51.100.${i % 200}` });
    timings[kind].push(performance.now() - started);
  }
  await app.otp.idle(); // the SMS is queued after the answer, outside the measured time
}

const stats = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  return { median: at(0.5), p90: at(0.9) };
};
const k = stats(timings.known.slice(20));
const u = stats(timings.unknown.slice(20));
console.log(`OTP start() on ${dialect}, ${rounds} rounds (first 20 dropped)`);
console.log(`registered number: median ${k.median.toFixed(3)} ms, p90 ${k.p90.toFixed(3)} ms`);
console.log(`unknown number:    median ${u.median.toFixed(3)} ms, p90 ${u.p90.toFixed(3)} ms`);
console.log(
  `ratio registered/unknown: median ${(k.median / u.median).toFixed(3)}, p90 ${(k.p90 / u.p90).toFixed(3)}`,
);
await app.close();
await store.destroy();
