import { sql, type Kysely } from 'kysely';
import { touchTenantPortals, type Database, type Tenant } from '../store/index.js';
import { mergeSettings, type SettingsDocuments, type SettingsKey } from './settings.js';

export class TenantsRepository {
  constructor(private readonly db: Kysely<Database>) {}

  findByHost(host: string): Promise<Tenant | undefined> {
    return this.db
      .selectFrom('tenant_hosts')
      .innerJoin('tenants', 'tenants.id', 'tenant_hosts.tenant_id')
      .selectAll('tenants')
      .where('tenant_hosts.host', '=', host)
      .executeTakeFirst();
  }

  findDefault(): Promise<Tenant | undefined> {
    return this.db
      .selectFrom('tenants')
      .selectAll()
      .where('is_default', '=', 1)
      .orderBy('id')
      .executeTakeFirst();
  }

  findById(id: number): Promise<Tenant | undefined> {
    return this.db.selectFrom('tenants').selectAll().where('id', '=', id).executeTakeFirst();
  }

  list(): Promise<Tenant[]> {
    return this.db.selectFrom('tenants').selectAll().orderBy('id').execute();
  }

  async count(): Promise<number> {
    const row = await this.db
      .selectFrom('tenants')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirst();
    return Number(row?.n ?? 0);
  }

  async create(values: {
    slug: string;
    name: string;
    defaultCountry: string;
    locale: string;
    timeZone: string;
    currency: string;
    publicUrl?: string | null;
    isDefault: boolean;
    hosts: string[];
    nowMs: number;
  }): Promise<Tenant> {
    return this.db.transaction().execute(async (trx) => {
      const tenant = await trx
        .insertInto('tenants')
        .values({
          slug: values.slug,
          name: values.name,
          default_country: values.defaultCountry,
          locale: values.locale,
          time_zone: values.timeZone,
          currency: values.currency,
          public_url: values.publicUrl ?? null,
          is_default: values.isDefault ? 1 : 0,
          created_at: values.nowMs,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      for (const host of values.hosts) {
        await trx.insertInto('tenant_hosts').values({ tenant_id: tenant.id, host }).execute();
      }
      return tenant;
    });
  }

  /** The tenant's own details (Config > Business); the slug, hosts and default flag stay. */
  async updateDetails(
    tenantId: number,
    values: {
      name: string;
      defaultCountry: string;
      locale: string;
      timeZone: string;
      currency: string;
      publicUrl: string | null;
    },
  ): Promise<Tenant | undefined> {
    return this.db
      .updateTable('tenants')
      .set({
        name: values.name,
        default_country: values.defaultCountry,
        locale: values.locale,
        time_zone: values.timeZone,
        currency: values.currency,
        public_url: values.publicUrl,
        // Every customer's portal shows the tenant's name, language and time zone.
        portal_version: sql`portal_version + 1`,
      })
      .where('id', '=', tenantId)
      .returningAll()
      .executeTakeFirst();
  }

  hostsOf(tenantId: number): Promise<string[]> {
    return this.db
      .selectFrom('tenant_hosts')
      .select('host')
      .where('tenant_id', '=', tenantId)
      .orderBy('host')
      .execute()
      .then((rows) => rows.map((r) => r.host));
  }

  /** Whether an operator has ever saved this settings document (the defaults are not a row). */
  async hasSavedSettings(tenantId: number, key: SettingsKey): Promise<boolean> {
    const row = await this.db
      .selectFrom('settings')
      .select('key')
      .where('tenant_id', '=', tenantId)
      .where('key', '=', key)
      .executeTakeFirst();
    return row !== undefined;
  }

  async getSettings<K extends SettingsKey>(tenantId: number, key: K): Promise<SettingsDocuments[K]> {
    const row = await this.db
      .selectFrom('settings')
      .select('value_json')
      .where('tenant_id', '=', tenantId)
      .where('key', '=', key)
      .executeTakeFirst();
    return mergeSettings(key, row ? (JSON.parse(row.value_json) as unknown) : undefined);
  }

  async putSettings<K extends SettingsKey>(
    tenantId: number,
    key: K,
    value: SettingsDocuments[K],
    nowMs: number,
  ): Promise<void> {
    await this.db
      .insertInto('settings')
      .values({ tenant_id: tenantId, key, value_json: JSON.stringify(value), updated_at: nowMs })
      .onConflict((oc) =>
        oc
          .columns(['tenant_id', 'key'])
          .doUpdateSet({ value_json: JSON.stringify(value), updated_at: nowMs }),
      )
      .execute();
    // Settings decide who may stay signed in to the portal and what it shows.
    await touchTenantPortals(this.db, tenantId);
  }
}
