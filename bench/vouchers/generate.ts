/**
 * Voucher series generation: 100,000 codes into a fresh database, next to a baseline that makes
 * the same number of random codes in memory only (same CSPRNG, same alphabet), in the same run.
 *
 *   npx tsx bench/vouchers/generate.ts [quantity] [sqlite|postgres]
 *
 * Also measures how the event loop fares while the series is made (worst delay of a 10 ms timer),
 * since generation must not block other requests.
 */
import crypto from 'node:crypto';
import pino from 'pino';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createApp } from '../../src/app.js';
import { loadConfig } from '../../src/config/index.js';
import { cryptoRandom } from '../../src/shared/index.js';
import { parseDialect } from '../../src/store/index.js';
import { createTestStore } from '../../test/helpers/databases.js';
import { createPlan } from '../../test/helpers/factories.js';
import { DEFAULT_CODE_ALPHABET } from '../../src/tenants/index.js';
import { randomCodes } from '../../src/vouchers/index.js';

const quantity = Number(process.argv[2] ?? 100_000);
const dialect = parseDialect(process.argv[3] ?? 'sqlite');

function baseline(): number {
  const start = performance.now();
  const codes = new Set(randomCodes(quantity, 8, DEFAULT_CODE_ALPHABET, cryptoRandom));
  const ms = performance.now() - start;
  if (codes.size < quantity * 0.999) throw new Error('baseline produced duplicates');
  return ms;
}

async function generate(): Promise<{ ms: number; maxLoopDelayMs: number; p99LoopDelayMs: number }> {
  const store = await createTestStore(dialect);
  const app = await createApp(
    loadConfig({
      PORT: '0',
      RADIUS_ENABLED: '0',
      PORTICO_DEMO: '0',
      LOG_LEVEL: 'silent',
      PORTICO_SECRET: crypto.randomBytes(24).toString('hex'),
    }),
    { logger: pino({ level: 'silent' }), store },
  );
  try {
    const tenantId = app.bootstrapped.tenant.id;
    const plan = await createPlan(store.db, tenantId);
    const histogram = monitorEventLoopDelay({ resolution: 10 });
    histogram.enable();
    const start = performance.now();
    const series = await app.vouchers.createSeries(
      tenantId,
      { planId: plan.id, quantity, expiryMode: 'after_activation' },
      null,
    );
    await app.vouchers.generator.idle();
    const ms = performance.now() - start;
    histogram.disable();
    const made = await store.db
      .selectFrom('vouchers')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('series_id', '=', series.id)
      .executeTakeFirstOrThrow();
    if (Number(made.n) !== quantity) throw new Error(`expected ${quantity} vouchers, got ${made.n}`);
    return { ms, maxLoopDelayMs: histogram.max / 1e6, p99LoopDelayMs: histogram.percentile(99) / 1e6 };
  } finally {
    await app.close();
    await store.destroy();
  }
}

const fmt = (n: number) => n.toLocaleString('en-US', { maximumFractionDigits: 0 });
// Alternate baseline and the real thing (shared machines vary between runs).
const baselineMs = [baseline()];
const run1 = await generate();
baselineMs.push(baseline());
const bestBaseline = Math.min(...baselineMs);
console.log(`voucher series generation, ${fmt(quantity)} codes, ${dialect}`);
console.log(
  `  baseline (random codes in memory): ${bestBaseline.toFixed(0)} ms, ${fmt((quantity / bestBaseline) * 1000)} codes/s`,
);
console.log(
  `  Portico (series into the database): ${run1.ms.toFixed(0)} ms, ${fmt((quantity / run1.ms) * 1000)} codes/s`,
);
console.log(`  ratio Portico / baseline: ${(run1.ms / bestBaseline).toFixed(1)}x`);
console.log(
  `  event loop delay while generating: p99 ${run1.p99LoopDelayMs.toFixed(1)} ms, max ${run1.maxLoopDelayMs.toFixed(1)} ms`,
);
