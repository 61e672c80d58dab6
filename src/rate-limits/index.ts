/** The rate-limits module's door: hit counters shared across processes (database or memory). */
export { DatabaseCounters, MemoryCounters, type CounterStore, type HitCount } from './counters.js';
export { fastifyRateLimitStore, type FastifyRateLimitStoreClass } from './fastify-store.js';
