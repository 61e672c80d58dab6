/**
 * Composition root: builds every module by hand and owns shutdown in reverse order
 * (HTTP → RADIUS → workers → database). No container, no decorators.
 */
import type { FastifyInstance } from 'fastify';
import pino, { type Logger } from 'pino';
import type { Config } from './config/index.js';
import { WebSessions } from './auth/index.js';
import { bootstrap, type BootstrapResult } from './bootstrap/index.js';
import { createHttpServer } from './http/server.js';
import { cryptoRandom, systemClock, type Clock, type RandomSource } from './shared/index.js';
import { migrateToLatest, openDatabase, type Store } from './store/index.js';
import { TenantResolver, TenantsRepository } from './tenants/index.js';

export interface AppOverrides {
  clock?: Clock;
  random?: RandomSource;
  logger?: Logger;
  /** Use this store instead of opening config.databaseUrl (tests); the app does not close it. */
  store?: Store;
}

export interface App {
  config: Readonly<Config>;
  store: Store;
  http: FastifyInstance;
  logger: Logger;
  clock: Clock;
  random: RandomSource;
  tenants: TenantsRepository;
  webSessions: WebSessions;
  /** What first-start bootstrap did (default tenant, demo). */
  bootstrapped: BootstrapResult;
  /** Starts listening (HTTP, RADIUS) and background workers. */
  listen(): Promise<{ httpUrl: string }>;
  close(): Promise<void>;
}

export async function createApp(config: Readonly<Config>, overrides: AppOverrides = {}): Promise<App> {
  const logger = overrides.logger ?? pino({ level: config.logLevel });
  const clock = overrides.clock ?? systemClock;
  const random = overrides.random ?? cryptoRandom;
  const ownsStore = overrides.store === undefined;
  const store = overrides.store ?? openDatabase(config.databaseUrl);
  await migrateToLatest(store.db);

  const tenants = new TenantsRepository(store.db);
  const tenantResolver = new TenantResolver(tenants, () => clock.nowMs());
  const webSessions = new WebSessions(store.db, clock, random);
  const bootstrapped = await bootstrap(config, store, tenants, clock);

  const http = await createHttpServer({ logger, tenantResolver, trustProxy: config.trustProxy });

  const closers: Array<() => Promise<void>> = [];
  let closed = false;

  return {
    config,
    store,
    http,
    logger,
    clock,
    random,
    tenants,
    webSessions,
    bootstrapped,
    async listen() {
      const address = await http.listen({ port: config.port, host: config.host });
      // Print a URL a person can open: 0.0.0.0 is where we listen, not where to browse.
      const httpUrl = address.replace('://0.0.0.0', '://localhost').replace('://[::]', '://localhost');
      return { httpUrl };
    },
    async close() {
      if (closed) return;
      closed = true;
      await http.close();
      for (const close of closers.reverse()) await close();
      if (ownsStore) await store.close();
    },
  };
}
