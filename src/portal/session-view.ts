/** A customer's session as the portal shows it (the dashboard, a voucher, the sessions page). */
import { sessionDurationSeconds, type CustomerSession } from '../usage/index.js';
import type { Formatter } from './format.js';
import type { MessageKey, Translate } from './i18n/index.js';

export interface SessionView {
  id: number;
  online: boolean;
  start: string;
  end: string | null;
  duration: string;
  download: string;
  upload: string;
  device: string;
  mac: string | null;
  hotspot: string;
  planTitle: string;
  reason: string;
}

export type SessionNumbers = Pick<SessionView, 'id' | 'duration' | 'download' | 'upload'>;

const KNOWN_CAUSES = new Set([
  'User-Request',
  'Lost-Carrier',
  'Lost-Service',
  'Idle-Timeout',
  'Session-Timeout',
  'Admin-Reset',
  'Admin-Reboot',
  'Port-Error',
  'NAS-Error',
  'NAS-Request',
  'NAS-Reboot',
  'Port-Unneeded',
  'Port-Preempted',
  'Port-Suspended',
  'Service-Unavailable',
  'Callback',
  'User-Error',
  'Host-Request',
]);

/** RFC 2866 §5.10 Acct-Terminate-Cause, in plain words. */
export function terminateCauseText(cause: string | null, t: Translate): string {
  if (cause === null || cause === '') return t('cause.none');
  if (KNOWN_CAUSES.has(cause)) return t(`cause.${cause}` as MessageKey);
  return t('cause.unknown', { cause });
}

/** A session's numbers that move with accounting (the page and the live summary show the same). */
export function sessionNumbers(session: CustomerSession, nowMs: number, fmt: Formatter): SessionNumbers {
  return {
    id: session.id,
    // One definition everywhere (usage/duration.ts): counted by the hotspot, on to now while open.
    duration: fmt.duration(sessionDurationSeconds(session, nowMs)),
    download: fmt.bytes(session.downloadedBytes),
    upload: fmt.bytes(session.uploadedBytes),
  };
}

export function sessionView(
  session: CustomerSession,
  nowMs: number,
  t: Translate,
  fmt: Formatter,
): SessionView {
  const online = session.stoppedAtMs === null;
  return {
    ...sessionNumbers(session, nowMs, fmt),
    online,
    start: fmt.dateTime(session.startedAtMs),
    end: session.stoppedAtMs === null ? null : fmt.dateTime(session.stoppedAtMs),
    device: session.deviceTitle ?? session.mac ?? t('sessions.unknownDevice'),
    mac: session.mac,
    hotspot: session.hotspotTitle ?? t('sessions.unknownHotspot'),
    planTitle: session.voucherPlanTitle,
    reason: online ? t('sessions.onlineNow') : terminateCauseText(session.terminateCause, t),
  };
}
