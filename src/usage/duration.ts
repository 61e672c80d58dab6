/**
 * One definition of a session's duration, for the portal, the admin area and the API alike: the
 * hotspot's Acct-Session-Time as of the last accounting packet, plus — while the session is
 * open — the time since that packet on Portico's own clock. The session's start time is not used:
 * it comes from the hotspot's clock (Event-Timestamp), which may be hours off. The voucher's
 * time total counts the same Acct-Session-Time, so the two agree up to one interim interval.
 */
export function sessionDurationSeconds(
  session: { sessionSeconds: number; updatedAtMs: number; stoppedAtMs: number | null },
  nowMs: number,
): number {
  if (session.stoppedAtMs !== null) return session.sessionSeconds;
  return session.sessionSeconds + Math.max(0, Math.floor((nowMs - session.updatedAtMs) / 1000));
}
