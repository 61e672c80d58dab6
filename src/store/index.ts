export {
  openDatabase,
  migrateToLatest,
  pendingMigrations,
  parseDialect,
  DIALECTS,
  type Store,
  type Dialect,
} from './database.js';
export type * from './schema.js';
export {
  containsText,
  rowChunks,
  rowsTable,
  selectPage,
  rowsUpdateWrite,
  waitsFor,
  updateFromRowsInIdOrder,
  type RowsColumnType,
  type RowsUpdate,
  type FollowingWrite,
} from './queries.js';
export type { Insertable, Selectable, Updateable } from 'kysely';
export {
  touchCustomerPortals,
  touchTenantPortals,
  touchVoucherOwnersPortals,
  voucherOwnersPortalsWrites,
} from './portal-version.js';
export { CompiledOnce, slot } from './compiled-once.js';
