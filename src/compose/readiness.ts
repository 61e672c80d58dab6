/** What /readyz reports: the first failing check's reason, or undefined when ready. */
import { sql } from 'kysely';
import type { ReadinessCheck } from '../http/index.js';
import type { RadiusServer } from '../radius/index.js';
import type { SmsOutbox } from '../sms/index.js';
import { pendingMigrations, type Store } from '../store/index.js';

export function readinessOf(parts: {
  store: Store;
  radius: RadiusServer | undefined;
  outbox: Pick<SmsOutbox, 'isAlive'>;
  stopping: () => boolean;
  listening: () => boolean;
}): () => Promise<string | undefined> {
  // What /readyz checks, in order; the first failure is the reason.
  const readiness: ReadinessCheck[] = [
    { name: 'shutdown', check: async () => (parts.stopping() ? 'shutting down' : undefined) },
    {
      name: 'database',
      check: async () => {
        await sql`select 1`.execute(parts.store.db);
        const pending = await pendingMigrations(parts.store.db);
        return pending.length > 0 ? `migrations not run: ${pending.join(', ')}` : undefined;
      },
    },
    {
      name: 'radius',
      check: async () =>
        parts.radius && !parts.radius.isListening() ? 'the RADIUS sockets are not bound' : undefined,
    },
    {
      name: 'sms-outbox',
      check: async () =>
        parts.listening() && !parts.outbox.isAlive() ? 'the SMS outbox worker is not running' : undefined,
    },
  ];
  return async () => {
    if (!parts.listening()) return 'starting';
    for (const item of readiness) {
      const name = item.name;
      const reason = await item
        .check()
        .catch((error: unknown) => (error instanceof Error ? error.message : String(error)));
      if (reason !== undefined) return name === 'shutdown' ? reason : `${name}: ${reason}`;
    }
    return undefined;
  };
}
