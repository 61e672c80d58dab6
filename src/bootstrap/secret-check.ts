/**
 * Every process sharing a database must key one-time-code hashes with the same PORTICO_SECRET,
 * or a code sent by one process fails at another. The first process stores an HMAC of a fixed
 * label under the secret (not the secret); a later process whose HMAC differs refuses to start.
 */
import crypto from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../store/index.js';

const FACT = 'secret_fingerprint';

export class SecretMismatchError extends Error {}

export function secretFingerprint(secret: string): string {
  return crypto.createHmac('sha256', secret).update('portico secret fingerprint v1').digest('hex');
}

/** Records this secret's fingerprint if none is, else throws SecretMismatchError on a difference. */
export async function checkSharedSecret(db: Kysely<Database>, secret: string, nowMs: number): Promise<void> {
  const fingerprint = secretFingerprint(secret);
  await db
    .insertInto('cluster_facts')
    .values({ name: FACT, value: fingerprint, created_at: nowMs })
    .onConflict((oc) => oc.column('name').doNothing())
    .execute();
  const row = await db
    .selectFrom('cluster_facts')
    .select('value')
    .where('name', '=', FACT)
    .executeTakeFirstOrThrow();
  if (row.value !== fingerprint) {
    throw new SecretMismatchError(
      'PORTICO_SECRET differs from the one the other Portico processes on this database use: ' +
        'give every process the same value. To change the secret on purpose, stop every process, ' +
        `run DELETE FROM cluster_facts WHERE name = '${FACT}', and start them with the new one ` +
        '(one-time codes in flight become invalid).',
    );
  }
}
