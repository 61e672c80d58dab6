import { Layout, type PageContext } from './layout.js';

export function ErrorPage({ ctx, status, message }: { ctx: PageContext; status: number; message: string }) {
  const { t } = ctx;
  return (
    <Layout ctx={ctx} title={t('error.title')}>
      <section class="card narrow error-card" aria-labelledby="error-title">
        <p class="eyebrow">{t('error.code', { status })}</p>
        <h1 id="error-title">{t('error.title')}</h1>
        <p class="lead">{message}</p>
        <p>
          <a class="button button-primary" href="/portal">
            {t('error.back')}
          </a>
        </p>
      </section>
    </Layout>
  );
}
