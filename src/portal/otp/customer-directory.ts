/**
 * Registered numbers for the OTP service, until the customers module's repository is wired in
 * (src/app.ts passes CustomersRepository when it exists; it has the same findByPhone shape).
 */
import type { Kysely } from 'kysely';
import type { Database } from '../../store/index.js';
import type { CustomerDirectory } from './service.js';

export class CustomerPhoneLookup implements CustomerDirectory {
  constructor(private readonly db: Kysely<Database>) {}

  findByPhone(tenantId: number, e164: string) {
    return this.db
      .selectFrom('customers')
      .select(['id', 'status'])
      .where('tenant_id', '=', tenantId)
      .where('phone', '=', e164)
      .executeTakeFirst();
  }
}
