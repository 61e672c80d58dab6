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
