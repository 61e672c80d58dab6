/**
 * What every API route file is given: the caller's actor and the permission preHandlers. Apart
 * from plugin.ts so that route files and the plugin that registers them do not import each other.
 */
import type {
  FastifyBaseLogger,
  FastifyInstance,
  FastifyReply,
  RawReplyDefaultExpression,
  RawRequestDefaultExpression,
  RawServerDefault,
} from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { actorOf, requireOwner, requireSuper, requireWrite } from '../admin/index.js';

export interface ApiKit {
  actorOf: typeof actorOf;
  requireWrite: typeof requireWrite;
  requireOwner: typeof requireOwner;
  requireSuper: typeof requireSuper;
}

/**
 * The API's Fastify instance: request types (params, querystring, body) come from the route's
 * TypeBox schemas, so they are written once.
 */
export type ApiInstance = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  TypeBoxTypeProvider
>;

/** Other modules add API routes with this; inside, routes are under /api/v1, bearer-authenticated. */
export type ApiExtension = (api: ApiInstance, kit: ApiKit) => Promise<void>;

/** 204 No Content: no body, no content type (the schema's `Type.Null()` documents the empty answer). */
export function noContent(reply: FastifyReply): FastifyReply {
  return reply.status(204).send();
}
