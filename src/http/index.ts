/**
 * The HTTP edge's shared parts: the Fastify instance (security headers, CSRF, compression, error
 * handler, static assets), health routes, session cookies, problem+json errors and the document
 * renderer that admin, portal and hotspot-login pages go through.
 */
export { createHttpServer, type HttpOptions } from './server.js';
export { healthRoutes, OPERATIONS_PATHS, type ReadinessCheck } from './health.js';
export {
  clearSessionCookie,
  isHttps,
  readSessionCookie,
  sessionCookieName,
  setSessionCookie,
} from './cookies.js';
export { codesForStatus, sendProblem, statusForCode, toProblem, wantsJson, type Problem } from './errors.js';
export { renderDocument } from './render.js';
export { routesUnder, type RecordedRoute } from './routes.js';
export { FormResume, RESUME_COOKIE, sameSitePage } from './resume.js';
export { chooseEncoding, compressPage, COMPRESS_MIN_BYTES, type Encoding } from './compress.js';
export { CSRF_COOKIE } from './csrf.js';
