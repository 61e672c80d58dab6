import type { Migration, MigrationProvider } from 'kysely';
import * as m0001 from './0001-initial.js';
import * as m0002 from './0002-series-heartbeat.js';

/** Migrations are listed here in order, so they load the same under tsx, vitest and a build. */
const migrations: Record<string, Migration> = {
  '0001-initial': m0001,
  '0002-series-heartbeat': m0002,
};

export const migrationProvider: MigrationProvider = {
  getMigrations: async () => migrations,
};
