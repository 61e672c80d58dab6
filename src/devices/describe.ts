/**
 * Language-free readings of device outcomes and audit events, shared by the customer portal
 * (which words them in the customer's language) and the operator area (English).
 */
import { parseMac } from './mac.js';
import type { DeviceEvent, DisconnectSummary } from './model.js';

/**
 * What a person is told about a disconnect: nothing was online, the hotspot is being asked
 * (checking: its answer is followed live), it confirmed, or it did not (pending: retried).
 */
export type DisconnectOutcome = 'none' | 'checking' | 'confirmed' | 'pending';

export const DISCONNECT_OUTCOMES: readonly DisconnectOutcome[] = ['none', 'checking', 'confirmed', 'pending'];

export function disconnectOutcome(summary: DisconnectSummary): DisconnectOutcome {
  if (summary.sessions === 0) return 'none';
  if (summary.inProgress) return 'checking';
  return summary.unconfirmed === 0 ? 'confirmed' : 'pending';
}

/** The query values of a redirect after a change that disconnects: the outcome, and since when. */
export function disconnectQuery(summary: DisconnectSummary, sinceMs: number): Record<string, string> {
  const outcome = disconnectOutcome(summary);
  return outcome === 'checking' ? { disconnect: outcome, since: String(sinceMs) } : { disconnect: outcome };
}

/** `since` of such a redirect back to epoch milliseconds, or undefined. */
export function parseSince(value: unknown): number | undefined {
  return typeof value === 'string' && /^\d{1,15}$/.test(value) ? Number(value) : undefined;
}

/** What a device change returns that its redirect reports: the device and the disconnect it made. */
export interface DeviceChangeResult {
  device: { mac: string };
  disconnect: DisconnectSummary;
}

/**
 * The query values of the redirect after an edit: a new MAC is a replacement (the old MAC, whose
 * sessions were disconnected, and how that went); otherwise just "edited".
 */
export function editedDeviceQuery(
  previousMac: string,
  result: DeviceChangeResult,
  sinceMs: number,
): Record<string, string> {
  return result.device.mac === previousMac
    ? { device: 'edited' }
    : { device: 'replaced', mac: previousMac, ...disconnectQuery(result.disconnect, sinceMs) };
}

/** The query values of the redirect after a removal or a disconnect: which, the MAC, and how the disconnect went. */
export function endedDeviceQuery(
  done: 'removed' | 'disconnected',
  result: DeviceChangeResult,
  sinceMs: number,
): Record<string, string> {
  return { device: done, mac: result.device.mac, ...disconnectQuery(result.disconnect, sinceMs) };
}

/** The disconnect a page follows, from its `mac` and `since` query values; undefined when either is off. */
export function followedDisconnect(
  query: Record<string, unknown>,
): { mac: string; sinceMs: number } | undefined {
  const mac = typeof query.mac === 'string' ? parseMac(query.mac) : undefined;
  const sinceMs = parseSince(query.since);
  return mac && sinceMs !== undefined ? { mac, sinceMs } : undefined;
}

/** A query value back to an outcome (after a redirect), or undefined when it is none of them. */
export function parseDisconnectOutcome(value: unknown): DisconnectOutcome | undefined {
  return DISCONNECT_OUTCOMES.find((outcome) => outcome === value);
}

/** The audit actions the service writes; anything else (older or future rows) is 'other'. */
export const DEVICE_EVENT_KINDS = ['added', 'edited', 'replaced', 'removed', 'disconnected'] as const;
export type DeviceEventKind = (typeof DEVICE_EVENT_KINDS)[number] | 'other';

export type DeviceEventFacts = {
  kind: DeviceEventKind;
  /** The raw action (shown for 'other'). */
  action: string;
  /** The MAC the event is about (for a replacement: the new one). */
  mac: string;
  fromMac: string;
  toMac: string;
  /** The device title the event set or had, '' when none. */
  title: string;
  /**
   * A replacement the device-limit policy made at a login (actor system): the voucher's device
   * limit then (null on rows older than that fact) and whether the device it took away was online.
   */
  automatic: { limit: number | null; victimOnline: boolean } | null;
};

/**
 * The MACs an audit event is about, from its details: `mac` is the address the change leaves on
 * the voucher (or removed or disconnected), `replacedMac` the address a replacement took away.
 * People's replacements write {fromMac, toMac}; the RADIUS device-limit policy writes
 * {mac, replacedBy}. Stored in columns beside the details so the log can be searched by MAC.
 */
export function eventMacs(
  action: string,
  details: Record<string, unknown>,
): { mac: string | null; replacedMac: string | null } {
  const text = (key: string): string | null => {
    const value = details[key];
    return typeof value === 'string' && value !== '' ? value : null;
  };
  if (action === 'replaced') {
    if (text('toMac') !== null) return { mac: text('toMac'), replacedMac: text('fromMac') };
    return { mac: text('replacedBy'), replacedMac: text('mac') };
  }
  return { mac: text('mac'), replacedMac: null };
}

/** The typed facts of an audit row: its details are JSON, so every field is read defensively. */
export function deviceEventFacts(event: DeviceEvent): DeviceEventFacts {
  const detail = (key: string): string => {
    const value = event.details[key];
    return typeof value === 'string' ? value : '';
  };
  const kind = DEVICE_EVENT_KINDS.find((k) => k === event.action) ?? 'other';
  const macs = eventMacs(event.action, event.details);
  return {
    kind,
    action: event.action,
    mac: macs.mac ?? '',
    fromMac: kind === 'replaced' ? (macs.replacedMac ?? '') : '',
    toMac: kind === 'replaced' ? (macs.mac ?? '') : '',
    title: detail('title'),
    automatic:
      kind === 'replaced' && event.actor === 'system'
        ? {
            limit:
              typeof event.details.limit === 'number' && Number.isInteger(event.details.limit)
                ? event.details.limit
                : null,
            victimOnline: event.details.victimOnline === true,
          }
        : null,
  };
}
