import type { ComponentChildren } from 'preact';
import type { SessionView, VoucherView } from '../dashboard.js';
import { Layout, type PageContext } from './layout.js';
import { isEnded, MeterRow, SessionsSection, SignOutForm, StatusBadge } from './parts.js';

export interface VoucherPageProps {
  voucher: VoucherView;
  sessions: SessionView[];
  moreSessions: boolean;
  sessionsLimit: number;
  /** The "Associated devices" block, when the tenant shows it for this voucher. */
  devices?: ComponentChildren;
  /** For the Sign out form (every signed-in page has one). */
  csrfToken: string;
}

export function VoucherPage({ ctx, props }: { ctx: PageContext; props: VoucherPageProps }) {
  const { t } = ctx;
  const { voucher } = props;
  const ended = isEnded(voucher);
  return (
    <Layout ctx={ctx} title={voucher.planTitle} live>
      <div class="page-top">
        <p class="back">
          <a href="/portal">
            <span aria-hidden="true">← </span>
            {t('vouchers.back')}
          </a>
        </p>
        <SignOutForm csrfToken={props.csrfToken} t={t} />
      </div>
      <article class="voucher-detail" aria-labelledby="page-title" data-live-url="/portal/api/summary">
        <header class="voucher-detail-head">
          <h1 id="page-title">{voucher.planTitle}</h1>
          <StatusBadge voucher={voucher} />
        </header>
        <section class="card code-card" aria-labelledby="code-title">
          <h2 id="code-title" class="eyebrow">
            {t('vouchers.code')}
          </h2>
          <p class="full-code">
            <code>{voucher.code}</code>
          </p>
          <p class="muted small">
            {t(
              ended ? 'vouchers.endedHint' : voucher.codeHidden ? 'vouchers.codeHidden' : 'vouchers.codeHint',
            )}
          </p>
        </section>
        <section class="card" aria-labelledby="usage-title">
          <h2 id="usage-title">{ended ? t('history.finalUsage') : t('usage.title')}</h2>
          <MeterRow
            label={t('vouchers.traffic')}
            meter={voucher.data}
            liveKey={`v${voucher.id}.data`}
            id="detail-data"
            t={t}
            ended={ended}
          />
          <p class="muted small">
            {t('usage.download')}: {voucher.data.download} · {t('usage.upload')}: {voucher.data.upload}
          </p>
          <MeterRow
            label={t('vouchers.onlineTime')}
            meter={voucher.time}
            liveKey={`v${voucher.id}.time`}
            id="detail-time"
            t={t}
            ended={ended}
          />
        </section>
        <section class="card" aria-labelledby="facts-title">
          <h2 id="facts-title" class="visually-hidden">
            {t('vouchers.details')}
          </h2>
          <dl class="facts facts-grid">
            <div>
              <dt>{t('vouchers.status')}</dt>
              <dd>{voucher.statusLabel}</dd>
            </div>
            <div>
              <dt>{t('vouchers.validity')}</dt>
              <dd>{voucher.validity}</dd>
            </div>
            <div>
              <dt>{t('vouchers.activated')}</dt>
              <dd>{voucher.activatedAt ?? t('vouchers.notActivated')}</dd>
            </div>
            <div>
              <dt>{t('vouchers.price')}</dt>
              <dd>{voucher.price}</dd>
            </div>
            <div>
              <dt>{t('vouchers.speed')}</dt>
              <dd>{voucher.speed}</dd>
            </div>
            <div>
              <dt>{t('vouchers.devices')}</dt>
              <dd>{voucher.devicesLimit}</dd>
            </div>
            <div>
              <dt>{t('vouchers.created')}</dt>
              <dd>{voucher.createdAt}</dd>
            </div>
          </dl>
        </section>
        {props.devices}
        <SessionsSection
          title={t('vouchers.sessionsOf')}
          caption={t('vouchers.sessionsOf')}
          sessions={props.sessions}
          more={
            props.moreSessions
              ? {
                  href: `/portal/vouchers/${voucher.id}?sessions=${props.sessionsLimit + 20}#sessions-title`,
                  label: t('sessions.showMore'),
                }
              : undefined
          }
          t={t}
        />
      </article>
    </Layout>
  );
}
