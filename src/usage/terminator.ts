/**
 * The SessionTerminator port: how usage asks a hotspot to end a session (RFC 5176
 * Disconnect-Request, implemented by radius/dynauth.ts and wired in app.ts).
 */
export interface DisconnectTarget {
  hotspot: {
    id: number;
    vendor: string;
    ipAddress: string;
    coaPort: number;
    secret: string;
  };
  session: {
    acctSessionId: string;
    userName: string;
    framedIp: string | null;
    mac: string | null;
  };
}

export interface DisconnectOutcome {
  status: 'acked' | 'nacked' | 'timeout';
  /** Error-Cause of a NAK (RFC 5176 §3.5), e.g. 503 Session-Context-Not-Found. */
  errorCause: number | null;
  attempts: number;
}

/** Port to the hotspots module: where a hotspot takes Disconnect-Requests (wired in app.ts). */
export interface HotspotDirectory {
  disconnectTarget(tenantId: number, hotspotId: number): Promise<DisconnectTarget['hotspot'] | undefined>;
}

export interface SessionTerminator {
  disconnect(target: DisconnectTarget): Promise<DisconnectOutcome>;
}

/** A terminator that records what it was asked and answers as told (tests). */
export class FakeSessionTerminator implements SessionTerminator {
  readonly requests: DisconnectTarget[] = [];
  answer: DisconnectOutcome = { status: 'acked', errorCause: null, attempts: 1 };

  disconnect(target: DisconnectTarget): Promise<DisconnectOutcome> {
    this.requests.push(target);
    return Promise.resolve(this.answer);
  }
}
