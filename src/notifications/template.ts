/**
 * Status-page SMS templates with LiquidJS: logic-light, sandboxed by createSafeLiquid (no file
 * system, own properties only, strict filters, parse/render/memory limits), plain text (SMS, not
 * HTML). Operators coming from other
 * hotspot systems write Go-template style `{{ .link }}`: that spelling is accepted too.
 */
import { validation } from '../shared/index.js';
import { createSafeLiquid, describeLiquidError } from './safe-liquid.js';

export type StatusPageVariables = {
  link: string;
  customer_name: string;
  customer_phone: string;
  voucher_code: string;
  plan_name: string;
  expiry: string;
  tenant_name: string;
};

export const TEMPLATE_VARIABLES: Array<{ name: keyof StatusPageVariables; description: string }> = [
  { name: 'link', description: "the portal link (the tenant's portal URL)" },
  { name: 'customer_name', description: "the customer's name (empty when unknown)" },
  { name: 'customer_phone', description: "the customer's phone number" },
  { name: 'voucher_code', description: 'the activated voucher code' },
  { name: 'plan_name', description: "the voucher's plan" },
  { name: 'expiry', description: "the voucher's expiry, in the tenant's locale and time zone" },
  { name: 'tenant_name', description: 'your business name' },
];

export const MAX_TEMPLATE_LENGTH = 1000;
/** 4 concatenated GSM-7 parts; longer texts cost too much and read badly. */
export const MAX_RENDERED_LENGTH = 612;

const engine = createSafeLiquid();

/** `{{ .link }}` → `{{ link }}` (also `{{- .x -}}`). */
export function normalizeTemplate(template: string): string {
  return template.replace(/\{\{(-?)\s*\.(?=[A-Za-z_])/g, '{{$1 ');
}

/** Whether a template puts the portal link in the SMS (`{{ link }}`, `{{ .link }}`, with filters). */
export function templateHasLink(template: string): boolean {
  return /\{\{-?\s*link\b/.test(normalizeTemplate(template));
}

/** Parses a template, throwing VALIDATION with the reason when it is not usable. */
export function checkTemplate(template: string): string {
  const trimmed = template.trim();
  if (trimmed.length === 0) throw validation('The SMS text must not be empty');
  if (trimmed.length > MAX_TEMPLATE_LENGTH)
    throw validation(`The SMS text is too long (${MAX_TEMPLATE_LENGTH} characters at most)`);
  try {
    engine.parse(normalizeTemplate(trimmed));
  } catch (error) {
    throw validation(`The SMS text is not a valid template: ${describeLiquidError(error)}`);
  }
  return trimmed;
}

/** Renders a template; throws VALIDATION when it fails or the result is empty or too long. */
export async function renderTemplate(
  template: string,
  variables: Readonly<Record<string, string | number>>,
): Promise<string> {
  let text: string;
  try {
    text = String(await engine.parseAndRender(normalizeTemplate(template), { ...variables }));
  } catch (error) {
    throw validation(`The SMS text could not be rendered: ${describeLiquidError(error)}`);
  }
  text = text.replace(/[ \t]+\n/g, '\n').trim();
  if (text.length === 0) throw validation('The SMS text renders to nothing');
  if (text.length > MAX_RENDERED_LENGTH)
    throw validation(
      `The SMS text is too long once filled in (${text.length} characters, ${MAX_RENDERED_LENGTH} at most)`,
    );
  return text;
}

/** "Nov 28, 2026, 2:30 PM" in the tenant's locale and time zone. */
export function formatExpiry(instantMs: number | null, locale: string, timeZone: string): string {
  if (instantMs === null) return 'no expiry';
  try {
    return new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short', timeZone }).format(
      instantMs,
    );
  } catch {
    return new Intl.DateTimeFormat('en', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' }).format(
      instantMs,
    );
  }
}
