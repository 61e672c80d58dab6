/**
 * The customer portal's read side of vouchers. Every query is scoped by tenant AND customer,
 * so a portal page can never show another customer's voucher, whatever id it is asked for.
 */
import type { Kysely } from 'kysely';
import { CompiledOnce, slot, type Database, type Selectable, type VouchersTable } from '../store/index.js';
import { toPlanTerms, type PlanTerms } from '../plans/index.js';
import { LIVE_VOUCHER_STATUSES } from '../devices/index.js';
import { toVoucherLifecycle, type VoucherLifecycle } from './model.js';

/** A voucher as its owner sees it: limits, counters and lifecycle (instants in epoch ms). */
export interface CustomerVoucher extends PlanTerms, VoucherLifecycle {
  id: number;
  code: string;
  /** The random part of the code (also logs in at the hotspot). */
  shortCode: string;
  status: string; // new | active | online | used | disabled
  usedReason: string | null; // data | time | expired
  planTitle: string;
  downloadedBytes: number;
  uploadedBytes: number;
  onlineSeconds: number;
}

const COLUMNS = [
  'id',
  'code',
  'short_code',
  'status',
  'used_reason',
  'plan_title',
  'price_minor',
  'currency',
  'speed_down_kbps',
  'speed_up_kbps',
  'data_limit_bytes',
  'download_limit_bytes',
  'upload_limit_bytes',
  'time_limit_seconds',
  'validity_seconds',
  'devices_limit',
  'valid_until_at',
  'activated_at',
  'expires_at',
  'used_at',
  'disabled_at',
  'downloaded_bytes',
  'uploaded_bytes',
  'online_seconds',
  'last_session_at',
  'created_at',
] as const;

type Row = Pick<Selectable<VouchersTable>, (typeof COLUMNS)[number]>;

function toVoucher(row: Row): CustomerVoucher {
  return {
    id: row.id,
    code: row.code,
    shortCode: row.short_code,
    status: row.status,
    usedReason: row.used_reason,
    planTitle: row.plan_title,
    ...toPlanTerms(row),
    ...toVoucherLifecycle(row),
    downloadedBytes: Number(row.downloaded_bytes),
    uploadedBytes: Number(row.uploaded_bytes),
    onlineSeconds: Number(row.online_seconds),
  };
}

export class VoucherPortalQueries {
  constructor(private readonly db: Kysely<Database>) {}

  /**
   * The customer's vouchers that are not used up or disabled, newest first. Bounded by what one
   * person buys; the caller decides which have expired by time (accounting may not have yet).
   */
  async listLive(tenantId: number, customerId: number, limit = 200): Promise<CustomerVoucher[]> {
    const { rows } = await this.db.executeQuery(this.liveQuery.bind({ tenantId, customerId, limit }));
    return rows.map(toVoucher);
  }

  /** Used and disabled vouchers, most recently finished first; `limit` rows at most. */
  async listFinished(tenantId: number, customerId: number, limit: number): Promise<CustomerVoucher[]> {
    const { rows } = await this.db.executeQuery(this.finishedQuery.bind({ tenantId, customerId, limit }));
    return rows.map(toVoucher);
  }

  // Every changed dashboard runs these two: built and compiled once (store/compiled-once.ts).
  private readonly liveQuery = new CompiledOnce(() =>
    this.db
      .selectFrom('vouchers')
      .select(COLUMNS)
      .where('tenant_id', '=', slot<number>('tenantId'))
      .where('customer_id', '=', slot<number>('customerId'))
      .where('status', 'in', [...LIVE_VOUCHER_STATUSES])
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(slot<number>('limit')),
  );

  private readonly finishedQuery = new CompiledOnce(() =>
    this.db
      .selectFrom('vouchers')
      .select(COLUMNS)
      .where('tenant_id', '=', slot<number>('tenantId'))
      .where('customer_id', '=', slot<number>('customerId'))
      .where('status', 'in', ['used', 'disabled'])
      .orderBy('updated_at', 'desc')
      .orderBy('id', 'desc')
      .limit(slot<number>('limit')),
  );

  /** One voucher of this customer, or undefined (also when it belongs to someone else). */
  async findForCustomer(
    tenantId: number,
    customerId: number,
    voucherId: number,
  ): Promise<CustomerVoucher | undefined> {
    const { rows } = await this.db.executeQuery(this.ownedQuery.bind({ tenantId, customerId, voucherId }));
    const row = rows[0];
    return row && toVoucher(row);
  }

  // Every changed voucher page runs this one (store/compiled-once.ts).
  private readonly ownedQuery = new CompiledOnce(() =>
    this.db
      .selectFrom('vouchers')
      .select(COLUMNS)
      .where('tenant_id', '=', slot<number>('tenantId'))
      .where('customer_id', '=', slot<number>('customerId'))
      .where('id', '=', slot<number>('voucherId')),
  );

  /**
   * One voucher by id, whoever owns it: only for a caller that proved a right to this voucher
   * (the hotspot login's signed "voucher you just used" link).
   */
  async findById(tenantId: number, voucherId: number): Promise<CustomerVoucher | undefined> {
    const row = await this.db
      .selectFrom('vouchers')
      .select(COLUMNS)
      .where('tenant_id', '=', tenantId)
      .where('id', '=', voucherId)
      .executeTakeFirst();
    return row && toVoucher(row);
  }
}
