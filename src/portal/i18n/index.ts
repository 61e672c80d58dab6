/**
 * The portal's message catalog and language choice. English is the reference; a language is
 * picked from the `portico_lang` cookie (the language switch), else Accept-Language, else the
 * tenant's locale, else English.
 */
import { en, type MessageKey } from './en.js';
import { es } from './es.js';

export type { MessageKey } from './en.js';

export const LANGUAGES = ['en', 'es'] as const;
export type Language = (typeof LANGUAGES)[number];

/** Each language's own name, for the switch (always shown in that language). */
export const LANGUAGE_NAMES: Record<Language, string> = { en: 'English', es: 'Español' };

const CATALOGS: Record<Language, Record<MessageKey, string>> = { en, es };

export type Params = Record<string, string | number>;
export type Translate = (key: MessageKey, params?: Params) => string;

export function isLanguage(value: unknown): value is Language {
  return typeof value === 'string' && (LANGUAGES as readonly string[]).includes(value);
}

/**
 * `{name, plural, one {# item} other {# items}}` (the ICU MessageFormat subset the catalogs use):
 * the branch for the number's plural category in this language (Intl.PluralRules), `#` replaced
 * by the number; `other` when the category has no branch. Branches hold no nested braces.
 */
const PLURAL = /\{(\w+), plural,((?:\s*(?:zero|one|two|few|many|other) \{[^{}]*\})+)\s*\}/g;
const PLURAL_TEST = /\{\w+, plural,/;
const PLURAL_BRANCH = /(zero|one|two|few|many|other) \{([^{}]*)\}/g;

/** The parameter names a message uses, plural ones included (for the catalog's own test). */
export function messageParams(template: string): string[] {
  const plural = [...template.matchAll(PLURAL)].map((m) => m[1] ?? '');
  const simple = [...template.replace(PLURAL, '').matchAll(/\{(\w+)\}/g)].map((m) => m[1] ?? '');
  return [...new Set([...plural, ...simple])].sort();
}

const pluralRulesCache = new Map<Language, Intl.PluralRules>();

/** A translator for `language`: replaces `{name}` with params (missing ones stay visible). */
export function translator(language: Language): Translate {
  let translate = translators.get(language);
  if (!translate) {
    translate = newTranslator(language);
    translators.set(language, translate);
  }
  return translate;
}

/** One per language, shared by every request (it keeps what it learnt of each message). */
const translators = new Map<Language, Translate>();

function newTranslator(language: Language): Translate {
  const catalog = CATALOGS[language];
  let rules = pluralRulesCache.get(language);
  if (!rules) {
    rules = new Intl.PluralRules(language);
    pluralRulesCache.set(language, rules);
  }
  const pluralRules = rules;
  const fill = (template: string, params: Params) =>
    template
      .replace(PLURAL, (match, name: string, branchText: string) => {
        const value = params[name];
        if (value === undefined) return match;
        const count = Number(value);
        const branches = new Map([...branchText.matchAll(PLURAL_BRANCH)].map((b) => [b[1], b[2] ?? '']));
        const branch = branches.get(pluralRules.select(count)) ?? branches.get('other') ?? match;
        return branch.replaceAll('#', String(value));
      })
      .replace(/\{(\w+)\}/g, (match, name: string) =>
        params[name] === undefined ? match : String(params[name]),
      );
  // A message without plurals, split once at its {name}s: a chart alone asks for 30 bar titles.
  const split = new Map<MessageKey, string[] | null>();
  return (key, params) => {
    const template = catalog[key];
    if (!params) return template;
    let parts = split.get(key);
    if (parts === undefined) {
      parts = PLURAL_TEST.test(template) ? null : template.split(/\{(\w+)\}/);
      split.set(key, parts);
    }
    if (parts === null) return fill(template, params);
    // Odd indexes are parameter names (split keeps the captured group).
    let text = '';
    for (let i = 0; i < parts.length; i++) {
      const part = parts[i] ?? '';
      if (i % 2 === 0) text += part;
      else text += params[part] === undefined ? `{${part}}` : String(params[part]);
    }
    return text;
  };
}

/** The best supported language for an Accept-Language header (RFC 9110 §12.5.4), or undefined. */
export function negotiateLanguage(header: string | undefined): Language | undefined {
  if (!header) return undefined;
  const ranked = header
    .split(',')
    .slice(0, 20)
    .map((part, index) => {
      const [tag = '', ...params] = part.trim().split(';');
      const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
      const quality = q ? Number(q.slice(2)) : 1;
      return { base: tag.trim().toLowerCase().split('-')[0] ?? '', quality, index };
    })
    .filter((entry) => entry.quality > 0 && !Number.isNaN(entry.quality))
    .sort((a, b) => b.quality - a.quality || a.index - b.index);
  return ranked.map((entry) => entry.base).find(isLanguage);
}

/** Picks the language: explicit choice, then the browser's, then the tenant's, then English. */
export function chooseLanguage(
  cookieValue: string | undefined,
  acceptLanguage: string | undefined,
  tenantLocale: string,
): Language {
  if (isLanguage(cookieValue)) return cookieValue;
  const fromHeader = negotiateLanguage(acceptLanguage);
  if (fromHeader) return fromHeader;
  const tenantLanguage = tenantLocale.toLowerCase().split('-')[0];
  return isLanguage(tenantLanguage) ? tenantLanguage : 'en';
}

const localeCache = new Map<string, string>();

/** The locale for numbers and dates: the tenant's own region when it speaks this language. */
export function formattingLocale(language: Language, tenantLocale: string): string {
  const key = `${language}|${tenantLocale}`;
  let locale = localeCache.get(key);
  if (locale === undefined) {
    locale = language;
    if (tenantLocale.toLowerCase().split('-')[0] === language) {
      try {
        locale = Intl.getCanonicalLocales(tenantLocale)[0] ?? language;
      } catch {
        // an invalid stored locale: the language alone
      }
    }
    if (localeCache.size >= 200) localeCache.clear();
    localeCache.set(key, locale);
  }
  return locale;
}
