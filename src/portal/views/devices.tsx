/**
 * The "Associated devices" block of a voucher (voucher page), its compact summary on dashboard
 * cards, and the pages of its forms (edit, confirm removal, a form shown again with its error).
 * Plain forms: everything works without JavaScript.
 */
import type { ComponentChildren } from 'preact';
import {
  deviceEventFacts,
  type DeviceDetails,
  type DeviceEvent,
  type DevicesOverview,
} from '../../devices/index.js';
import type { Formatter } from '../format.js';
import type { Translate } from '../i18n/index.js';
import { Layout, type PageContext } from './layout.js';

/** A form field's value and error, to show a form again after a refusal. */
export interface DeviceFormState {
  mac: string;
  title: string;
  macError?: string;
  titleError?: string;
}

/** What just happened (after a redirect), shown as a status message above the block. */
export interface DeviceNotice {
  text: string;
  /** The disconnect outcome, when the change removed a MAC's access. */
  disconnect?: string | undefined;
  /** While the hotspot is still being asked: where the page follows the outcome (follow.js). */
  follow?: string | undefined;
}

function deviceName(device: { title: string | null }, t: Translate): string {
  return device.title ?? t('devices.unnamed');
}

export function limitText(limit: number, t: Translate): string {
  return t('devices.limit', { limit });
}

export function eventText(event: DeviceEvent, t: Translate): string {
  const { automatic, kind, action, ...facts } = deviceEventFacts(event);
  if (automatic) {
    // Why the voucher's device limit took a device away at a login (issue 15, 8e).
    return automatic.limit === null
      ? t('devices.event.replacedAutoAtLimit', facts)
      : t('devices.event.replacedAuto', { ...facts, limit: automatic.limit });
  }
  return kind === 'other'
    ? t('devices.event.other', { action, mac: facts.mac })
    : t(`devices.event.${kind}`, facts);
}

/** A replacement made by the device limit at a login in the last day: said above the list. */
const RECENT_REPLACEMENT_MS = 24 * 3600 * 1000;

function recentAutomaticReplacement(events: DeviceEvent[], nowMs: number): DeviceEvent | undefined {
  return events.find(
    (event) => nowMs - event.createdAtMs < RECENT_REPLACEMENT_MS && deviceEventFacts(event).automatic,
  );
}

function actorText(actor: DeviceEvent['actor'], t: Translate): string {
  return t(`devices.actor.${actor}`);
}

/**
 * A labelled text field with its hint and, after a refusal, its error: the wiring both device
 * fields share (ids, aria-describedby, aria-invalid, focus on the field that was refused).
 */
function DeviceField(props: {
  id: string;
  name: 'mac' | 'title';
  label: string;
  hint: string;
  value: string;
  maxLength: number;
  error?: string;
  autofocus?: boolean;
  /** Extra input attributes (MAC: capitals, no spell-check, required). */
  input?: Record<string, string | boolean>;
}) {
  const hintId = `${props.id}-hint`;
  const errorId = `${props.id}-error`;
  return (
    <div class={props.error ? 'field field-error' : 'field'}>
      <label for={props.id}>{props.label}</label>
      <p id={hintId} class="hint">
        {props.hint}
      </p>
      {props.error ? (
        <p id={errorId} class="field-message" role="alert">
          {props.error}
        </p>
      ) : null}
      <input
        id={props.id}
        name={props.name}
        type="text"
        autocomplete="off"
        maxlength={props.maxLength}
        value={props.value}
        aria-describedby={props.error ? `${errorId} ${hintId}` : hintId}
        aria-invalid={props.error ? 'true' : undefined}
        autofocus={props.error || props.autofocus ? true : undefined}
        {...props.input}
      />
    </div>
  );
}

/** The two fields of a device form (ids device-mac, device-title): what sets them apart. */
const DEVICE_FIELDS = [
  {
    name: 'mac',
    label: 'devices.mac',
    hint: 'devices.macHint',
    maxLength: 40,
    input: { inputmode: 'text', autocapitalize: 'characters', spellcheck: false, required: true },
  },
  { name: 'title', label: 'devices.nameLabel', hint: 'devices.nameHint', maxLength: 100, input: undefined },
] as const;

function DeviceFields(props: { values: DeviceFormState; t: Translate }) {
  const { values, t } = props;
  return (
    <>
      {DEVICE_FIELDS.map((field) => (
        <DeviceField
          key={field.name}
          id={`device-${field.name}`}
          name={field.name}
          label={t(field.label)}
          hint={t(field.hint)}
          value={values[field.name]}
          maxLength={field.maxLength}
          error={field.name === 'mac' ? values.macError : values.titleError}
          input={field.input}
        />
      ))}
    </>
  );
}

