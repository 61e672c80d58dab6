import type { FastifyPluginAsync } from 'fastify';
import { canWrite } from '../../auth/index.js';
import { parseSince } from '../../devices/index.js';
import { idParam, macFilter } from '../forms.js';
import { AppError, countOf, pageRequest, parseSort } from '../../shared/index.js';
import {
  SESSION_SORT_KEYS,
  SESSION_USERS,
  sessionDurationSeconds,
  type SessionDisconnectState,
  type SessionUser,
} from '../../usage/index.js';
import { adminKit as kit } from '../kit.js';
import {
  Table,
  ActionButton,
  Badge,
  Empty,
  ReloadForOutcome,
  isFiltered,
  formatBytes,
  formatDuration,
  Pager,
  whenShort,
  MacLinks,
  type AdminZone,
} from '../views/components.js';

type Query = Record<string, string | undefined>;

/** Where Portico's Disconnect-Requests for a live session stand (the retry sweep's state). */
function disconnectNote(d: SessionDisconnectState, tz: AdminZone, nowMs: number): string {
  const asked = `Disconnect requested (${d.reason.replaceAll('_', ' ')})`;
  if (d.confirmedAtMs !== null) return `${asked}: confirmed by the hotspot.`;
  const tries = countOf(d.attempts, 'attempt', 'attempts');
  return d.nextAttemptAtMs !== null
    ? `${asked}: not confirmed after ${tries}; next try ${whenShort(d.nextAttemptAtMs, tz, nowMs)}.`
    : `${asked}: not confirmed after ${tries}; no more retries.`;
}

/**
 * What the router said, in an operator's words, for the Error-Causes of a Disconnect-NAK that
 * have something to do about them (RFC 5176 §3.5); others are shown by number.
 */
const ERROR_CAUSE_ADVICE: Record<string, string> = {
  '403': 'the router does not know itself by the address Portico has for it; check the hotspot’s IP address',
  '501': 'the router does not allow remote disconnects; on MikroTik: /radius incoming set accept=yes',
  '504': 'the router cannot end this session',
  '506': 'the router is out of resources',
};

const CHECKING_TEXT = 'Disconnecting it at the hotspot…';

function disconnectNotice(outcome: string | undefined, cause: string | undefined): string | undefined {
  if (outcome === 'checking') return CHECKING_TEXT;
  if (outcome === 'confirmed') return 'The hotspot confirmed the disconnect.';
  if (outcome === 'refused' && cause !== undefined && /^\d{3}$/.test(cause)) {
    const advice = ERROR_CAUSE_ADVICE[cause];
    return `The hotspot did not confirm the disconnect: it refused it (Error-Cause ${cause}${advice ? `: ${advice}` : ''}). It will be retried.`;
  }
  if (outcome === 'unconfirmed' || outcome === 'refused')
    return 'The hotspot did not confirm the disconnect yet; it will be retried.';
  return undefined;
}

/** A stored outcome (disconnectProgress) in the words and values of the redirect above. */
function progressNotice(progress: { progress: string; errorCause: number | null }): string | undefined {
  if (progress.progress === 'pending' && progress.errorCause !== null)
    return disconnectNotice('refused', String(progress.errorCause));
  return disconnectNotice(progress.progress === 'pending' ? 'unconfirmed' : progress.progress, undefined);
}

/** `?disconnect=checking&session=ID&since=MS`: the session and instant a page follows, else undefined. */
function followedSession(q: Query): { sessionId: number; sinceMs: number } | undefined {
  if (q.disconnect !== 'checking') return undefined;
  const sinceMs = parseSince(q.since);
  const sessionId = q.session !== undefined && /^\d{1,15}$/.test(q.session) ? Number(q.session) : undefined;
  return sinceMs !== undefined && sessionId !== undefined ? { sessionId, sinceMs } : undefined;
}

