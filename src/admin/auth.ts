/**
 * Who is acting on a request: an admin with a web session (cookie `portico_admin`, kind 'admin')
 * or an API token. Both become `request.actor`; permission checks read only the actor.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { canManageAccess, canWrite, type Actor } from '../auth/index.js';
import type { DeviceActor } from '../devices/index.js';
import { AppError } from '../shared/index.js';
import { readSessionCookie } from '../http/index.js';
import type { AdminDeps } from './deps.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the admin and API plugins once the caller is authenticated. */
    actor: Actor | null;
  }
}

export const ADMIN_COOKIE = 'portico_admin';

/** The admin behind the session cookie, or null (no cookie, expired, disabled). */
export async function actorFromSession(deps: AdminDeps, request: FastifyRequest): Promise<Actor | null> {
  const token = readSessionCookie(request, ADMIN_COOKIE);
  const session = await deps.webSessions.find(request.tenant.id, 'admin', token);
  if (!session) return null;
  const admin = await deps.admins.find(session.tenantId, session.subjectId);
  if (!admin || admin.isDisabled) return null;
  return {
    tenantId: admin.tenantId,
    role: admin.role,
    isSuper: admin.isSuper,
    kind: 'admin',
    id: admin.id,
    adminId: admin.id,
    name: admin.name,
  };
}

export function actorOf(request: FastifyRequest): Actor {
  if (!request.actor) throw new AppError('UNAUTHENTICATED', 'Sign in first');
  return request.actor;
}

/** The devices module's actor for an operator's request: which admin, from which address (audit trail). */
export function operatorActor(request: FastifyRequest): DeviceActor {
  return { kind: 'operator', adminId: actorOf(request).adminId ?? null, clientIp: request.ip };
}

/** preHandler: only owners and admins may change anything; read-only gets 403. */
export async function requireWrite(request: FastifyRequest, _reply: FastifyReply): Promise<void> {
  if (!canWrite(actorOf(request).role))
    throw new AppError('FORBIDDEN', 'Your role can look but not change anything');
}

/** preHandler: admins and API tokens are managed by owners only. */
export async function requireOwner(request: FastifyRequest, _reply: FastifyReply): Promise<void> {
  if (!canManageAccess(actorOf(request).role))
    throw new AppError('FORBIDDEN', 'Only owners can manage access');
}

/** preHandler: tenants are managed by the deployment's super-admin. */
export async function requireSuper(request: FastifyRequest, _reply: FastifyReply): Promise<void> {
  const actor = actorOf(request);
  if (!actor.isSuper || actor.role !== 'owner')
    throw new AppError('FORBIDDEN', 'Only the super-admin manages tenants');
}
