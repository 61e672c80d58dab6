import { Fragment, type ComponentChildren, type VNode } from 'preact';
import { formatBytes, formatDuration, formatMoney, type Page } from '../../shared/index.js';

export function CsrfField({ token }: { token: string }): VNode {
  return <input type="hidden" name="_csrf" value={token} />;
}

/** A one-button POST form (disable, enable, revoke...). */
export function ActionButton(props: {
  action: string;
  csrf: string;
  label: string;
  danger?: boolean;
  /** A compact button for a table row. */
  small?: boolean;
  fields?: Record<string, string>;
}): VNode {
  return (
    <form method="post" action={props.action} class="inline">
      <CsrfField token={props.csrf} />
      {Object.entries(props.fields ?? {}).map(([name, value]) => (
        <input type="hidden" name={name} value={value} />
      ))}
      <button type="submit" class={`${props.danger ? 'danger' : 'secondary'}${props.small ? ' small' : ''}`}>
        {props.label}
      </button>
    </form>
  );
}

/**
 * A data table in a box that scrolls sideways on its own: on a phone a wide table scrolls there
 * instead of widening the whole page. The box is a named, focusable region so that keyboard users
 * can scroll it too when the table holds no link or button (WCAG 2.1.1; axe
 * scrollable-region-focusable).
 */
export function Table(props: { label: string; class?: string; children: ComponentChildren }): VNode {
  return (
    <div class="table-scroll" role="region" aria-label={props.label} tabIndex={0}>
      <table class={props.class}>{props.children}</table>
    </div>
  );
}

/** Previous/next links that keep the current filters. */
export function Pager<T>({
  page,
  basePath,
  query,
}: {
  page: Page<T>;
  basePath: string;
  query: Record<string, unknown>;
}): VNode {
  const pages = Math.max(1, Math.ceil(page.total / page.perPage));
  const link = (n: number) => {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(query)) {
      if (
        (typeof value === 'string' || typeof value === 'number') &&
        value !== '' &&
        key !== 'page' &&
        key !== 'notice'
      )
        params.set(key, String(value));
    }
    params.set('page', String(n));
    return `${basePath}?${params.toString()}`;
  };
  return (
    <nav class="pager" aria-label="Pages">
      <span>
        {page.total} in total · page {page.page} of {pages}
      </span>
      {page.page > 1 ? <a href={link(page.page - 1)}>← Previous</a> : null}
      {page.page < pages ? <a href={link(page.page + 1)}>Next →</a> : null}
    </nav>
  );
}

const MAC_VIEWS = {
  vouchers: { path: '/admin/vouchers', text: 'Vouchers with' },
  sessions: { path: '/admin/sessions', text: 'Sessions of' },
  devices: { path: '/admin/logs/devices', text: 'Device changes of' },
} as const;

/**
 * A list's From/To day filter (`from`, `to`: calendar days in the tenant's time zone, read back
 * with forms.dayRangeInZone, "to" included).
 */
export function DayRangeFields({ from, to }: { from: string | undefined; to: string | undefined }): VNode {
  return (
    <>
      <label>
        From <input type="date" name="from" value={from ?? ''} />
      </label>
      <label>
        To <input type="date" name="to" value={to ?? ''} />
      </label>
    </>
  );
}

/** Links to the other views of one MAC (vouchers, sessions, device changes), all but `here`. */
export function MacLinks({ mac, here }: { mac: string; here: keyof typeof MAC_VIEWS }): VNode {
  const others = (Object.keys(MAC_VIEWS) as Array<keyof typeof MAC_VIEWS>).filter((view) => view !== here);
  return (
    <p>
      {others.map((view, i) => (
        <Fragment key={view}>
          {i > 0 ? ' · ' : null}
          <a href={`${MAC_VIEWS[view].path}?${new URLSearchParams({ mac }).toString()}`}>
            {MAC_VIEWS[view].text} {mac}
          </a>
        </Fragment>
      ))}
    </p>
  );
}

export function Badge({ status }: { status: string }): VNode {
  return <span class={`badge badge-${status.replace(/[^a-z_]/g, '')}`}>{status}</span>;
}

/**
 * A voucher's status as the guest's portal names it: a used voucher says why it is over
 * ("expired", "data used up", "time used up") rather than a bare "used" for an expired one.
 */
export function VoucherBadge({ status, usedReason }: { status: string; usedReason: string | null }): VNode {
  if (status !== 'used' || usedReason === null) return <Badge status={status} />;
  const label = usedReason === 'expired' ? 'expired' : `${usedReason} used up`;
  return <span class={`badge badge-used badge-used-${usedReason.replace(/[^a-z]/g, '')}`}>{label}</span>;
}

