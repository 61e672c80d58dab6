/** Formatting of bytes, durations and money for people. Locale-aware through Intl. */

const BYTE_UNITS = ['B', 'KB', 'MB', 'GB', 'TB', 'PB'] as const;

/**
 * Building an Intl formatter costs ~50-200 µs, formatting with one ~1 µs: keep them. Keys come
 * from tenant settings and the portal's languages, so the map stays small; it is bounded anyway.
 */
const formatters = new Map<string, Intl.NumberFormat | Intl.DateTimeFormat>();
function cached<T extends Intl.NumberFormat | Intl.DateTimeFormat>(key: string, create: () => T): T {
  let formatter = formatters.get(key) as T | undefined;
  if (!formatter) {
    if (formatters.size >= 500) formatters.clear();
    formatter = create();
    formatters.set(key, formatter);
  }
  return formatter;
}

/** 1536 → "1.5 KB" (decimal units, as operators and phones show them). */
export function formatBytes(bytes: number, locale = 'en'): string {
  let value = bytes;
  let unit = 0;
  while (Math.abs(value) >= 1000 && unit < BYTE_UNITS.length - 1) {
    value /= 1000;
    unit++;
  }
  const digits = unit === 0 || value >= 100 ? 0 : 1;
  const format = cached(
    `bytes|${locale}|${digits}`,
    () => new Intl.NumberFormat(locale, { maximumFractionDigits: digits }),
  );
  return `${format.format(value)} ${BYTE_UNITS[unit]}`;
}

/** 3725 → "1 h 2 min"; under a minute → "45 s". */
export function formatDuration(totalSeconds: number): string {
  const seconds = Math.max(0, Math.round(totalSeconds));
  const days = Math.floor(seconds / 86_400);
  const hours = Math.floor((seconds % 86_400) / 3600);
  const minutes = Math.floor((seconds % 3600) / 60);
  if (days > 0) return hours > 0 ? `${days} d ${hours} h` : `${days} d`;
  if (hours > 0) return minutes > 0 ? `${hours} h ${minutes} min` : `${hours} h`;
  if (minutes > 0) return `${minutes} min`;
  return `${seconds} s`;
}

/** 1999, 'USD' → "$19.99". */
export function formatMoney(minor: number, currency: string, locale = 'en'): string {
  const format = cached(
    `money|${locale}|${currency}`,
    () => new Intl.NumberFormat(locale, { style: 'currency', currency }),
  );
  const fractionDigits = format.resolvedOptions().maximumFractionDigits ?? 2;
  return format.format(minor / 10 ** fractionDigits);
}

/** The calendar day (YYYY-MM-DD) of an instant in a time zone. */
export function dayInZone(instantMs: number, timeZone: string): string {
  return cached(
    `day|${timeZone}`,
    () => new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }),
  ).format(instantMs);
}

export const MB = 1_000_000;
export const GB = 1_000_000_000;
