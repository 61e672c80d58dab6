/**
 * English counted nouns for texts outside the portal's catalogs (admin area, API errors, SMS
 * previews): "1 device", "3 devices". The category comes from Intl.PluralRules, not `n === 1`,
 * so a future catalog language only swaps the forms.
 */
const englishRules = new Intl.PluralRules('en');

export function countOf(count: number, one: string, other: string): string {
  return `${count} ${englishRules.select(count) === 'one' ? one : other}`;
}
