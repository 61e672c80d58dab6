import { sql, type Kysely } from 'kysely';
import { containsText, selectPage, type Database } from '../store/index.js';
import type { Page, PageRequest, Sort } from '../shared/index.js';
import { toPlanView, type PlanInput, type PlanView } from './model.js';

export const PLAN_SORT_KEYS = ['title', 'created_at', 'price_minor'] as const;
export type PlanSortKey = (typeof PLAN_SORT_KEYS)[number];

export interface PlanFilter {
  isActive?: boolean;
  /** Substring of the title. */
  search?: string;
}

function toRow(input: PlanInput) {
  return {
    title: input.title,
    is_active: input.isActive ? 1 : 0,
    voucher_prefix: input.voucherPrefix,
    price_minor: input.priceMinor,
    currency: input.currency,
    speed_down_kbps: input.speedDownKbps,
    speed_up_kbps: input.speedUpKbps,
    data_limit_bytes: input.dataLimitBytes,
    download_limit_bytes: input.downloadLimitBytes,
    upload_limit_bytes: input.uploadLimitBytes,
    time_limit_seconds: input.timeLimitSeconds,
    validity_seconds: input.validitySeconds,
    devices_limit: input.devicesLimit,
  };
}

export class PlansRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async list(
    tenantId: number,
    filter: PlanFilter,
    sort: Sort<PlanSortKey>,
    page: PageRequest,
  ): Promise<Page<PlanView>> {
    let query = this.db.selectFrom('plans').where('tenant_id', '=', tenantId);
    if (filter.isActive !== undefined) query = query.where('is_active', '=', filter.isActive ? 1 : 0);
    if (filter.search) query = query.where(containsText(sql.ref('title'), filter.search));
    return selectPage(query, sort, page, toPlanView);
  }

  async find(tenantId: number, id: number): Promise<PlanView | undefined> {
    const row = await this.db
      .selectFrom('plans')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .executeTakeFirst();
    return row ? toPlanView(row) : undefined;
  }

  /** Whether the tenant has made any plan (first-run checklist). */
  async hasAny(tenantId: number): Promise<boolean> {
    const row = await this.db
      .selectFrom('plans')
      .select('id')
      .where('tenant_id', '=', tenantId)
      .limit(1)
      .executeTakeFirst();
    return row !== undefined;
  }

  async listActive(tenantId: number): Promise<PlanView[]> {
    const rows = await this.db
      .selectFrom('plans')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('is_active', '=', 1)
      .orderBy('title')
      .execute();
    return rows.map(toPlanView);
  }

  async create(tenantId: number, input: PlanInput, nowMs: number): Promise<PlanView> {
    const row = await this.db
      .insertInto('plans')
      .values({ tenant_id: tenantId, ...toRow(input), created_at: nowMs, updated_at: nowMs })
      .returningAll()
      .executeTakeFirstOrThrow();
    return toPlanView(row);
  }

  /** Returns false when no plan of this tenant has that id. */
  async update(tenantId: number, id: number, input: PlanInput, nowMs: number): Promise<boolean> {
    const result = await this.db
      .updateTable('plans')
      .set({ ...toRow(input), updated_at: nowMs })
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  async setActive(tenantId: number, id: number, isActive: boolean, nowMs: number): Promise<boolean> {
    const result = await this.db
      .updateTable('plans')
      .set({ is_active: isActive ? 1 : 0, updated_at: nowMs })
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }
}
