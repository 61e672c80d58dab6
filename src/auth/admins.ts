/**
 * Operator accounts. Emails are stored lower-case and are unique per tenant; passwords are
 * scrypt hashes (passwords.ts). Every query is scoped by tenant.
 */
import type { Kysely } from 'kysely';
import type { Admin, Database } from '../store/index.js';
import { AppError, cleanName, type Clock, NAME_MAX_CHARS, notFound } from '../shared/index.js';
import { hashPassword, needsRehash, verifyPassword } from './passwords.js';
import { isRole, type Role } from './roles.js';

export interface AdminView {
  id: number;
  tenantId: number;
  email: string;
  name: string;
  role: Role;
  isSuper: boolean;
  isDisabled: boolean;
  createdAtMs: number;
  lastLoginAtMs: number | null;
}

export function toAdminView(row: Admin): AdminView {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    email: row.email,
    name: row.name,
    role: isRole(row.role) ? row.role : 'readonly',
    isSuper: row.is_super === 1,
    isDisabled: row.is_disabled === 1,
    createdAtMs: row.created_at,
    lastLoginAtMs: row.last_login_at,
  };
}

export const MIN_PASSWORD_LENGTH = 12;

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

function checkPassword(password: string): void {
  if (password.length < MIN_PASSWORD_LENGTH)
    throw new AppError('VALIDATION', `The password must have at least ${MIN_PASSWORD_LENGTH} characters`);
  if (password.length > 200) throw new AppError('VALIDATION', 'The password is too long');
}

// A real hash to compare against when the email is unknown, so both paths cost one scrypt.
let dummyHash: Promise<string> | undefined;

