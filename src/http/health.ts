/**
 * Liveness and readiness for load balancers and orchestrators. /healthz says the process and
 * its event loop answer (no database query: a database outage must not restart every process);
 * /readyz says this process should get traffic now, or 503 with the reason.
 */
import type { FastifyPluginAsync } from 'fastify';

export interface ReadinessCheck {
  name: string;
  /** Resolves with the reason this process is not ready, or undefined; a throw is a reason too. */
  check(): Promise<string | undefined>;
}

/** Paths answered before tenant resolution (no Host-based tenant, no database). */
export const OPERATIONS_PATHS: ReadonlySet<string> = new Set(['/healthz', '/readyz', '/metrics']);

export const healthRoutes: FastifyPluginAsync<{ notReadyReason: () => Promise<string | undefined> }> = async (
  app,
  { notReadyReason },
) => {
  app.get('/healthz', { logLevel: 'warn' }, async (_request, reply) =>
    reply.header('cache-control', 'no-store').send({ status: 'ok' }),
  );
  app.get('/readyz', { logLevel: 'warn' }, async (_request, reply) => {
    const reason = await notReadyReason();
    reply.header('cache-control', 'no-store');
    if (reason !== undefined) return reply.status(503).send({ status: 'not ready', reason });
    return reply.send({ status: 'ready' });
  });
};
