/** Formatting for one request: the viewer's language and locale, the tenant's time zone. */
import { formatBytes, formatDuration, formatMoney } from '../shared/index.js';

/**
 * Formatters are built once per (locale, time zone) and shared: constructing the Intl objects
 * costs more than rendering a whole dashboard's numbers with them.
 */
const instances = new Map<string, Formatter>();

/** The shared Formatter for a locale and time zone. */
export function formatterFor(locale: string, timeZone: string): Formatter {
  const key = `${locale}|${timeZone}`;
  let formatter = instances.get(key);
  if (!formatter) {
    if (instances.size >= 200) instances.clear();
    formatter = new Formatter(locale, timeZone);
    instances.set(key, formatter);
  }
  return formatter;
}

export class Formatter {
  private readonly dateTimeFormat: Intl.DateTimeFormat;
  private readonly dateFormat: Intl.DateTimeFormat;
  private readonly timeFormat: Intl.DateTimeFormat;
  private readonly dayFormat: Intl.DateTimeFormat;
  private readonly percentFormat: Intl.NumberFormat;
  private readonly speedFormat: Intl.NumberFormat;
  private readonly integerFormat: Intl.NumberFormat;
  /** The tenant's country in this locale ("United States"), cached per country code. */
  private readonly regionNames: Intl.DisplayNames;
  private readonly dayLabels = new Map<string, string>();

  constructor(
    readonly locale: string,
    readonly timeZone: string,
  ) {
    this.dateTimeFormat = new Intl.DateTimeFormat(locale, {
      timeZone,
      dateStyle: 'medium',
      timeStyle: 'short',
    });
    this.dateFormat = new Intl.DateTimeFormat(locale, { timeZone, dateStyle: 'medium' });
    this.timeFormat = new Intl.DateTimeFormat(locale, { timeZone, timeStyle: 'short' });
    // Calendar days (YYYY-MM-DD) are already in the tenant's zone: format them as UTC dates.
    this.dayFormat = new Intl.DateTimeFormat(locale, { timeZone: 'UTC', month: 'short', day: 'numeric' });
    this.percentFormat = new Intl.NumberFormat(locale, { maximumFractionDigits: 0 });
    this.speedFormat = new Intl.NumberFormat(locale, { maximumFractionDigits: 1 });
    this.integerFormat = new Intl.NumberFormat(locale);
    this.regionNames = new Intl.DisplayNames([locale], { type: 'region' });
  }

  /** "United States" for "US" (the code itself when unknown). */
  region(countryCode: string): string {
    try {
      return this.regionNames.of(countryCode) ?? countryCode;
    } catch {
      return countryCode;
    }
  }

  bytes(value: number): string {
    return formatBytes(value, this.locale);
  }

  duration(seconds: number): string {
    return formatDuration(seconds);
  }

  money(minor: number, currency: string): string {
    try {
      return formatMoney(minor, currency, this.locale);
    } catch {
      return `${minor / 100} ${currency}`; // an unknown currency code must not break the page
    }
  }

  dateTime(instantMs: number): string {
    return this.dateTimeFormat.format(instantMs);
  }

  date(instantMs: number): string {
    return this.dateFormat.format(instantMs);
  }

  time(instantMs: number): string {
    return this.timeFormat.format(instantMs);
  }

  /** "Nov 3" for the calendar day "2026-11-03" (kept: every view labels the same 30 days). */
  day(isoDay: string): string {
    let label = this.dayLabels.get(isoDay);
    if (label === undefined) {
      const [year, month, day] = isoDay.split('-').map(Number);
      label = this.dayFormat.format(Date.UTC(year ?? 1970, (month ?? 1) - 1, day ?? 1));
      if (this.dayLabels.size >= 1000) this.dayLabels.clear();
      this.dayLabels.set(isoDay, label);
    }
    return label;
  }

  percent(value: number): string {
    return this.percentFormat.format(value);
  }

  /** 10000 kbps → "10 Mbit/s". */
  speed(kbps: number): string {
    if (kbps >= 1000) {
      return `${this.speedFormat.format(kbps / 1000)} Mbit/s`;
    }
    return `${this.integerFormat.format(kbps)} kbit/s`;
  }
}

/** The last answer of daysEndingWith: every view of a day asks the same. */
let lastDays: { key: string; days: readonly string[] } | undefined;

/** The `count` calendar days ending with `lastDay` (YYYY-MM-DD), oldest first. */
export function daysEndingWith(lastDay: string, count: number): readonly string[] {
  const key = `${lastDay}|${count}`;
  if (lastDays?.key === key) return lastDays.days;
  const days = calendarDaysEndingWith(lastDay, count);
  lastDays = { key, days };
  return days;
}

function calendarDaysEndingWith(lastDay: string, count: number): string[] {
  const [year, month, day] = lastDay.split('-').map(Number);
  const days: string[] = [];
  for (let offset = count - 1; offset >= 0; offset--) {
    const instant = Date.UTC(year ?? 1970, (month ?? 1) - 1, (day ?? 1) - offset);
    days.push(new Date(instant).toISOString().slice(0, 10));
  }
  return days;
}
