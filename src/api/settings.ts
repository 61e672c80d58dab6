/** A per-tenant settings document in the API: GET reads it, PATCH changes the fields given. */
import type { Static, TSchema } from '@sinclair/typebox';
import { requireWrite } from '../admin/index.js';
import type { FastifyInstance } from 'fastify';
import { errors } from './schemas.js';

export interface SettingsDocument<S extends TSchema, P extends TSchema> {
  /** e.g. `/settings/portal` */
  path: string;
  /** The whole document, as read and as answered after a change. */
  schema: S;
  /** The change: the fields to set. */
  patch: P;
  summaries: { read: string; change: string };
  read(tenantId: number): Promise<Static<S>>;
  change(tenantId: number, patch: Static<P>): Promise<Static<S>>;
}

/**
 * GET and PATCH of one settings document (tag `settings`; changing it needs a write role). Typed
 * by `SettingsDocument` (the type provider cannot resolve a generic schema inside the routes).
 */
export function settingsRoutes<S extends TSchema, P extends TSchema>(
  api: FastifyInstance,
  document: SettingsDocument<S, P>,
): void {
  const tags = ['settings'];
  api.get(
    document.path,
    { schema: { tags, summary: document.summaries.read, response: { 200: document.schema, ...errors } } },
    async (request) => document.read(request.tenant.id),
  );
  api.patch(
    document.path,
    {
      preHandler: requireWrite,
      schema: {
        tags,
        summary: document.summaries.change,
        body: document.patch,
        response: { 200: document.schema, ...errors },
      },
    },
    async (request) => document.change(request.tenant.id, request.body as Static<P>),
  );
}
