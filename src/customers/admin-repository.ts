/**
 * Operator-side customer queries and changes (list, search, create, edit, block). Kept apart from
 * the portal's repository so each side can grow without stepping on the other. Tenant-scoped.
 */
import { sql, type Kysely } from 'kysely';
import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';
import { containsText, selectPage, type Customer, type Database } from '../store/index.js';
import {
  AppError,
  cleanName,
  NAME_MAX_CHARS,
  notFound,
  type Page,
  type PageRequest,
  type Sort,
} from '../shared/index.js';

export const CUSTOMER_STATUSES = ['active', 'blocked'] as const;
export type CustomerStatus = (typeof CUSTOMER_STATUSES)[number];
export const CUSTOMER_SORT_KEYS = ['joined_at', 'last_seen_at', 'phone', 'name'] as const;
export type CustomerSortKey = (typeof CUSTOMER_SORT_KEYS)[number];

export interface CustomerView {
  id: number;
  phone: string;
  name: string | null;
  email: string | null;
  status: CustomerStatus;
  locale: string | null;
  joinedAtMs: number;
  lastSeenAtMs: number | null;
}

export interface CustomerInput {
  phone: string;
  name: string | null;
  email: string | null;
}

export interface CustomerFilter {
  /** Part of the phone number, name or email (case-insensitive). */
  search?: string;
  status?: CustomerStatus;
}

export function toCustomerView(row: Customer): CustomerView {
  return {
    id: row.id,
    phone: row.phone,
    name: row.name,
    email: row.email,
    status: row.status === 'blocked' ? 'blocked' : 'active',
    locale: row.locale,
    joinedAtMs: row.joined_at,
    lastSeenAtMs: row.last_seen_at,
  };
}

/** A phone number typed by an operator, parsed in the tenant's country, as E.164; throws PHONE_INVALID. */
export function normalizePhone(input: string, defaultCountry: string): string {
  const parsed = parsePhoneNumberFromString(input.trim(), defaultCountry as CountryCode);
  if (!parsed || !parsed.isValid()) throw new AppError('PHONE_INVALID', 'This is not a valid phone number');
  return parsed.number;
}

function cleanInput(input: CustomerInput, defaultCountry: string) {
  const name = cleanName(input.name) || null;
  const email = input.email?.trim().toLowerCase() || null;
  if (name !== null && name.length > NAME_MAX_CHARS)
    throw new AppError('VALIDATION', `The name is too long (at most ${NAME_MAX_CHARS} characters)`);
  if (email !== null && (!/^[^\s@]+@[^\s@]+$/.test(email) || email.length > 254))
    throw new AppError('VALIDATION', 'Enter a valid email address or leave it empty');
  return { phone: normalizePhone(input.phone, defaultCountry), name, email };
}

export class CustomersAdminRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async list(
    tenantId: number,
    filter: CustomerFilter,
    sort: Sort<CustomerSortKey>,
    page: PageRequest,
  ): Promise<Page<CustomerView>> {
    let query = this.db.selectFrom('customers').where('tenant_id', '=', tenantId);
    if (filter.status) query = query.where('status', '=', filter.status);
    const search = filter.search?.trim();
    if (search) {
      const digits = search.replace(/[^\d+]/g, '');
      query = query.where((eb) =>
        eb.or([
          containsText(sql`coalesce(name, '')`, search),
          containsText(sql`coalesce(email, '')`, search),
          ...(digits.length >= 2 ? [containsText(sql.ref('phone'), digits)] : []),
        ]),
      );
    }
    return selectPage(query, sort, page, toCustomerView);
  }

  async find(tenantId: number, id: number): Promise<CustomerView | undefined> {
    const row = await this.db
      .selectFrom('customers')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .executeTakeFirst();
    return row ? toCustomerView(row) : undefined;
  }

  async get(tenantId: number, id: number): Promise<CustomerView> {
    const customer = await this.find(tenantId, id);
    if (!customer) throw notFound('Customer');
    return customer;
  }

  async exists(tenantId: number, id: number): Promise<boolean> {
    return (await this.find(tenantId, id)) !== undefined;
  }

  async findByPhone(tenantId: number, phone: string): Promise<CustomerView | undefined> {
    const row = await this.db
      .selectFrom('customers')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('phone', '=', phone)
      .executeTakeFirst();
    return row ? toCustomerView(row) : undefined;
  }

  /** Several customers by id (for lists that show phone numbers). */
  async byIds(tenantId: number, ids: number[]): Promise<Map<number, CustomerView>> {
    const unique = [...new Set(ids)];
    if (unique.length === 0) return new Map();
    const rows = await this.db
      .selectFrom('customers')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('id', 'in', unique)
      .execute();
    return new Map(rows.map((r) => [r.id, toCustomerView(r)]));
  }

  async create(
    tenantId: number,
    defaultCountry: string,
    input: CustomerInput,
    nowMs: number,
  ): Promise<CustomerView> {
    const values = cleanInput(input, defaultCountry);
    if (await this.findByPhone(tenantId, values.phone))
      throw new AppError('CONFLICT', 'A customer with this phone number already exists');
    const row = await this.db
      .insertInto('customers')
      .values({ tenant_id: tenantId, ...values, status: 'active', joined_at: nowMs })
      .returningAll()
      .executeTakeFirstOrThrow();
    return toCustomerView(row);
  }

  async update(
    tenantId: number,
    id: number,
    defaultCountry: string,
    input: CustomerInput,
  ): Promise<CustomerView> {
    await this.get(tenantId, id);
    const values = cleanInput(input, defaultCountry);
    const other = await this.findByPhone(tenantId, values.phone);
    if (other && other.id !== id) throw new AppError('CONFLICT', 'Another customer has this phone number');
    await this.db
      .updateTable('customers')
      // The customer's portal shows their name and number: its cached pages must go.
      .set((eb) => ({ ...values, portal_version: eb('portal_version', '+', 1) }))
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .execute();
    return this.get(tenantId, id);
  }

  async setStatus(tenantId: number, id: number, status: CustomerStatus): Promise<CustomerView> {
    await this.get(tenantId, id);
    await this.db
      .updateTable('customers')
      .set((eb) => ({ status, portal_version: eb('portal_version', '+', 1) }))
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .execute();
    return this.get(tenantId, id);
  }
}
