/**
 * Runs before every test file. Production password hashing (scrypt N=2^17, ~0.3 s and 128 MiB a
 * hash) would make each admin a test creates cost that much; tests use N=2^12. The production
 * parameters and the re-hash at sign-in are proven in src/auth/passwords.test.ts, which sets them back.
 */
import { setPasswordHashParamsForTests } from '../src/auth/index.js';

setPasswordHashParamsForTests({ N: 2 ** 12, r: 8, p: 1 });
