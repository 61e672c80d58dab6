/**
 * Who may change whom. A super-admin holds the whole instance, so their account is guarded
 * beyond the owner role: only they change their own password or e-mail, and only a super-admin
 * changes their role, disables or removes them. (That the last super-admin stays is checked by
 * the repository, where the count is.)
 */
import { AppError } from '../shared/index.js';
import type { Role, Actor } from './roles.js';

export interface AdminChange {
  password?: boolean;
  email?: boolean;
  role?: Role;
  isDisabled?: boolean;
  remove?: boolean;
}

/** Throws FORBIDDEN when `actor` may not make `change` to `target`. */
export function assertMayChangeAdmin(
  actor: Actor,
  target: { id: number; role: Role; isSuper: boolean; isDisabled: boolean },
  change: AdminChange,
): void {
  if (!target.isSuper) return;
  const self = actor.kind === 'admin' && actor.adminId === target.id;
  if ((change.password || change.email) && !self)
    throw new AppError(
      'FORBIDDEN',
      'Only a super-admin changes their own password or e-mail (under Account); nobody can set it for them',
    );
  const demotes =
    change.remove ||
    (change.role !== undefined && change.role !== target.role) ||
    (change.isDisabled !== undefined && change.isDisabled !== target.isDisabled);
  if (demotes && !actor.isSuper)
    throw new AppError(
      'FORBIDDEN',
      'Only a super-admin can change the role of, disable or remove a super-admin',
    );
}

/**
 * Throws FORBIDDEN when `actor` may not revoke a token made by `creator`: a super-admin's tokens
 * run the instance's automation, so a tenant owner revoking them would lock the operator out.
 * Only a super-admin revokes them. (`creator` null or undefined: no creator on record, or gone.)
 */
export function assertMayRevokeToken(actor: Actor, creator: { isSuper: boolean } | null | undefined): void {
  if (creator?.isSuper && !actor.isSuper)
    throw new AppError('FORBIDDEN', "Only a super-admin can revoke a super-admin's API token");
}
