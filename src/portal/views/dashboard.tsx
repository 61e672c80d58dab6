import type { ComponentChildren } from 'preact';
import type { DashboardModel, Meter } from '../dashboard.js';
import type { Translate } from '../i18n/index.js';
import { UsageChart } from './chart.js';
import { Layout, type PageContext } from './layout.js';
import { HistoryItem, MeterBar, SessionsSection, SignOutForm, StatusBadge, VoucherCard } from './parts.js';
import { leftText, limitText, remainingText } from './texts.js';

export interface DashboardProps {
  model: DashboardModel;
  phone: string;
  csrfToken: string;
  /** Compact "Associated devices" lines per voucher id, when the tenant shows the block. */
  deviceSummaries?: Record<number, ComponentChildren>;
}

function StatCard(props: { id: string; title: string; meter: Meter; liveKey: string; t: Translate }) {
  const { meter, t } = props;
  return (
    <article class="card stat" aria-labelledby={props.id}>
      <h3 id={props.id}>{props.title}</h3>
      <p class="stat-value">
        <span class="visually-hidden">{t('usage.used')}: </span>
        <span data-live={`${props.liveKey}.used`}>{meter.used}</span>{' '}
        <span class="stat-of" data-live={`${props.liveKey}.limit`}>
          {limitText(meter, t)}
        </span>
      </p>
      <MeterBar meter={meter} labelledBy={props.id} liveKey={props.liveKey} />
      <dl class="stat-facts">
        <div>
          <dt>{t('usage.remaining')}</dt>
          <dd data-live={`${props.liveKey}.remaining`}>{remainingText(meter, t)}</dd>
        </div>
      </dl>
    </article>
  );
}

/**
 * What a guest opens the portal for, first (issue 12): online or not, and what is left on each
 * active voucher and until when. The numbers carry the same live keys as the voucher cards.
 */
function NowSection({ model, t }: { model: DashboardModel; t: Translate }) {
  const online = model.active.some((voucher) => voucher.status === 'online');
  return (
    <section class="section now" aria-labelledby="now-title">
      <h2 id="now-title">{t('now.title')}</h2>
      <p class={online ? 'now-status now-online' : 'now-status'}>
        <span class="now-dot" aria-hidden="true" />
        {online ? t('now.online') : t('now.offline')}
      </p>
      {model.active.length === 0 ? (
        <p class="empty card">{t('usage.noActive')}</p>
      ) : (
        <ul class="now-list">
          {model.active.map((voucher) => (
            <li key={voucher.id} class="card now-item">
              <div class="now-head">
                <a href={`/portal/vouchers/${voucher.id}`}>{voucher.planTitle}</a>
                <StatusBadge voucher={voucher} />
              </div>
              <p class="now-left">
                <span>
                  <span class="visually-hidden">{t('usage.data')}: </span>
                  <strong data-live={`v${voucher.id}.data.left`}>{leftText(voucher.data, t)}</strong>
                </span>
                <span>
                  <span class="visually-hidden">{t('usage.time')}: </span>
                  <strong data-live={`v${voucher.id}.time.left`}>{leftText(voucher.time, t)}</strong>
                </span>
              </p>
              <p class="now-until muted small">{voucher.validity}</p>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

export function DashboardPage({ ctx, props }: { ctx: PageContext; props: DashboardProps }) {
  const { t } = ctx;
  const { model } = props;
  const noActive = model.totals.activeCount === 0;
  const totalsNote =
    model.totals.activeCount === 1
      ? t('usage.totalOfOne')
      : t('usage.totalOf', { count: model.totals.activeCount });
  return (
    <Layout ctx={ctx} title={t('dash.title')} live>
      <div
        class="dashboard"
        data-live-url={`/portal/api/summary?sessions=${model.sessionsLimit}&history=${model.historyLimit}`}
        data-fingerprint={model.fingerprint}
      >
        <section class="account" aria-labelledby="page-title">
          <div class="account-text">
            {model.customerName ? (
              <p class="eyebrow">{t('dash.hello', { name: model.customerName })}</p>
            ) : null}
            <h1 id="page-title">{t('dash.title')}</h1>
            <p class="muted">{t('dash.signedInAs', { phone: props.phone })}</p>
          </div>
          <SignOutForm csrfToken={props.csrfToken} t={t} />
        </section>

        <NowSection model={model} t={t} />

        <section class="section" aria-labelledby="vouchers-title">
          <h2 id="vouchers-title">{t('vouchers.title')}</h2>
          {model.active.length === 0 ? (
            <p class="empty card">{t('vouchers.none')}</p>
          ) : (
            <div class="vouchers">
              {model.active.map((voucher) => (
                <VoucherCard key={voucher.id} voucher={voucher} t={t}>
                  {props.deviceSummaries?.[voucher.id]}
                </VoucherCard>
              ))}
            </div>
          )}
        </section>

        <SessionsSection
          title={t('sessions.recent')}
          caption={t('sessions.caption')}
          sessions={model.sessions}
          more={model.moreSessions ? { href: '/portal/sessions', label: t('sessions.all') } : undefined}
          t={t}
        />

        <section class="section" aria-labelledby="usage-title">
          <h2 id="usage-title">{t('usage.title')}</h2>
          {noActive ? (
            // No "0 B of 0 B" with full bars: say what there is and what to do.
            <p class="empty card" data-empty="usage">
              {model.history.length === 0 ? t('usage.noVouchers') : t('usage.noActive')}
            </p>
          ) : (
            <p class="section-note">{totalsNote}</p>
          )}
          <div class="stats" hidden={noActive}>
            <StatCard
              id="stat-data"
              title={t('usage.data')}
              meter={model.totals.data}
              liveKey="total.data"
              t={t}
            />
            <StatCard
              id="stat-time"
              title={t('usage.time')}
              meter={model.totals.time}
              liveKey="total.time"
              t={t}
            />
          </div>
          <figure class="card chart" aria-labelledby="chart-title" hidden={model.chart.maxBytes === 0}>
            <figcaption class="chart-head">
              <h3 id="chart-title">{model.chart.title}</h3>
              <ul class="legend">
                <li class="legend-down">{t('usage.download')}</li>
                <li class="legend-up">{t('usage.upload')}</li>
              </ul>
            </figcaption>
            <div data-live-html="chart">
              <UsageChart chart={model.chart} />
            </div>
          </figure>
        </section>

        <section class="section" aria-labelledby="history-title">
          <h2 id="history-title">{t('history.title')}</h2>
          {model.history.length === 0 ? (
            <p class="empty card">{t('history.none')}</p>
          ) : (
            <ul class="history card">
              {model.history.map((voucher) => (
                <HistoryItem key={voucher.id} voucher={voucher} t={t} />
              ))}
            </ul>
          )}
          {model.moreHistory ? (
            <p class="more">
              <a
                class="button button-secondary"
                href={`/portal?sessions=${model.sessionsLimit}&history=${model.historyLimit + 10}#history-title`}
              >
                {t('history.showMore')}
              </a>
            </p>
          ) : null}
        </section>

        <p class="updated">
          <span data-live="updatedAt">{model.updatedAt}</span>
          <span class="live-hint" hidden>
            {' · '}
            {t('dash.liveHint')}
          </span>
          <noscript>
            {' · '}
            {t('dash.noscriptHint')}
          </noscript>
        </p>
      </div>
    </Layout>
  );
}
