/**
 * Names and titles people type (customers, plans, hotspots, devices, tenants, admins, tokens,
 * SMS gateways) are shown to other people, so they are cleaned the same way everywhere before
 * they are checked and stored.
 */

/** The most characters any stored name or title has (the database columns are varchar(200)). */
export const NAME_MAX_CHARS = 200;

/**
 * Bidirectional embedding, override and isolate controls (U+202A–U+202E, U+2066–U+2069) make a
 * name display reversed or spill its direction into the text around it ("Mallory\u202Eevil");
 * other control characters (line breaks, NUL) break one-line displays. Both are dropped.
 */
// eslint-disable-next-line no-control-regex -- control characters are exactly what this matches
const UNWANTED = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

/** `text` without bidi or control characters, trimmed. */
export function cleanName(text: string | null | undefined): string {
  return (text ?? '').replace(UNWANTED, '').trim();
}
