/** Config > Notifications: the status-page SMS (on/off, frequency, template) with a live preview. */
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { VNode } from 'preact';
import { canWrite } from '../../auth/index.js';
import { TEMPLATE_VARIABLES, templateHasLink, type PreviewResult } from '../../notifications/index.js';
import { AppError } from '../../shared/index.js';
import { describeSmsText } from '../../sms/index.js';
import { checked, formValidationText, rawText, text, type FormBody } from '../forms.js';
import { adminKit as kit } from '../kit.js';
import { CsrfField } from '../views/components.js';

/** Encoding, parts and room left of a text, and what forces UCS-2 when something does. */
export function SmsCost({ text }: { text: string }): VNode {
  const info = describeSmsText(text);
  return (
    <p class="muted" data-sms-cost>
      {info.encoding === 'gsm7' ? 'GSM-7' : 'UCS-2 (Unicode)'}, {info.parts}{' '}
      {info.parts === 1 ? 'part' : 'parts'}, {info.charactersLeft}{' '}
      {info.charactersLeft === 1 ? 'character' : 'characters'} left in this part
      {info.parts > 1 ? '' : ` (${text.length} characters)`}.
      {info.nonGsmCharacters.length > 0 ? (
        <>
          {' '}
          Not in the GSM alphabet: {info.nonGsmCharacters.map((c) => `“${c}”`).join(' ')}; without them the
          text would be GSM-7, with about twice the room per part.
        </>
      ) : null}
    </p>
  );
}

/** A template form's buttons: save it, or only render the draft (intent=preview). */
export function SaveOrPreview(): VNode {
  return (
    <div class="actions">
      <button type="submit" name="intent" value="save">
        Save
      </button>
      <button type="submit" name="intent" value="preview" class="secondary">
        Preview
      </button>
    </div>
  );
}

function PreviewBox({ preview, error }: { preview?: PreviewResult; error?: string }): VNode | null {
  if (error) return <p class="error">{error}</p>;
  if (!preview) return null;
  return (
    <section aria-label="Preview">
      <h2>Preview</h2>
      <p class="muted">
        {preview.customer
          ? `For ${preview.customer.name ?? 'the customer'} (${preview.customer.phone}), with their latest voucher.`
          : 'With sample data: no customer has a voucher yet.'}
      </p>
      <pre class="sms-preview" id="sms-preview">
        {preview.text}
      </pre>
      <SmsCost text={preview.text} />
    </section>
  );
}

interface NotificationDraft {
  enabled: boolean;
  frequency: string;
  template: string;
}

