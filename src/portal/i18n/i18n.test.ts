import { describe, expect, it } from 'vitest';
import { en } from './en.js';
import { es } from './es.js';
import { chooseLanguage, formattingLocale, negotiateLanguage, translator } from './index.js';

describe('message catalog', () => {
  it('has every English key in Spanish, with the same parameters', () => {
    for (const [key, english] of Object.entries(en)) {
      const spanish = es[key as keyof typeof en];
      expect(spanish, key).toBeTruthy();
      const params = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
      expect(params(spanish), key).toEqual(params(english));
    }
  });

  it('fills parameters', () => {
    expect(translator('es')('dash.hello', { name: 'Ana' })).toBe('Hola, Ana');
    expect(translator('en')('vouchers.usedOf', { used: '1 GB', limit: '2 GB' })).toBe('1 GB of 2 GB');
  });
});

describe('language choice', () => {
  it.each([
    ['es-MX,es;q=0.9,en;q=0.8', 'es'],
    ['fr-FR,fr;q=0.9,es;q=0.5,en;q=0.4', 'es'],
    ['en;q=0.2, es;q=0.8', 'es'],
    ['de-DE', undefined],
    ['es;q=0', undefined],
  ])('negotiates %s → %s', (header, language) => {
    expect(negotiateLanguage(header)).toBe(language);
  });

  it('prefers the switch, then the browser, then the tenant', () => {
    expect(chooseLanguage('en', 'es', 'es-MX')).toBe('en');
    expect(chooseLanguage(undefined, 'es', 'en-US')).toBe('es');
    expect(chooseLanguage('xx', 'de', 'es-MX')).toBe('es');
    expect(chooseLanguage(undefined, undefined, 'fr-FR')).toBe('en');
  });

  it("formats in the tenant's region when it speaks the language", () => {
    expect(formattingLocale('es', 'es-MX')).toBe('es-MX');
    expect(formattingLocale('es', 'en-US')).toBe('es');
  });
});
