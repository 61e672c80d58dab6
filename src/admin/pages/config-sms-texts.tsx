/**
 * Config > SMS texts: the voucher-details and sign-in-code SMS as templates, one per language,
 * each with its variables and a preview (sample values, the tenant's name). Saving keeps only
 * texts that differ from the built-in ones, so an untouched text follows later improvements.
 */
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { VNode } from 'preact';
import { canWrite } from '../../auth/index.js';
import {
  SMS_LANGUAGE_NAMES,
  SMS_LANGUAGES,
  SMS_TEXT_KINDS,
  SMS_TEXTS,
  smsTextTemplate,
  type SmsLanguage,
  type SmsTextKind,
} from '../../notifications/index.js';
import { AppError } from '../../shared/index.js';
import type { SmsTextTemplates } from '../../tenants/index.js';
import { formValidationText, rawText, text, type FormBody } from '../forms.js';
import { adminKit as kit } from '../kit.js';
import { CsrfField } from '../views/components.js';
import { SaveOrPreview, SmsCost } from './config-notifications.js';

const PATH = '/admin/config/sms-texts';
const fieldName = (kind: SmsTextKind, language: SmsLanguage) => `${kind}.${language}`;

/** Every text's template, from the form (a draft) or else the saved settings. */
type Drafts = Record<SmsTextKind, Record<SmsLanguage, string>>;

function draftsOf(source: (kind: SmsTextKind, language: SmsLanguage) => string): Drafts {
  const drafts = {} as Drafts;
  for (const kind of SMS_TEXT_KINDS) {
    drafts[kind] = {} as Record<SmsLanguage, string>;
    for (const language of SMS_LANGUAGES) drafts[kind][language] = source(kind, language);
  }
  return drafts;
}

/** The drafts to store: only those that differ from the built-in text. */
function overrides(drafts: Drafts): SmsTextTemplates {
  const result: SmsTextTemplates = {};
  for (const kind of SMS_TEXT_KINDS)
    for (const language of SMS_LANGUAGES) {
      const draft = drafts[kind][language].trim();
      if (draft && draft !== SMS_TEXTS[kind].defaults[language]) (result[kind] ??= {})[language] = draft;
    }
  return result;
}

function Preview({ result }: { result: { text: string } | { error: string } }): VNode {
  if ('error' in result) return <p class="error">{result.error}</p>;
  return (
    <>
      <pre class="sms-preview">{result.text}</pre>
      <SmsCost text={result.text} />
    </>
  );
}

export const configSmsTextsPage: FastifyPluginAsync = async (admin) => {
  const deps = admin.smsAdminDeps;
  const page = async (
    request: FastifyRequest,
    reply: FastifyReply,
    options: { drafts?: Drafts; error?: string } = {},
  ) => {
    const saved = (await deps.notifications.getSettings(request.tenant.id)).smsTexts;
    const drafts = options.drafts ?? draftsOf((kind, language) => smsTextTemplate(saved, kind, language));
    const write = canWrite(kit.actorOf(request).role);
    const previews = new Map<string, { text: string } | { error: string }>();
    for (const kind of SMS_TEXT_KINDS)
      for (const language of SMS_LANGUAGES) {
        const key = fieldName(kind, language);
        try {
          previews.set(key, {
            text: await deps.texts.preview(
              request.tenant,
              kind,
              language,
              drafts[kind][language] || SMS_TEXTS[kind].defaults[language],
            ),
          });
        } catch (error) {
          if (!(error instanceof AppError)) throw error;
          previews.set(key, { error: error.message });
        }
      }
    return kit.render(request, reply, {
      title: 'SMS texts',
      error: options.error,
      status: options.error ? 400 : 200,
      body: (
        <>
          <p class="muted">
            What guests receive by SMS, per language: the customer's language when it is known, else your
            business's (Config &gt; Business). An emptied text goes back to the built-in one. The status page
            text is under <a href="/admin/config/notifications">Notifications</a>.
          </p>
          <form method="post" action={PATH} class="stack form-grid">
            <CsrfField token={kit.csrf(reply)} />
            {SMS_TEXT_KINDS.map((kind) => (
              <fieldset data-sms-text={kind}>
                <legend>{SMS_TEXTS[kind].title}</legend>
                <p class="muted">
                  Variables:{' '}
                  {SMS_TEXTS[kind].variables.map((v, i) => (
                    <>
                      {i > 0 ? '; ' : ''}
                      <code>{String(v.name)}</code> {v.description}
                    </>
                  ))}
                  .
                </p>
                {SMS_LANGUAGES.map((language) => (
                  <div data-language={language}>
                    <label>
                      {SMS_LANGUAGE_NAMES[language]}
                      <textarea name={fieldName(kind, language)} rows={3} maxLength={1000} disabled={!write}>
                        {drafts[kind][language]}
                      </textarea>
                    </label>
                    <Preview result={previews.get(fieldName(kind, language))!} />
                  </div>
                ))}
              </fieldset>
            ))}
            {write ? <SaveOrPreview /> : null}
          </form>
        </>
      ),
    });
  };

  admin.get(PATH, async (request, reply) => page(request, reply));

  admin.post<{ Body: FormBody }>(PATH, { preHandler: kit.requireWrite }, async (request, reply) => {
    const body = request.body;
    const drafts = draftsOf((kind, language) => rawText(body, fieldName(kind, language)));
    if (text(body, 'intent') === 'preview') return page(request, reply, { drafts });
    try {
      await deps.notifications.updateSettings(request.tenant.id, { smsTexts: overrides(drafts) });
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      return page(request, reply, { drafts, error: formValidationText(error) });
    }
    return reply.redirect(`${PATH}?notice=saved`, 303);
  });
};
