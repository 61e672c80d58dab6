/**
 * The device audit trail as operators read it, shared by a voucher's "Device changes" block and
 * Logs > Device changes: who (customer phone or admin name), the change in words, the table, and
 * keyset paging that works without JavaScript (`?changesBefore=<createdAtMs>-<id>` links).
 */
import type { VNode } from 'preact';
import {
  deviceEventFacts,
  deviceLimitText,
  type DeviceEvent,
  type DeviceEventCursor,
  type DeviceEventFacts,
} from '../../devices/index.js';
import type { AdminDeps } from '../deps.js';
import { Table, Empty, when, type AdminZone } from './components.js';

/** The query parameter of a page of older changes. */
export const CHANGES_BEFORE = 'changesBefore';

/** `<createdAtMs>-<id>` → where the next page starts; anything else → the newest page. */
export function parseChangesBefore(raw: unknown): DeviceEventCursor | undefined {
  const match = typeof raw === 'string' ? /^(\d{1,15})-(\d{1,15})$/.exec(raw) : null;
  return match ? { createdAtMs: Number(match[1]), id: Number(match[2]) } : undefined;
}

export function formatChangesBefore(cursor: DeviceEventCursor): string {
  return `${cursor.createdAtMs}-${cursor.id}`;
}

/** One keyset page: the changes shown and, when there are more, where the older ones start. */
export interface EventsPage {
  events: DeviceEvent[];
  older?: DeviceEventCursor | undefined;
  /** This is an older page (so offer the way back to the newest). */
  pagedBack: boolean;
}

/**
 * A page from `shown + 1` fetched rows: the extra row only says there is an older page. Fetch
 * with `limit: shown + 1, before`.
 */
export function eventsPage(fetched: DeviceEvent[], shown: number, before: unknown): EventsPage {
  const events = fetched.slice(0, shown);
  const last = events.at(-1);
  return {
    events,
    older: fetched.length > shown && last ? { createdAtMs: last.createdAtMs, id: last.id } : undefined,
    pagedBack: before !== undefined,
  };
}

/** Who the actors of some changes are: customers' phones and admins' names, by id. */
export interface EventActors {
  adminNames: Map<number, string>;
  customerPhones: Map<number, string>;
}

/** The tenant's customers and admins named in `events` (no query when there are none). */
export async function loadEventActors(
  deps: Pick<AdminDeps, 'customers' | 'admins'>,
  tenantId: number,
  events: DeviceEvent[],
): Promise<EventActors> {
  const customerIds = events.flatMap((e) =>
    e.actor === 'customer' && e.actorId !== null ? [e.actorId] : [],
  );
  const hasOperatorEvents = events.some((e) => e.actor === 'operator' && e.actorId !== null);
  const [customers, admins] = await Promise.all([
    deps.customers.byIds(tenantId, customerIds),
    hasOperatorEvents ? deps.admins.list(tenantId) : Promise.resolve([]),
  ]);
  return {
    adminNames: new Map(admins.map((a) => [a.id, a.name])),
    customerPhones: new Map([...customers].map(([id, c]) => [id, c.phone])),
  };
}

/** Why the device-limit policy took a device away at a login (issue 15, 8e). */
function automaticReplacement(f: DeviceEventFacts): string {
  const limit = f.automatic?.limit;
  const full =
    limit === null || limit === undefined
      ? 'the voucher was at its device limit'
      : `the voucher allows ${deviceLimitText(limit)}`;
  const which = f.automatic?.victimOnline ? 'the device online the longest' : 'an offline device';
  return `Replaced ${f.fromMac} with ${f.toMac}: ${f.toMac} logged in with the voucher code and ${full}, so ${which} made room`;
}

/** The audit row's "what", in the operator's words. */
export function eventSummary(event: DeviceEvent): string {
  const f = deviceEventFacts(event);
  const titled = f.title ? ` (“${f.title}”)` : '';
  switch (f.kind) {
    case 'added':
      return `Added ${f.mac}${titled}`;
    case 'edited':
      return f.title ? `Renamed ${f.mac} to “${f.title}”` : `Cleared the name of ${f.mac}`;
    case 'replaced':
      return f.automatic ? automaticReplacement(f) : `Replaced ${f.fromMac} with ${f.toMac}${titled}`;
    case 'removed':
      return `Removed ${f.mac}${titled}`;
    case 'disconnected':
      return `Disconnected ${f.mac}`;
    case 'other':
      return `${f.action} ${f.mac}`.trim();
  }
}

export function Who(props: { event: DeviceEvent; actors: EventActors }): VNode {
  const { event, actors } = props;
  if (event.actor === 'customer' && event.actorId !== null) {
    const phone = actors.customerPhones.get(event.actorId);
    return (
      <>
        Customer <a href={`/admin/customers/${event.actorId}`}>{phone ?? `#${event.actorId}`}</a>
      </>
    );
  }
  if (event.actor === 'operator') {
    if (event.actorId === null) return <>Operator (API token)</>;
    const name = actors.adminNames.get(event.actorId);
    return <>Operator {name ?? `#${event.actorId} (deleted)`}</>;
  }
  return <>{event.actor === 'system' ? 'Automatic (at login)' : event.actor}</>;
}

/** The changes as a table; with `voucherCodes`, also which voucher and MAC each is about (the log). */
export function DeviceEventsTable(props: {
  events: DeviceEvent[];
  actors: EventActors;
  timeZone: AdminZone;
  empty: string;
  /** Names the table's scrolling region ("Device changes"). */
  label: string;
  voucherCodes?: Map<number, string>;
}): VNode {
  const { events, voucherCodes } = props;
  if (events.length === 0) return <Empty>{props.empty}</Empty>;
  return (
    <Table label={props.label} class="device-events">
      <thead>
        <tr>
          <th>When</th>
          <th>Who</th>
          <th>From IP</th>
          <th>What</th>
          {voucherCodes ? (
            <>
              <th>Voucher</th>
              <th>MAC</th>
            </>
          ) : null}
        </tr>
      </thead>
      <tbody>
        {events.map((event) => (
          <tr>
            <td>{when(event.createdAtMs, props.timeZone)}</td>
            <td>
              <Who event={event} actors={props.actors} />
            </td>
            <td>{event.clientIp ?? '—'}</td>
            <td>{eventSummary(event)}</td>
            {voucherCodes ? (
              <>
                <td>
                  <a href={`/admin/vouchers/${event.voucherId}#devices`}>
                    {voucherCodes.get(event.voucherId) ?? `#${event.voucherId}`}
                  </a>
                </td>
                <td>
                  <code>{deviceEventFacts(event).mac || '—'}</code>
                </td>
              </>
            ) : null}
          </tr>
        ))}
      </tbody>
    </Table>
  );
}

/**
 * "← Newest changes" and "Older changes →" links: `href(cursor)` is the page starting after
 * `cursor`, `href(undefined)` the newest page (both keep the page's filters).
 */
export function ChangesPager(props: {
  page: EventsPage;
  href: (before: DeviceEventCursor | undefined) => string;
}): VNode | null {
  const { older, pagedBack } = props.page;
  if (!older && !pagedBack) return null;
  return (
    <nav class="pager" aria-label="Device changes pages">
      {pagedBack ? <a href={props.href(undefined)}>← Newest changes</a> : null}
      {older ? <a href={props.href(older)}>Older changes →</a> : null}
    </nav>
  );
}
