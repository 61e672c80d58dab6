/**
 * The database as Kysely sees it. Portable representations, decided once (architecture rule 7):
 * - every `*_at` column is a UTC instant in epoch milliseconds (bigint in PostgreSQL);
 * - bytes and seconds are 64-bit integers; money is in minor units (`*_minor`);
 * - booleans are integers 0/1 (`is_*`), JSON is text (`*_json`);
 * - ids are 64-bit integers from the database; every table has `tenant_id` (except `tenants`).
 */
import type { Generated, Insertable, Selectable, Updateable } from 'kysely';

type Id = Generated<number>;
type Flag = number; // 0 | 1

export interface TenantsTable {
  id: Id;
  slug: string;
  name: string;
  default_country: string; // ISO 3166-1 alpha-2, phone numbers are parsed in it
  locale: string; // BCP 47, e.g. en-US
  time_zone: string; // IANA, e.g. America/New_York
  currency: string; // ISO 4217
  public_url: string | null; // e.g. https://wifi.example.com, used for the portal link
  is_default: Generated<Flag>; // serves requests whose host matches no tenant (single-tenant install)
  created_at: number;
  portal_version: Generated<number>; // moves on writes that change every customer's portal (portal-version.ts)
}

export interface TenantHostsTable {
  id: Id;
  tenant_id: number;
  host: string; // lower-case host name without port, globally unique
}

/** Per-tenant settings documents, one row per key (`portal`, `notifications`, `vouchers`, ...). */
export interface SettingsTable {
  tenant_id: number;
  key: string;
  value_json: string;
  updated_at: number;
}

export interface AdminsTable {
  id: Id;
  tenant_id: number;
  email: string;
  name: string;
  password_hash: string; // scrypt$N$r$p$salt$hash
  role: string; // owner | admin | readonly
  is_super: Generated<Flag>; // deployment-wide super-admin (manages tenants)
  is_disabled: Generated<Flag>;
  created_at: number;
  last_login_at: number | null;
}

export interface ApiTokensTable {
  id: Id;
  tenant_id: number;
  name: string;
  token_prefix: string; // first characters, shown in lists
  token_hash: string; // sha256 hex of the whole token
  role: string;
  created_by_admin_id: number | null;
  created_at: number;
  last_used_at: number | null;
  revoked_at: number | null;
}

/** Server-side web sessions for both the admin area and the customer portal. */
export interface WebSessionsTable {
  id_hash: string; // sha256 hex of the cookie token; the token itself is never stored
  tenant_id: number;
  kind: string; // admin | portal
  subject_id: number; // admin id or customer id
  created_at: number;
  last_seen_at: number;
  expires_at: number; // absolute timeout
  client_ip: string | null;
  user_agent: string | null;
  /** How the session was opened: portal 'phone' (number alone) or 'code' (SMS code); NULL = before this was recorded. */
  auth_method: string | null;
}

export interface HotspotsTable {
  id: Id;
  tenant_id: number;
  title: string;
  vendor: string; // mikrotik | generic
  ip_address: string; // RADIUS source IP, globally unique: the secret is chosen by it
  secret: string; // RADIUS shared secret (needed in clear to verify authenticators)
  coa_port: Generated<number>;
  require_message_authenticator: Generated<Flag>;
  interim_interval_seconds: Generated<number>;
  location: string | null;
  created_at: number;
  updated_at: number;
}

/** The hosted login page of a hotspot (created on first use). */
export interface HotspotLoginPagesTable {
  hotspot_id: number;
  tenant_id: number;
  public_id: string; // random, in the page's URL: /hotspot/<public_id>/login
  login_by: string; // chap | pap: how the router's login form expects the password
  created_at: number;
  updated_at: number;
  /** Free access by phone (issue 13, item 4): off by default. */
  free_access_enabled: Generated<number>;
  free_access_plan_id: number | null; // the plan of the vouchers it gives
  free_access_period_hours: Generated<number>; // the window every limit below counts in
  free_access_vouchers_per_phone: Generated<number>;
  free_access_codes_per_phone: Generated<number>;
  free_access_codes_per_device: Generated<number>; // per router client MAC
  free_access_codes_per_hotspot: Generated<number>;
  files_fetched_at: number | null; // a router first downloaded login.html (the page is installed)
}

