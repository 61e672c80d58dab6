import { AppError } from '../shared/index.js';
import type { VoucherSettings } from '../tenants/index.js';
import { codeEntropyBits } from './codes.js';

/** Fewer bits than this and codes could be guessed by trying: refuse such settings. */
export const MIN_CODE_ENTROPY_BITS = 40;

/** Checks voucher code settings; characters that break codes (space, dash) are refused. */
export function validateVoucherSettings(value: VoucherSettings): VoucherSettings {
  const alphabet = value.codeAlphabet;
  if (!/^[A-Za-z0-9]+$/.test(alphabet))
    throw new AppError('VALIDATION', 'The alphabet may hold letters and digits only');
  const distinct = new Set(alphabet).size;
  if (distinct !== alphabet.length) throw new AppError('VALIDATION', 'The alphabet repeats a character');
  if (distinct < 10) throw new AppError('VALIDATION', 'The alphabet needs at least 10 characters');
  if (!Number.isInteger(value.codeLength) || value.codeLength < 6 || value.codeLength > 32)
    throw new AppError('VALIDATION', 'The code length must be 6 to 32');
  const bits = codeEntropyBits(value.codeLength, alphabet);
  if (bits < MIN_CODE_ENTROPY_BITS)
    throw new AppError(
      'VALIDATION',
      `Codes of ${value.codeLength} characters from ${distinct} letters have ${bits.toFixed(0)} bits: at least ${MIN_CODE_ENTROPY_BITS} are needed. Make them longer.`,
    );
  return { ...value };
}
