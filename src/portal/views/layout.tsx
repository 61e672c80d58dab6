import type { ComponentChildren } from 'preact';
import { LANGUAGES, LANGUAGE_NAMES, type Language, type Translate } from '../i18n/index.js';

/** What every portal page needs to know about the request. */
export interface PageContext {
  t: Translate;
  lang: Language;
  tenantName: string;
  /** The current path (with query), where the language switch comes back to. */
  path: string;
}

export function Layout(props: {
  ctx: PageContext;
  title: string;
  children: ComponentChildren;
  /** Load the live-refresh script (signed-in pages only). */
  live?: boolean;
}) {
  const { ctx } = props;
  const { t } = ctx;
  return (
    <html lang={ctx.lang}>
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="color-scheme" content="light dark" />
        <meta name="referrer" content="same-origin" />
        <title>{`${props.title} · ${ctx.tenantName}`}</title>
        <link rel="icon" href="/assets/portal-icon.svg" type="image/svg+xml" />
        <link rel="stylesheet" href="/assets/portal.css" />
        {props.live ? <script src="/assets/portal.js" defer /> : null}
        <script src="/assets/follow.js" defer />
        <script src="/assets/resume.js" defer />
      </head>
      <body>
        <a class="skip-link" href="#main">
          {t('app.skipToContent')}
        </a>
        <header class="topbar">
          <div class="topbar-inner">
            <p class="brand">
              <span class="brand-mark" aria-hidden="true">
                <svg viewBox="0 0 24 24" width="20" height="20" focusable="false">
                  <path d="M12 18.5a1.5 1.5 0 1 0 0 3 1.5 1.5 0 0 0 0-3Zm-4.2-3.1 1.4 1.4a4 4 0 0 1 5.6 0l1.4-1.4a6 6 0 0 0-8.4 0Zm-2.8-2.8 1.4 1.4a8 8 0 0 1 11.2 0l1.4-1.4a10 10 0 0 0-14 0ZM2.2 9.8l1.4 1.4a12 12 0 0 1 16.8 0l1.4-1.4a14 14 0 0 0-19.6 0Z" />
                </svg>
              </span>
              <span>{ctx.tenantName}</span>
            </p>
            <nav class="lang-switch" aria-label={t('lang.label')}>
              <ul>
                {LANGUAGES.map((lang) => (
                  <li key={lang}>
                    {lang === ctx.lang ? (
                      <span aria-current="true" lang={lang}>
                        {LANGUAGE_NAMES[lang]}
                      </span>
                    ) : (
                      <a
                        href={`/portal/language/${lang}?next=${encodeURIComponent(ctx.path)}`}
                        lang={lang}
                        hreflang={lang}
                      >
                        {LANGUAGE_NAMES[lang]}
                      </a>
                    )}
                  </li>
                ))}
              </ul>
            </nav>
          </div>
        </header>
        <main id="main" class="container" tabindex={-1}>
          {props.children}
        </main>
        <footer class="footer container">
          <p>
            {ctx.tenantName} · {t('app.name')}
          </p>
        </footer>
      </body>
    </html>
  );
}