function DeviceItem(props: { device: DeviceDetails; voucherId: number; t: Translate; fmt: Formatter }) {
  const { device, t, fmt } = props;
  const name = deviceName(device, t);
  const base = `/portal/vouchers/${props.voucherId}/devices/${device.id}`;
  const online = device.online_since_at !== null;
  return (
    <li class="card device" id={`device-${device.id}`}>
      <header class="device-head">
        <h4>
          {name} <code class="device-mac">{device.mac}</code>
        </h4>
        <span class={online ? 'badge badge-online' : 'badge badge-used'}>
          {online ? t('devices.onlineNow') : t('devices.offline')}
        </span>
      </header>
      <dl class="facts">
        <div>
          <dt>{t('devices.lastSeen')}</dt>
          <dd>{device.last_seen_at === null ? t('devices.neverSeen') : fmt.dateTime(device.last_seen_at)}</dd>
        </div>
        <div>
          <dt>{t('devices.lastHotspot')}</dt>
          <dd>{device.last_hotspot_title ?? '—'}</dd>
        </div>
        <div>
          <dt>{t('devices.usage')}</dt>
          <dd>
            {t('devices.usageValue', {
              down: fmt.bytes(device.downloaded_bytes),
              up: fmt.bytes(device.uploaded_bytes),
              time: fmt.duration(device.online_seconds),
            })}
          </dd>
        </div>
      </dl>
      {device.is_randomized === 1 ? (
        <p class="advice device-private">
          <strong>{t('devices.private')}.</strong> {t('devices.privateHint')}
        </p>
      ) : null}
      <p class="device-actions">
        <a
          class="button button-secondary"
          href={`${base}/edit`}
          aria-label={t('devices.editOf', { device: name })}
        >
          {t('devices.edit')}
        </a>{' '}
        <a
          class="button button-secondary"
          href={`${base}/remove`}
          aria-label={t('devices.removeOf', { device: name })}
        >
          {t('devices.remove')}
        </a>
      </p>
    </li>
  );
}

export function AddDeviceForm(props: {
  voucherId: number;
  csrfToken: string;
  form?: DeviceFormState;
  t: Translate;
}) {
  const { t } = props;
  return (
    <form method="post" action={`/portal/vouchers/${props.voucherId}/devices`} class="form card" novalidate>
      <h3 id="add-device-title">{t('devices.add')}</h3>
      <input type="hidden" name="_csrf" value={props.csrfToken} />
      <DeviceFields values={props.form ?? { mac: '', title: '' }} t={t} />
      <button type="submit" class="button button-primary">
        {t('devices.addSubmit')}
      </button>
    </form>
  );
}

export function DevicesBlock(props: {
  overview: DevicesOverview;
  csrfToken: string;
  t: Translate;
  fmt: Formatter;
  notice?: DeviceNotice;
  form?: DeviceFormState;
  /** Now, to tell a replacement of the last day (absent: none is pointed out). */
  nowMs?: number;
}) {
  const { overview, t, fmt } = props;
  const full = overview.devices.length >= overview.devicesLimit;
  const replaced =
    props.nowMs === undefined ? undefined : recentAutomaticReplacement(overview.events, props.nowMs);
  return (
    <section class="section devices" id="devices" aria-labelledby="devices-title">
      <h2 id="devices-title">{t('devices.title')}</h2>
      {props.notice ? (
        <div class="notice" role="status">
          <p>{props.notice.text}</p>
          {props.notice.disconnect ? (
            <p data-follow-disconnect={props.notice.follow}>{props.notice.disconnect}</p>
          ) : null}
          {props.notice.follow ? (
            <noscript>
              <p>
                <a href="">{t('devices.disconnect.reload')}</a>
              </p>
            </noscript>
          ) : null}
        </div>
      ) : null}
      {replaced ? (
        <p class="advice" data-replaced-notice role="note">
          {fmt.dateTime(replaced.createdAtMs)}: {eventText(replaced, t)}. {t('devices.replacedHint')}
        </p>
      ) : null}
      <p class="lead">{limitText(overview.devicesLimit, t)}</p>
      <p class="muted small">{t('devices.intro')}</p>
      {overview.devices.length === 0 ? (
        <p class="empty card">{t('devices.none')}</p>
      ) : (
        <ul class="device-list" aria-label={t('devices.caption')}>
          {overview.devices.map((device) => (
            <DeviceItem key={device.id} device={device} voucherId={overview.voucherId} t={t} fmt={fmt} />
          ))}
        </ul>
      )}
      {full && !props.form ? (
        <p class="muted">{t('devices.full', { limit: overview.devicesLimit })}</p>
      ) : (
        <AddDeviceForm voucherId={overview.voucherId} csrfToken={props.csrfToken} form={props.form} t={t} />
      )}
      <DeviceHistory events={overview.events} t={t} fmt={fmt} />
    </section>
  );
}

