/**
 * The devices module's shared shapes, with no imports of its own: the repository, the service and
 * the describing helpers all read them, so none of those needs another (no cycle between them).
 */

export interface DeviceEvent {
  id: number;
  voucherId: number;
  deviceId: number | null;
  actor: 'customer' | 'operator' | 'system';
  actorId: number | null;
  clientIp: string | null;
  action: string;
  details: Record<string, unknown>;
  createdAtMs: number;
}

export const DEVICE_EVENT_ACTORS = ['customer', 'operator', 'system'] as const;

/** Who is changing devices: a signed-in customer (only their own vouchers) or an operator. */
export type DeviceActor =
  | { kind: 'customer'; customerId: number; clientIp: string | null }
  | { kind: 'operator'; adminId: number | null; clientIp: string | null };

export interface DisconnectSummary {
  /** Live sessions the MAC had on this voucher. */
  sessions: number;
  /** Sessions the hotspot confirmed gone (ACK, or NAK "Session Context Not Found"). */
  confirmed: number;
  /** Sessions whose disconnect was not confirmed (no answer yet, NAK): retried in the background. */
  unconfirmed: number;
  /**
   * The hotspot had not answered when the caller stopped waiting (boundedTerminator): the first
   * exchange goes on; DevicesService.disconnectProgress tells how it ends.
   */
  inProgress?: boolean;
}
