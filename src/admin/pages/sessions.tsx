import type { FastifyInstance } from 'fastify';
import { pageRequest, parseSort } from '../../shared/index.js';
import { SESSION_SORT_KEYS } from '../../usage/admin-queries.js';
import type { AdminDeps } from '../deps.js';
import type { AdminKit } from '../kit.js';
import { Badge, Empty, formatBytes, formatDuration, Pager, when } from '../views/components.js';

type Query = Record<string, string | undefined>;

export async function sessionsPages(admin: FastifyInstance, deps: AdminDeps, kit: AdminKit): Promise<void> {
  admin.get<{ Querystring: Query }>('/admin/sessions', async (request, reply) => {
    const q = request.query;
    const online = q.online === 'yes' ? true : q.online === 'no' ? false : undefined;
    const sort = parseSort(q.sort, SESSION_SORT_KEYS, { key: 'started_at', direction: 'desc' });
    const page = await deps.sessions.list(
      request.tenant.id,
      { online },
      sort,
      pageRequest(q.page, q.perPage),
    );
    const tz = request.tenant.time_zone;
    return kit.render(request, reply, {
      title: 'Sessions',
      body: (
        <>
          <form method="get" class="filters">
            <select name="online" aria-label="Online">
              <option value="">All sessions</option>
              <option value="yes" selected={q.online === 'yes'}>
                Online now
              </option>
              <option value="no" selected={q.online === 'no'}>
                History
              </option>
            </select>
            <button type="submit">Show</button>
          </form>
          {page.items.length === 0 ? (
            <Empty>No sessions.</Empty>
          ) : (
            <table>
              <thead>
                <tr>
                  <th>User</th>
                  <th>MAC</th>
                  <th>IP</th>
                  <th>Start</th>
                  <th>Stop</th>
                  <th>Data</th>
                  <th>Time</th>
                  <th>Cause</th>
                </tr>
              </thead>
              <tbody>
                {page.items.map((s) => (
                  <tr>
                    <td>
                      {s.voucherId ? <a href={`/admin/vouchers/${s.voucherId}`}>{s.userName}</a> : s.userName}
                    </td>
                    <td>{s.mac ?? ''}</td>
                    <td>{s.framedIp ?? ''}</td>
                    <td>{when(s.startedAtMs, tz)}</td>
                    <td>{s.online ? <Badge status="online" /> : when(s.stoppedAtMs, tz)}</td>
                    <td>
                      ↓ {formatBytes(s.downloadedBytes)} ↑ {formatBytes(s.uploadedBytes)}
                    </td>
                    <td>{formatDuration(s.sessionSeconds)}</td>
                    <td>{s.terminateCause ?? ''}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          <Pager page={page} basePath="/admin/sessions" query={q} />
        </>
      ),
    });
  });
}
