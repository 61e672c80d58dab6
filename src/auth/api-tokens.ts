/**
 * API tokens for the REST API. The token is shown once at creation; the database keeps its
 * SHA-256 (a leaked table opens nothing) and a short prefix so operators can tell tokens apart.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../store/index.js';
import {
  AppError,
  cleanName,
  type Clock,
  NAME_MAX_CHARS,
  notFound,
  type RandomSource,
  randomToken,
  sha256Hex,
} from '../shared/index.js';
import { isRole, type Role } from './roles.js';

export const TOKEN_PREFIX_LENGTH = 10;
/** Only record last use once a minute: an API call should not be a write. */
const TOUCH_EVERY_MS = 60_000;

export interface ApiTokenView {
  id: number;
  tenantId: number;
  name: string;
  prefix: string;
  role: Role;
  createdByAdminId: number | null;
  createdAtMs: number;
  lastUsedAtMs: number | null;
  revokedAtMs: number | null;
}

type TokenRow = {
  id: number;
  tenant_id: number;
  name: string;
  token_prefix: string;
  role: string;
  created_by_admin_id: number | null;
  created_at: number;
  last_used_at: number | null;
  revoked_at: number | null;
};

const COLUMNS = [
  'id',
  'tenant_id',
  'name',
  'token_prefix',
  'role',
  'created_by_admin_id',
  'created_at',
  'last_used_at',
  'revoked_at',
] as const;

function toView(row: TokenRow): ApiTokenView {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    name: row.name,
    prefix: row.token_prefix,
    role: isRole(row.role) ? row.role : 'readonly',
    createdByAdminId: row.created_by_admin_id,
    createdAtMs: row.created_at,
    lastUsedAtMs: row.last_used_at,
    revokedAtMs: row.revoked_at,
  };
}

export class ApiTokensRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly clock: Clock,
    private readonly random: RandomSource,
  ) {}

  /** Creates a token; `token` is the secret, returned only here. */
  async create(
    tenantId: number,
    values: { name: string; role: Role; createdByAdminId: number | null; token?: string },
  ): Promise<{ token: string; view: ApiTokenView }> {
    const name = cleanName(values.name);
    if (!name || name.length > NAME_MAX_CHARS)
      throw new AppError('VALIDATION', 'Give the token a name (up to 200 characters)');
    const token = values.token ?? `pt_${randomToken(this.random, 32)}`;
    const row = await this.db
      .insertInto('api_tokens')
      .values({
        tenant_id: tenantId,
        name,
        token_prefix: token.slice(0, TOKEN_PREFIX_LENGTH),
        token_hash: sha256Hex(token),
        role: values.role,
        created_by_admin_id: values.createdByAdminId,
        created_at: this.clock.nowMs(),
        last_used_at: null,
        revoked_at: null,
      })
      .returning(COLUMNS)
      .executeTakeFirstOrThrow();
    return { token, view: toView(row) };
  }

  /** Whether a token with this secret was ever stored (revoked or not). */
  async exists(token: string): Promise<boolean> {
    const row = await this.db
      .selectFrom('api_tokens')
      .select('id')
      .where('token_hash', '=', sha256Hex(token))
      .executeTakeFirst();
    return row !== undefined;
  }

  /** The live (not revoked) token with this secret, or undefined. Records the use. */
  async authenticate(token: string): Promise<ApiTokenView | undefined> {
    if (token.length < 16 || token.length > 200) return undefined;
    const row = await this.db
      .selectFrom('api_tokens')
      .select(COLUMNS)
      .where('token_hash', '=', sha256Hex(token))
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    if (!row) return undefined;
    const nowMs = this.clock.nowMs();
    if (row.last_used_at === null || nowMs - row.last_used_at >= TOUCH_EVERY_MS) {
      await this.db.updateTable('api_tokens').set({ last_used_at: nowMs }).where('id', '=', row.id).execute();
    }
    return toView(row);
  }

  async list(tenantId: number): Promise<ApiTokenView[]> {
    const rows = await this.db
      .selectFrom('api_tokens')
      .select(COLUMNS)
      .where('tenant_id', '=', tenantId)
      .orderBy('id', 'desc')
      .execute();
    return rows.map(toView);
  }

  async get(tenantId: number, id: number): Promise<ApiTokenView> {
    const row = await this.db
      .selectFrom('api_tokens')
      .select(COLUMNS)
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .executeTakeFirst();
    if (!row) throw notFound('API token');
    return toView(row);
  }

  /** Revokes a token at once; revoking twice is harmless. */
  async revoke(tenantId: number, id: number): Promise<ApiTokenView> {
    const token = await this.get(tenantId, id);
    if (token.revokedAtMs === null) {
      await this.db
        .updateTable('api_tokens')
        .set({ revoked_at: this.clock.nowMs() })
        .where('tenant_id', '=', tenantId)
        .where('id', '=', id)
        .execute();
    }
    return this.get(tenantId, id);
  }
}
