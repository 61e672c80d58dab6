/**
 * The vouchers and sessions tables that several admin pages show (the vouchers list, a
 * customer's page, a voucher's page): one definition each, so the same voucher or session reads
 * the same everywhere (status words, usage against the limits, one session duration).
 */
import type { VNode } from 'preact';
import type { SessionView } from '../../usage/index.js';
import { sessionDurationSeconds } from '../../usage/index.js';
import type { VoucherView } from '../../vouchers/index.js';
import {
  Badge,
  bytesOrUnlimited,
  formatBytes,
  formatDuration,
  secondsOrUnlimited,
  Table,
  VoucherBadge,
  when,
  type AdminZone,
} from './components.js';

/** "1.2 GB / 2 GB · 3 h / 10 h": what a voucher used against its limits. */
export function usageLine(v: VoucherView): string {
  const used = v.usage.downloadedBytes + v.usage.uploadedBytes;
  return `${formatBytes(used)} / ${bytesOrUnlimited(v.dataLimitBytes)} · ${formatDuration(v.usage.onlineSeconds)} / ${secondsOrUnlimited(v.timeLimitSeconds)}`;
}

/**
 * Vouchers, one a row. With `customers` (id → phone) a Customer column links each to its owner;
 * a customer's own page leaves it out.
 */
export function VouchersTable(props: {
  label: string;
  vouchers: readonly VoucherView[];
  zone: AdminZone;
  customers?: ReadonlyMap<number, { phone: string }>;
}): VNode {
  const { customers, zone } = props;
  return (
    <Table label={props.label} class="vouchers">
      <thead>
        <tr>
          <th>Code</th>
          <th>Plan</th>
          <th>Status</th>
          {customers ? <th>Customer</th> : null}
          <th>Usage</th>
          <th>Activated</th>
          <th>Expires</th>
        </tr>
      </thead>
      <tbody>
        {props.vouchers.map((v) => (
          <tr>
            <td>
              <a href={`/admin/vouchers/${v.id}`}>{v.code}</a>
            </td>
            <td>{v.planTitle}</td>
            <td>
              <VoucherBadge status={v.status} usedReason={v.usedReason} />
            </td>
            {customers ? (
              <td>
                {v.customerId ? (
                  <a href={`/admin/customers/${v.customerId}`}>
                    {customers.get(v.customerId)?.phone ?? `#${v.customerId}`}
                  </a>
                ) : (
                  '—'
                )}
              </td>
            ) : null}
            <td>{usageLine(v)}</td>
            <td>{when(v.activatedAtMs, zone)}</td>
            <td>{when(v.expiresAtMs, zone)}</td>
          </tr>
        ))}
      </tbody>
    </Table>
  );
}

/** A voucher's or a customer's sessions: start, stop (or online), MAC, data, time, cause. */
export function SessionsTable(props: {
  label: string;
  sessions: readonly SessionView[];
  zone: AdminZone;
  nowMs: number;
}): VNode {
  const { zone } = props;
  return (
    <Table label={props.label}>
      <thead>
        <tr>
          <th>Start</th>
          <th>Stop</th>
          <th>MAC</th>
          <th>Data</th>
          <th>Time</th>
          <th>Cause</th>
        </tr>
      </thead>
      <tbody>
        {props.sessions.map((s) => (
          <tr>
            <td>{when(s.startedAtMs, zone)}</td>
            <td>{s.online ? <Badge status="online" /> : when(s.stoppedAtMs, zone)}</td>
            <td>{s.mac ?? ''}</td>
            <td>
              ↓ {formatBytes(s.downloadedBytes)} ↑ {formatBytes(s.uploadedBytes)}
            </td>
            <td>{formatDuration(sessionDurationSeconds(s, props.nowMs))}</td>
            <td>{s.terminateCause ?? ''}</td>
          </tr>
        ))}
      </tbody>
    </Table>
  );
}
