/**
 * Queries of the hosted login page: each hotspot's page (public id, login method) and the
 * guests' login flows. Every query is scoped by tenant.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../store/index.js';

export type LoginBy = 'chap' | 'pap';

export interface LoginPage {
  tenantId: number;
  hotspotId: number;
  publicId: string;
  loginBy: LoginBy;
}

export interface LoginFlow {
  id: number;
  hotspotId: number;
  mac: string | null;
  voucherId: number | null;
  linkOrig: string | null;
  routerAttempts: number;
  createdAtMs: number;
  attemptedAtMs: number | null;
  completedAtMs: number | null;
}

function toPage(row: {
  tenant_id: number;
  hotspot_id: number;
  public_id: string;
  login_by: string;
}): LoginPage {
  return {
    tenantId: Number(row.tenant_id),
    hotspotId: Number(row.hotspot_id),
    publicId: row.public_id,
    loginBy: row.login_by === 'pap' ? 'pap' : 'chap',
  };
}

const FLOW_COLUMNS = [
  'id',
  'hotspot_id',
  'mac',
  'voucher_id',
  'link_orig',
  'router_attempts',
  'created_at',
  'attempted_at',
  'completed_at',
] as const;

export class HotspotLoginRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async findPageByHotspot(tenantId: number, hotspotId: number): Promise<LoginPage | undefined> {
    const row = await this.db
      .selectFrom('hotspot_login_pages')
      .select(['tenant_id', 'hotspot_id', 'public_id', 'login_by'])
      .where('tenant_id', '=', tenantId)
      .where('hotspot_id', '=', hotspotId)
      .executeTakeFirst();
    return row && toPage(row);
  }

  async findPageByPublicId(tenantId: number, publicId: string): Promise<LoginPage | undefined> {
    const row = await this.db
      .selectFrom('hotspot_login_pages')
      .select(['tenant_id', 'hotspot_id', 'public_id', 'login_by'])
      .where('tenant_id', '=', tenantId)
      .where('public_id', '=', publicId)
      .executeTakeFirst();
    return row && toPage(row);
  }

  /** Creates the page unless one exists (two processes may race: the first one wins). */
  async insertPage(page: LoginPage, nowMs: number): Promise<void> {
    await this.db
      .insertInto('hotspot_login_pages')
      .values({
        tenant_id: page.tenantId,
        hotspot_id: page.hotspotId,
        public_id: page.publicId,
        login_by: page.loginBy,
        created_at: nowMs,
        updated_at: nowMs,
      })
      .onConflict((oc) => oc.column('hotspot_id').doNothing())
      .execute();
  }

  async setLoginBy(tenantId: number, hotspotId: number, loginBy: LoginBy, nowMs: number): Promise<void> {
    await this.db
      .updateTable('hotspot_login_pages')
      .set({ login_by: loginBy, updated_at: nowMs })
      .where('tenant_id', '=', tenantId)
      .where('hotspot_id', '=', hotspotId)
      .execute();
  }

  /** Notes the first download of the page's files by a router (later ones change nothing). */
  async markFilesFetched(tenantId: number, hotspotId: number, nowMs: number): Promise<void> {
    await this.db
      .updateTable('hotspot_login_pages')
      .set({ files_fetched_at: nowMs })
      .where('tenant_id', '=', tenantId)
      .where('hotspot_id', '=', hotspotId)
      .where('files_fetched_at', 'is', null)
      .execute();
  }

  /** Whether a router of the tenant ever downloaded its login page files (checklist). */
  async anyFilesFetched(tenantId: number): Promise<boolean> {
    const row = await this.db
      .selectFrom('hotspot_login_pages')
      .select('hotspot_id')
      .where('tenant_id', '=', tenantId)
      .where('files_fetched_at', 'is not', null)
      .limit(1)
      .executeTakeFirst();
    return row !== undefined;
  }

  /** The address and type of the tenant's logo, without its bytes (every page asks). */
  async logoInfo(tenantId: number): Promise<{ sha256: string; contentType: string } | undefined> {
    const row = await this.db
      .selectFrom('login_page_logos')
      .select(['sha256', 'content_type'])
      .where('tenant_id', '=', tenantId)
      .executeTakeFirst();
    return row && { sha256: row.sha256, contentType: row.content_type };
  }

  /** The logo's bytes if `sha256` is still the tenant's logo. */
  async logo(tenantId: number, sha256: string): Promise<{ contentType: string; bytes: Buffer } | undefined> {
    const row = await this.db
      .selectFrom('login_page_logos')
      .select(['content_type', 'bytes'])
      .where('tenant_id', '=', tenantId)
      .where('sha256', '=', sha256)
      .executeTakeFirst();
    return row && { contentType: row.content_type, bytes: Buffer.from(row.bytes) };
  }

  async putLogo(
    tenantId: number,
    logo: { contentType: string; bytes: Buffer; sha256: string },
    nowMs: number,
  ): Promise<void> {
    const values = {
      content_type: logo.contentType,
      bytes: logo.bytes,
      sha256: logo.sha256,
      updated_at: nowMs,
    };
    await this.db
      .insertInto('login_page_logos')
      .values({ tenant_id: tenantId, ...values })
      .onConflict((oc) => oc.column('tenant_id').doUpdateSet(values))
      .execute();
  }

  async deleteLogo(tenantId: number): Promise<void> {
    await this.db.deleteFrom('login_page_logos').where('tenant_id', '=', tenantId).execute();
  }

  async insertFlow(values: {
    tenantId: number;
    hotspotId: number;
    tokenHash: string;
    mac: string | null;
    voucherId: number;
    linkOrig: string | null;
    nowMs: number;
  }): Promise<void> {
    await this.db
      .insertInto('hotspot_login_flows')
      .values({
        tenant_id: values.tenantId,
        hotspot_id: values.hotspotId,
        token_hash: values.tokenHash,
        mac: values.mac,
        voucher_id: values.voucherId,
        link_orig: values.linkOrig,
        router_attempts: 1,
        created_at: values.nowMs,
        attempted_at: values.nowMs,
      })
      .execute();
  }

  async findFlow(tenantId: number, tokenHash: string): Promise<LoginFlow | undefined> {
    const row = await this.db
      .selectFrom('hotspot_login_flows')
      .select(FLOW_COLUMNS)
      .where('tenant_id', '=', tenantId)
      .where('token_hash', '=', tokenHash)
      .executeTakeFirst();
    if (!row) return undefined;
    return {
      id: Number(row.id),
      hotspotId: Number(row.hotspot_id),
      mac: row.mac,
      voucherId: row.voucher_id === null ? null : Number(row.voucher_id),
      linkOrig: row.link_orig,
      routerAttempts: Number(row.router_attempts),
      createdAtMs: Number(row.created_at),
      attemptedAtMs: row.attempted_at === null ? null : Number(row.attempted_at),
      completedAtMs: row.completed_at === null ? null : Number(row.completed_at),
    };
  }

  /**
   * Counts one more router attempt, only if the flow still has `expectedAttempts` (a reload of
   * the same error page must not count twice, and two processes must not both retry).
   */
  async countAttempt(
    tenantId: number,
    flowId: number,
    expectedAttempts: number,
    nowMs: number,
  ): Promise<boolean> {
    const result = await this.db
      .updateTable('hotspot_login_flows')
      .set({ router_attempts: expectedAttempts + 1, attempted_at: nowMs })
      .where('tenant_id', '=', tenantId)
      .where('id', '=', flowId)
      .where('router_attempts', '=', expectedAttempts)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  async complete(tenantId: number, flowId: number, nowMs: number): Promise<void> {
    await this.db
      .updateTable('hotspot_login_flows')
      .set({ completed_at: nowMs })
      .where('tenant_id', '=', tenantId)
      .where('id', '=', flowId)
      .where('completed_at', 'is', null)
      .execute();
  }

  /** Forgets the tenant's flows created before `beforeMs` (they are minutes-long by nature). */
  async deleteFlowsBefore(tenantId: number, beforeMs: number): Promise<void> {
    await this.db
      .deleteFrom('hotspot_login_flows')
      .where('tenant_id', '=', tenantId)
      .where('created_at', '<', beforeMs)
      .execute();
  }
}
