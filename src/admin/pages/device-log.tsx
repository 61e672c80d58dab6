/**
 * Logs > Device changes: every change to the devices of the tenant's vouchers, newest first —
 * when (tenant time zone), who (customer or operator), from which IP, what, on which voucher and
 * MAC — filtered by MAC, actor and days. Keyset pages ("Older changes") that stay put while new
 * changes arrive, without JavaScript. Read-only admins may read it.
 */
import type { FastifyPluginAsync } from 'fastify';
import { DEVICE_EVENT_ACTORS, type DeviceEventFilter } from '../../devices/index.js';
import { dayRangeInZone, macFilter } from '../forms.js';
import { adminKit as kit } from '../kit.js';
import { DayRangeFields, isFiltered, MacLinks } from '../views/components.js';
import {
  CHANGES_BEFORE,
  ChangesPager,
  DeviceEventsTable,
  eventsPage,
  formatChangesBefore,
  loadEventActors,
  parseChangesBefore,
} from '../views/device-events.js';

export const DEVICE_LOG_PATH = '/admin/logs/devices';

/** Changes per page. */
const SHOWN = 50;

const ACTOR_LABELS: Record<(typeof DEVICE_EVENT_ACTORS)[number], string> = {
  customer: 'Customers (portal)',
  operator: 'Operators (admin area, API)',
  system: 'Automatic (at login)',
};

type Query = Record<string, string | undefined>;

export const deviceLogPages: FastifyPluginAsync = async (admin) => {
  const deps = admin.adminDeps;
  admin.get<{ Querystring: Query }>(DEVICE_LOG_PATH, async (request, reply) => {
    const q = request.query;
    const tenant = request.tenant;
    const byMac = macFilter(q.mac);
    const actor = DEVICE_EVENT_ACTORS.find((a) => a === q.who);
    const days = dayRangeInZone(q.from, q.to, tenant.time_zone);
    const filter: DeviceEventFilter = {
      mac: byMac.mac,
      actor,
      createdFromMs: days.fromMs,
      createdToMs: days.toMs,
    };
    const before = parseChangesBefore(q[CHANGES_BEFORE]);
    // One row more than shown tells whether there is an older page; a bad MAC lists nothing.
    const fetched = byMac.error
      ? []
      : await deps.voucherDevices.eventLog(tenant.id, filter, { limit: SHOWN + 1, before });
    const page = eventsPage(fetched, SHOWN, before);
    const [actors, voucherCodes] = await Promise.all([
      loadEventActors(deps, tenant.id, page.events),
      deps.voucherDevices.voucherCodes(
        tenant.id,
        page.events.map((e) => e.voucherId),
      ),
    ]);
    // The filters as typed (normalised where parsed), kept by the pager's links.
    const kept: Record<string, string> = {};
    for (const [key, value] of Object.entries({
      mac: byMac.mac ?? q.mac?.trim(),
      who: actor,
      from: q.from,
      to: q.to,
    }))
      if (value) kept[key] = value;
    const href = (cursor: typeof before) => {
      const params = new URLSearchParams(kept);
      if (cursor) params.set(CHANGES_BEFORE, formatChangesBefore(cursor));
      const search = params.toString();
      return search ? `${DEVICE_LOG_PATH}?${search}` : DEVICE_LOG_PATH;
    };
    return kit.render(request, reply, {
      title: 'Device changes',
      status: byMac.error ? 400 : 200,
      error: byMac.error,
      body: (
        <>
          <p class="muted">
            Every change to the devices (MAC addresses) on this tenant's vouchers, by customers in the portal,
            by operators here or through the API, and automatically at login (a device's first connection
            binds it; the device limit may replace one). Times are in {tenant.time_zone}.
          </p>
          <form method="get" class="filters" action={DEVICE_LOG_PATH}>
            <input name="mac" placeholder="Device MAC" value={q.mac ?? ''} aria-label="Device MAC address" />
            <select name="who" aria-label="Who">
              <option value="">Anyone</option>
              {DEVICE_EVENT_ACTORS.map((a) => (
                <option value={a} selected={actor === a}>
                  {ACTOR_LABELS[a]}
                </option>
              ))}
            </select>
            <DayRangeFields from={q.from} to={q.to} />
            <button type="submit">Filter</button>
          </form>
          {byMac.mac ? <MacLinks mac={byMac.mac} here="devices" /> : null}
          <DeviceEventsTable
            label="Device changes"
            events={page.events}
            actors={actors}
            timeZone={tenant}
            voucherCodes={voucherCodes}
            empty={
              isFiltered({ ...q, [CHANGES_BEFORE]: undefined })
                ? 'No device changes match.'
                : page.pagedBack
                  ? 'No older changes.'
                  : 'No device changes yet. Adding, renaming, replacing, removing or disconnecting a device on a voucher is recorded here.'
            }
          />
          <ChangesPager page={page} href={href} />
        </>
      ),
    });
  });
};
