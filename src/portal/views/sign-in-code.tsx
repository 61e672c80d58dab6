/** The second sign-in step with OTP on: enter the code from the SMS, or ask for a new one. */
import { Layout, type PageContext } from './layout.js';

export interface SignInCodeProps {
  csrfToken: string;
  /** The number as the customer typed it, formatted (never confirmed as registered). */
  phone: string;
  codeLength: number;
  minutes: number;
  /** Shown while the resend cooldown runs, e.g. "45 s"; undefined = can resend now. */
  resendWait?: string;
  error?: string;
  notice?: string;
}

export function SignInCodePage({ ctx, props }: { ctx: PageContext; props: SignInCodeProps }) {
  const { t } = ctx;
  return (
    <Layout ctx={ctx} title={t('code.title')}>
      <div class="sign-in">
        <section class="card sign-in-card" aria-labelledby="code-title">
          <h1 id="code-title">{t('code.title')}</h1>
          <p class="lead">
            {t('code.sent', { phone: props.phone, length: props.codeLength, minutes: props.minutes })}
          </p>
          {props.notice ? (
            <p class="notice" role="status">
              {props.notice}
            </p>
          ) : null}
          <form method="post" action="/portal/sign-in/code" class="form" novalidate>
            <input type="hidden" name="_csrf" value={props.csrfToken} />
            <div class={props.error ? 'field field-error' : 'field'}>
              <label for="code">{t('code.label')}</label>
              {props.error ? (
                <p id="code-error" class="field-message" role="alert">
                  {props.error}
                </p>
              ) : null}
              <input
                id="code"
                name="code"
                type="text"
                inputmode="numeric"
                autocomplete="one-time-code"
                pattern="[0-9 ]*"
                maxlength={20}
                required
                autofocus
                aria-describedby={props.error ? 'code-error' : undefined}
                aria-invalid={props.error ? 'true' : undefined}
              />
            </div>
            <button type="submit" class="button button-primary button-block">
              {t('code.submit')}
            </button>
          </form>
          <form method="post" action="/portal/sign-in/resend" class="form">
            <input type="hidden" name="_csrf" value={props.csrfToken} />
            {props.resendWait ? (
              <p class="muted small">{t('code.resendWait', { wait: props.resendWait })}</p>
            ) : null}
            <button type="submit" class="button button-block">
              {t('code.resend')}
            </button>
          </form>
          <p class="muted small">
            <a href="/portal?another-number">{t('code.otherNumber')}</a>
          </p>
        </section>
      </div>
    </Layout>
  );
}
