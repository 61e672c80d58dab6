/**
 * A store for @fastify/rate-limit over a CounterStore, so HTTP rate limits (portal and admin
 * sign-in, the API) count across every process sharing the database.
 */
import type { FastifyRateLimitStore, FastifyRateLimitStoreCtor } from '@fastify/rate-limit';
import type { CounterStore } from './counters.js';

/** The constructor @fastify/rate-limit's `store` option expects. */
export type FastifyRateLimitStoreClass = FastifyRateLimitStoreCtor;

type Callback = Parameters<FastifyRateLimitStore['incr']>[1];

export function fastifyRateLimitStore(
  counters: CounterStore,
  now: () => number,
  namespace: string,
): FastifyRateLimitStoreClass {
  class SharedStore implements FastifyRateLimitStore {
    private prefix = `${namespace}:`;

    incr(key: string, callback: Callback, timeWindowMs: number): void {
      const nowMs = now();
      counters.hit(`${this.prefix}${key}`, timeWindowMs, nowMs).then(
        ({ count, resetAtMs }) => callback(null, { current: count, ttl: Math.max(0, resetAtMs - nowMs) }),
        (error: unknown) => callback(error instanceof Error ? error : new Error(String(error))),
      );
    }

    /** One namespace per route, like the plugin's own stores. */
    child(routeOptions: Parameters<FastifyRateLimitStore['child']>[0]): FastifyRateLimitStore {
      const route = ((routeOptions as { routeInfo?: unknown }).routeInfo ?? {}) as {
        method?: unknown;
        url?: unknown;
      };
      const method = typeof route.method === 'string' ? route.method : '';
      const url = typeof route.url === 'string' ? route.url : '';
      const child = new SharedStore();
      child.prefix = `${namespace}:${method}${url}:`;
      return child;
    }
  }
  return SharedStore;
}
