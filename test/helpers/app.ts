import pino from 'pino';
import { createApp, type App, type AppOverrides } from '../../src/app.js';
import { loadConfig, type Config } from '../../src/config/index.js';
import { FakeClock } from '../../src/shared/index.js';
import type { Dialect } from '../../src/store/index.js';
import { createTestStore, type TestStore } from './databases.js';

export interface TestApp extends App {
  clock: FakeClock;
  testStore: TestStore;
  /** Closes the app and drops its database. */
  destroy(): Promise<void>;
}

/**
 * A full app on a fresh database of `dialect`, with a fake clock and silent logs, nothing
 * listening (use `app.http.inject`) unless the test calls listen(). RADIUS is off by default.
 */
export async function buildTestApp(
  dialect: Dialect,
  options: {
    env?: Record<string, string>;
    overrides?: AppOverrides;
    config?: Partial<Config>;
    /** Another process on the same database: share this store (destroy() still drops it). */
    testStore?: TestStore;
    clock?: FakeClock;
  } = {},
): Promise<TestApp> {
  const testStore = options.testStore ?? (await createTestStore(dialect));
  const config = {
    ...loadConfig({
      PORT: '0',
      HOST: '127.0.0.1',
      RADIUS_ENABLED: '0',
      PORTICO_DEMO: '0',
      PORTICO_SECRET: 'test-secret-test-secret-test-secret-0123',
      LOG_LEVEL: 'silent',
      ...options.env,
    }),
    ...options.config,
  };
  const clock = options.clock ?? new FakeClock();
  const app = await createApp(config, {
    logger: pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }),
    clock,
    store: testStore,
    strictApiResponses: true,
    ...options.overrides,
  });
  return {
    ...app,
    clock,
    testStore,
    async destroy() {
      await app.close();
      await testStore.destroy();
    },
  };
}
