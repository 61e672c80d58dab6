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

const DAY_PATTERN = /^\d{4}-\d{2}-\d{2}$/;

/** "2026-11-27" → "2026-11-28" (n = 1): calendar arithmetic, no time zone involved. */
export function addDays(day: string, n: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);
}

/** Whether `raw` is a real calendar day written YYYY-MM-DD (what `<input type="date">` sends). */
export function isCalendarDay(raw: unknown): raw is string {
  return typeof raw === 'string' && DAY_PATTERN.test(raw) && addDays(raw, 0) === raw;
}

/** The zone's offset from UTC at an instant, in ms (e.g. -5 h for New York in winter). */
function zoneOffsetMs(instantMs: number, timeZone: string): number {
  const parts = cached(
    `offset|${timeZone}`,
    () =>
      new Intl.DateTimeFormat('en-US', {
        timeZone,
        hourCycle: 'h23',
        year: 'numeric',
        month: '2-digit',
        day: '2-digit',
        hour: '2-digit',
        minute: '2-digit',
        second: '2-digit',
      }),
  ).formatToParts(instantMs);
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  const wallClockAsUtc = Date.UTC(
    get('year'),
    get('month') - 1,
    get('day'),
    get('hour'),
    get('minute'),
    get('second'),
  );
  return wallClockAsUtc - Math.floor(instantMs / 1000) * 1000;
}

/**
 * The first instant (epoch ms) of a calendar day in a time zone: where the tenant's "today"
 * begins. Where a DST change skips midnight, the day starts at the change; where midnight
 * happens twice, at the first one. Throws on a malformed day.
 */
export function startOfDayInZone(day: string, timeZone: string): number {
  if (!isCalendarDay(day)) throw new RangeError(`not a calendar day: ${String(day)}`);
  const midnightUtc = Date.parse(`${day}T00:00:00Z`);
  // Local midnight lies within 14 h of UTC midnight; at most one offset change falls in there,
  // so the offsets at both ends give every candidate.
  const candidates = [
    ...new Set([-14, 14].map((h) => midnightUtc - zoneOffsetMs(midnightUtc + h * 3_600_000, timeZone))),
  ]
    .filter((at) => dayInZone(at, timeZone) === day && dayInZone(at - 1, timeZone) !== day)
    .sort((a, b) => a - b);
  const start = candidates[0];
  if (start === undefined) throw new RangeError(`no start of ${day} found in ${timeZone}`);
  return start;
}

export const MB = 1_000_000;
export const GB = 1_000_000_000;
