/**
 * Password hashing at production cost (test/setup.ts lowers it for every other test file; this one
 * puts it back): new hashes use scrypt N=2^17, r=8, p=1, older hashes still verify and are
 * re-hashed at the next successful sign-in.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_DIALECTS } from '../../test/helpers/databases.js';
import { buildTestApp, type TestApp } from '../../test/helpers/app.js';
import { AdminClient, TEST_PASSWORD } from '../../test/helpers/admin.js';
import {
  AdminsRepository,
  hashPassword,
  needsRehash,
  PASSWORD_HASH_PARAMS,
  setPasswordHashParamsForTests,
  verifyPassword,
} from './index.js';

const PRODUCTION_PREFIX = 'scrypt$131072$8$1$';

// Production cost is ~0.3 s a hash on an idle machine of this kind, many times that under load.
const SLOW_MS = 180_000;

describe('password hashing', () => {
  beforeAll(() => setPasswordHashParamsForTests());

  it(
    'uses scrypt N=2^17, r=8, p=1 for new hashes (OWASP 2025)',
    async () => {
      expect(PASSWORD_HASH_PARAMS).toEqual({ N: 2 ** 17, r: 8, p: 1 });
      const hash = await hashPassword(TEST_PASSWORD);
      expect(hash.startsWith(PRODUCTION_PREFIX)).toBe(true);
      expect(needsRehash(hash)).toBe(false);
      expect(await verifyPassword(TEST_PASSWORD, hash)).toBe(true);
      expect(await verifyPassword('not the password', hash)).toBe(false);
    },
    SLOW_MS,
  );

  it('refuses stored hashes that name absurd parameters instead of allocating for them', async () => {
    expect(await verifyPassword('x', 'scrypt$1073741824$8$1$c2FsdA$aGFzaA')).toBe(false);
    expect(await verifyPassword('x', 'md5$whatever')).toBe(false);
  });
});

describe.each(TEST_DIALECTS)('re-hash at sign-in (%s)', (dialect) => {
  let app: TestApp;
  beforeAll(async () => {
    app = await buildTestApp(dialect);
  });
  afterAll(async () => {
    await app.destroy();
    setPasswordHashParamsForTests();
  });

  it(
    'an admin whose hash predates N=2^17 signs in and leaves with a hash at today’s parameters',
    async () => {
      const tenantId = app.bootstrapped.tenant.id;
      const admins = new AdminsRepository(app.store.db, app.clock);
      // The parameters Portico used before (N=2^15).
      setPasswordHashParamsForTests({ N: 2 ** 15, r: 8, p: 1 });
      const admin = await admins.create(tenantId, {
        email: 'legacy@example.com',
        name: 'Legacy',
        password: TEST_PASSWORD,
        role: 'owner',
      });
      const hashOf = async () =>
        (
          await app.store.db
            .selectFrom('admins')
            .select('password_hash')
            .where('id', '=', admin.id)
            .executeTakeFirstOrThrow()
        ).password_hash;
      const legacy = await hashOf();
      expect(legacy.startsWith('scrypt$32768$8$1$')).toBe(true);

      setPasswordHashParamsForTests();
      // A wrong password changes nothing.
      const client = new AdminClient(app);
      expect((await client.signIn('legacy@example.com', 'wrong password!!')).statusCode).toBe(401);
      expect(await hashOf()).toBe(legacy);
      // The right one signs in through the real form (old hash verified) and re-hashes.
      expect((await client.signIn('legacy@example.com')).statusCode).toBe(303);
      const upgraded = await hashOf();
      expect(upgraded.startsWith(PRODUCTION_PREFIX)).toBe(true);
      expect(await verifyPassword(TEST_PASSWORD, upgraded)).toBe(true);
      // And again with the new hash, which is left as it is.
      expect((await new AdminClient(app).signIn('legacy@example.com')).statusCode).toBe(303);
      expect(await hashOf()).toBe(upgraded);
    },
    SLOW_MS,
  );
});
