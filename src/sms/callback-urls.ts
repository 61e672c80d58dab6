/**
 * Where providers report delivery. Built only from configured public URLs (the tenant's, else
 * PORTICO_PUBLIC_URL), never from a request's Host header: Twilio signs the exact URL it was
 * given, and verification must rebuild that same string.
 */
import type { SmsGatewayRow, Tenant } from '../store/index.js';

/** The tenant's configured public origin (no trailing slash), or undefined when none is set. */
export function publicBaseUrl(tenant: Pick<Tenant, 'public_url'>, deploymentUrl: string | undefined) {
  return tenant.public_url?.replace(/\/+$/, '') || deploymentUrl?.replace(/\/+$/, '') || undefined;
}

/** Twilio's StatusCallback for a gateway (the signed URL; no query string). */
export function twilioCallbackUrl(base: string, gatewayId: number): string {
  return `${base}/sms/callbacks/twilio/${gatewayId}`;
}

/**
 * The generic delivery-report URL of one message through an HTTP gateway (Kannel's dlr-url):
 * the gateway's secret in the path, Portico's message id in `ref`, and Kannel's `%d` (report
 * type) in `status`, which Kannel fills in.
 */
export function httpCallbackUrl(base: string, gatewayId: number, secret: string, messageId: number): string {
  return `${base}/sms/callbacks/http/${gatewayId}/${encodeURIComponent(secret)}?ref=${messageId}&status=%d`;
}

/** The callback URL for a message through `row`, if that gateway type has callbacks and a base is known. */
export function statusCallbackUrl(
  base: string | undefined,
  row: Pick<SmsGatewayRow, 'id' | 'type' | 'callback_secret'>,
  messageId: number,
): string | undefined {
  if (!base) return undefined;
  if (row.type === 'twilio') return twilioCallbackUrl(base, row.id);
  if (row.type === 'http' && row.callback_secret)
    return httpCallbackUrl(base, row.id, row.callback_secret, messageId);
  return undefined;
}
