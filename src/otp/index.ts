/**
 * The door of src/otp: SMS one-time codes (challenges, caps, verification) and the tenant's
 * Config > Portal settings that govern them. Expected outcomes come back as unions
 * (`OtpStartResult`, `OtpVerifyResult`); the edges turn them into their own words.
 */
export {
  OtpService,
  otpPolicy,
  phoneAllowed,
  OTP_BOUNDS,
  type OtpPolicy,
  type OtpStarted,
  type OtpLimit,
  type OtpStartResult,
  type OtpVerifyResult,
  type OtpGuestVerifyResult,
  type OtpCodeError,
  type CodeTexts,
  type CustomerDirectory,
  type CodeSender,
} from './service.js';
export { OtpRepository, type OtpPurpose } from './repository.js';
export { PortalSettingsService, OTP_NEEDS_GATEWAY, type PortalSettingsPatch } from './portal-settings.js';
