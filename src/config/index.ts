/** The only reader of process.env: parse once, validate every key, freeze. */
export * from './config.js';
export { resolveServerSecret } from './server-secret.js';
