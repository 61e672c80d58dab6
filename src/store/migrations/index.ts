import type { Migration, MigrationProvider } from 'kysely';
import * as m0001 from './0001-initial.js';
import * as m0002 from './0002-series-heartbeat.js';
import * as m0003 from './0003-session-disconnect-state.js';
import * as m0004 from './0004-sessions-mac.js';
import * as m0005 from './0005-device-events-log.js';
import * as m0006 from './0006-hotspot-login.js';
import * as m0007 from './0007-sms-delivery-truth.js';
import * as m0008 from './0008-portal-session-auth.js';
import * as m0009 from './0009-cluster-state.js';
import * as m0010 from './0010-sessions-open-by-voucher.js';
import * as m0011 from './0011-free-access.js';
import * as m0012 from './0012-login-page-logo.js';
import * as m0013 from './0013-portal-versions.js';
import * as m0014 from './0014-accounting-hot-updates.js';
import * as m0015 from './0015-drop-sessions-device.js';

/** Migrations are listed here in order, so they load the same under tsx, vitest and a build. */
const migrations: Record<string, Migration> = {
  '0001-initial': m0001,
  '0002-series-heartbeat': m0002,
  '0003-session-disconnect-state': m0003,
  '0004-sessions-mac': m0004,
  '0005-device-events-log': m0005,
  '0006-hotspot-login': m0006,
  '0007-sms-delivery-truth': m0007,
  '0008-portal-session-auth': m0008,
  '0009-cluster-state': m0009,
  '0010-sessions-open-by-voucher': m0010,
  '0011-free-access': m0011,
  '0012-login-page-logo': m0012,
  '0013-portal-versions': m0013,
  '0014-accounting-hot-updates': m0014,
  '0015-drop-sessions-device': m0015,
};

export const migrationProvider: MigrationProvider = {
  getMigrations: async () => migrations,
};
