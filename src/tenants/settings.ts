/**
 * Typed per-tenant settings documents with safe defaults. Stored as JSON rows in `settings`;
 * a missing key means the defaults. Unknown or out-of-range stored values fall back to defaults.
 */
export interface PortalSettings {
  /** "Use OTP for accessing the portal": only while at least one SMS gateway is enabled. */
  otpEnabled: boolean;
  /** "Show Associated Devices block": effective only together with otpEnabled. */
  showDevices: boolean;
  otpLength: number; // digits, 6..10
  otpTtlSeconds: number; // 60..600
  otpMaxAttempts: number; // wrong tries per code, 1..5
  otpResendCooldownSeconds: number; // 60..3600
  otpMaxPerNumberPerHour: number;
  otpMaxPerIpPerHour: number;
  otpMaxPerTenantPerDay: number;
  /** Optional allow-list of E.164 prefixes codes may be sent to, e.g. ["+1", "+44"]. */
  otpAllowedPrefixes: string[];
}

export interface NotificationSettings {
  statusPageEnabled: boolean;
  statusPageFrequency: 'once' | 'every_activation';
  statusPageTemplate: string;
  /** The tenant's own voucher-details and sign-in-code texts (notifications/sms-texts.ts). */
  smsTexts: SmsTextTemplates;
}

/** Templates by SMS text kind, then language ("en", "es"); a missing one is the built-in text. */
export type SmsTextTemplates = { [kind: string]: { [language: string]: string | undefined } | undefined };

export type DeviceLimitPolicy = 'reject' | 'replace_offline' | 'replace_oldest';

export interface VoucherSettings {
  codeLength: number; // random part, 6..32
  codeAlphabet: string;
  acceptShortCode: boolean;
  deviceLimitPolicy: DeviceLimitPolicy;
}

/** Where people reach this tenant, learnt rather than set (for links when no public URL is set). */
export interface ReachSettings {
  /** The origin an admin last signed in at ("http://192.168.1.5:3000"), '' before any sign-in. */
  adminOrigin: string;
}

/** The hosted hotspot login page (src/hotspot-login): look, and where guests go after login. */
export interface HotspotLoginSettings {
  /** "Open the customer portal after login": post-login lands on the voucher just used. */
  openPortalAfterLogin: boolean;
  /** Accent colour of the login page (#rrggbb); the text on it is chosen for contrast. */
  accentColor: string;
  /** A line under the venue's name, e.g. "Free coffee refills"; empty = none. */
  welcomeText: string;
  /**
   * DNS names of the routers' own login address (the hotspot's dns-name) that are not obviously
   * local; the page posts voucher codes only to such an address or a private IP.
   */
  routerLoginHosts: string[];
  /** Free access by phone, tenant-wide: codes for walk-in guests per day (all hotspots). */
  freeAccessCodesPerDay: number;
  /**
   * SMS the tenant may queue in a calendar month (every type) before free access by phone pauses
   * until the next month; the operator is told on the login page settings and hotspot pages.
   */
  smsBudgetPerMonth: number;
}

export interface SettingsDocuments {
  portal: PortalSettings;
  reach: ReachSettings;
  hotspotLogin: HotspotLoginSettings;
  notifications: NotificationSettings;
  vouchers: VoucherSettings;
}

export type SettingsKey = keyof SettingsDocuments;

export const DEFAULT_STATUS_PAGE_TEMPLATE =
  "Welcome! You've successfully logged in. Check your usage here: {{ link }}";

/** Unambiguous characters: no 0/O, 1/l/I. */
export const DEFAULT_CODE_ALPHABET = 'abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789';

export const SETTINGS_DEFAULTS: SettingsDocuments = {
  portal: {
    otpEnabled: false,
    showDevices: false,
    otpLength: 6,
    otpTtlSeconds: 300,
    otpMaxAttempts: 5,
    otpResendCooldownSeconds: 60,
    otpMaxPerNumberPerHour: 5,
    otpMaxPerIpPerHour: 20,
    otpMaxPerTenantPerDay: 1000,
    otpAllowedPrefixes: [],
  },
  reach: { adminOrigin: '' },
  hotspotLogin: {
    openPortalAfterLogin: false,
    accentColor: '#0b5cad',
    welcomeText: '',
    routerLoginHosts: [],
    freeAccessCodesPerDay: 300,
    smsBudgetPerMonth: 2000,
  },
  notifications: {
    statusPageEnabled: false,
    statusPageFrequency: 'once',
    statusPageTemplate: DEFAULT_STATUS_PAGE_TEMPLATE,
    smsTexts: {},
  },
  vouchers: {
    codeLength: 8,
    codeAlphabet: DEFAULT_CODE_ALPHABET,
    acceptShortCode: true,
    deviceLimitPolicy: 'replace_offline',
  },
};

/** Merges a stored document over the defaults, keeping only keys of the right type. */
export function mergeSettings<K extends SettingsKey>(key: K, stored: unknown): SettingsDocuments[K] {
  const defaults = SETTINGS_DEFAULTS[key];
  const result: Record<string, unknown> = { ...defaults };
  if (stored && typeof stored === 'object') {
    for (const [name, value] of Object.entries(stored)) {
      const fallback = (defaults as unknown as Record<string, unknown>)[name];
      if (fallback === undefined) continue;
      if (Array.isArray(fallback) ? Array.isArray(value) : typeof value === typeof fallback)
        result[name] = value;
    }
  }
  return result as unknown as SettingsDocuments[K];
}
