/**
 * The views of a voucher's "Associated devices" block in the admin: the device table (presence,
 * last seen, last hotspot, usage, a hint for private addresses), the add form, the edit fields
 * and the device audit trail. The routes that fill them are in voucher-devices.tsx.
 */
import type { VNode } from 'preact';
import {
  deviceLimitText,
  parseDisconnectOutcome,
  parseMac,
  type DeviceDetails,
  type DevicesOverview,
  type DisconnectOutcome,
} from '../../devices/index.js';
import {
  Table,
  ActionButton,
  Badge,
  CsrfField,
  Empty,
  ReloadForOutcome,
  formatBytes,
  formatDuration,
  when,
  type AdminZone,
} from '../views/components.js';
import {
  CHANGES_BEFORE,
  ChangesPager,
  DeviceEventsTable,
  formatChangesBefore,
  type EventActors,
  type EventsPage,
} from '../views/device-events.js';

/** A form's typed values and what was wrong with them, to show it again after a refusal. */
export interface DeviceFormState {
  mac: string;
  title: string;
  macError?: string;
  /** The live voucher that already holds the MAC (MAC_ON_OTHER_VOUCHER), to link to it. */
  otherVoucherId?: number;
  titleError?: string;
  /** A refusal about the voucher rather than a field (device limit, voucher no longer valid). */
  formError?: string;
}

/** What the block needs besides the overview: one page of the audit trail and who its actors are. */
export interface DevicesBlockData {
  overview: DevicesOverview;
  changes: EventsPage;
  actors: EventActors;
}

export const NOT_LIVE_TEXT =
  'Devices can be added or changed only while the voucher is new, active or online.';

const DONE = ['added', 'edited', 'replaced', 'removed', 'disconnected'] as const;
type Done = (typeof DONE)[number];

const DISCONNECT_TEXT: Record<DisconnectOutcome, string> = {
  none: 'It was not online, so nothing had to be disconnected.',
  checking: 'Disconnecting it at the hotspot…',
  confirmed: 'The hotspot confirmed the disconnect.',
  pending: 'The hotspot has not confirmed the disconnect yet; it will be retried in the background.',
};

export function voucherUrl(voucherId: number, query?: Record<string, string>, anchor = 'devices'): string {
  const search = query ? `?${new URLSearchParams(query).toString()}` : '';
  return `/admin/vouchers/${voucherId}${search}#${anchor}`;
}

/** Where the page follows a disconnect still being checked (JSON: { state, text }). */
export function progressUrl(voucherId: number, mac: string, sinceMs: number): string {
  const query = new URLSearchParams({ mac, since: String(sinceMs) });
  return `/admin/vouchers/${voucherId}/devices/disconnect-status?${query.toString()}`;
}

export function disconnectText(outcome: DisconnectOutcome): string {
  return DISCONNECT_TEXT[outcome];
}

/**
 * The status lines after a redirect (`?device=…&mac=…&disconnect=…[&since=…]`); the MAC is
 * re-parsed. `live`: a disconnect the redirect said was being checked, read again now.
 */
export function noticeLines(query: Record<string, unknown>, live?: DisconnectOutcome): string[] {
  const done = DONE.find((d) => d === query.device);
  if (!done) return [];
  const mac = typeof query.mac === 'string' ? (parseMac(query.mac) ?? '') : '';
  const outcome = live ?? parseDisconnectOutcome(query.disconnect);
  const first: Record<Done, string> = {
    added: `Device ${mac} added: it can connect by MAC authentication now.`,
    edited: 'Device saved.',
    replaced: `MAC address replaced: ${mac} no longer has access.`,
    removed: `Device ${mac} removed: it no longer has access.`,
    disconnected: `Disconnect sent for ${mac}; the device keeps its access.`,
  };
  return outcome ? [first[done], DISCONNECT_TEXT[outcome]] : [first[done]];
}

export function deviceName(device: { title: string | null }): string {
  return device.title ?? 'Unnamed device';
}

