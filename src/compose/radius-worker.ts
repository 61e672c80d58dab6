/**
 * A RADIUS thread (radius-threads.ts): the main thread's RADIUS ports, bound again with
 * SO_REUSEPORT, answered by this thread's own access policy and accounting recorder on its own
 * database pool. Disconnects, voucher activations and metrics go to the main thread by message.
 * The main thread has migrated the database before it starts any thread.
 */
import { parentPort, threadId, workerData } from 'node:worker_threads';
import pino from 'pino';
import { HotspotsRepository, HotspotsService } from '../hotspots/index.js';
import type { RadiusRequestType } from '../metrics/index.js';
import { cryptoRandom, systemClock } from '../shared/index.js';
import { openDatabase } from '../store/index.js';
import { TenantsRepository } from '../tenants/index.js';
import { createRadius } from './radius.js';
import type { FromRadiusThread, RadiusThreadInit, ToRadiusThread } from './radius-threads.js';

/** How often the thread reports its metrics and counters to the main thread. */
const REPORT_INTERVAL_MS = 250;

const init = workerData as RadiusThreadInit;
const port = parentPort!;
const post = (message: FromRadiusThread) => port.postMessage(message);
const logger = pino({ level: init.config.logLevel }).child({ radiusThread: threadId });

const store = openDatabase(init.config.databaseUrl, {
  preparedStatements: init.config.databasePreparedStatements,
  onIdleConnectionError: (error) =>
    logger.warn({ err: error }, 'a pooled database connection broke; it will be replaced'),
});
// Its NAS lookups are cached as the main thread's are; an edit there makes it forget them.
const hotspots = new HotspotsService(new HotspotsRepository(store.db), systemClock, cryptoRandom, logger);
let requests: Array<[RadiusRequestType, string, number]> = [];
let batches: Array<[number, number, boolean]> = [];
const { accounting, radius } = createRadius({
  config: {
    ...init.config,
    radius: { ...init.config.radius, enabled: true, authPort: init.authPort, acctPort: init.acctPort },
  },
  store,
  tenants: new TenantsRepository(store.db),
  hotspots,
  usage: {
    disconnectMac: (tenantId, voucherId, mac, reason) => {
      post({ type: 'disconnectMac', tenantId, voucherId, mac, reason });
      return Promise.resolve();
    },
    disconnectVoucher: (tenantId, voucherId, reason) => {
      post({ type: 'disconnectVoucher', tenantId, voucherId, reason });
      return Promise.resolve();
    },
  },
  metrics: {
    radiusRequest: (type, result, seconds) => void requests.push([type, result, seconds]),
    accountingBatch: (records, seconds, ok) => void batches.push([records, seconds, ok]),
  },
  clock: systemClock,
  logger,
  voucherActivated: (event) => post({ type: 'voucherActivated', event }),
});
const server = radius!;

function report(): void {
  post({
    type: 'report',
    requests,
    batches,
    stats: server.stats,
    queueLength: accounting.queueLength(),
    pool: store.poolStats(),
  });
  requests = [];
  batches = [];
}

try {
  await server.start();
} catch (error) {
  post({ type: 'failed', message: error instanceof Error ? error.message : String(error) });
  await store.close();
  port.close();
  process.exit(1);
}
const reporting = setInterval(report, REPORT_INTERVAL_MS);
post({ type: 'ready' });

port.on('message', (message: ToRadiusThread) => {
  if (message.type === 'forget-nas') {
    hotspots.invalidate();
    return;
  }
  void (async () => {
    // As the main thread stops: answer what was taken, commit what was queued, then report.
    await server.stop();
    await accounting.close();
    clearInterval(reporting);
    report();
    await store.close();
    post({ type: 'stopped' });
    port.close();
  })().catch((error: unknown) => {
    logger.error({ err: error }, 'RADIUS thread did not stop cleanly');
    process.exit(1);
  });
});
