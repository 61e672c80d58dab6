/**
 * /healthz, /readyz (with the reason when not ready) and /metrics (token on the main port, or a
 * separate listener), on a listening app with RADIUS, on each database.
 */
import dgram from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { buildTestApp, type TestApp } from '../helpers/app.js';
import { TEST_DIALECTS } from '../helpers/databases.js';

const TOKEN = 'metrics-token-metrics-token-0123';

describe.each(TEST_DIALECTS)('operations endpoints (%s)', (dialect) => {
  let app: TestApp | undefined;
  afterEach(async () => {
    await app?.destroy();
    app = undefined;
  });

  async function listeningApp(env: Record<string, string> = {}): Promise<{ app: TestApp; httpUrl: string }> {
    app = await buildTestApp(dialect, {
      env: {
        RADIUS_ENABLED: '1',
        RADIUS_HOST: '127.0.0.1',
        RADIUS_AUTH_PORT: '0',
        RADIUS_ACCT_PORT: '0',
        PORTICO_METRICS_TOKEN: TOKEN,
        ...env,
      },
    });
    const { httpUrl } = await app.listen();
    return { app, httpUrl: httpUrl.replace('localhost', '127.0.0.1') };
  }

  it('answers /healthz always and /readyz with the reason it is not ready', async () => {
    const { app, httpUrl } = await listeningApp();
    // An unknown Host still gets the operations endpoints (no tenant needed).
    const health = await app.http.inject({ url: '/healthz', headers: { host: 'nobody.example' } });
    expect(health.statusCode).toBe(200);
    expect(health.json()).toEqual({ status: 'ok' });
    const ready = await fetch(`${httpUrl}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready' });

    // A database behind this build's migrations is not ready.
    await sql`delete from kysely_migration where name = '0009-cluster-state'`.execute(app.store.db);
    const behind = await app.http.inject({ url: '/readyz' });
    expect(behind.statusCode).toBe(503);
    expect(behind.json()).toEqual({
      status: 'not ready',
      reason: 'database: migrations not run: 0009-cluster-state',
    });
    await sql`insert into kysely_migration (name, timestamp) values ('0009-cluster-state', ${new Date().toISOString()})`.execute(
      app.store.db,
    );
    expect((await app.http.inject({ url: '/readyz' })).statusCode).toBe(200);

    // RADIUS sockets closed: not ready, and says so.
    await app.radius!.stop();
    const noRadius = await app.http.inject({ url: '/readyz' });
    expect(noRadius.statusCode).toBe(503);
    expect(noRadius.json().reason).toBe('radius: the RADIUS sockets are not bound');

    // Shutting down comes first.
    app.beginShutdown();
    const stopping = await app.http.inject({ url: '/readyz' });
    expect(stopping.statusCode).toBe(503);
    expect(stopping.json().reason).toBe('shutting down');
  });

  it('serves /metrics only with the token, in Prometheus text format', async () => {
    const { app, httpUrl } = await listeningApp();
    expect((await fetch(`${httpUrl}/metrics`)).status).toBe(401);
    const wrong = await fetch(`${httpUrl}/metrics`, {
      headers: { authorization: 'Bearer nope-nope-nope-nope' },
    });
    expect(wrong.status).toBe(401);

    await fetch(`${httpUrl}/portal`);
    // A RADIUS datagram from an unknown hotspot is dropped and counted.
    const socket = dgram.createSocket('udp4');
    const { authPort } = app.radius!.ports();
    const garbage = Buffer.alloc(20);
    garbage.writeUInt8(1, 0);
    garbage.writeUInt16BE(20, 2);
    await new Promise<void>((resolve) => socket.send(garbage, authPort, '127.0.0.1', () => resolve()));
    socket.close();
    await expect.poll(() => app.radius!.stats.received).toBe(1);

    const response = await fetch(`${httpUrl}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await response.text();
    expect(text).toMatch(
      /^portico_http_request_duration_seconds_count\{method="GET",route="\/portal",status="200"\} 1$/m,
    );
    expect(text).toMatch(/^portico_radius_packets_received_total 1$/m);
    expect(text).toMatch(/^portico_radius_drops_total\{reason="unknown-source"\} 1$/m);
    expect(text).toMatch(/^portico_sms_outbox_messages\{state="queued"\} 0$/m);
    expect(text).toMatch(/^nodejs_eventloop_lag_p99_seconds \d/m);
    if (dialect === 'postgres') expect(text).toMatch(/^portico_db_pool_connections\{state="max"\} \d+$/m);
  });

  it('serves /metrics on a separate port without a token when asked', async () => {
    const { app, httpUrl } = await listeningApp({ PORTICO_METRICS_TOKEN: '', PORTICO_METRICS_PORT: '0' });
    // Not on the main port at all.
    expect((await fetch(`${httpUrl}/metrics`)).status).toBe(404);
    const port = app.metricsPort()!;
    const response = await fetch(`http://127.0.0.1:${port}/metrics`);
    expect(response.status).toBe(200);
    expect(await response.text()).toMatch(/^# TYPE portico_radius_requests_total counter$/m);
  });
});
