/**
 * How a disconnect asked for at `sinceMs` stands now, read from what is stored (sessions and
 * disconnect_requests), so any process can answer a page that polls, or a reload without
 * JavaScript: `checking` while the first Disconnect-Request exchange runs, then `confirmed`
 * (the hotspot ACKed, said the session is gone, or the session stopped) or `pending` (not
 * confirmed: the retry sweep tries again); `none` when nothing of it was online.
 */

export type DisconnectProgress = 'none' | 'checking' | 'confirmed' | 'pending';

/** RFC 5176 §3.5 Error-Cause 503: the NAS has no such session — it is already gone. */
const SESSION_NOT_FOUND = 503;

/**
 * A request row still `pending` after this long belongs to a process that stopped mid-exchange
 * (one exchange lasts at most the Disconnect client's 30 s window): read it as not confirmed.
 */
export const CHECKING_AT_MOST_MS = 45_000;

export interface ProgressSession {
  id: number;
  stoppedAtMs: number | null;
}

export interface ProgressRequest {
  sessionId: number;
  status: string;
  errorCause: number | null;
  createdAtMs: number;
}

/** The outcome for the sessions that were live at `sinceMs` and the requests sent since. */
export function judgeDisconnectProgress(
  sessions: ProgressSession[],
  requests: ProgressRequest[],
  sinceMs: number,
  nowMs: number,
): { progress: DisconnectProgress; errorCause: number | null } {
  if (sessions.length === 0) return { progress: 'none', errorCause: null };
  const latest = new Map<number, ProgressRequest>();
  for (const request of requests) {
    const seen = latest.get(request.sessionId);
    if (!seen || request.createdAtMs >= seen.createdAtMs) latest.set(request.sessionId, request);
  }
  let checking = false;
  let unconfirmed = false;
  let errorCause: number | null = null;
  for (const session of sessions) {
    if (session.stoppedAtMs !== null) continue;
    const request = latest.get(session.id);
    const fresh = nowMs - (request?.createdAtMs ?? sinceMs) < CHECKING_AT_MOST_MS;
    if (!request || request.status === 'pending') {
      // Not recorded yet (the exchange is starting) or under way.
      if (fresh) checking = true;
      else unconfirmed = true;
    } else if (request.status === 'acked') continue;
    else if (request.status === 'nacked' && request.errorCause === SESSION_NOT_FOUND) continue;
    else {
      unconfirmed = true;
      errorCause ??= request.errorCause;
    }
  }
  if (checking) return { progress: 'checking', errorCause: null };
  return { progress: unconfirmed ? 'pending' : 'confirmed', errorCause };
}
