/**
 * The "Associated devices" block of a voucher's admin page, and its forms: operators see each
 * device (presence, last seen, last hotspot, usage, a hint for private addresses), add a MAC,
 * change a title or replace a MAC, remove a device (after a confirmation page), disconnect its
 * live sessions, and read the voucher's device audit trail. Plain forms that work without
 * JavaScript: POST → 303 → GET, the outcome in fixed query values (never text from the URL).
 * The admin shell checks the CSRF token of every POST; changes need a role that may write.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { VNode } from 'preact';
import { canWrite } from '../../auth/index.js';
import {
  deviceLimitText,
  disconnectOutcome,
  parseDisconnectOutcome,
  parseMac,
  type DeviceDetails,
  type DevicesOverview,
  type DisconnectOutcome,
} from '../../devices/index.js';
import { operatorActor } from '../auth.js';
import { statusForCode } from '../../http/index.js';
import { AppError } from '../../shared/index.js';
import type { AdminDeps } from '../deps.js';
import { idParam, text, type FormBody } from '../forms.js';
import type { AdminKit } from '../kit.js';
import {
  Table,
  ActionButton,
  Badge,
  CsrfField,
  Empty,
  formatBytes,
  formatDuration,
  when,
  type AdminZone,
} from '../views/components.js';
import {
  CHANGES_BEFORE,
  ChangesPager,
  DeviceEventsTable,
  eventsPage,
  formatChangesBefore,
  loadEventActors,
  parseChangesBefore,
  type EventActors,
  type EventsPage,
} from '../views/device-events.js';

/** How many audit rows the voucher page shows at a time ("Older changes" pages on). */
const EVENTS_SHOWN = 50;

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
interface DevicesBlockData {
  overview: DevicesOverview;
  changes: EventsPage;
  actors: EventActors;
}

const NOT_LIVE_TEXT = 'Devices can be added or changed only while the voucher is new, active or online.';

const DONE = ['added', 'edited', 'replaced', 'removed', 'disconnected'] as const;
type Done = (typeof DONE)[number];

const DISCONNECT_TEXT: Record<DisconnectOutcome, string> = {
  none: 'It was not online, so nothing had to be disconnected.',
  confirmed: 'The hotspot confirmed the disconnect.',
  pending: 'The hotspot has not confirmed the disconnect yet; it will be retried in the background.',
};

function voucherUrl(voucherId: number, query?: Record<string, string>, anchor = 'devices'): string {
  const search = query ? `?${new URLSearchParams(query).toString()}` : '';
  return `/admin/vouchers/${voucherId}${search}#${anchor}`;
}

/** The status lines after a redirect (`?device=…&mac=…&disconnect=…`); the MAC is re-parsed. */
function noticeLines(query: Record<string, unknown>): string[] {
  const done = DONE.find((d) => d === query.device);
  if (!done) return [];
  const mac = typeof query.mac === 'string' ? (parseMac(query.mac) ?? '') : '';
  const outcome = parseDisconnectOutcome(query.disconnect);
  const first: Record<Done, string> = {
    added: `Device ${mac} added: it can connect by MAC authentication now.`,
    edited: 'Device saved.',
    replaced: `MAC address replaced: ${mac} no longer has access.`,
    removed: `Device ${mac} removed: it no longer has access.`,
    disconnected: `Disconnect sent for ${mac}; the device keeps its access.`,
  };
  return outcome ? [first[done], DISCONNECT_TEXT[outcome]] : [first[done]];
}

