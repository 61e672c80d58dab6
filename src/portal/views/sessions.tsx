import type { SessionView } from '../dashboard.js';
import { Layout, type PageContext } from './layout.js';
import { SessionsTable } from './parts.js';

export interface SessionsPageProps {
  sessions: SessionView[];
  page: number;
  hasOlder: boolean;
}

/** All of a customer's sessions, newest first, a page at a time (plain links, no JavaScript). */
export function SessionsPage({ ctx, props }: { ctx: PageContext; props: SessionsPageProps }) {
  const { t } = ctx;
  const { page } = props;
  return (
    <Layout ctx={ctx} title={t('sessions.pageTitle')}>
      <p class="back">
        <a href="/portal">
          <span aria-hidden="true">← </span>
          {t('vouchers.back')}
        </a>
      </p>
      <section class="section" aria-labelledby="page-title">
        <h1 id="page-title">{t('sessions.pageTitle')}</h1>
        <p class="muted">{t('sessions.pageOf', { page })}</p>
        {props.sessions.length === 0 ? (
          <p class="empty card">{t('sessions.none')}</p>
        ) : (
          <SessionsTable sessions={props.sessions} t={t} caption={t('sessions.caption')} />
        )}
        {page > 1 || props.hasOlder ? (
          <nav class="pager" aria-label={t('sessions.pages')}>
            {page > 1 ? (
              <a
                class="button button-secondary"
                href={page === 2 ? '/portal/sessions' : `/portal/sessions?page=${page - 1}`}
              >
                {t('sessions.newer')}
              </a>
            ) : null}
            {props.hasOlder ? (
              <a class="button button-secondary" href={`/portal/sessions?page=${page + 1}`}>
                {t('sessions.older')}
              </a>
            ) : null}
          </nav>
        ) : null}
      </section>
    </Layout>
  );
}