export function DeviceHistory(props: { events: DeviceEvent[]; t: Translate; fmt: Formatter }) {
  const { t, fmt } = props;
  return (
    <section class="device-history" aria-labelledby="device-history-title">
      <h3 id="device-history-title">{t('devices.history')}</h3>
      {props.events.length === 0 ? (
        <p class="empty">{t('devices.historyNone')}</p>
      ) : (
        <div class="table-wrap">
          <table>
            <caption class="visually-hidden">{t('devices.historyCaption')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('devices.when')}</th>
                <th scope="col">{t('devices.who')}</th>
                <th scope="col">{t('devices.what')}</th>
              </tr>
            </thead>
            <tbody>
              {props.events.map((event) => (
                <tr key={event.id}>
                  <td>{fmt.dateTime(event.createdAtMs)}</td>
                  <td>{actorText(event.actor, t)}</td>
                  <td>{eventText(event, t)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

/** The compact line on a dashboard voucher card. */
export function DeviceSummary(props: { voucherId: number; count: number; limit: number; t: Translate }) {
  const { t } = props;
  return (
    <p class="voucher-devices">
      {t('devices.title')}: {t('devices.count', { count: props.count, limit: props.limit })} ·{' '}
      <a href={`/portal/vouchers/${props.voucherId}#devices`}>{t('devices.manage')}</a>
    </p>
  );
}

function DevicePageShell(props: {
  ctx: PageContext;
  voucherId: number;
  title: string;
  children: ComponentChildren;
}) {
  const { t } = props.ctx;
  return (
    <Layout ctx={props.ctx} title={props.title}>
      <p class="back">
        <a href={`/portal/vouchers/${props.voucherId}`}>
          <span aria-hidden="true">← </span>
          {t('vouchers.details')}
        </a>
      </p>
      {props.children}
    </Layout>
  );
}

/** The block on a page of its own: the add form shown again with its error. */
export function DevicesPage(props: {
  ctx: PageContext;
  overview: DevicesOverview;
  csrfToken: string;
  fmt: Formatter;
  form?: DeviceFormState;
}) {
  return (
    <DevicePageShell
      ctx={props.ctx}
      voucherId={props.overview.voucherId}
      title={props.ctx.t('devices.title')}
    >
      {props.form?.macError || props.form?.titleError ? (
        <div class="error-summary" role="alert">
          <h2>{props.ctx.t('devices.errorSummary')}</h2>
          <p>{props.form.macError ?? props.form.titleError}</p>
        </div>
      ) : null}
      <DevicesBlock
        overview={props.overview}
        csrfToken={props.csrfToken}
        t={props.ctx.t}
        fmt={props.fmt}
        form={props.form}
      />
    </DevicePageShell>
  );
}

export function EditDevicePage(props: {
  ctx: PageContext;
  voucherId: number;
  device: DeviceDetails;
  csrfToken: string;
  form: DeviceFormState;
}) {
  const { t } = props.ctx;
  const action = `/portal/vouchers/${props.voucherId}/devices/${props.device.id}`;
  return (
    <DevicePageShell ctx={props.ctx} voucherId={props.voucherId} title={t('devices.editTitle')}>
      <section class="card narrow" aria-labelledby="edit-title">
        <h1 id="edit-title">{t('devices.editTitle')}</h1>
        <p class="muted small">{t('devices.editHint')}</p>
        <form method="post" action={action} class="form" novalidate>
          <input type="hidden" name="_csrf" value={props.csrfToken} />
          <DeviceFields values={props.form} t={t} />
          <SubmitOrCancel label={t('devices.save')} voucherId={props.voucherId} t={t} />
        </form>
      </section>
    </DevicePageShell>
  );
}

/** A device form's buttons: send, or back to the voucher's devices. */
function SubmitOrCancel(props: { label: string; voucherId: number; t: Translate }) {
  return (
    <>
      <button type="submit" class="button button-primary">
        {props.label}
      </button>{' '}
      <a class="button button-secondary" href={`/portal/vouchers/${props.voucherId}#devices`}>
        {props.t('devices.cancel')}
      </a>
    </>
  );
}

export function RemoveDevicePage(props: {
  ctx: PageContext;
  voucherId: number;
  device: DeviceDetails;
  csrfToken: string;
}) {
  const { t } = props.ctx;
  const action = `/portal/vouchers/${props.voucherId}/devices/${props.device.id}/remove`;
  return (
    <DevicePageShell ctx={props.ctx} voucherId={props.voucherId} title={t('devices.confirmTitle')}>
      <section class="card narrow" aria-labelledby="remove-title">
        <h1 id="remove-title">{t('devices.confirmTitle')}</h1>
        <p class="lead">
          {t('devices.confirmText', { device: deviceName(props.device, t), mac: props.device.mac })}
        </p>
        <form method="post" action={action} class="form">
          <input type="hidden" name="_csrf" value={props.csrfToken} />
          <SubmitOrCancel label={t('devices.confirmSubmit')} voucherId={props.voucherId} t={t} />
        </form>
      </section>
    </DevicePageShell>
  );
}
