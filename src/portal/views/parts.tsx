import type { ComponentChildren } from 'preact';
import type { Meter, SessionView, StatusKind, VoucherView } from '../dashboard.js';
import type { Translate } from '../i18n/index.js';
import { leftText, usedOfText } from './texts.js';

export function StatusBadge({ voucher }: { voucher: VoucherView }) {
  return <span class={`badge badge-${voucher.status}`}>{voucher.statusLabel}</span>;
}

/** The bar of a meter (a flat line when unlimited), labelled by `labelledBy`, live under `liveKey`. */
export function MeterBar(props: { meter: Meter; labelledBy: string; liveKey: string }) {
  const { meter } = props;
  return meter.percent === null ? (
    <div class="meter-unlimited" aria-hidden="true" />
  ) : (
    <progress
      max={100}
      value={meter.percent}
      aria-labelledby={props.labelledBy}
      data-live-progress={props.liveKey}
      class={meter.percent >= 90 ? 'progress-high' : undefined}
    >
      {`${meter.percent}%`}
    </progress>
  );
}

/** A labelled used/limit bar; the numbers carry `data-live` keys for the refresh script. */
export function MeterRow(props: {
  label: string;
  meter: Meter;
  liveKey: string;
  t: Translate;
  id: string;
  /** The voucher is over: what was used, and no "… left" that can no longer be used. */
  ended?: boolean;
}) {
  const { meter, t } = props;
  return (
    <div class="meter">
      <div class="meter-head">
        <span class="meter-label" id={props.id}>
          {props.label}
        </span>
        <span class="meter-value" data-live={props.liveKey}>
          {usedOfText(meter, t)}
        </span>
      </div>
      <MeterBar meter={meter} labelledBy={props.id} liveKey={props.liveKey} />
      {props.ended ? null : (
        <p class="meter-left" data-live={`${props.liveKey}.left`}>
          {leftText(meter, t)}
        </p>
      )}
    </div>
  );
}

/** Statuses of a voucher that can no longer connect. */
const ENDED_STATUSES: ReadonlySet<StatusKind> = new Set([
  'expired',
  'used',
  'used_data',
  'used_time',
  'disabled',
]);

export function isEnded(voucher: { status: StatusKind }): boolean {
  return ENDED_STATUSES.has(voucher.status);
}

/** A voucher's plan, linked to its page, and its status. */
function VoucherHeading({ voucher, titleId }: { voucher: VoucherView; titleId: string }) {
  return (
    <>
      <h3 id={titleId}>
        <a href={`/portal/vouchers/${voucher.id}`}>{voucher.planTitle}</a>
      </h3>
      <StatusBadge voucher={voucher} />
    </>
  );
}

export function VoucherCard({
  voucher,
  t,
  children,
}: {
  voucher: VoucherView;
  t: Translate;
  /** Extra lines before the details link (the devices summary). */
  children?: ComponentChildren;
}) {
  const titleId = `voucher-${voucher.id}-title`;
  return (
    <article class={`card voucher voucher-${voucher.status}`} aria-labelledby={titleId}>
      <header class="voucher-head">
        <VoucherHeading voucher={voucher} titleId={titleId} />
      </header>
      <p class="voucher-code">
        <span class="visually-hidden">{t('vouchers.code')} </span>
        <code>{voucher.codeMasked}</code>
      </p>
      <MeterRow
        label={t('vouchers.traffic')}
        meter={voucher.data}
        liveKey={`v${voucher.id}.data`}
        id={`voucher-${voucher.id}-data`}
        t={t}
      />
      <MeterRow
        label={t('vouchers.onlineTime')}
        meter={voucher.time}
        liveKey={`v${voucher.id}.time`}
        id={`voucher-${voucher.id}-time`}
        t={t}
      />
      <dl class="facts">
        <div>
          <dt>{t('vouchers.validity')}</dt>
          <dd>{voucher.validity}</dd>
        </div>
        <div>
          <dt>{t('vouchers.price')}</dt>
          <dd>{voucher.price}</dd>
        </div>
      </dl>
      {children}
      <p class="voucher-more">
        <a
          href={`/portal/vouchers/${voucher.id}`}
          aria-label={t('vouchers.detailsOf', { plan: voucher.planTitle })}
        >
          {t('vouchers.details')} <span aria-hidden="true">→</span>
        </a>
      </p>
    </article>
  );
}

