/**
 * First start of a deployment: there is no default password. When no admin exists at all, the
 * first admin (owner and super-admin of the default tenant) is created from
 * PORTICO_ADMIN_EMAIL / PORTICO_ADMIN_PASSWORD, or with a generated password that is printed once.
 * PORTICO_BOOTSTRAP_API_TOKEN, when set, becomes an owner API token of the default tenant, made
 * in the name of its first super-admin (stored hashed; never re-created once it exists, even
 * revoked).
 */
import type { Config } from '../config/index.js';
import type { Clock, RandomSource } from '../shared/index.js';
import type { Store } from '../store/index.js';
import type { TenantsRepository } from '../tenants/index.js';
import { AdminsRepository } from './admins.js';
import { ApiTokensRepository } from './api-tokens.js';
import { generatePassword } from './passwords.js';

export interface FirstStartDeps {
  config: Readonly<Config>;
  store: Store;
  tenants: TenantsRepository;
  clock: Clock;
  random: RandomSource;
}

export interface FirstAdminResult {
  /** The first admin was created by this call. */
  createdAdmin: boolean;
  email?: string;
  /** Only when the password was generated: show it once, then forget it. */
  generatedPassword?: string;
  createdBootstrapToken: boolean;
}

export const DEFAULT_ADMIN_EMAIL = 'admin@localhost';

/** Idempotent: safe on every start. Does nothing until the default tenant exists. */
export async function ensureFirstAdmin(app: FirstStartDeps): Promise<FirstAdminResult> {
  const result: FirstAdminResult = { createdAdmin: false, createdBootstrapToken: false };
  const tenant = await app.tenants.findDefault();
  if (!tenant) return result;
  const admins = new AdminsRepository(app.store.db, app.clock);
  if ((await admins.countAll()) === 0) {
    const email = app.config.adminEmail ?? DEFAULT_ADMIN_EMAIL;
    const generated = app.config.adminPassword === undefined ? generatePassword() : undefined;
    try {
      await admins.create(tenant.id, {
        email,
        name: 'Administrator',
        password: app.config.adminPassword ?? generated ?? '',
        role: 'owner',
        isSuper: true,
      });
      result.createdAdmin = true;
      result.email = email;
      if (generated) result.generatedPassword = generated;
    } catch (error) {
      // Another process created the first admin at the same moment (unique email): theirs wins.
      if ((await admins.countAll()) === 0) throw error;
    }
  }
  const token = app.config.bootstrapApiToken;
  if (token) {
    const tokens = new ApiTokensRepository(app.store.db, app.clock, app.random);
    if (!(await tokens.exists(token))) {
      await tokens.create(tenant.id, {
        name: 'Bootstrap token',
        role: 'owner',
        // It acts for the first super-admin: with their power while they have it, no more.
        createdByAdminId: (await admins.findFirstSuper(tenant.id))?.id ?? null,
        token,
      });
      result.createdBootstrapToken = true;
    }
  }
  return result;
}

/** The lines to print after listening, so the operator can sign in once. Empty when nothing new. */
export function firstAdminInstructions(result: FirstAdminResult | undefined, httpUrl: string): string {
  if (!result?.createdAdmin) return '';
  const lines = [
    'First admin created:',
    `  admin area: ${httpUrl}/admin`,
    `  email:      ${result.email ?? ''}`,
  ];
  if (result.generatedPassword) {
    lines.push(`  password:   ${result.generatedPassword}`);
    lines.push('  (shown once; change it under Account after signing in)');
  } else lines.push('  password:   the one in PORTICO_ADMIN_PASSWORD');
  return lines.join('\n');
}
