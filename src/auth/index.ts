export { WebSessions, SESSION_TIMEOUTS, type SessionKind, type WebSession } from './web-sessions.js';
export { hashPassword, verifyPassword, generatePassword } from './passwords.js';
