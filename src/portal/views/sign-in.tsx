import { Layout, type PageContext } from './layout.js';

export interface SignInProps {
  csrfToken: string;
  phone: string;
  /** A message for the phone field (already translated), shown next to it. */
  error?: string;
  /** A neutral notice (signed out, session expired). */
  notice?: string;
  example: string;
  countryName: string;
  /** Signed-in customers can add and remove devices (OTP and the devices block on). */
  canManageDevices?: boolean;
}

export function SignInPage({ ctx, props }: { ctx: PageContext; props: SignInProps }) {
  const { t } = ctx;
  const hintId = 'phone-hint';
  const errorId = 'phone-error';
  return (
    <Layout ctx={ctx} title={t('signIn.title')}>
      <div class="sign-in">
        <section class="card sign-in-card" aria-labelledby="sign-in-title">
          <h1 id="sign-in-title">{t('signIn.title')}</h1>
          <p class="lead">{t('signIn.intro', { tenant: ctx.tenantName })}</p>
          {props.notice ? (
            <p class="notice" role="status">
              {props.notice}
            </p>
          ) : null}
          <form method="post" action="/portal/sign-in" class="form" novalidate>
            <input type="hidden" name="_csrf" value={props.csrfToken} />
            <div class={props.error ? 'field field-error' : 'field'}>
              <label for="phone">{t('signIn.phoneLabel')}</label>
              <p id={hintId} class="hint">
                {t('signIn.phoneHint', { example: props.example, country: props.countryName })}
              </p>
              {props.error ? (
                <p id={errorId} class="field-message" role="alert">
                  {props.error}
                </p>
              ) : null}
              <input
                id="phone"
                name="phone"
                type="tel"
                inputmode="tel"
                autocomplete="tel"
                required
                maxlength={40}
                value={props.phone}
                aria-describedby={props.error ? `${errorId} ${hintId}` : hintId}
                aria-invalid={props.error ? 'true' : undefined}
                autofocus={props.error ? true : undefined}
              />
            </div>
            <button type="submit" class="button button-primary button-block">
              {t('signIn.submit')}
            </button>
          </form>
          <p class="muted small">{props.canManageDevices ? t('signIn.devices') : t('signIn.readOnly')}</p>
        </section>
      </div>
    </Layout>
  );
}