export const sessionsPages: FastifyPluginAsync = async (admin) => {
  const deps = admin.adminDeps;
  admin.get<{ Querystring: Query }>('/admin/sessions', async (request, reply) => {
    const q = request.query;
    const online = q.online === 'yes' ? true : q.online === 'no' ? false : undefined;
    const sort = parseSort(q.sort, SESSION_SORT_KEYS, { key: 'started_at', direction: 'desc' });
    const hotspots = await deps.hotspots.list(request.tenant.id);
    const hotspotId = hotspots.find((h) => String(h.id) === q.hotspotId)?.id;
    const hotspotTitle = new Map(hotspots.map((h) => [h.id, h.title]));
    const byMac = macFilter(q.mac);
    // ?voucher=ID (the voucher page's "All sessions" link); another tenant's id is NOT_FOUND.
    const voucher = q.voucher
      ? await deps.vouchers.get(request.tenant.id, idParam({ id: q.voucher }))
      : undefined;
    const user = (SESSION_USERS as readonly string[]).includes(q.user ?? '')
      ? (q.user as SessionUser)
      : undefined;
    const page = byMac.error
      ? { items: [], total: 0, ...pageRequest(q.page, q.perPage) }
      : await deps.sessions.list(
          request.tenant.id,
          { online, hotspotId, mac: byMac.mac, voucherId: voucher?.id, user },
          sort,
          pageRequest(q.page, q.perPage),
        );
    const tz = request.tenant;
    const nowMs = deps.clock.nowMs();
    const writable = canWrite(kit.actorOf(request).role);
    const csrf = kit.csrf(reply);
    // A disconnect the redirect said was being checked is read again now (a reload without
    // JavaScript shows how it ended); while it still runs, follow.js polls its outcome.
    const followed = followedSession(q);
    const live = followed
      ? await deps.usage.disconnectProgress(
          request.tenant.id,
          { sessionId: followed.sessionId },
          followed.sinceMs,
        )
      : undefined;
    const notice = live ? progressNotice(live) : disconnectNotice(q.disconnect, q.cause);
    const follow =
      followed && live?.progress === 'checking'
        ? `/admin/sessions/${followed.sessionId}/disconnect-status?since=${followed.sinceMs}`
        : undefined;
    return kit.render(request, reply, {
      title: 'Sessions',
      status: byMac.error ? 400 : 200,
      error: byMac.error,
      body: (
        <>
          {notice ? (
            <p class="notice" role="status" data-follow-disconnect={follow}>
              {notice}
            </p>
          ) : null}
          {follow ? <ReloadForOutcome /> : null}
          {voucher ? (
            <p>
              Sessions of voucher <a href={`/admin/vouchers/${voucher.id}`}>{voucher.code}</a> ·{' '}
              <a href="/admin/sessions">All sessions</a>
            </p>
          ) : null}
          <form method="get" class="filters">
            {voucher ? <input type="hidden" name="voucher" value={String(voucher.id)} /> : null}
            <select name="online" aria-label="Online">
              <option value="">All sessions</option>
              <option value="yes" selected={q.online === 'yes'}>
                Online now
              </option>
              <option value="no" selected={q.online === 'no'}>
                History
              </option>
            </select>
            {voucher ? null : (
              <select name="user" aria-label="User">
                <option value="">Customers and unknown users</option>
                <option value="customers" selected={user === 'customers'}>
                  Customers
                </option>
                <option value="unknown" selected={user === 'unknown'}>
                  Unknown users
                </option>
              </select>
            )}
            {hotspots.length > 1 ? (
              <select name="hotspotId" aria-label="Hotspot">
                <option value="">Any hotspot</option>
                {hotspots.map((h) => (
                  <option value={String(h.id)} selected={h.id === hotspotId}>
                    {h.title}
                  </option>
                ))}
              </select>
            ) : null}
            <input name="mac" placeholder="Device MAC" value={q.mac ?? ''} aria-label="Device MAC address" />
            <button type="submit">Show</button>
          </form>
          {byMac.mac ? <MacLinks mac={byMac.mac} here="sessions" /> : null}
          {user === 'unknown' ? (
            <p class="hint" data-hint="unknown-users">
              Unknown users: the router accounted for a user name that is neither a voucher nor a registered
              device, so no customer owns the session. Their usage is kept here, apart: it counts towards no
              voucher, and not in the dashboard's figures.
            </p>
          ) : null}
          {page.items.length === 0 ? (
            <Empty>
              {isFiltered(q) ? (
                'No sessions match.'
              ) : (
                <>
                  No sessions yet. A session starts when a guest connects through a hotspot with a voucher;
                  set up your router under <a href="/admin/hotspots">Hotspots</a>.
                </>
              )}
            </Empty>
          ) : (
            <Table label="Sessions" class="sessions-table">
              <thead>
                <tr>
                  <th>Voucher or user</th>
                  <th>Hotspot</th>
                  <th>Device</th>
                  <th>Started</th>
                  <th>Time</th>
                  <th>Data ↓ ↑</th>
                  <th>Ended</th>
                </tr>
              </thead>
              <tbody>
                {page.items.map((s) => (
                  <tr>
                    <td class="nowrap">
                      {s.voucherId ? (
                        <a href={`/admin/vouchers/${s.voucherId}`}>{s.userName}</a>
                      ) : (
                        <>
                          {s.userName}{' '}
                          <span class="badge badge-unknown" data-unknown-user>
                            unknown user
                          </span>
                        </>
                      )}
                    </td>
                    <td class="hotspot">
                      <a href={`/admin/hotspots/${s.hotspotId}`}>{hotspotTitle.get(s.hotspotId) ?? '—'}</a>
                    </td>
                    <td class="nowrap">
                      <code>{s.mac ?? '—'}</code>
                      {s.framedIp ? <small class="block">{s.framedIp}</small> : null}
                    </td>
                    <td class="nowrap">{whenShort(s.startedAtMs, tz, nowMs)}</td>
                    <td class="nowrap">{formatDuration(sessionDurationSeconds(s, nowMs))}</td>
                    <td class="nowrap">
                      {formatBytes(s.downloadedBytes)} · {formatBytes(s.uploadedBytes)}
                    </td>
                    <td class="ended">
                      {s.online ? (
                        <span class="session-live">
                          <Badge status="online" />
                          {writable ? (
                            <ActionButton
                              action={`/admin/sessions/${s.id}/disconnect`}
                              csrf={csrf}
                              label="Disconnect"
                              danger
                              small
                            />
                          ) : null}
                        </span>
                      ) : (
                        <span class="nowrap">
                          {whenShort(s.stoppedAtMs, tz, nowMs, s.startedAtMs)}
                          {s.terminateCause ? ` · ${s.terminateCause}` : ''}
                        </span>
                      )}
                      {s.online && s.disconnect ? (
                        <small class="block">{disconnectNote(s.disconnect, tz, nowMs)}</small>
                      ) : null}
                    </td>
                  </tr>
                ))}
              </tbody>
            </Table>
          )}
          <Pager page={page} basePath="/admin/sessions" query={q} />
        </>
      ),
    });
  });

  // Answers at once (issue 15, 11): the hotspot's answer if it came within a blink, otherwise
  // "disconnecting…", followed live by follow.js (and by a reload without JavaScript).
  admin.post('/admin/sessions/:id/disconnect', { preHandler: kit.requireWrite }, async (request, reply) => {
    const sessionId = idParam(request.params);
    const sinceMs = deps.clock.nowMs();
    const result = await deps.disconnectSession(request.tenant.id, sessionId, { forPage: true });
    const outcome = result.confirmed
      ? 'disconnect=confirmed'
      : result.status === 'pending'
        ? `disconnect=checking&session=${sessionId}&since=${sinceMs}`
        : result.status === 'nacked' && result.errorCause !== null
          ? `disconnect=refused&cause=${result.errorCause}`
          : 'disconnect=unconfirmed';
    return reply.redirect(`/admin/sessions?online=yes&${outcome}`, 303);
  });

  // The outcome of a disconnect a page is following (JSON { state, text } for follow.js).
  admin.get<{ Querystring: Query }>('/admin/sessions/:id/disconnect-status', async (request, reply) => {
    const sessionId = idParam(request.params);
    if (!(await deps.sessions.find(request.tenant.id, sessionId)))
      throw new AppError('NOT_FOUND', 'No such session');
    const sinceMs = parseSince(request.query.since);
    if (sinceMs === undefined) throw new AppError('VALIDATION', 'since is required');
    const live = await deps.usage.disconnectProgress(request.tenant.id, { sessionId }, sinceMs);
    return reply.send({ state: live.progress, text: progressNotice(live) ?? '' });
  });
};