/** The sort order of a list, in words ("Newest first"), sending the allow-listed sort key. */
export function SortSelect({
  options,
  current,
}: {
  options: Array<[key: string, label: string]>;
  current: string | undefined;
}): VNode {
  return (
    <select name="sort" aria-label="Sort">
      {options.map(([key, label]) => (
        <option value={key} selected={current === key}>
          {label}
        </option>
      ))}
    </select>
  );
}

/** Whether a list's query narrows it (any filter set): "none match" rather than "none yet". */
export function isFiltered(query: Record<string, string | undefined>): boolean {
  return Object.entries(query).some(
    ([key, value]) => !['page', 'perPage', 'sort', 'notice'].includes(key) && (value ?? '').trim() !== '',
  );
}

/** Under a notice follow.js keeps current: without JavaScript, a reload shows the outcome. */
export function ReloadForOutcome(): VNode {
  return (
    <noscript>
      <p>
        <a href="">Reload this page to see how it ended.</a>
      </p>
    </noscript>
  );
}

export function Empty({ children }: { children: ComponentChildren }): VNode {
  return <p class="empty">{children}</p>;
}

/** Where and for whom admin dates are written: the tenant's zone and locale. */
export type AdminZone = { time_zone: string; locale: string } | string;

const dateFormats = new Map<string, Intl.DateTimeFormat>();

/**
 * The one admin date format ("Dec 6, 2026, 9:29 PM" for en-US): the tenant's time zone and
 * locale, medium date and short time. A bare zone string formats in en-US. Formats are cached.
 */
export function when(ms: number | null | undefined, zone: AdminZone = 'UTC'): string {
  if (ms === null || ms === undefined) return '—';
  const timeZone = typeof zone === 'string' ? zone : zone.time_zone;
  const locale = typeof zone === 'string' ? 'en-US' : zone.locale;
  const key = `${locale}|${timeZone}`;
  let format = dateFormats.get(key);
  if (!format) {
    try {
      format = new Intl.DateTimeFormat(locale, { timeZone, dateStyle: 'medium', timeStyle: 'short' });
    } catch {
      // An invalid stored locale or zone must not break the page.
      format = new Intl.DateTimeFormat('en-US', { timeZone: 'UTC', dateStyle: 'medium', timeStyle: 'short' });
    }
    if (dateFormats.size >= 200) dateFormats.clear();
    dateFormats.set(key, format);
  }
  return format.format(ms);
}

const shortFormats = new Map<string, Intl.DateTimeFormat>();

function shortFormat(zone: AdminZone, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const timeZone = typeof zone === 'string' ? zone : zone.time_zone;
  const locale = typeof zone === 'string' ? 'en-US' : zone.locale;
  const key = `${locale}|${timeZone}|${JSON.stringify(options)}`;
  let format = shortFormats.get(key);
  if (!format) {
    try {
      format = new Intl.DateTimeFormat(locale, { timeZone, ...options });
    } catch {
      format = new Intl.DateTimeFormat('en-US', { timeZone: 'UTC', ...options });
    }
    if (shortFormats.size >= 200) shortFormats.clear();
    shortFormats.set(key, format);
  }
  return format;
}

/**
 * `when` for a dense table ("Nov 27, 10:30 AM"): the same zone and locale, the year only when it
 * is not `nowMs`'s, and only the time when `sameDayAsMs` is on the same calendar day.
 */
export function whenShort(
  ms: number | null | undefined,
  zone: AdminZone,
  nowMs: number,
  sameDayAsMs?: number,
): string {
  if (ms === null || ms === undefined) return '—';
  const day = shortFormat(zone, { year: 'numeric', month: '2-digit', day: '2-digit' });
  const time = { hour: 'numeric', minute: '2-digit' } as const;
  if (sameDayAsMs !== undefined && day.format(ms) === day.format(sameDayAsMs))
    return shortFormat(zone, time).format(ms);
  const year = shortFormat(zone, { year: 'numeric' });
  const sameYear = year.format(ms) === year.format(nowMs);
  return shortFormat(zone, {
    ...(sameYear ? {} : { year: 'numeric' }),
    month: 'short',
    day: 'numeric',
    ...time,
  }).format(ms);
}

export function bytesOrUnlimited(bytes: number | null): string {
  return bytes === null ? 'unlimited' : formatBytes(bytes);
}

export function secondsOrUnlimited(seconds: number | null): string {
  return seconds === null ? 'unlimited' : formatDuration(seconds);
}

export function money(minor: number, currency: string): string {
  try {
    return formatMoney(minor, currency);
  } catch {
    return `${minor} ${currency}`;
  }
}

export { formatBytes, formatDuration };
