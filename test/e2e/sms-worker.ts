/**
 * A bare Portico SMS worker process for the crash test: runs the outbox against DATABASE_URL
 * until killed. LEASE_MS shortens the lease so the test does not wait minutes.
 */
import pino from 'pino';
import { loadConfig } from '../../src/config/index.js';
import { createSmsModule } from '../../src/sms/index.js';
import { systemClock } from '../../src/shared/index.js';
import { openDatabase } from '../../src/store/index.js';
import { TenantsRepository } from '../../src/tenants/index.js';

const store = openDatabase(process.env.DATABASE_URL!, { poolSize: 3 });
const sms = createSmsModule({
  db: store.db,
  tenants: new TenantsRepository(store.db),
  clock: systemClock,
  logger: pino({ level: process.env.LOG_LEVEL ?? 'silent' }),
  allowedDestinations: loadConfig({ PORTICO_SMS_ALLOWED_HOSTS: process.env.PORTICO_SMS_ALLOWED_HOSTS })
    .smsAllowedHosts,
  outboxOptions: { leaseMs: Number(process.env.LEASE_MS ?? 2000), pollIntervalMs: 100, backoffMs: [200] },
});
sms.start();
// A server process lives until it is stopped; here nothing else holds the event loop (the
// outbox's timers are unref'd so they never delay a shutdown), so hold it like a server would.
const keepAlive = setInterval(() => undefined, 60_000);
process.stdout.write('ready\n');
process.on('SIGTERM', () => {
  clearInterval(keepAlive);
  void sms
    .close()
    .then(() => store.close())
    .then(() => process.exit(0));
});
