/** One-time codes for the portal sign-in: the door of src/portal/otp. */
export {
  OtpService,
  otpPolicy,
  OTP_BOUNDS,
  type OtpPolicy,
  type OtpStarted,
  type CustomerDirectory,
  type CodeSender,
} from './service.js';
export { OtpRepository } from './repository.js';
export { PortalSettingsService, OTP_NEEDS_GATEWAY, type PortalSettingsPatch } from './portal-settings.js';
