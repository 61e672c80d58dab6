/**
 * When Portico asks a hotspot again to end a session it asked to end before. Each attempt is a
 * whole RFC 5176 exchange (the Disconnect client retransmits for up to 30 s), so attempts are
 * minutes apart and double each time: a hotspot that is down or has CoA switched off
 * (MikroTik's default `/radius incoming accept=no`) gets a handful of requests, not a stream.
 * A hotspot that is really gone stops sending accounting, and the stale-session rule
 * (UsageService.sweep) closes its sessions; this only matters for hotspots that keep a session
 * alive (Interim-Updates) while ignoring our requests.
 */
import { MINUTE_MS } from '../shared/index.js';

export interface DisconnectRetryPolicy {
  /** Wait after the first attempt; must exceed the Disconnect client's 30 s retransmission window. */
  firstRetryAfterMs: number;
  /** The wait doubles after every attempt, up to this. */
  maxBackoffMs: number;
  /** Attempts per session in all (the first request included); then Portico gives up and says so. */
  maxAttempts: number;
}

/** 1, 2, 4, 8, 16, 30, 30 minutes apart: 8 attempts over about an hour and a half. */
export const DEFAULT_DISCONNECT_RETRY_POLICY: Readonly<DisconnectRetryPolicy> = Object.freeze({
  firstRetryAfterMs: MINUTE_MS,
  maxBackoffMs: 30 * MINUTE_MS,
  maxAttempts: 8,
});

/**
 * When the next attempt may start, after `attemptsMade` attempts of which the last started at
 * `lastAttemptAtMs`; null when the cap is reached (no more attempts).
 */
export function nextDisconnectAttemptAt(
  attemptsMade: number,
  lastAttemptAtMs: number,
  policy: DisconnectRetryPolicy,
): number | null {
  if (attemptsMade >= policy.maxAttempts) return null;
  const exponent = Math.max(0, attemptsMade - 1);
  // 2^exponent overflows nothing here: the cap on maxBackoffMs is applied before it matters.
  const backoffMs = Math.min(policy.firstRetryAfterMs * 2 ** Math.min(exponent, 30), policy.maxBackoffMs);
  return lastAttemptAtMs + backoffMs;
}
