/**
 * How each web session was opened (issue 10, items 6 and 7): a portal session opened by a phone
 * number alone ('phone') must not manage devices or see full voucher codes, one that passed an
 * SMS code ('code') may. Sessions from before this column are NULL and count as phone-only: we
 * cannot know, so they get the lesser power (a customer signs in again to get it back).
 */
import type { Kysely } from 'kysely';

type AnyDb = Kysely<any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export async function up(db: AnyDb): Promise<void> {
  await db.schema.alterTable('web_sessions').addColumn('auth_method', 'varchar(16)').execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.alterTable('web_sessions').dropColumn('auth_method').execute();
}
