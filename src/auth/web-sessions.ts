/**
 * Server-side web sessions for the admin area and the customer portal. The browser holds a
 * random 256-bit token; the database holds only its SHA-256, so a leaked table opens nothing.
 * Idle and absolute timeouts; sign-out deletes the row; sign-in always issues a new token.
 */
import type { Kysely } from 'kysely';
import { CompiledOnce, slot, type Database, type Selectable, type WebSessionsTable } from '../store/index.js';
import { randomToken, sha256Hex, type Clock, type RandomSource } from '../shared/index.js';

export type SessionKind = 'admin' | 'portal';

/**
 * How a portal session was opened: 'phone' by the number alone (one-time codes off), 'code' after
 * an SMS one-time code. Only 'code' sessions manage devices and see full voucher codes.
 */
export type PortalAuthMethod = 'phone' | 'code';

export interface WebSession {
  tenantId: number;
  kind: SessionKind;
  subjectId: number;
  createdAtMs: number;
  /** Null for admin sessions and for sessions from before it was recorded (treat as phone-only). */
  authMethod: PortalAuthMethod | null;
}

/** A signed-in portal visit: the session, its customer, and the portal versions now. */
export interface PortalVisit {
  session: WebSession;
  customer: {
    id: number;
    tenantId: number;
    phone: string;
    name: string | null;
    status: string;
    locale: string | null;
  };
  customerVersion: number;
  tenantVersion: number;
}

export interface SessionTimeouts {
  idleMs: number;
  absoluteMs: number;
}

export const SESSION_TIMEOUTS: Record<SessionKind, SessionTimeouts> = {
  admin: { idleMs: 30 * 60_000, absoluteMs: 12 * 3_600_000 },
  portal: { idleMs: 24 * 3_600_000, absoluteMs: 7 * 24 * 3_600_000 },
};

/** Only touch last_seen_at once a minute: a page view should not be a write. */
const TOUCH_EVERY_MS = 60_000;