export function HistoryItem({ voucher, t }: { voucher: VoucherView; t: Translate }) {
  const titleId = `voucher-${voucher.id}-title`;
  return (
    <li class="history-item" aria-labelledby={titleId}>
      <div class="history-main">
        <VoucherHeading voucher={voucher} titleId={titleId} />
      </div>
      <p class="history-when">{voucher.validity}</p>
      <dl class="facts facts-inline">
        <div>
          <dt>{t('vouchers.traffic')}</dt>
          <dd data-live={`v${voucher.id}.data`}>{usedOfText(voucher.data, t)}</dd>
        </div>
        <div>
          <dt>{t('vouchers.onlineTime')}</dt>
          <dd data-live={`v${voucher.id}.time`}>{usedOfText(voucher.time, t)}</dd>
        </div>
        <div>
          <dt>{t('vouchers.price')}</dt>
          <dd>{voucher.price}</dd>
        </div>
      </dl>
    </li>
  );
}

export function SessionsTable(props: {
  sessions: SessionView[];
  t: Translate;
  caption: string;
  showVoucher?: boolean;
}) {
  const { t } = props;
  return (
    <div class="table-wrap">
      <table class="sessions">
        <caption class="visually-hidden">{props.caption}</caption>
        <thead>
          <tr>
            <th scope="col">{t('sessions.start')}</th>
            <th scope="col">{t('sessions.end')}</th>
            <th scope="col">{t('sessions.duration')}</th>
            <th scope="col">{t('sessions.data')}</th>
            <th scope="col">{t('sessions.device')}</th>
            <th scope="col">{t('sessions.hotspot')}</th>
            <th scope="col">{t('sessions.reason')}</th>
          </tr>
        </thead>
        <tbody>
          {props.sessions.map((s) => (
            <tr key={s.id} class={s.online ? 'session-online' : undefined}>
              <th scope="row" data-label={t('sessions.start')}>
                {s.start}
              </th>
              <td data-label={t('sessions.end')}>
                {s.end ?? <span class="badge badge-online">{t('sessions.onlineNow')}</span>}
              </td>
              <td data-label={t('sessions.duration')} data-live={`s${s.id}.duration`}>
                {s.duration}
              </td>
              <td data-label={t('sessions.data')}>
                <span class="down" title={t('usage.download')}>
                  <span aria-hidden="true">↓ </span>
                  <span class="visually-hidden">{t('usage.download')} </span>
                  <span data-live={`s${s.id}.download`}>{s.download}</span>
                </span>{' '}
                <span class="up" title={t('usage.upload')}>
                  <span aria-hidden="true">↑ </span>
                  <span class="visually-hidden">{t('usage.upload')} </span>
                  <span data-live={`s${s.id}.upload`}>{s.upload}</span>
                </span>
              </td>
              <td data-label={t('sessions.device')}>
                {s.device}
                {s.mac && s.mac !== s.device ? <span class="mac">{s.mac}</span> : null}
              </td>
              <td data-label={t('sessions.hotspot')}>{s.hotspot}</td>
              <td data-label={t('sessions.reason')}>{s.online ? t('sessions.onlineNow') : s.reason}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/**
 * A page's sessions: the table (or "no sessions yet") under its heading (id sessions-title),
 * and a link to more when there are.
 */
export function SessionsSection(props: {
  title: string;
  caption: string;
  sessions: SessionView[];
  more?: { href: string; label: string };
  t: Translate;
}) {
  const { t } = props;
  return (
    <section class="section" aria-labelledby="sessions-title">
      <h2 id="sessions-title">{props.title}</h2>
      {props.sessions.length === 0 ? (
        <p class="empty card">{t('sessions.none')}</p>
      ) : (
        <SessionsTable sessions={props.sessions} t={t} caption={props.caption} />
      )}
      {props.more ? (
        <p class="more">
          <a class="button button-secondary" href={props.more.href}>
            {props.more.label}
          </a>
        </p>
      ) : null}
    </section>
  );
}

export function SignOutForm({ csrfToken, t }: { csrfToken: string; t: Translate }) {
  return (
    <form method="post" action="/portal/sign-out" class="sign-out">
      <input type="hidden" name="_csrf" value={csrfToken} />
      <button type="submit" class="button button-secondary">
        {t('dash.signOut')}
      </button>
    </form>
  );
}
