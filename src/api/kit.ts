/**
 * What every API route file is given: the caller's actor and the permission preHandlers. Apart
 * from plugin.ts so that route files and the plugin that registers them do not import each other.
 */
import type { FastifyInstance } from 'fastify';
import type { actorOf, requireOwner, requireSuper, requireWrite } from '../admin/index.js';

export interface ApiKit {
  actorOf: typeof actorOf;
  requireWrite: typeof requireWrite;
  requireOwner: typeof requireOwner;
  requireSuper: typeof requireSuper;
}

/** Other modules add API routes with this; inside, routes are under /api/v1, bearer-authenticated. */
export type ApiExtension = (api: FastifyInstance, kit: ApiKit) => Promise<void>;
