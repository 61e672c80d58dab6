import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_DIALECTS, createTestStore, type TestStore } from '../../test/helpers/databases.js';
import { checkSharedSecret, SecretMismatchError } from './index.js';

describe.each(TEST_DIALECTS)('shared secret check (%s)', (dialect) => {
  let store: TestStore;
  beforeAll(async () => {
    store = await createTestStore(dialect);
  });
  afterAll(() => store.destroy());

  it('lets every process with the same secret start and refuses a different one', async () => {
    const secret = 'a'.repeat(40);
    await checkSharedSecret(store.db, secret, 1);
    await checkSharedSecret(store.db, secret, 2);
    await expect(checkSharedSecret(store.db, 'b'.repeat(40), 3)).rejects.toThrow(SecretMismatchError);
    // The secret itself is never stored.
    const rows = await store.db.selectFrom('cluster_facts').selectAll().execute();
    expect(rows).toHaveLength(1);
    expect(rows[0]!.value).not.toContain(secret);
    expect(rows[0]!.value).toMatch(/^[0-9a-f]{64}$/);
  });
});
