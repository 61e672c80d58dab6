/**
 * Phone numbers as customers type them → E.164, parsed in the tenant's default country.
 * Uses libphonenumber-js's full metadata so "valid" means a real number range, not just a length.
 */
import {
  getExampleNumber,
  parsePhoneNumberFromString,
  validatePhoneNumberLength,
  type CountryCode,
} from 'libphonenumber-js/max';
import { parsePhoneNumberFromString as parseWithLengthsOnly } from 'libphonenumber-js/min';
import mobileExamples from 'libphonenumber-js/mobile/examples';

export type PhoneProblem = 'empty' | 'not_a_number' | 'too_short' | 'too_long' | 'invalid';

export type ParsedPhone = { ok: true; e164: string } | { ok: false; problem: PhoneProblem };

/** Longest input we even look at: a number with spaces, dashes and an extension fits in 40. */
const MAX_INPUT_LENGTH = 40;

/**
 * Parses `input` ("(202) 555-0143", "+1 202 555 0143", "00 44 20 7946 0958") in `defaultCountry`
 * (ISO 3166-1 alpha-2). Never throws: the problem says what to tell the person.
 */
export function parsePhone(input: string, defaultCountry: string): ParsedPhone {
  const text = input.trim();
  if (text === '') return { ok: false, problem: 'empty' };
  if (text.length > MAX_INPUT_LENGTH || !/^[\d\s()+\-./]+$/.test(text)) {
    return { ok: false, problem: 'not_a_number' };
  }
  // "00" is the international prefix in most of the world; libphonenumber only knows it
  // per country, so normalise it here for countries (like the US) that use 011.
  const normalised = text.replace(/^00/, '+');
  const country = defaultCountry.toUpperCase() as CountryCode;
  const parsed = parsePhoneNumberFromString(normalised, country);
  if (parsed?.isValid()) return { ok: true, e164: parsed.number };
  // Numbers may have been registered with the smaller metadata, which checks lengths only:
  // accept what it accepts, so nobody registered is ever locked out by a stricter parser.
  const lenient = parseWithLengthsOnly(normalised, country);
  if (lenient?.isValid()) return { ok: true, e164: lenient.number };
  switch (validatePhoneNumberLength(normalised, country)) {
    case 'TOO_SHORT':
      return { ok: false, problem: 'too_short' };
    case 'TOO_LONG':
      return { ok: false, problem: 'too_long' };
    case 'NOT_A_NUMBER':
      return { ok: false, problem: 'not_a_number' };
    default:
      return { ok: false, problem: 'invalid' };
  }
}

const displayCache = new Map<string, string>();

/** How a number is shown to its owner: national format in the home country, else international. */
export function formatPhone(e164: string, homeCountry: string): string {
  // Parsing with the full metadata costs ~0.3 ms; the dashboard shows the number on every view.
  const key = `${homeCountry}|${e164}`;
  let display = displayCache.get(key);
  if (display === undefined) {
    const parsed = parsePhoneNumberFromString(e164);
    display = !parsed
      ? e164
      : parsed.country === homeCountry.toUpperCase()
        ? parsed.formatNational()
        : parsed.formatInternational();
    if (displayCache.size >= 10_000) displayCache.clear();
    displayCache.set(key, display);
  }
  return display;
}

/** A realistic mobile number of the country in national format, for form hints. */
export function examplePhone(country: string): string {
  const example = getExampleNumber(country.toUpperCase() as CountryCode, mobileExamples);
  return example?.formatNational() ?? '+1 202 555 0143';
}
