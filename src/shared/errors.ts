/**
 * Domain errors carry a stable code; the edges (HTTP, RADIUS) turn them into statuses,
 * messages or Reply-Messages. Services never throw HTTP errors.
 */
export type ErrorCode =
  | 'VALIDATION'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'FORBIDDEN'
  | 'UNAUTHENTICATED'
  | 'RATE_LIMITED'
  | 'CSRF'
  | 'PHONE_INVALID'
  | 'CUSTOMER_UNKNOWN'
  | 'CUSTOMER_BLOCKED'
  | 'OTP_UNAVAILABLE'
  | 'VOUCHER_UNKNOWN'
  | 'VOUCHER_DISABLED'
  | 'VOUCHER_EXPIRED'
  | 'VOUCHER_USED'
  | 'VOUCHER_DEVICE_LIMIT'
  | 'MAC_INVALID'
  /** The MAC is already on this voucher. */
  | 'MAC_ALREADY_ON_VOUCHER'
  /** The MAC is on another live voucher of the tenant (remove it there first). */
  | 'MAC_ON_OTHER_VOUCHER'
  | 'DEVICES_DISABLED'
  | 'SMS_NO_GATEWAY'
  | (string & {});

export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'AppError';
  }
}

export const notFound = (what: string) => new AppError('NOT_FOUND', `${what} not found`);
export const validation = (message: string, details?: Record<string, unknown>) =>
  new AppError('VALIDATION', message, details);
