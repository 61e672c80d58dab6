/** Queries of the portal's one-time codes (otp_challenges), always scoped by tenant. */
import type { Kysely } from 'kysely';
import type { Database } from '../store/index.js';

/** What a code opens: the portal sign-in, or free access at a hotspot. */
export type OtpPurpose = 'portal' | 'free_access';

export interface OtpChallenge {
  id: number;
  purpose: OtpPurpose;
  /** Whether the code was queued as an SMS (no code went to unknown or refused numbers). */
  texted: boolean;
  /** SHA-256 of the attempt token the code is bound to (and hashed with). */
  attemptHash: string;
  phone: string;
  customerId: number | null;
  codeHash: string;
  triesUsed: number;
  expiresAtMs: number;
  consumedAtMs: number | null;
}

export class OtpRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** Codes requested for a number since `sinceMs`: how many, tries used on them, the latest. */
  async phoneStats(
    tenantId: number,
    phone: string,
    sinceMs: number,
  ): Promise<{ count: number; tries: number; lastAtMs: number | null }> {
    const row = await this.db
      .selectFrom('otp_challenges')
      .select((eb) => [
        eb.fn.countAll<number>().as('n'),
        eb.fn.sum<number>('failed_attempts').as('tries'),
        eb.fn.max('created_at').as('last'),
      ])
      .where('tenant_id', '=', tenantId)
      .where('phone', '=', phone)
      .where('created_at', '>=', sinceMs)
      .executeTakeFirst();
    return {
      count: Number(row?.n ?? 0),
      tries: Number(row?.tries ?? 0),
      lastAtMs: row?.last == null ? null : Number(row.last),
    };
  }

  async countForIpSince(tenantId: number, clientIp: string, sinceMs: number): Promise<number> {
    const row = await this.db
      .selectFrom('otp_challenges')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('tenant_id', '=', tenantId)
      .where('client_ip', '=', clientIp)
      .where('created_at', '>=', sinceMs)
      .executeTakeFirst();
    return Number(row?.n ?? 0);
  }

  /**
   * Codes actually texted by the tenant since `sinceMs`, for any purpose: requests for unknown
   * numbers send nothing, so they must not use up the tenant's daily cap.
   */
  async countSentForTenantSince(tenantId: number, sinceMs: number): Promise<number> {
    const row = await this.db
      .selectFrom('otp_challenges')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('tenant_id', '=', tenantId)
      .where('created_at', '>=', sinceMs)
      .where('texted', '=', 1)
      .executeTakeFirst();
    return Number(row?.n ?? 0);
  }

  async insert(values: {
    tenantId: number;
    purpose: OtpPurpose;
    texted: boolean;
    attemptHash: string;
    phone: string;
    customerId: number | null;
    codeHash: string;
    clientIp: string | null;
    nowMs: number;
    expiresAtMs: number;
  }): Promise<void> {
    await this.db
      .insertInto('otp_challenges')
      .values({
        tenant_id: values.tenantId,
        attempt_hash: values.attemptHash,
        phone: values.phone,
        customer_id: values.customerId,
        code_hash: values.codeHash,
        client_ip: values.clientIp,
        purpose: values.purpose,
        texted: values.texted ? 1 : 0,
        created_at: values.nowMs,
        expires_at: values.expiresAtMs,
      })
      .execute();
  }

  async findByAttempt(tenantId: number, attemptHash: string): Promise<OtpChallenge | undefined> {
    const row = await this.challenges()
      .where('tenant_id', '=', tenantId)
      .where('attempt_hash', '=', attemptHash)
      .executeTakeFirst();
    return row && toChallenge(row);
  }

  /** The number's newest challenge for `purpose` (the code it was last sent), whatever its state. */
  async findLatestForPhone(
    tenantId: number,
    phone: string,
    purpose: OtpPurpose = 'portal',
  ): Promise<OtpChallenge | undefined> {
    const row = await this.challenges()
      .where('tenant_id', '=', tenantId)
      .where('phone', '=', phone)
      .where('purpose', '=', purpose)
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(1)
      .executeTakeFirst();
    return row && toChallenge(row);
  }

  private challenges() {
    return this.db
      .selectFrom('otp_challenges')
      .select([
        'id',
        'purpose',
        'texted',
        'attempt_hash',
        'phone',
        'customer_id',
        'code_hash',
        'failed_attempts',
        'expires_at',
        'consumed_at',
      ]);
  }

  /**
   * Uses up one try before the code is compared, atomically: concurrent guesses cannot get past
   * the limit. Returns the tries used including this one, or undefined when none is left (or
   * the code was used).
   */
  async takeTry(tenantId: number, id: number, maxTries: number): Promise<number | undefined> {
    const row = await this.db
      .updateTable('otp_challenges')
      .set((eb) => ({ failed_attempts: eb('failed_attempts', '+', 1) }))
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .where('failed_attempts', '<', maxTries)
      .where('consumed_at', 'is', null)
      .returning('failed_attempts')
      .executeTakeFirst();
    return row ? Number(row.failed_attempts) : undefined;
  }

  /** Marks the code used (single use): true for exactly one caller. */
  async consume(tenantId: number, id: number, nowMs: number): Promise<boolean> {
    const result = await this.db
      .updateTable('otp_challenges')
      .set({ consumed_at: nowMs })
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .where('consumed_at', 'is', null)
      .where('expires_at', '>', nowMs)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  /** Forgets challenges older than `beforeMs` (they only serve the hourly and daily caps). */
  async purgeBefore(beforeMs: number): Promise<number> {
    const result = await this.db
      .deleteFrom('otp_challenges')
      .where('created_at', '<', beforeMs)
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}

function toChallenge(row: {
  id: number;
  purpose: string;
  texted: number;
  attempt_hash: string;
  phone: string;
  customer_id: number | null;
  code_hash: string;
  failed_attempts: number;
  expires_at: number;
  consumed_at: number | null;
}): OtpChallenge {
  return {
    id: row.id,
    purpose: row.purpose === 'free_access' ? 'free_access' : 'portal',
    texted: Number(row.texted) === 1,
    attemptHash: row.attempt_hash,
    phone: row.phone,
    customerId: row.customer_id,
    codeHash: row.code_hash,
    triesUsed: row.failed_attempts,
    expiresAtMs: row.expires_at,
    consumedAtMs: row.consumed_at,
  };
}