function addedByText(addedBy: string): string {
  if (addedBy === 'first_login') return 'first login';
  return addedBy;
}

function Field(props: {
  id: string;
  name: 'mac' | 'title';
  label: string;
  hint: string;
  value: string;
  error?: string | undefined;
  /** A page that helps fix the error (shown after it). */
  errorLink?: { href: string; label: string } | undefined;
  maxLength: number;
  required?: boolean;
}): VNode {
  const hintId = `${props.id}-hint`;
  const errorId = `${props.id}-error`;
  return (
    <div class={props.error ? 'field field-error' : 'field'}>
      <label for={props.id}>{props.label}</label>
      <small id={hintId}>{props.hint}</small>
      {props.error ? (
        <span id={errorId} class="field-message">
          {props.error}
          {props.errorLink ? (
            <>
              {' '}
              <a href={props.errorLink.href}>{props.errorLink.label}</a>
            </>
          ) : null}
        </span>
      ) : null}
      <input
        id={props.id}
        name={props.name}
        value={props.value}
        maxlength={props.maxLength}
        required={props.required}
        autocomplete="off"
        spellcheck={false}
        aria-describedby={props.error ? `${errorId} ${hintId}` : hintId}
        aria-invalid={props.error ? 'true' : undefined}
        autofocus={props.error ? true : undefined}
      />
    </div>
  );
}

const MAC_HINT = 'aa:bb:cc:dd:ee:ff, AA-BB-CC-DD-EE-FF, aabb.ccdd.eeff or 12 hexadecimal digits';

export function DeviceFields(props: { form: DeviceFormState; idPrefix: string }): VNode {
  return (
    <>
      <Field
        id={`${props.idPrefix}-mac`}
        name="mac"
        label="MAC address"
        hint={MAC_HINT}
        value={props.form.mac}
        error={props.form.macError}
        errorLink={
          props.form.otherVoucherId === undefined
            ? undefined
            : { href: voucherUrl(props.form.otherVoucherId), label: 'Open that voucher' }
        }
        maxLength={40}
        required
      />
      <Field
        id={`${props.idPrefix}-title`}
        name="title"
        label="Name (optional)"
        hint="For example “Front desk laptop”; at most 100 characters."
        value={props.form.title}
        error={props.form.titleError}
        maxLength={100}
      />
    </>
  );
}

function DeviceRow(props: {
  device: DeviceDetails;
  voucherId: number;
  live: boolean;
  writable: boolean;
  csrf: string;
  timeZone: AdminZone;
}): VNode {
  const { device, timeZone } = props;
  const base = `/admin/vouchers/${props.voucherId}/devices/${device.id}`;
  const online = device.online_since_at !== null;
  const name = deviceName(device);
  return (
    <tr id={`device-${device.id}`}>
      <td>
        <code>{device.mac}</code>
        {device.is_randomized === 1 ? (
          <small class="device-private">
            Private (randomised) address: it can change, and the device then no longer matches. If it stops
            connecting, ask the customer to turn off “Private Wi-Fi address” (iPhone) or choose “Use device
            MAC” (Android) for this network.
          </small>
        ) : null}
      </td>
      <td>{name}</td>
      <td>
        {online ? (
          <>
            <Badge status="online" /> <small>since {when(device.online_since_at, timeZone)}</small>
          </>
        ) : (
          <span class="muted">offline</span>
        )}
      </td>
      <td>{device.last_seen_at === null ? 'not seen yet' : when(device.last_seen_at, timeZone)}</td>
      <td>{device.last_hotspot_title ?? '—'}</td>
      <td>
        ↓ {formatBytes(device.downloaded_bytes)} ↑ {formatBytes(device.uploaded_bytes)} ·{' '}
        {formatDuration(device.online_seconds)}
      </td>
      <td>{addedByText(device.added_by)}</td>
      {props.writable ? (
        <td>
          <div class="row-actions">
            {props.live ? (
              <a href={`${base}/edit`} aria-label={`Edit ${name} ${device.mac}`}>
                Edit
              </a>
            ) : null}
            <a href={`${base}/remove`} aria-label={`Remove ${name} ${device.mac}`}>
              Remove
            </a>
            {online ? (
              <ActionButton action={`${base}/disconnect`} csrf={props.csrf} label="Disconnect" danger />
            ) : null}
          </div>
        </td>
      ) : null}
    </tr>
  );
}

