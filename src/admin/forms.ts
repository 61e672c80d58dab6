/** Reading HTML form fields: empty means "not set", numbers are checked, units converted. */
import type { FastifyError, FastifyRequest } from 'fastify';
import type { Static, TObject } from '@sinclair/typebox';
import { MAC_FORMAT_MESSAGE, parseMac } from '../devices/index.js';
import { addDays, AppError, isCalendarDay, startOfDayInZone } from '../shared/index.js';

export type FormBody = Record<string, string | string[] | undefined>;

/**
 * Route options of a form whose body a TypeBox schema describes (with the TypeBox type provider,
 * `request.body` is typed from it). Fastify validates the body with the server's Ajv, set up for
 * forms in http/server.ts: "12" becomes 12, defaults are filled in, and fields the schema does
 * not name (`_csrf`) are kept. `attachValidation`: a refusal reaches the handler, which answers it
 * like the domain's refusals, with the form and what was typed (`formBody`). The CSRF and role
 * preHandlers run either way.
 */
export function formRoute<S extends TObject>(body: S) {
  return { schema: { body }, attachValidation: true } as const;
}

/**
 * The body of a `formRoute` once its schema accepted it; otherwise AppError VALIDATION with the
 * message of the first refused field (`messages`, by field name).
 */
export function formBody<S extends TObject>(
  request: FastifyRequest,
  _schema: S,
  messages: { [K in keyof Static<S>]?: string },
): Static<S> {
  const refusal = request.validationError as FastifyError | undefined;
  if (refusal) {
    const first = refusal.validation?.[0];
    const missing = (first?.params as { missingProperty?: unknown } | undefined)?.missingProperty;
    const field = typeof missing === 'string' ? missing : (first?.instancePath.split('/')[1] ?? '');
    throw new AppError(
      'VALIDATION',
      (messages as Record<string, string | undefined>)[field] ?? 'The form is not valid',
    );
  }
  return request.body as Static<S>;
}

export function text(body: FormBody, name: string): string {
  const value = body[name];
  return (Array.isArray(value) ? value[0] : value)?.trim() ?? '';
}

/** A field as typed, spaces kept (SMS templates, payloads, secrets); absent → ''. */
export function rawText(body: FormBody, name: string): string {
  const value = body[name];
  return (Array.isArray(value) ? value[0] : value) ?? '';
}

/** A number field scaled to the stored unit (MB → bytes); empty → null. */
export function scaled(body: FormBody, name: string, factor: number, label: string): number | null {
  const raw = text(body, name);
  if (raw === '') return null;
  const value = Number(raw.replace(',', '.'));
  if (!Number.isFinite(value) || value < 0) throw new AppError('VALIDATION', `${label} must be a number`);
  return Math.round(value * factor);
}

export function checked(body: FormBody, name: string): boolean {
  const value = text(body, name);
  return value === 'on' || value === '1' || value === 'true';
}

/**
 * A positive integer route parameter (`id` by default); anything else is NOT_FOUND (`message`),
 * as for an id that names nothing, rather than a 400 a params schema would give.
 */
export function idParam(params: unknown, name = 'id', message = 'Not found'): number {
  const id = Number((params as Record<string, string | undefined>)[name]);
  if (!Number.isSafeInteger(id) || id < 1) throw new AppError('NOT_FOUND', message);
  return id;
}

/**
 * A list's optional `?mac=` filter, in any common format: the normalised MAC, or the message for
 * a text that is not one (the page shows it and lists nothing rather than everything).
 */
export function macFilter(raw: string | undefined): { mac?: string; error?: string } {
  if (!raw?.trim()) return {};
  const mac = parseMac(raw);
  return mac ? { mac } : { error: `MAC address: ${MAC_FORMAT_MESSAGE}` };
}

/**
 * A list's `from`/`to` date filter (YYYY-MM-DD, calendar days in the tenant's time zone) as a
 * half-open range of instants: from the start of `from` to the start of the day after `to`, so
 * "to" includes its whole day. A missing or impossible date leaves that end open.
 */
export function dayRangeInZone(
  from: string | undefined,
  to: string | undefined,
  timeZone: string,
): { fromMs?: number; toMs?: number } {
  return {
    ...(isCalendarDay(from) ? { fromMs: startOfDayInZone(from, timeZone) } : {}),
    ...(isCalendarDay(to) ? { toMs: startOfDayInZone(addDays(to, 1), timeZone) } : {}),
  };
}

/**
 * "2026-12-31" (a date input) → the last second of that day in the tenant's time zone, in epoch
 * ms ("valid until the 31st" means until the operator's midnight, not UTC's); empty → null.
 */
export function dateEnd(body: FormBody, name: string, timeZone: string): number | null {
  const raw = text(body, name);
  if (raw === '') return null;
  if (!/^\d{4}-\d{2}-\d{2}$/.test(raw)) throw new AppError('VALIDATION', 'Dates are YYYY-MM-DD');
  if (!isCalendarDay(raw)) throw new AppError('VALIDATION', 'This date does not exist');
  return startOfDayInZone(addDays(raw, 1), timeZone) - 1000;
}

/**
 * A refused form's message for people: the error's summary followed by what each field needs
 * ("Please correct the hotspot fields: Enter an IPv4 or IPv6 address."), when the error says.
 */
export function formErrorText(error: AppError): string {
  const details = error.details;
  if (!details || typeof details !== 'object' || Array.isArray(details)) return error.message;
  const reasons = Object.values(details).filter((v): v is string => typeof v === 'string');
  return reasons.length > 0 ? `${error.message}: ${reasons.join('; ')}.` : error.message;
}

/**
 * A refused save's message when the error lists schema errors by path (`details.errors`, as the
 * SMS gateway validators give): "The gateway settings are not valid: url …". Entries without a
 * path (the portal settings name fields whose messages are already the summary) add nothing.
 */
export function formValidationText(error: AppError): string {
  const details = error.details as { errors?: Array<{ path?: unknown; message: string }> } | undefined;
  const errors = (details?.errors ?? []).filter(
    (e): e is { path: string; message: string } => typeof e.path === 'string',
  );
  if (errors.length === 0) return error.message;
  return `${error.message}: ${errors.map((e) => `${e.path.replace(/^\//, '') || 'settings'} ${e.message}`).join('; ')}`;
}