export const configNotificationsPage: FastifyPluginAsync = async (admin) => {
  const deps = admin.smsAdminDeps;
  const canChange = (request: FastifyRequest) => canWrite(kit.actorOf(request).role);

  // ---- Config > Notifications ----

  const notificationsPage = async (
    request: FastifyRequest,
    reply: FastifyReply,
    options: {
      error?: string;
      draft?: NotificationDraft;
      preview?: PreviewResult;
      previewError?: string;
      previewPhone?: string;
    } = {},
  ) => {
    const saved = await deps.notifications.getSettings(request.tenant.id);
    const values: NotificationDraft = options.draft ?? {
      enabled: saved.statusPageEnabled,
      frequency: saved.statusPageFrequency,
      template: saved.statusPageTemplate,
    };
    let preview = options.preview;
    let previewError = options.previewError;
    if (!preview && !previewError) {
      try {
        preview = await deps.notifications.preview(request.tenant, { template: values.template });
      } catch (error) {
        if (!(error instanceof AppError)) throw error;
        previewError = error.message;
      }
    }
    const write = canChange(request);
    return kit.render(request, reply, {
      title: 'Notifications',
      error: options.error,
      status: options.error ? 400 : 200,
      body: (
        <>
          <h2>Status page notifications</h2>
          <p class="muted">
            Texts the customer the portal link when a voucher is activated. Every SMS is in{' '}
            <a href="/admin/logs/sms">Logs &gt; SMS Logs</a>. The voucher and sign-in code texts are under{' '}
            <a href="/admin/config/sms-texts">SMS texts</a>.
          </p>
          {request.tenant.public_url ? null : (
            <p class="hint" data-hint="public-url">
              The link in these texts must open on guests' phones. Portico builds it from the server's own
              address unless you set your public address (e.g. https://wifi.example.com) under{' '}
              <a href="/admin/config/business">Business</a>: check it in the preview below.
            </p>
          )}
          <form method="post" action="/admin/config/notifications" class="stack form-grid">
            <CsrfField token={kit.csrf(reply)} />
            <label class="check">
              <input type="checkbox" name="enabled" checked={values.enabled} disabled={!write} /> Enabled
            </label>
            <fieldset>
              <legend>Sending frequency</legend>
              <label class="check">
                <input
                  type="radio"
                  name="frequency"
                  value="once"
                  checked={values.frequency === 'once'}
                  disabled={!write}
                />{' '}
                Once per customer (at their first voucher activation while this is on — whichever voucher that
                is — and never again)
              </label>
              <label class="check">
                <input
                  type="radio"
                  name="frequency"
                  value="every_activation"
                  checked={values.frequency === 'every_activation'}
                  disabled={!write}
                />{' '}
                Every time a new voucher is activated
              </label>
            </fieldset>
            <label>
              SMS text
              <textarea name="template" rows={4} maxLength={1000} disabled={!write}>
                {values.template}
              </textarea>
            </label>
            {templateHasLink(values.template) ? null : (
              <p class="caution" role="note" data-warning="no-link">
                This text has no <code>{'{{ link }}'}</code>: customers get no link to their portal. Add{' '}
                <code>{'{{ link }}'}</code> where the address should go.
              </p>
            )}
            <p class="muted">
              Variables (write <code>{'{{ link }}'}</code> or <code>{'{{ .link }}'}</code>):{' '}
              {TEMPLATE_VARIABLES.map((v, i) => (
                <>
                  {i > 0 ? '; ' : ''}
                  <code>{v.name}</code> {v.description}
                </>
              ))}
              .
            </p>
            <label>
              Preview for the customer with phone <small>(empty = the latest customer)</small>
              <input name="previewPhone" type="tel" value={options.previewPhone ?? ''} />
            </label>
            {write ? <SaveOrPreview /> : null}
          </form>
          <PreviewBox preview={preview} error={previewError} />
        </>
      ),
    });
  };

  admin.get('/admin/config/notifications', async (request, reply) => notificationsPage(request, reply));

  admin.post<{ Body: FormBody }>(
    '/admin/config/notifications',
    { preHandler: kit.requireWrite },
    async (request, reply) => {
      const b = request.body;
      const draft: NotificationDraft = {
        enabled: checked(b, 'enabled'),
        frequency: text(b, 'frequency') || 'once',
        template: rawText(b, 'template'),
      };
      if (text(b, 'intent') === 'preview') {
        const previewPhone = text(b, 'previewPhone');
        try {
          let customerId: number | undefined;
          if (previewPhone) {
            customerId = await deps.findCustomerIdByPhone(request.tenant, previewPhone);
            if (customerId === undefined)
              throw new AppError('NOT_FOUND', 'No customer has this phone number');
          }
          const preview = await deps.notifications.preview(request.tenant, {
            template: draft.template,
            customerId,
          });
          return notificationsPage(request, reply, { draft, preview, previewPhone });
        } catch (error) {
          if (!(error instanceof AppError)) throw error;
          return notificationsPage(request, reply, { draft, previewError: error.message, previewPhone });
        }
      }
      try {
        await deps.notifications.updateSettings(request.tenant.id, {
          statusPageEnabled: draft.enabled,
          statusPageFrequency: draft.frequency as 'once' | 'every_activation',
          statusPageTemplate: draft.template,
        });
      } catch (error) {
        if (!(error instanceof AppError)) throw error;
        return notificationsPage(request, reply, { draft, error: formValidationText(error) });
      }
      return reply.redirect('/admin/config/notifications?notice=saved', 303);
    },
  );
};
