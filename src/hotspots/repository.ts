import type { Kysely } from 'kysely';
import { touchTenantPortals, type Database, type Hotspot } from '../store/index.js';

/** A hotspot's settings, as its form sets them. */
export interface HotspotValues {
  title: string;
  vendor: 'mikrotik' | 'generic';
  ipAddress: string;
  secret: string;
  coaPort: number;
  requireMessageAuthenticator: boolean;
  interimIntervalSeconds: number;
  location: string | null;
}

/**
 * A hotspot as the RADIUS server needs it: its settings but the location, with its tenant's time
 * zone for daily rollups.
 */
export type NasRecord = Omit<HotspotValues, 'location'> & { id: number; tenantId: number; timeZone: string };

/** A hotspot as the Disconnect/CoA client addresses it. */
export interface DisconnectEndpoint {
  id: number;
  vendor: string;
  ipAddress: string;
  coaPort: number;
  secret: string;
}

/** The columns a hotspot's form sets, on create and on edit alike. */
function hotspotColumns(values: HotspotValues) {
  return {
    title: values.title,
    vendor: values.vendor,
    ip_address: values.ipAddress,
    secret: values.secret,
    coa_port: values.coaPort,
    require_message_authenticator: values.requireMessageAuthenticator ? 1 : 0,
    interim_interval_seconds: values.interimIntervalSeconds,
    location: values.location,
  };
}

export class HotspotsRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** Whether the tenant has added any hotspot (first-run checklist). */
  async hasAny(tenantId: number): Promise<boolean> {
    const row = await this.db
      .selectFrom('hotspots')
      .select('id')
      .where('tenant_id', '=', tenantId)
      .limit(1)
      .executeTakeFirst();
    return row !== undefined;
  }

  /** Where one of the tenant's hotspots takes Disconnect-Requests (RFC 5176): address, port, secret. */
  async findDisconnectTarget(tenantId: number, hotspotId: number): Promise<DisconnectEndpoint | undefined> {
    const row = await this.db
      .selectFrom('hotspots')
      .select(['id', 'vendor', 'ip_address', 'coa_port', 'secret'])
      .where('tenant_id', '=', tenantId)
      .where('id', '=', hotspotId)
      .executeTakeFirst();
    return (
      row && {
        id: row.id,
        vendor: row.vendor,
        ipAddress: row.ip_address,
        coaPort: row.coa_port,
        secret: row.secret,
      }
    );
  }

  /** The NAS with this RADIUS source IP, across tenants (the IP is globally unique by design). */
  async findNasByIp(ipAddress: string): Promise<NasRecord | undefined> {
    const row = await this.db
      .selectFrom('hotspots')
      .innerJoin('tenants', 'tenants.id', 'hotspots.tenant_id')
      .select([
        'hotspots.id',
        'hotspots.tenant_id',
        'hotspots.title',
        'hotspots.vendor',
        'hotspots.ip_address',
        'hotspots.secret',
        'hotspots.coa_port',
        'hotspots.require_message_authenticator',
        'hotspots.interim_interval_seconds',
        'tenants.time_zone',
      ])
      .where('hotspots.ip_address', '=', ipAddress)
      .executeTakeFirst();
    if (!row) return undefined;
    return {
      id: row.id,
      tenantId: row.tenant_id,
      title: row.title,
      vendor: row.vendor === 'mikrotik' ? 'mikrotik' : 'generic',
      ipAddress: row.ip_address,
      secret: row.secret,
      coaPort: row.coa_port,
      requireMessageAuthenticator: row.require_message_authenticator === 1,
      interimIntervalSeconds: row.interim_interval_seconds,
      timeZone: row.time_zone,
    };
  }

  list(tenantId: number): Promise<Hotspot[]> {
    return this.db
      .selectFrom('hotspots')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .orderBy('title')
      .orderBy('id')
      .execute();
  }

  findById(tenantId: number, id: number): Promise<Hotspot | undefined> {
    return this.db
      .selectFrom('hotspots')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .executeTakeFirst();
  }

  async isIpTaken(ipAddress: string, exceptId?: number): Promise<boolean> {
    let query = this.db.selectFrom('hotspots').select('id').where('ip_address', '=', ipAddress);
    if (exceptId !== undefined) query = query.where('id', '!=', exceptId);
    return (await query.executeTakeFirst()) !== undefined;
  }

  insert(tenantId: number, values: HotspotValues, nowMs: number): Promise<Hotspot> {
    return this.db
      .insertInto('hotspots')
      .values({ tenant_id: tenantId, ...hotspotColumns(values), created_at: nowMs, updated_at: nowMs })
      .returningAll()
      .executeTakeFirstOrThrow();
  }

  update(tenantId: number, id: number, values: HotspotValues, nowMs: number): Promise<Hotspot | undefined> {
    return this.db
      .updateTable('hotspots')
      .set({ ...hotspotColumns(values), updated_at: nowMs })
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirst()
      .then(async (hotspot) => {
        // Customers' session lists name the hotspot (new ones have no sessions, used ones can't go).
        if (hotspot) await touchTenantPortals(this.db, tenantId);
        return hotspot;
      });
  }

  async hasSessions(tenantId: number, id: number): Promise<boolean> {
    const row = await this.db
      .selectFrom('sessions')
      .select('id')
      .where('tenant_id', '=', tenantId)
      .where('hotspot_id', '=', id)
      .limit(1)
      .executeTakeFirst();
    return row !== undefined;
  }

  async delete(tenantId: number, id: number): Promise<boolean> {
    const result = await this.db
      .deleteFrom('hotspots')
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }
}