function deviceName(device: { title: string | null }): string {
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

function DeviceFields(props: { form: DeviceFormState; idPrefix: string }): VNode {
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
          {props.notice.map((line) => (
            <p>{line}</p>
          ))}
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

async function loadBlockData(
  deps: AdminDeps,
  kit: AdminKit,
  request: FastifyRequest,
  voucherId: number,
): Promise<DevicesBlockData> {
  const tenantId = request.tenant.id;
  const before = parseChangesBefore((request.query as Record<string, unknown> | undefined)?.[CHANGES_BEFORE]);
  // One row more than shown tells whether there is an older page.
  const { events: fetched, ...overview } = await deps.voucherDevices.overview(
    tenantId,
    operatorActor(request, kit),
    voucherId,
    EVENTS_SHOWN + 1,
    before,
  );
  const changes = eventsPage(fetched, EVENTS_SHOWN, before);
  return {
    overview: { ...overview, events: changes.events },
    changes,
    actors: await loadEventActors(deps, tenantId, changes.events),
  };
}

/** The block for the voucher page of `voucherId` (tenant-scoped: another tenant's id is NOT_FOUND). */
export async function voucherDevicesBlock(
  deps: AdminDeps,
  kit: AdminKit,
  request: FastifyRequest,
  reply: FastifyReply,
  voucherId: number,
): Promise<VNode> {
  return (
    <DevicesBlock
      data={await loadBlockData(deps, kit, request, voucherId)}
      csrf={kit.csrf(reply)}
      writable={canWrite(kit.actorOf(request).role)}
      timeZone={request.tenant}
      notice={noticeLines(request.query as Record<string, unknown>)}
    />
  );
}

/** Refusals a person can fix, shown on the form with the typed input; anything else is thrown on. */
function refusal(
  error: unknown,
  input: DeviceFormState,
): { status: number; form: DeviceFormState } | undefined {
  if (!(error instanceof AppError)) return undefined;
  const status = statusForCode(error.code);
  switch (error.code) {
    case 'MAC_INVALID':
    case 'MAC_ALREADY_ON_VOUCHER':
      return { status, form: { ...input, macError: error.message } };
    case 'MAC_ON_OTHER_VOUCHER': {
      const other = error.details?.voucherId;
      return {
        status,
        form: {
          ...input,
          macError: error.message,
          ...(typeof other === 'number' ? { otherVoucherId: other } : {}),
        },
      };
    }
    case 'VALIDATION':
      return { status, form: { ...input, titleError: error.message } };
    case 'VOUCHER_DEVICE_LIMIT':
    case 'VOUCHER_USED':
      return { status: 409, form: { ...input, formError: error.message } };
    default:
      return undefined;
  }
}

function formInput(body: FormBody | undefined): DeviceFormState {
  // Kept as typed (trimmed, bounded) so a refused form comes back with the person's own text;
  // the service judges lengths and formats.
  const field = (name: string) => text(body ?? {}, name).slice(0, 200);
  return { mac: field('mac'), title: field('title') };
}

export async function voucherDevicesPages(
  admin: FastifyInstance,
  deps: AdminDeps,
  kit: AdminKit,
): Promise<void> {
  const write = { preHandler: kit.requireWrite };
  const ids = (params: unknown) => ({ voucherId: idParam(params), deviceId: idParam(params, 'deviceId') });

  /** The device on this tenant's voucher, with presence (NOT_FOUND otherwise). */
  const findDevice = async (request: FastifyRequest, voucherId: number, deviceId: number) => {
    const overview = await deps.voucherDevices.overview(
      request.tenant.id,
      operatorActor(request, kit),
      voucherId,
      1,
    );
    const device = overview.devices.find((d) => d.id === deviceId);
    if (!device) throw new AppError('NOT_FOUND', 'This device is no longer on the voucher.');
    return { device, live: overview.live };
  };

  const voucherCode = async (request: FastifyRequest, voucherId: number) =>
    (await deps.vouchers.get(request.tenant.id, voucherId)).code;

  const BackLink = (props: { voucherId: number; code: string }) => (
    <p>
      <a href={voucherUrl(props.voucherId)}>← Voucher {props.code}</a>
    </p>
  );

  const editPage = async (
    request: FastifyRequest,
    reply: FastifyReply,
    voucherId: number,
    device: DeviceDetails,
    form: DeviceFormState,
    status = 200,
  ) => {
    const code = await voucherCode(request, voucherId);
    return kit.render(request, reply, {
      title: `Edit device ${device.mac}`,
      status,
      error: form.macError ?? form.titleError ?? form.formError,
      body: (
        <>
          <BackLink voucherId={voucherId} code={code} />
          <p>
            A new MAC address replaces the old one: the old address loses access at once and its live sessions
            are disconnected at the hotspot.
          </p>
          <form
            method="post"
            action={`/admin/vouchers/${voucherId}/devices/${device.id}`}
            class="stack"
            novalidate
          >
            <CsrfField token={kit.csrf(reply)} />
            <DeviceFields form={form} idPrefix="edit" />
            <div>
              <button type="submit">Save device</button> <a href={voucherUrl(voucherId)}>Cancel</a>
            </div>
          </form>
        </>
      ),
    });
  };

  // Where the refused add form posted to: a reload lands on the voucher page (this tenant's only).
  admin.get('/admin/vouchers/:id/devices', async (request, reply) => {
    const voucherId = idParam(request.params);
    await deps.vouchers.get(request.tenant.id, voucherId);
    return reply.redirect(voucherUrl(voucherId), 303);
  });

  admin.post<{ Body: FormBody }>('/admin/vouchers/:id/devices', write, async (request, reply) => {
    const voucherId = idParam(request.params);
    const input = formInput(request.body);
    try {
      const device = await deps.voucherDevices.add(
        request.tenant.id,
        operatorActor(request, kit),
        voucherId,
        {
          mac: input.mac,
          title: input.title,
        },
      );
      return reply.redirect(voucherUrl(voucherId, { device: 'added', mac: device.mac }), 303);
    } catch (error) {
      const refused = refusal(error, input);
      if (!refused) throw error;
      const [code, data] = await Promise.all([
        voucherCode(request, voucherId),
        loadBlockData(deps, kit, request, voucherId),
      ]);
      return kit.render(request, reply, {
        title: `Devices of voucher ${code}`,
        status: refused.status,
        error: refused.form.macError ?? refused.form.titleError ?? refused.form.formError,
        body: (
          <>
            <BackLink voucherId={voucherId} code={code} />
            <DevicesBlock
              data={data}
              csrf={kit.csrf(reply)}
              writable
              timeZone={request.tenant}
              notice={[]}
              form={refused.form}
            />
          </>
        ),
      });
    }
  });

  admin.get('/admin/vouchers/:id/devices/:deviceId/edit', write, async (request, reply) => {
    const { voucherId, deviceId } = ids(request.params);
    const { device, live } = await findDevice(request, voucherId, deviceId);
    if (!live) throw new AppError('CONFLICT', NOT_LIVE_TEXT);
    return editPage(request, reply, voucherId, device, { mac: device.mac, title: device.title ?? '' });
  });

  admin.post<{ Body: FormBody }>('/admin/vouchers/:id/devices/:deviceId', write, async (request, reply) => {
    const { voucherId, deviceId } = ids(request.params);
    const { device } = await findDevice(request, voucherId, deviceId);
    const input = formInput(request.body);
    try {
      const result = await deps.voucherDevices.edit(
        request.tenant.id,
        operatorActor(request, kit),
        voucherId,
        deviceId,
        // An emptied MAC field is refused like on the add form, not read as "keep the old one".
        { mac: input.mac, title: input.title },
      );
      const replaced = result.device.mac !== device.mac;
      return reply.redirect(
        voucherUrl(
          voucherId,
          replaced
            ? { device: 'replaced', mac: device.mac, disconnect: disconnectOutcome(result.disconnect) }
            : { device: 'edited' },
        ),
        303,
      );
    } catch (error) {
      const refused = refusal(error, input);
      if (!refused) throw error;
      return editPage(request, reply, voucherId, device, refused.form, refused.status);
    }
  });

  admin.get('/admin/vouchers/:id/devices/:deviceId/remove', write, async (request, reply) => {
    const { voucherId, deviceId } = ids(request.params);
    const [{ device }, code] = await Promise.all([
      findDevice(request, voucherId, deviceId),
      voucherCode(request, voucherId),
    ]);
    const online = device.online_since_at !== null;
    return kit.render(request, reply, {
      title: 'Remove this device?',
      body: (
        <>
          <BackLink voucherId={voucherId} code={code} />
          <p>
            {deviceName(device)} (<code>{device.mac}</code>) will no longer connect with voucher {code}.{' '}
            {online
              ? 'It is online now: its sessions are disconnected at the hotspot.'
              : 'It is not online now.'}
          </p>
          <form
            method="post"
            action={`/admin/vouchers/${voucherId}/devices/${deviceId}/remove`}
            class="inline"
          >
            <CsrfField token={kit.csrf(reply)} />
            <button type="submit" class="danger">
              Yes, remove it
            </button>{' '}
            <a href={voucherUrl(voucherId)}>Cancel</a>
          </form>
        </>
      ),
    });
  });

  // Remove (after the confirmation page) and disconnect: both end the MAC's live sessions, and the
  // page then says whether the hotspot confirmed it.
  for (const [action, done] of [
    ['remove', 'removed'],
    ['disconnect', 'disconnected'],
  ] as const) {
    admin.post(`/admin/vouchers/:id/devices/:deviceId/${action}`, write, async (request, reply) => {
      const { voucherId, deviceId } = ids(request.params);
      const result = await deps.voucherDevices[action](
        request.tenant.id,
        operatorActor(request, kit),
        voucherId,
        deviceId,
      );
      return reply.redirect(
        voucherUrl(voucherId, {
          device: done,
          mac: result.device.mac,
          disconnect: disconnectOutcome(result.disconnect),
        }),
        303,
      );
    });
  }
}
