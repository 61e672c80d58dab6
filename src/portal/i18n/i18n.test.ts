import { describe, expect, it } from 'vitest';
import { en } from './en.js';
import { es } from './es.js';
import { chooseLanguage, formattingLocale, messageParams, negotiateLanguage, translator } from './index.js';

describe('message catalog', () => {
  it('has every English key in Spanish, with the same parameters', () => {
    for (const [key, english] of Object.entries(en)) {
      const spanish = es[key as keyof typeof en];
      expect(spanish, key).toBeTruthy();
      expect(messageParams(spanish), key).toEqual(messageParams(english));
    }
  });

  it('fills parameters', () => {
    expect(translator('es')('dash.hello', { name: 'Ana' })).toBe('Hola, Ana');
    expect(translator('en')('vouchers.usedOf', { used: '1 GB', limit: '2 GB' })).toBe('1 GB of 2 GB');
  });
});

describe('plurals (Intl.PluralRules)', () => {
  it.each([
    ['en', 1, 'That code is not right. 1 try left.'],
    ['en', 4, 'That code is not right. 4 tries left.'],
    ['es', 1, 'Ese código no es correcto. Te queda 1 intento.'],
    ['es', 4, 'Ese código no es correcto. Te quedan 4 intentos.'],
  ] as const)('%s, %i tries left', (language, tries, text) => {
    expect(translator(language)('code.error.invalid', { tries })).toBe(text);
  });

  it('says device and devices in both languages', () => {
    expect(translator('en')('devices.count', { count: 1, limit: 1 })).toBe('1 of 1 device');
    expect(translator('en')('devices.count', { count: 1, limit: 3 })).toBe('1 of 3 devices');
    expect(translator('es')('devices.count', { count: 0, limit: 1 })).toBe('0 de 1 dispositivo');
    expect(translator('es')('devices.limit', { limit: 1 })).toBe('Este bono se puede usar en 1 dispositivo.');
  });

  it('names a plural parameter like a plain one', () => {
    expect(messageParams('{a} and {n, plural, one {# x} other {# xs}}')).toEqual(['a', 'n']);
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
