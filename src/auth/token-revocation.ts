/** Revoking an API token, with the rule of who may revoke whose (admin pages and API alike). */
import { assertMayRevokeToken } from './admin-policy.js';
import type { AdminsRepository } from './admins.js';
import type { ApiTokensRepository, ApiTokenView } from './api-tokens.js';
import type { Actor } from './roles.js';

/** Revokes token `id` of the actor's tenant; FORBIDDEN for a super-admin's token unless super. */
export async function revokeApiToken(
  repositories: { apiTokens: ApiTokensRepository; admins: AdminsRepository },
  actor: Actor,
  id: number,
): Promise<ApiTokenView> {
  const token = await repositories.apiTokens.get(actor.tenantId, id);
  const creator =
    token.createdByAdminId === null
      ? null
      : await repositories.admins.find(actor.tenantId, token.createdByAdminId);
  assertMayRevokeToken(actor, creator);
  return repositories.apiTokens.revoke(actor.tenantId, id);
}
