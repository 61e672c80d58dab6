/**
 * What route plugins of the API share besides the schemas. Apart from plugin.ts so that route
 * files and the plugin that registers them do not import each other.
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

/**
 * The API's Fastify instance as route plugins see it (`FastifyPluginAsyncTypebox`): request
 * types (params, querystring, body) and reply types come from the route's TypeBox schemas.
 */
export type ApiInstance = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  TypeBoxTypeProvider
>;

/** 204 No Content: no body, no content type (the schema's `Type.Null()` documents the empty answer). */
export function noContent(reply: FastifyReply): FastifyReply {
  return reply.status(204).send();
}
