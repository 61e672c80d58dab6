/**
 * What every admin page uses: the layout with the CSRF token, notices, and permission checks.
 * Other modules' page plugins, registered in the admin scope beside `adminArea`, use it too.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ComponentChildren } from 'preact';
import { renderDocument } from '../http/index.js';
import { actorOf, requireOwner, requireSuper, requireWrite } from './auth.js';
import { AdminLayout } from './views/layout.js';

/** Fixed notices shown after a redirect (`?notice=key`): never text taken from the URL. */
const NOTICES: Record<string, string> = {
  saved: 'Saved.',
  'saved-devices-need-otp':
    'Saved. The Associated Devices block stays hidden until “Use OTP for accessing the portal” is on too: customers must prove the number is theirs with a code before they can change devices.',
  created: 'Created.',
  disabled: 'Disabled.',
  disabled_none: 'Disabled. It had no session online.',
  disabled_disconnected: 'Disabled. The hotspot confirmed that its live sessions were disconnected.',
  disabled_pending:
    'Disabled. The hotspot has not confirmed the disconnect of its live sessions yet; it will be retried. The voucher can no longer sign in.',
  enabled: 'Enabled.',
  assigned: 'Assigned to the customer.',
  revoked: 'Revoked.',
  deleted: 'Deleted.',
  blocked: 'The customer is blocked.',
  unblocked: 'The customer is active again.',
  password: 'Your password was changed.',
  sent: 'The SMS is queued for sending; see Logs > SMS Logs.',
  // After a first-of-its-kind creation, say what comes next (operators new to Portico ask).
  'plan-created': 'Plan created. Next: generate vouchers from it with “Generate vouchers” below.',
  'hotspot-created':
    "Hotspot created. Next: paste the RouterOS configuration below into the router's terminal.",
  'gateway-created': 'Gateway created. Send a test SMS below to check it works.',
  'customer-created':
    'Customer created. Give them a voucher with “New voucher for this customer”, or assign one from a voucher’s page.',
  'assigned-new':
    'Customer created and the voucher assigned to them. “Send details by SMS” texts them the code.',
};

export interface PageOptions {
  title: string;
  body: ComponentChildren;
  /** A notice key from the fixed list or a message of our own. */
  notice?: string | undefined;
  error?: string | undefined;
  status?: number;
}

export interface AdminKit {
  /** Renders a page in the admin layout (HTML, escaped). Returns the reply. */
  render(request: FastifyRequest, reply: FastifyReply, options: PageOptions): FastifyReply;
  /** A CSRF token for forms on this page (the layout already includes one for sign-out). */
  csrf(reply: FastifyReply): string;
  requireWrite: typeof requireWrite;
  requireOwner: typeof requireOwner;
  requireSuper: typeof requireSuper;
  actorOf: typeof actorOf;
}

function noticeText(request: FastifyRequest, explicit: string | undefined): string | undefined {
  if (explicit) return NOTICES[explicit] ?? explicit;
  const key = (request.query as Record<string, unknown> | undefined)?.notice;
  return typeof key === 'string' ? NOTICES[key] : undefined;
}

/** Shown above a form filled in again after a sign-in (resume.js; issue 15, 8c). */
const RESUMED_NOTE =
  'Your session had expired, so this was not saved. Here is what you typed: check it and send it again.';

function createKit(): AdminKit {
  const csrfByReply = new WeakMap<FastifyReply, string>();
  const csrf = (reply: FastifyReply) => {
    let token = csrfByReply.get(reply);
    if (!token) {
      token = reply.generateCsrf();
      csrfByReply.set(reply, token);
    }
    return token;
  };
  return {
    csrf,
    render(request, reply, options) {
      // A form sent after the session expired, on its page again after the sign-in: its values.
      const resumed =
        (options.status ?? 200) === 200 && request.actor
          ? request.server.formResume.take(request, reply, RESUMED_NOTE)
          : '';
      const page = renderDocument(
        <AdminLayout
          title={options.title}
          actor={actorOf(request)}
          tenantName={request.tenant.name}
          csrf={csrf(reply)}
          path={request.url.split('?')[0] ?? '/admin'}
          notice={noticeText(request, options.notice)}
          error={options.error}
        >
          {options.body}
        </AdminLayout>,
      );
      return reply
        .status(options.status ?? 200)
        .header('cache-control', 'no-store')
        .type('text/html; charset=utf-8')
        .send(resumed ? page.replace('</body>', `${resumed}</body>`) : page);
    },
    requireWrite,
    requireOwner,
    requireSuper,
    actorOf,
  };
}

/**
 * The kit every admin page renders with, this module's and other modules' page plugins alike
 * (it holds nothing per app: the CSRF token is remembered per reply).
 */
export const adminKit: AdminKit = createKit();