export class WebSessions {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly clock: Clock,
    private readonly random: RandomSource,
  ) {}

  /** Starts a session and returns the token for the cookie. */
  async create(
    tenantId: number,
    kind: SessionKind,
    subjectId: number,
    meta: { clientIp?: string; userAgent?: string; authMethod?: PortalAuthMethod } = {},
  ): Promise<string> {
    const token = randomToken(this.random, 32);
    const nowMs = this.clock.nowMs();
    await this.db
      .insertInto('web_sessions')
      .values({
        id_hash: sha256Hex(token),
        tenant_id: tenantId,
        kind,
        subject_id: subjectId,
        created_at: nowMs,
        last_seen_at: nowMs,
        expires_at: nowMs + SESSION_TIMEOUTS[kind].absoluteMs,
        client_ip: meta.clientIp ?? null,
        user_agent: meta.userAgent?.slice(0, 300) ?? null,
        auth_method: meta.authMethod ?? null,
      })
      .execute();
    return token;
  }

  /** The live session for a token of this tenant and kind, or undefined (expired, ended, unknown). */
  async find(
    tenantId: number,
    kind: SessionKind,
    token: string | undefined,
  ): Promise<WebSession | undefined> {
    if (!token || token.length > 100) return undefined;
    const idHash = sha256Hex(token);
    const row = await this.db
      .selectFrom('web_sessions')
      .select(['tenant_id', 'kind', 'subject_id', 'created_at', 'last_seen_at', 'expires_at', 'auth_method'])
      .where('id_hash', '=', idHash)
      .where('tenant_id', '=', tenantId)
      .where('kind', '=', kind)
      .executeTakeFirst();
    return row && this.live(idHash, kind, row);
  }

  /**
   * A portal visit in one statement (issue 12): the live session, its customer and the portal
   * versions of the customer and the tenant (store/portal-version.ts), which say whether a page
   * cached since is still what the database holds. Primary-key probes only.
   */
  async findPortalVisit(tenantId: number, token: string | undefined): Promise<PortalVisit | undefined> {
    if (!token || token.length > 100) return undefined;
    const idHash = sha256Hex(token);
    // Built and compiled once: on a cached portal view this is the only statement, and building
    // it cost about a fifth of the view (profile in issue 12). Only the parameters change.
    const query = this.visitQuery.bind({ idHash, tenantId });
    const { rows } = await this.db.executeQuery(query);
    const row = rows[0];
    const session = row && (await this.live(idHash, 'portal', row));
    if (!row || !session) return undefined;
    return {
      session,
      customer: {
        id: row.subject_id,
        tenantId: row.tenant_id,
        phone: row.phone,
        name: row.name,
        status: row.status,
        locale: row.locale,
      },
      customerVersion: Number(row.customer_version),
      tenantVersion: Number(row.tenant_version),
    };
  }

  private readonly visitQuery = new CompiledOnce(() =>
    this.db
      .selectFrom('web_sessions as s')
      .innerJoin('customers as c', (join) =>
        join.onRef('c.id', '=', 's.subject_id').onRef('c.tenant_id', '=', 's.tenant_id'),
      )
      .innerJoin('tenants as t', 't.id', 's.tenant_id')
      .select([
        's.tenant_id',
        's.subject_id',
        's.created_at',
        's.last_seen_at',
        's.expires_at',
        's.auth_method',
        'c.phone',
        'c.name',
        'c.status',
        'c.locale',
        'c.portal_version as customer_version',
        't.portal_version as tenant_version',
      ])
      .where('s.id_hash', '=', slot<string>('idHash'))
      .where('s.tenant_id', '=', slot<number>('tenantId'))
      .where('s.kind', '=', 'portal'),
  );

  /** The session of a row just read, or undefined after deleting it (expired); touched once a minute. */
  private async live(
    idHash: string,
    kind: SessionKind,
    row: Pick<
      Selectable<WebSessionsTable>,
      'tenant_id' | 'subject_id' | 'created_at' | 'last_seen_at' | 'expires_at' | 'auth_method'
    >,
  ): Promise<WebSession | undefined> {
    const nowMs = this.clock.nowMs();
    if (row.expires_at <= nowMs || row.last_seen_at + SESSION_TIMEOUTS[kind].idleMs <= nowMs) {
      await this.db.deleteFrom('web_sessions').where('id_hash', '=', idHash).execute();
      return undefined;
    }
    if (nowMs - row.last_seen_at >= TOUCH_EVERY_MS) {
      await this.db
        .updateTable('web_sessions')
        .set({ last_seen_at: nowMs })
        .where('id_hash', '=', idHash)
        .execute();
    }
    return {
      tenantId: row.tenant_id,
      kind,
      subjectId: row.subject_id,
      createdAtMs: row.created_at,
      authMethod: row.auth_method === 'code' || row.auth_method === 'phone' ? row.auth_method : null,
    };
  }

  /** Ends a session server-side (sign-out). Unknown tokens are ignored. */
  async destroy(token: string | undefined): Promise<void> {
    if (!token) return;
    await this.db.deleteFrom('web_sessions').where('id_hash', '=', sha256Hex(token)).execute();
  }

  /** Ends every session of a subject (password change, blocked customer). */
  async destroyAllFor(tenantId: number, kind: SessionKind, subjectId: number): Promise<void> {
    await this.db
      .deleteFrom('web_sessions')
      .where('tenant_id', '=', tenantId)
      .where('kind', '=', kind)
      .where('subject_id', '=', subjectId)
      .execute();
  }

  /**
   * Ends the tenant's portal sessions that did not pass a one-time code (phone-only and
   * unrecorded ones): called when the tenant switches codes on. Returns how many ended.
   */
  async destroyPortalSessionsWithoutCode(tenantId: number): Promise<number> {
    const result = await this.db
      .deleteFrom('web_sessions')
      .where('tenant_id', '=', tenantId)
      .where('kind', '=', 'portal')
      .where((eb) => eb.or([eb('auth_method', 'is', null), eb('auth_method', '!=', 'code')]))
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  /** Deletes expired rows; run periodically. Returns how many were removed. */
  async purgeExpired(): Promise<number> {
    const result = await this.db
      .deleteFrom('web_sessions')
      .where('expires_at', '<=', this.clock.nowMs())
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}