/** The tenant's logo on the hosted login page (one per tenant). */
export interface LoginPageLogosTable {
  tenant_id: number;
  content_type: string; // image/png | image/jpeg | image/webp | image/gif, from the bytes
  bytes: Buffer;
  sha256: string; // hex: the logo's address, /hotspot/logo/<sha256>
  updated_at: number;
}

/** A walk-in guest's request for free access: one code started for one phone at one device. */
export interface FreeAccessRequestsTable {
  id: Id;
  tenant_id: number;
  hotspot_id: number;
  nonce: string; // random; the flow id and the code's attempt token derive from it (server secret)
  token_hash: string; // sha256 hex of the flow id
  phone: string; // E.164
  mac: string | null; // the router's client MAC, normalised
  client_ip: string | null; // the guest's address at the router
  created_at: number;
  expires_at: number; // the code's expiry
  verified_at: number | null;
  customer_id: number | null;
  voucher_id: number | null; // the voucher given (or given again)
}

/** A guest's way through the hosted login page (server-side: mini-browsers keep no cookies). */
export interface HotspotLoginFlowsTable {
  id: Id;
  tenant_id: number;
  hotspot_id: number;
  token_hash: string; // sha256 hex of the flow id that travels in the router's dst
  mac: string | null; // the router's client MAC, normalised
  voucher_id: number | null; // the voucher Portico checked and sent to the router
  link_orig: string | null; // the page the guest first asked for
  router_attempts: Generated<number>;
  created_at: number;
  attempted_at: number | null;
  completed_at: number | null;
}

export interface PlansTable {
  id: Id;
  tenant_id: number;
  title: string;
  is_active: Generated<Flag>;
  voucher_prefix: string;
  price_minor: Generated<number>;
  currency: string;
  speed_down_kbps: number | null;
  speed_up_kbps: number | null;
  data_limit_bytes: number | null; // total; null = unlimited (unless the split limits are set)
  download_limit_bytes: number | null;
  upload_limit_bytes: number | null;
  time_limit_seconds: number | null; // cumulative online time
  validity_seconds: number | null; // counted from activation
  devices_limit: number;
  created_at: number;
  updated_at: number;
}

export interface VoucherSeriesTable {
  id: Id;
  tenant_id: number;
  code: string; // e.g. 202611
  plan_id: number;
  customer_id: number | null;
  quantity: number;
  created_count: Generated<number>; // progress while a large series is generated
  status: string; // generating | ready | failed
  expiry_mode: string; // after_activation | valid_until
  valid_until_at: number | null;
  created_by_admin_id: number | null;
  created_at: number;
  /** Written with every batch while generating; a stale one means its process is gone. */
  heartbeat_at: number | null;
}

export interface VouchersTable {
  id: Id;
  tenant_id: number;
  series_id: number | null;
  plan_id: number;
  customer_id: number | null;
  code: string; // full code SERIES-PREFIX-RANDOM, unique per tenant
  short_code: string; // the RANDOM part, unique per tenant
  status: string; // new | active | online | used | disabled
  used_reason: string | null; // data | time | expired
  // Limits copied from the plan at creation.
  plan_title: string;
  price_minor: Generated<number>;
  currency: string;
  speed_down_kbps: number | null;
  speed_up_kbps: number | null;
  data_limit_bytes: number | null;
  download_limit_bytes: number | null;
  upload_limit_bytes: number | null;
  time_limit_seconds: number | null;
  validity_seconds: number | null;
  devices_limit: number;
  valid_until_at: number | null; // absolute expiry whether activated or not
  // Lifecycle.
  activated_at: number | null;
  expires_at: number | null; // activated_at + validity, or valid_until_at
  used_at: number | null;
  disabled_at: number | null;
  // Counters, cumulative over every session and device.
  downloaded_bytes: Generated<number>;
  uploaded_bytes: Generated<number>;
  online_seconds: Generated<number>;
  last_session_at: number | null;
  created_at: number;
  updated_at: number;
}

export interface CustomersTable {
  id: Id;
  tenant_id: number;
  phone: string; // E.164, unique per tenant
  name: string | null;
  email: string | null;
  status: string; // active | blocked
  locale: string | null;
  joined_at: number;
  last_seen_at: number | null;
  portal_link_sent_at: number | null; // first status-page SMS (one-time frequency)
  portal_version: Generated<number>; // moves on writes that change this customer's portal (portal-version.ts)
}

