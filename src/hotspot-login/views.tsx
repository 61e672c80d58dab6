/**
 * The guest's pages: mobile first, no JavaScript needed, one HTML document with its styles
 * inline (one round trip on a slow captive network), the tenant's name and colour.
 */
import type { ComponentChildren, InputHTMLAttributes } from 'preact';
import { LANGUAGES, LANGUAGE_NAMES, type Language, type Translate } from './i18n.js';

export interface Look {
  tenantName: string;
  /** The tenant's logo on Portico's host (Config > Login page), if any. */
  logoUrl?: string;
  welcomeText: string;
  accentColor: string;
}

export interface ViewContext {
  t: Translate;
  lang: Language;
  look: Look;
  /** CSP nonce of this response's inline style and script. */
  nonce: string;
  /** The same page in another language, or undefined where there is no such link (after a POST). */
  languageHref?: (lang: Language) => string;
}

/** Relative luminance (WCAG 2.1) of #rrggbb. */
function luminance(hex: string): number {
  const channel = (i: number) => {
    const c = parseInt(hex.slice(i, i + 2), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5);
}

/** White or near-black text, whichever contrasts more with the accent. */
export function textOn(accent: string): string {
  const l = luminance(accent);
  const white = 1.05 / (l + 0.05);
  const dark = (l + 0.05) / (luminance('#111111') + 0.05);
  return white >= dark ? '#ffffff' : '#111111';
}

function styles(look: Look): string {
  const accent = /^#[0-9a-fA-F]{6}$/.test(look.accentColor) ? look.accentColor : '#0b5cad';
  return `:root{--accent:${accent};--on-accent:${textOn(accent)};color-scheme:light}
*{box-sizing:border-box}
body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1a1a1a;background:#f4f5f7}
header{background:var(--accent);color:var(--on-accent);padding:1rem}
header p{margin:0}
.logo{display:block;max-height:3rem;max-width:12rem;margin-bottom:.5rem;background:#fff;border-radius:.25rem;padding:.25rem}
.venue{font-size:1.25rem;font-weight:700}
main{max-width:28rem;margin:0 auto;padding:1rem}
.card{background:#fff;border-radius:.75rem;padding:1.25rem;box-shadow:0 1px 3px rgba(0,0,0,.12)}
h1{font-size:1.4rem;margin:0 0 .5rem}
h2{font-size:1.1rem;margin:1rem 0 0}
label{display:block;font-weight:600;margin-top:1rem}
.hint{color:#555;font-size:.9rem;margin:.25rem 0 .5rem}
input[type=text],input[type=tel]{width:100%;font-size:1.25rem;padding:.7rem;border:2px solid #767676;border-radius:.5rem;letter-spacing:.04em}
input:focus,button:focus,a:focus{outline:3px solid #1a1a1a;outline-offset:2px}
button.secondary{background:#fff;color:#1a1a1a;border:2px solid #1a1a1a}
.free{margin-top:1.5rem;padding-top:1rem;border-top:1px solid #ddd}
.other{text-align:center;margin:1rem 0 0}
button,.button{display:block;width:100%;margin-top:1rem;padding:.85rem;font-size:1.1rem;font-weight:700;border:0;border-radius:.5rem;background:var(--accent);color:var(--on-accent);text-align:center;text-decoration:none;cursor:pointer}
.error{border-left:4px solid #b3261e;background:#fdecea;color:#5f1410;padding:.75rem;border-radius:.25rem;margin:1rem 0}
.error strong{display:block}
dl{display:grid;grid-template-columns:auto 1fr;gap:.35rem 1rem;margin:1rem 0}
dt{color:#555}
dd{margin:0;font-weight:600}
.lang{text-align:center;margin:1.5rem 0 0;font-size:.95rem}
.lang a,.lang span{margin:0 .5rem;color:#1a1a1a}
footer{text-align:center;color:#555;font-size:.85rem;padding:1rem}`;
}

export function Page(props: {
  ctx: ViewContext;
  title: string;
  children: ComponentChildren;
  script?: string;
  /** Go on to this URL at once (a meta refresh: no script needed). */
  refreshTo?: string;
}) {
  const { ctx } = props;
  return (
    <html lang={ctx.lang}>
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="robots" content="noindex" />
        <meta name="referrer" content="no-referrer" />
        {/* No favicon request: one round trip less on a slow captive network. */}
        <link rel="icon" href="data:," />
        {props.refreshTo ? <meta http-equiv="refresh" content={`0; url=${props.refreshTo}`} /> : null}
        <title>{`${props.title} · ${ctx.look.tenantName}`}</title>
        <style nonce={ctx.nonce} dangerouslySetInnerHTML={{ __html: styles(ctx.look) }} />
      </head>
      <body>
        <header>
          {/* Beside the name it would repeat: decorative for screen readers. */}
          {ctx.look.logoUrl ? <img class="logo" src={ctx.look.logoUrl} alt="" /> : null}
          <p class="venue">{ctx.look.tenantName}</p>
          {ctx.look.welcomeText ? <p>{ctx.look.welcomeText}</p> : null}
        </header>
        <main>
          <div class="card">{props.children}</div>
          {ctx.languageHref ? (
            <nav class="lang" aria-label={ctx.t('lang.label')}>
              {LANGUAGES.map((lang) =>
                lang === ctx.lang ? (
                  <span key={lang} aria-current="true" lang={lang}>
                    {LANGUAGE_NAMES[lang]}
                  </span>
                ) : (
                  <a key={lang} href={ctx.languageHref!(lang)} lang={lang} hreflang={lang}>
                    {LANGUAGE_NAMES[lang]}
                  </a>
                ),
              )}
            </nav>
          ) : null}
        </main>
        {props.script ? (
          <script nonce={ctx.nonce} dangerouslySetInnerHTML={{ __html: props.script }} />
        ) : null}
      </body>
    </html>
  );
}

/** The router's variables, carried through Portico's form unchanged. */
export type RouterFields = Record<string, string>;

function Hidden({ fields }: { fields: RouterFields }) {
  return (
    <>
      {Object.entries(fields).map(([name, value]) => (
        <input key={name} type="hidden" name={name} value={value} />
      ))}
    </>
  );
}

/** Free access by phone offered under the voucher form. */
export interface FreeAccessOffer {
  action: string;
  plan: string;
  phone: string;
  error?: string;
}

/** A refused answer, in words, announced to screen readers. */
function ErrorBox(props: { id: string; t: Translate; text: string | undefined }) {
  if (!props.text) return null;
  return (
    <div class="error" role="alert" id={props.id}>
      <strong>{props.t('error.heading')}</strong>
      {props.text}
    </div>
  );
}

/** The router's fields and the language, carried by every form of the page. */
function Carried(props: { ctx: ViewContext; fields: RouterFields }) {
  return (
    <>
      <Hidden fields={props.fields} />
      <input type="hidden" name="lang" value={props.ctx.lang} />
    </>
  );
}

/** A labelled input with its hint, tied to the hint and to its error (`<id>-error`) if any. */
function Field(props: {
  id: string;
  label: string;
  hint: string;
  error: string | undefined;
  input: InputHTMLAttributes<HTMLInputElement>;
}) {
  const hint = `${props.id}-hint`;
  return (
    <>
      <label for={props.id}>{props.label}</label>
      <p class="hint" id={hint}>
        {props.hint}
      </p>
      <input
        {...props.input}
        id={props.id}
        aria-describedby={props.error ? `${hint} ${props.id}-error` : hint}
        aria-invalid={props.error ? 'true' : undefined}
      />
    </>
  );
}

export function LoginView(props: {
  ctx: ViewContext;
  action: string;
  fields: RouterFields;
  code: string;
  error?: string;
  /** Shown instead of the form when the page was not opened through the router. */
  blocked?: string;
  freeAccess?: FreeAccessOffer;
}) {
  const { t } = props.ctx;
  return (
    <Page ctx={props.ctx} title={t('page.title')}>
      <h1>{t('page.title')}</h1>
      {props.blocked ? (
        <p role="status">{props.blocked}</p>
      ) : (
        <>
          <p>{t('page.intro')}</p>
          <ErrorBox id="code-error" t={t} text={props.error} />
          <form method="post" action={props.action}>
            <Carried ctx={props.ctx} fields={props.fields} />
            <Field
              id="code"
              label={t('code.label')}
              hint={t('code.hint')}
              error={props.error}
              input={{
                type: 'text',
                name: 'code',
                value: props.code,
                autocomplete: 'off',
                autocapitalize: 'off',
                autocorrect: 'off',
                spellcheck: false,
                required: true,
                maxlength: 100,
              }}
            />
            <button type="submit">{t('submit')}</button>
          </form>
          {props.freeAccess ? (
            <FreeAccessForm ctx={props.ctx} fields={props.fields} offer={props.freeAccess} />
          ) : null}
        </>
      )}
    </Page>
  );
}

function FreeAccessForm(props: { ctx: ViewContext; fields: RouterFields; offer: FreeAccessOffer }) {
  const { t } = props.ctx;
  const { offer } = props;
  return (
    <section aria-labelledby="free-title" class="free">
      <h2 id="free-title">{t('free.title')}</h2>
      <p>{t('free.intro', { plan: offer.plan })}</p>
      <ErrorBox id="phone-error" t={t} text={offer.error} />
      <form method="post" action={offer.action}>
        <Carried ctx={props.ctx} fields={props.fields} />
        <Field
          id="phone"
          label={t('free.phoneLabel')}
          hint={t('free.phoneHint')}
          error={offer.error}
          input={{
            type: 'tel',
            name: 'phone',
            value: offer.phone,
            autocomplete: 'tel',
            inputmode: 'tel',
            required: true,
            maxlength: 40,
          }}
        />
        <button type="submit" class="secondary">
          {t('free.send')}
        </button>
      </form>
    </section>
  );
}

/**
 * The free-access code step. Everything it needs travels in the form (the router's variables and
 * the short flow id); the state is on the server, so a reopened sheet comes back to this step.
 */
export function FreeCodeView(props: {
  ctx: ViewContext;
  action: string;
  resendAction: string;
  /** The router's variables plus the flow id. */
  fields: RouterFields;
  phone: string;
  phoneDisplay: string;
  codeLength: number;
  otherNumberHref: string;
  error?: string;
}) {
  const { t } = props.ctx;
  return (
    <Page ctx={props.ctx} title={t('free.codeTitle')}>
      <h1>{t('free.codeTitle')}</h1>
      <p role="status">{t('free.sentTo', { phone: props.phoneDisplay })}</p>
      <p class="hint">{t('free.keepOpen')}</p>
      <ErrorBox id="otp-error" t={t} text={props.error} />
      <form method="post" action={props.action}>
        <Carried ctx={props.ctx} fields={props.fields} />
        <Field
          id="otp"
          label={t('free.codeLabel')}
          hint={t('free.codeHint', { length: props.codeLength })}
          error={props.error}
          input={{
            type: 'text',
            name: 'code',
            value: '',
            inputmode: 'numeric',
            autocomplete: 'one-time-code',
            pattern: '[0-9]*',
            required: true,
            maxlength: 10,
          }}
        />
        <button type="submit">{t('submit')}</button>
      </form>
      <form method="post" action={props.resendAction}>
        <Carried ctx={props.ctx} fields={props.fields} />
        <input type="hidden" name="phone" value={props.phone} />
        <input type="hidden" name="resend" value="1" />
        <button type="submit" class="secondary">
          {t('free.resend')}
        </button>
      </form>
      <p class="other">
        <a href={props.otherNumberHref}>{t('free.otherNumber')}</a>
      </p>
    </Page>
  );
}

/**
 * The checked code goes to the router as a full-page POST (never XHR or a frame: the router's
 * challenge belongs to its own page and it answers with a redirect). Submitted at once by a
 * tiny inline script; without JavaScript the guest taps Connect.
 */
export function ConnectView(props: { ctx: ViewContext; action: string; fields: RouterFields }) {
  const { t } = props.ctx;
  return (
    <Page
      ctx={props.ctx}
      title={t('connect.title')}
      script="document.getElementById('router-login').submit();"
    >
      <h1>{t('connect.title')}</h1>
      <p role="status">{t('connect.hint')}</p>
      <form id="router-login" method="post" action={props.action}>
        <Hidden fields={props.fields} />
        <button type="submit">{t('submit')}</button>
      </form>
    </Page>
  );
}

export interface WelcomeFacts {
  plan: string;
  status: string;
  dataLeft: string;
  timeLeft: string;
  until: string;
  speed: string;
  devices: string;
}

export function WelcomeView(props: { ctx: ViewContext; facts?: WelcomeFacts; portalHref: string }) {
  const { t } = props.ctx;
  const facts = props.facts;
  return (
    <Page ctx={props.ctx} title={t('welcome.title')}>
      <h1>{t('welcome.title')}</h1>
      {facts ? (
        <>
          <h2>{t('welcome.voucher')}</h2>
          <dl>
            <dt>{t('welcome.plan')}</dt>
            <dd>
              {facts.plan} · {facts.status}
            </dd>
            <dt>{t('welcome.dataLeft')}</dt>
            <dd>{facts.dataLeft}</dd>
            <dt>{t('welcome.timeLeft')}</dt>
            <dd>{facts.timeLeft}</dd>
            <dt>{t('welcome.until')}</dt>
            <dd>{facts.until}</dd>
            <dt>{t('welcome.speed')}</dt>
            <dd>{facts.speed}</dd>
            <dt>{t('welcome.devices')}</dt>
            <dd>{facts.devices}</dd>
          </dl>
          <p>{t('welcome.portalLead')}</p>
        </>
      ) : (
        <p role="status">{t('welcome.expired')}</p>
      )}
      <a class="button" href={props.portalHref}>
        {t('welcome.portalLink')}
      </a>
    </Page>
  );
}

/** After login without the portal: "you are online", then on to `next` (the page first asked for). */
export function ConnectedView(props: { ctx: ViewContext; next?: string }) {
  const { t } = props.ctx;
  return (
    <Page ctx={props.ctx} title={t('connected.title')} {...(props.next ? { refreshTo: props.next } : {})}>
      <h1>{t('connected.title')}</h1>
      {props.next ? (
        <p>
          <a href={props.next}>{t('connected.continue')}</a>
        </p>
      ) : (
        <p>{t('connected.body')}</p>
      )}
    </Page>
  );
}
