/**
 * Operator roles. owner: everything in the tenant, including admins and API tokens; admin:
 * everything except admins and tokens; readonly: sees everything, changes nothing.
 * The super-admin flag (deployment-wide) additionally allows managing tenants.
 */
export const ROLES = ['owner', 'admin', 'readonly'] as const;
export type Role = (typeof ROLES)[number];

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

/** May create, change or delete the tenant's data (plans, vouchers, customers, settings...). */
export function canWrite(role: Role): boolean {
  return role === 'owner' || role === 'admin';
}

/** May manage admins and API tokens. */
export function canManageAccess(role: Role): boolean {
  return role === 'owner';
}

/** Who is acting: an admin signed in to the web area, or an API token. */
export interface Actor {
  tenantId: number;
  role: Role;
  isSuper: boolean;
  kind: 'admin' | 'token';
  /** Admin id or API token id. */
  id: number;
  /** The admin id behind the action, when there is one (for created_by columns). */
  adminId: number | null;
  name: string;
}

const RANK: Record<Role, number> = { readonly: 0, admin: 1, owner: 2 };

/** The lesser of two roles (a token never acts above its creator). */
export function lesserRole(a: Role, b: Role): Role {
  return RANK[a] <= RANK[b] ? a : b;
}

/**
 * What an API token may do: its own role, capped by its creator's current role; super-admin only
 * when the creator is a super-admin now (and the token is an owner token). `creator` null means
 * the token records no creator (an operator's token from the environment, or one made before
 * tokens recorded it): its role, never super. `undefined` means the creator was removed or
 * disabled: the token has no power left.
 */
export function tokenPower(
  tokenRole: Role,
  creator: { role: Role; isSuper: boolean; isDisabled: boolean } | null | undefined,
): { role: Role; isSuper: boolean } | undefined {
  if (creator === null) return { role: tokenRole, isSuper: false };
  if (!creator || creator.isDisabled) return undefined;
  const role = lesserRole(tokenRole, creator.role);
  return { role, isSuper: role === 'owner' && creator.isSuper && creator.role === 'owner' };
}
