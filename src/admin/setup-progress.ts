/**
 * The dashboard's first-run checklist: which of the steps a new operator takes (plan, hotspot,
 * SMS, portal, vouchers, a customer's voucher, its SMS) this tenant has done. A read model over
 * several modules' tables, like the dashboard figures: one indexed "is there a row" probe per
 * step, each scoped by tenant, so it stays cheap however large the tenant grows.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../store/index.js';

export const SETUP_STEPS = [
  'plan',
  'hotspot',
  'smsGateway',
  'portal',
  'series',
  'assigned',
  'voucherSms',
] as const;
export type SetupStep = (typeof SETUP_STEPS)[number];

export type SetupProgress = Record<SetupStep, boolean>;

export class SetupProgressQueries {
  constructor(private readonly db: Kysely<Database>) {}

  async of(tenantId: number): Promise<SetupProgress> {
    const db = this.db;
    const exists = async (query: { executeTakeFirst(): Promise<unknown> }) =>
      (await query.executeTakeFirst()) !== undefined;
    const [plan, hotspot, smsGateway, portal, series, assigned, voucherSms] = await Promise.all([
      exists(db.selectFrom('plans').select('id').where('tenant_id', '=', tenantId).limit(1)),
      exists(db.selectFrom('hotspots').select('id').where('tenant_id', '=', tenantId).limit(1)),
      exists(
        db
          .selectFrom('sms_gateways')
          .select('id')
          .where('tenant_id', '=', tenantId)
          .where('is_enabled', '=', 1)
          .limit(1),
      ),
      // Saving Config > Portal once stores the document (defaults are not a row).
      exists(
        db
          .selectFrom('settings')
          .select('key')
          .where('tenant_id', '=', tenantId)
          .where('key', '=', 'portal')
          .limit(1),
      ),
      exists(db.selectFrom('voucher_series').select('id').where('tenant_id', '=', tenantId).limit(1)),
      exists(
        db
          .selectFrom('vouchers')
          .select('id')
          .where('tenant_id', '=', tenantId)
          .where('customer_id', 'is not', null)
          .limit(1),
      ),
      exists(
        db
          .selectFrom('sms_messages')
          .select('id')
          .where('tenant_id', '=', tenantId)
          .where('type', 'in', ['voucher_details', 'portal_link'])
          .limit(1),
      ),
    ]);
    return { plan, hotspot, smsGateway, portal, series, assigned, voucherSms };
  }
}
