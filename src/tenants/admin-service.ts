/**
 * A tenant's details as its owner edits them, and a new tenant with its host names and first
 * owner (super-admin only). Used by the admin pages and the API alike.
 */
import { AppError, cleanName, NAME_MAX_CHARS, type Clock } from '../shared/index.js';
import type { Tenant } from '../store/index.js';
import type { TenantsRepository } from './repository.js';
import type { TenantResolver } from './service.js';

/** Port to the auth module: the new tenant's first owner (wired in the composition root). */
export interface OwnerAccounts {
  createOwner(tenantId: number, owner: { email: string; password: string }): Promise<unknown>;
}

export interface NewTenant {
  name: string;
  slug: string;
  hosts: string[];
  defaultCountry: string;
  currency: string;
  timeZone: string;
  locale: string;
  adminEmail: string;
  adminPassword: string;
}

/** A tenant's own details, as its owner edits them under Config > Business. */
export interface TenantDetails {
  name: string;
  defaultCountry: string;
  currency: string;
  timeZone: string;
  locale: string;
  publicUrl: string | null;
}

/** What is wrong with tenant details, as phrases after "The tenant needs …" (empty: fine). */
function detailProblems(input: Omit<TenantDetails, 'publicUrl'> & { publicUrl?: string | null }): string[] {
  const errors: string[] = [];
  const name = cleanName(input.name);
  if (!name || name.length > NAME_MAX_CHARS) errors.push(`a name (up to ${NAME_MAX_CHARS} characters)`);
  if (!/^[A-Z]{2}$/.test(input.defaultCountry)) errors.push('a 2-letter country code');
  if (!/^[A-Z]{3}$/.test(input.currency)) errors.push('a 3-letter currency code');
  try {
    new Intl.DateTimeFormat('en', { timeZone: input.timeZone });
  } catch {
    errors.push('a valid IANA time zone');
  }
  try {
    if (Intl.getCanonicalLocales(input.locale).length !== 1) errors.push('a language tag such as en-US');
  } catch {
    errors.push('a language tag such as en-US');
  }
  if (input.publicUrl) {
    let ok = false;
    try {
      const url = new URL(input.publicUrl);
      ok = (url.protocol === 'https:' || url.protocol === 'http:') && url.pathname === '/' && !url.search;
    } catch {
      ok = false;
    }
    if (!ok) errors.push('a public URL like https://wifi.example.com (or none)');
  }
  return errors;
}

export class TenantsAdminService {
  constructor(
    private readonly tenants: TenantsRepository,
    private readonly resolver: TenantResolver,
    private readonly owners: OwnerAccounts,
    private readonly clock: Clock,
  ) {}

  /** Saves the tenant's own details; requests see them at once (the host cache is dropped). */
  async updateDetails(tenantId: number, input: TenantDetails): Promise<Tenant> {
    const errors = detailProblems(input);
    if (errors.length > 0) throw new AppError('VALIDATION', `The business needs ${errors.join(', ')}`);
    const tenant = await this.tenants.updateDetails(tenantId, {
      ...input,
      name: cleanName(input.name),
      publicUrl: input.publicUrl ? input.publicUrl.replace(/\/+$/, '') : null,
    });
    if (!tenant) throw new AppError('NOT_FOUND', 'Not found');
    this.resolver.invalidate();
    return tenant;
  }

  /** A new tenant and its first owner; CONFLICT when the slug or a host name is taken. */
  async createWithOwner(input: NewTenant): Promise<Tenant> {
    const errors: string[] = detailProblems(input);
    if (!/^[a-z0-9-]{2,64}$/.test(input.slug))
      errors.push('a slug of 2-64 lower-case letters, digits or dashes');
    for (const host of input.hosts)
      if (!/^[a-z0-9.-]{1,253}$/.test(host) && !/^\[[0-9a-f:]+\]$/.test(host))
        errors.push(`a valid host name (not "${host}")`);
    if (input.adminPassword.length < 12) errors.push('an admin password of at least 12 characters');
    if (errors.length > 0) throw new AppError('VALIDATION', `The tenant needs ${errors.join(', ')}`);
    const existing = await this.tenants.list();
    if (existing.some((t) => t.slug === input.slug))
      throw new AppError('CONFLICT', 'A tenant with this slug exists');
    for (const host of input.hosts)
      if (await this.tenants.findByHost(host))
        throw new AppError('CONFLICT', `The host ${host} already belongs to a tenant`);
    const tenant = await this.tenants.create({
      slug: input.slug,
      name: cleanName(input.name),
      defaultCountry: input.defaultCountry,
      locale: input.locale,
      timeZone: input.timeZone,
      currency: input.currency,
      isDefault: false,
      hosts: input.hosts,
      nowMs: this.clock.nowMs(),
    });
    await this.owners.createOwner(tenant.id, { email: input.adminEmail, password: input.adminPassword });
    this.resolver.invalidate();
    return tenant;
  }
}
