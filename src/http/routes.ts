/**
 * Every route of the app, recorded once at the root (an onRoute hook there sees the routes of
 * every scope): the permission, CSRF and documentation tests walk it per area (`routesUnder`).
 */
import type { FastifyInstance } from 'fastify';
import fastifyPlugin from 'fastify-plugin';

export interface RecordedRoute {
  method: string;
  url: string;
  /** Left out of the API documentation (`schema.hide`). */
  hidden: boolean;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Every route registered so far (HEAD left out: Fastify adds it beside each GET). */
    routeCatalog: RecordedRoute[];
  }
}

/** Records every route (fastify-plugin: the hook sits at the root, where every scope inherits it). */
export const routeCatalog = fastifyPlugin(
  async (app: FastifyInstance) => {
    const routes: RecordedRoute[] = [];
    app.decorate('routeCatalog', routes);
    app.addHook('onRoute', (route) => {
      for (const method of [route.method].flat())
        if (method !== 'HEAD') routes.push({ method, url: route.url, hidden: route.schema?.hide === true });
    });
  },
  { name: 'portico-route-catalog' },
);

/** The routes of one area: `/api/v1/`, `/admin`. */
export function routesUnder(app: FastifyInstance, prefix: string): RecordedRoute[] {
  return app.routeCatalog.filter((route) => route.url.startsWith(prefix));
}