export interface DevicesTable {
  id: Id;
  tenant_id: number;
  voucher_id: number;
  mac: string; // AA:BB:CC:DD:EE:FF
  title: string | null;
  added_by: string; // first_login | customer | operator
  is_randomized: Generated<Flag>; // locally administered bit set
  first_seen_at: number | null;
  last_seen_at: number | null;
  last_hotspot_id: number | null;
  downloaded_bytes: Generated<number>;
  uploaded_bytes: Generated<number>;
  online_seconds: Generated<number>;
  created_at: number;
}

/** Audit trail of device changes. */
export interface DeviceEventsTable {
  id: Id;
  tenant_id: number;
  voucher_id: number;
  device_id: number | null;
  actor: string; // customer | operator | system
  actor_id: number | null;
  client_ip: string | null;
  action: string; // added | edited | removed | replaced | disconnected
  details_json: string;
  /** The MAC the change is about (for a replacement: the new one); null when unknown. */
  mac: string | null;
  /** For a replacement: the MAC that lost access. */
  replaced_mac: string | null;
  created_at: number;
}

/** One RADIUS accounting session. */
export interface SessionsTable {
  id: Id;
  tenant_id: number;
  hotspot_id: number;
  acct_session_id: string;
  voucher_id: number | null;
  device_id: number | null;
  user_name: string;
  mac: string | null;
  framed_ip: string | null;
  nas_port: string | null;
  class_tag: string | null;
  started_at: number;
  updated_at: number;
  stopped_at: number | null; // null while online
  // From the client's point of view: download = Acct-Output, upload = Acct-Input.
  downloaded_bytes: Generated<number>;
  uploaded_bytes: Generated<number>;
  session_seconds: Generated<number>;
  terminate_cause: string | null;
  /** Why Portico last asked the hotspot to end it (a DisconnectReason), null = never. */
  disconnect_reason: string | null;
  /** Disconnect-Request exchanges so far (each one a whole RFC 5176 retransmission window). */
  disconnect_attempts: Generated<number>;
  /** The retry sweep may try again from this instant (backoff; compare-and-set claim). */
  disconnect_next_at: number | null;
  /** The hotspot ACKed a Disconnect-Request: it is gone, never retried. */
  disconnect_acked_at: number | null;
}

/** Per-voucher, per-day usage rollup (day in the tenant's time zone, YYYY-MM-DD). */
export interface UsageDailyTable {
  tenant_id: number;
  voucher_id: number;
  customer_id: number | null;
  day: string;
  downloaded_bytes: Generated<number>;
  uploaded_bytes: Generated<number>;
  online_seconds: Generated<number>;
}

/** RFC 5176 Disconnect/CoA requests we sent, with their outcome. */
export interface DisconnectRequestsTable {
  id: Id;
  tenant_id: number;
  session_id: number;
  hotspot_id: number;
  reason: string; // quota | expired | disabled | operator | device_removed | device_replaced | device_limit
  status: string; // pending | acked | nacked | timeout
  attempts: Generated<number>;
  error_cause: number | null;
  created_at: number;
  finished_at: number | null;
}

export interface SmsGatewaysTable {
  id: Id;
  tenant_id: number;
  name: string;
  type: string; // http | twilio | smpp | log
  settings_json: string;
  is_enabled: Generated<Flag>;
  position: Generated<number>;
  /** Secret in the gateway's HTTP delivery-report URL (migration 0007). */
  callback_secret: string | null;
  created_at: number;
  updated_at: number;
}

/** The durable SMS outbox and the SMS log in one. */
export interface SmsMessagesTable {
  id: Id;
  tenant_id: number;
  customer_id: number | null;
  type: string; // login_code | portal_link | voucher_details | limit_warning | test
  recipient: string; // E.164
  text: string; // login codes are masked once sent
  status: string; // queued | sending | sent | failed | delivered | undelivered
  attempts: Generated<number>;
  gateway_id: number | null;
  gateway_answer: string | null;
  error: string | null;
  external_id: string | null; // gateway's message id, for receipts
  dedupe_key: string | null; // unique per tenant: exactly one SMS per event
  next_attempt_at: number;
  locked_until: number | null;
  created_at: number;
  sent_at: number | null;
}

