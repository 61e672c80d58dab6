/**
 * Voucher lifecycle events. "Voucher activated" fires when an operator assigns a voucher to a
 * customer (or a series is made for a customer), so notifications can send the portal link.
 * A listener's failure is logged by the emitter's owner and never undoes the operator's action.
 */
export interface VoucherActivatedEvent {
  tenantId: number;
  voucherId: number;
  customerId: number;
  /** Who caused it: an operator action, or the RADIUS engine on first login. */
  source: 'operator' | 'radius';
  atMs: number;
}

export type VoucherActivatedListener = (event: VoucherActivatedEvent) => void | Promise<void>;

export class VoucherEvents {
  private readonly listeners: VoucherActivatedListener[] = [];

  constructor(private readonly onError: (error: unknown, event: VoucherActivatedEvent) => void = () => {}) {}

  onVoucherActivated(listener: VoucherActivatedListener): void {
    this.listeners.push(listener);
  }

  /** Runs every listener; errors are reported, not thrown. */
  async emitVoucherActivated(event: VoucherActivatedEvent): Promise<void> {
    for (const listener of this.listeners) {
      try {
        await listener(event);
      } catch (error) {
        this.onError(error, event);
      }
    }
  }
}
