/**
 * What route plugins of the API share besides the schemas. Apart from plugin.ts so that route
 * files and the plugin that registers them do not import each other. Route plugins are
 * `FastifyPluginAsyncTypebox`: their request and reply types come from the route's schemas.
 */
import type { FastifyReply } from 'fastify';

/** 204 No Content: no body, no content type (the schema's `Type.Null()` documents the empty answer). */
export function noContent(reply: FastifyReply): FastifyReply {
  return reply.status(204).send();
}