/** One try of one gateway for one message (or a pass that found no gateway). */
export interface SmsAttemptsTable {
  id: Id;
  tenant_id: number;
  message_id: number;
  pass: number; // the message's attempt (pass) number, 1-based
  gateway_id: number | null;
  gateway_name: string | null; // as it was named then
  started_at: number;
  finished_at: number;
  outcome: string; // accepted | partly_accepted | temporary_failure | permanent_failure | no_gateway | expired
  parts_accepted: Generated<number>;
  parts_total: number | null;
  answer: string | null; // the gateway's answer, trimmed
  error: string | null;
}

/** One part a gateway accepted, with its id for delivery receipts. */
export interface SmsPartsTable {
  id: Id;
  tenant_id: number;
  message_id: number;
  gateway_id: number;
  part_number: number; // 1-based
  part_count: number;
  concat_ref: number | null; // SMPP concatenation reference (0-255)
  external_id: string | null;
  status: string; // accepted | delivered | undelivered
  receipt_state: string | null; // DELIVRD, UNDELIV, ENROUTE, delivered (Twilio), …
  accepted_at: number;
  receipt_at: number | null;
}

/** A delivery receipt whose part is not recorded (yet). */
export interface SmsUnmatchedReceiptsTable {
  id: Id;
  tenant_id: number;
  gateway_id: number;
  external_id: string;
  state: string;
  outcome: string; // delivered | undelivered | pending
  received_at: number;
}

/** SMS one-time codes for the portal, bound to the sign-in attempt. */
export interface OtpChallengesTable {
  id: Id;
  tenant_id: number;
  attempt_hash: string; // sha256 of the attempt token held in the browser
  phone: string;
  customer_id: number | null; // null when the number is not registered (nothing is sent)
  code_hash: string; // HMAC-SHA256 keyed by the server secret
  failed_attempts: Generated<number>;
  client_ip: string | null;
  created_at: number;
  expires_at: number;
  consumed_at: number | null;
  purpose: Generated<string>; // portal | free_access: a code only opens what it was sent for
  texted: Generated<number>; // 1 when the code was queued as an SMS (counts against the daily cap)
}

/** Shared rate-limit counters (src/rate-limits): hits in the window that ends at expires_at. */
export interface RateLimitCountersTable {
  key: string;
  hits: number;
  /** epoch ms */
  expires_at: number;
}

/** Facts every process sharing the database checks at start (e.g. the secret's fingerprint). */
export interface ClusterFactsTable {
  name: string;
  value: string;
  /** epoch ms */
  created_at: number;
}

export interface Database {
  tenants: TenantsTable;
  tenant_hosts: TenantHostsTable;
  settings: SettingsTable;
  admins: AdminsTable;
  api_tokens: ApiTokensTable;
  web_sessions: WebSessionsTable;
  hotspots: HotspotsTable;
  hotspot_login_pages: HotspotLoginPagesTable;
  hotspot_login_flows: HotspotLoginFlowsTable;
  free_access_requests: FreeAccessRequestsTable;
  login_page_logos: LoginPageLogosTable;
  plans: PlansTable;
  voucher_series: VoucherSeriesTable;
  vouchers: VouchersTable;
  customers: CustomersTable;
  devices: DevicesTable;
  device_events: DeviceEventsTable;
  sessions: SessionsTable;
  usage_daily: UsageDailyTable;
  disconnect_requests: DisconnectRequestsTable;
  sms_gateways: SmsGatewaysTable;
  sms_messages: SmsMessagesTable;
  sms_attempts: SmsAttemptsTable;
  sms_parts: SmsPartsTable;
  sms_unmatched_receipts: SmsUnmatchedReceiptsTable;
  otp_challenges: OtpChallengesTable;
  rate_limit_counters: RateLimitCountersTable;
  cluster_facts: ClusterFactsTable;
}

export type Tenant = Selectable<TenantsTable>;
export type Admin = Selectable<AdminsTable>;
export type Hotspot = Selectable<HotspotsTable>;
export type Plan = Selectable<PlansTable>;
export type NewPlan = Insertable<PlansTable>;
export type Voucher = Selectable<VouchersTable>;
export type NewVoucher = Insertable<VouchersTable>;
export type VoucherUpdate = Updateable<VouchersTable>;
export type Customer = Selectable<CustomersTable>;
export type Device = Selectable<DevicesTable>;
export type Session = Selectable<SessionsTable>;
export type SmsGatewayRow = Selectable<SmsGatewaysTable>;
export type SmsMessage = Selectable<SmsMessagesTable>;
export type SmsAttempt = Selectable<SmsAttemptsTable>;
export type SmsPart = Selectable<SmsPartsTable>;