export class AdminsRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly clock: Clock,
  ) {}

  /** Counts admins of the whole deployment (first start: zero). */
  async countAll(): Promise<number> {
    const row = await this.db
      .selectFrom('admins')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirst();
    return Number(row?.n ?? 0);
  }

  async create(
    tenantId: number,
    values: { email: string; name: string; password: string; role: Role; isSuper?: boolean },
  ): Promise<AdminView> {
    checkPassword(values.password);
    const email = normalizeEmail(values.email);
    if (!/^[^\s@]+@[^\s@]+$/.test(email) || email.length > 254)
      throw new AppError('VALIDATION', 'Enter a valid email address');
    const existing = await this.db
      .selectFrom('admins')
      .select('id')
      .where('tenant_id', '=', tenantId)
      .where('email', '=', email)
      .executeTakeFirst();
    if (existing) throw new AppError('CONFLICT', 'An admin with this email already exists');
    const row = await this.db
      .insertInto('admins')
      .values({
        tenant_id: tenantId,
        email,
        name: checkedAdminName(values.name) || email,
        password_hash: await hashPassword(values.password),
        role: values.role,
        is_super: values.isSuper ? 1 : 0,
        is_disabled: 0,
        created_at: this.clock.nowMs(),
        last_login_at: null,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    return toAdminView(row);
  }

  async find(tenantId: number, id: number): Promise<AdminView | undefined> {
    const row = await this.db
      .selectFrom('admins')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .executeTakeFirst();
    return row ? toAdminView(row) : undefined;
  }

  async get(tenantId: number, id: number): Promise<AdminView> {
    const admin = await this.find(tenantId, id);
    if (!admin) throw notFound('Admin');
    return admin;
  }

  /** The tenant's oldest enabled super-admin, or undefined. */
  async findFirstSuper(tenantId: number): Promise<AdminView | undefined> {
    const row = await this.db
      .selectFrom('admins')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('is_super', '=', 1)
      .where('is_disabled', '=', 0)
      .orderBy('id')
      .executeTakeFirst();
    return row ? toAdminView(row) : undefined;
  }

  async list(tenantId: number): Promise<AdminView[]> {
    const rows = await this.db
      .selectFrom('admins')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .orderBy('id')
      .execute();
    return rows.map(toAdminView);
  }

  /**
   * The enabled admin with this email and password, or undefined. Costs one scrypt whether or not
   * the email exists, so timing does not reveal which emails are registered.
   */
  async authenticate(tenantId: number, email: string, password: string): Promise<AdminView | undefined> {
    const row = await this.db
      .selectFrom('admins')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('email', '=', normalizeEmail(email))
      .executeTakeFirst();
    if (!row) {
      dummyHash ??= hashPassword('portico-dummy-password');
      await verifyPassword(password, await dummyHash);
      return undefined;
    }
    const ok = await verifyPassword(password, row.password_hash);
    if (!ok || row.is_disabled === 1) return undefined;
    // The password is at hand only now: bring a hash made with older parameters up to today's.
    const rehashed = needsRehash(row.password_hash) ? await hashPassword(password) : undefined;
    await this.db
      .updateTable('admins')
      .set({ last_login_at: this.clock.nowMs(), ...(rehashed ? { password_hash: rehashed } : {}) })
      .where('id', '=', row.id)
      // Not if the password changed meanwhile (the old hash would overwrite the new one).
      .where('password_hash', '=', row.password_hash)
      .execute();
    return toAdminView(row);
  }

  async update(
    tenantId: number,
    id: number,
    values: { name?: string; role?: Role; isDisabled?: boolean },
  ): Promise<AdminView> {
    const current = await this.get(tenantId, id);
    const role = values.role ?? current.role;
    const disabled = values.isDisabled ?? current.isDisabled;
    if (current.role === 'owner' && (role !== 'owner' || disabled))
      await this.assertAnotherOwner(tenantId, id);
    if (current.isSuper && (role !== 'owner' || disabled)) await this.assertAnotherSuper(id);
    await this.db
      .updateTable('admins')
      .set({
        name: (values.name === undefined ? '' : checkedAdminName(values.name)) || current.name,
        role,
        is_disabled: disabled ? 1 : 0,
      })
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .execute();
    return this.get(tenantId, id);
  }

  async setPassword(tenantId: number, id: number, password: string): Promise<void> {
    checkPassword(password);
    const hash = await hashPassword(password);
    const result = await this.db
      .updateTable('admins')
      .set({ password_hash: hash })
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) === 0) throw notFound('Admin');
  }

  /** Checks the current password before a self-service change. */
  async changeOwnPassword(tenantId: number, id: number, current: string, next: string): Promise<void> {
    const row = await this.db
      .selectFrom('admins')
      .select('password_hash')
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .executeTakeFirst();
    if (!row) throw notFound('Admin');
    if (!(await verifyPassword(current, row.password_hash)))
      throw new AppError('VALIDATION', 'The current password is not correct');
    await this.setPassword(tenantId, id, next);
  }

  async delete(tenantId: number, id: number): Promise<void> {
    const current = await this.get(tenantId, id);
    if (current.role === 'owner') await this.assertAnotherOwner(tenantId, id);
    if (current.isSuper) await this.assertAnotherSuper(id);
    await this.db.deleteFrom('admins').where('tenant_id', '=', tenantId).where('id', '=', id).execute();
  }

  /** A tenant must keep at least one enabled owner, or nobody could manage access again. */
  private async assertAnotherOwner(tenantId: number, exceptId: number): Promise<void> {
    const other = await this.db
      .selectFrom('admins')
      .select('id')
      .where('tenant_id', '=', tenantId)
      .where('role', '=', 'owner')
      .where('is_disabled', '=', 0)
      .where('id', '!=', exceptId)
      .executeTakeFirst();
    if (!other) throw new AppError('CONFLICT', 'The tenant must keep at least one enabled owner');
  }

  /** The instance must keep a super-admin (an enabled owner with the flag), or tenants are unmanageable. */
  private async assertAnotherSuper(exceptId: number): Promise<void> {
    const other = await this.db
      .selectFrom('admins')
      .select('id')
      .where('is_super', '=', 1)
      .where('role', '=', 'owner')
      .where('is_disabled', '=', 0)
      .where('id', '!=', exceptId)
      .executeTakeFirst();
    if (!other) throw new AppError('CONFLICT', 'The instance must keep at least one enabled super-admin');
  }
}

/** An admin's display name, cleaned (shared/names) and at most NAME_MAX_CHARS; '' when empty. */
function checkedAdminName(name: string): string {
  const cleaned = cleanName(name);
  if (cleaned.length > NAME_MAX_CHARS)
    throw new AppError('VALIDATION', `The name can have at most ${NAME_MAX_CHARS} characters`);
  return cleaned;
}