/** The block on the voucher page (and on its own page when the add form comes back with an error). */
export function DevicesBlock(props: {
  data: DevicesBlockData;
  csrf: string;
  writable: boolean;
  timeZone: AdminZone;
  notice: string[];
  /** While a disconnect is being checked: where its last notice line follows it (follow.js). */
  follow?: string | undefined;
  form?: DeviceFormState;
}): VNode {
  const { overview } = props.data;
  const count = overview.devices.length;
  const full = count >= overview.devicesLimit;
  return (
    <section class="devices" id="devices" aria-labelledby="devices-title">
      <h2 id="devices-title">Associated devices</h2>
      {props.notice.length > 0 ? (
        <div class="notice" role="status">
          {props.notice.map((line, index) => (
            <p data-follow-disconnect={index === props.notice.length - 1 ? props.follow : undefined}>
              {line}
            </p>
          ))}
          {props.follow ? <ReloadForOutcome /> : null}
        </div>
      ) : null}
      <p>
        This voucher can be used by {deviceLimitText(overview.devicesLimit)}; {count} on it. A device on this
        list connects by MAC authentication, without the code.
      </p>
      {count === 0 ? (
        <Empty>No devices.</Empty>
      ) : (
        <Table label="Associated devices" class="devices-table">
          <thead>
            <tr>
              <th>MAC</th>
              <th>Name</th>
              <th>Online now</th>
              <th>Last seen</th>
              <th>Last hotspot</th>
              <th>Usage</th>
              <th>Added by</th>
              {props.writable ? <th>Actions</th> : null}
            </tr>
          </thead>
          <tbody>
            {overview.devices.map((device) => (
              <DeviceRow
                device={device}
                voucherId={overview.voucherId}
                live={overview.live}
                writable={props.writable}
                csrf={props.csrf}
                timeZone={props.timeZone}
              />
            ))}
          </tbody>
        </Table>
      )}
      {!props.writable ? null : !overview.live ? (
        <p class="muted">{NOT_LIVE_TEXT}</p>
      ) : full && !props.form ? (
        <p class="muted">
          The voucher has all {overview.devicesLimit} of its devices: remove one to add another.
        </p>
      ) : (
        <form
          method="post"
          action={`/admin/vouchers/${overview.voucherId}/devices`}
          class="stack"
          aria-labelledby="add-device-title"
          novalidate
        >
          <h3 id="add-device-title">Add a device</h3>
          <CsrfField token={props.csrf} />
          {props.form?.formError ? <p class="error">{props.form.formError}</p> : null}
          <DeviceFields form={props.form ?? { mac: '', title: '' }} idPrefix="device" />
          <div>
            <button type="submit">Add device</button>
          </div>
        </form>
      )}
      <DeviceHistory data={props.data} timeZone={props.timeZone} />
    </section>
  );
}

function DeviceHistory(props: { data: DevicesBlockData; timeZone: AdminZone }): VNode {
  const { overview, changes, actors } = props.data;
  return (
    <section class="device-history" id="device-history" aria-labelledby="device-history-title">
      <h3 id="device-history-title">Device changes</h3>
      <DeviceEventsTable
        label="Device changes of this voucher"
        events={changes.events}
        actors={actors}
        timeZone={props.timeZone}
        empty="No device changes yet."
      />
      <ChangesPager
        page={changes}
        href={(before) =>
          voucherUrl(
            overview.voucherId,
            before ? { [CHANGES_BEFORE]: formatChangesBefore(before) } : undefined,
            'device-history',
          )
        }
      />
    </section>
  );
}
