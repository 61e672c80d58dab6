export {
  WebSessions,
  SESSION_TIMEOUTS,
  type PortalAuthMethod,
  type SessionKind,
  type PortalVisit,
  type WebSession,
} from './web-sessions.js';
export {
  hashPassword,
  verifyPassword,
  needsRehash,
  generatePassword,
  PASSWORD_HASH_PARAMS,
  setPasswordHashParamsForTests,
  type ScryptParams,
} from './passwords.js';
export * from './roles.js';
export { AdminsRepository, MIN_PASSWORD_LENGTH, normalizeEmail, type AdminView } from './admins.js';
export { ApiTokensRepository, type ApiTokenView } from './api-tokens.js';
export {
  ensureFirstAdmin,
  firstAdminInstructions,
  DEFAULT_ADMIN_EMAIL,
  type FirstAdminResult,
  type FirstStartDeps,
} from './first-admin.js';
export { assertMayChangeAdmin, assertMayRevokeToken, type AdminChange } from './admin-policy.js';
export { revokeApiToken } from './token-revocation.js';
export { SignInGuard, SIGN_IN_BACKOFF } from './sign-in-guard.js';
