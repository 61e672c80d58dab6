/**
 * axe-core in a real page: injects its source (a string evaluated in the page, so the page's CSP
 * does not apply) and runs the WCAG 2.1 A/AA rules. Shared by the portal and admin browser tests.
 */
import axe from 'axe-core';
import type { Page } from 'playwright-core';

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: Array<{ target: string[] }>;
}

export type AxeImpact = 'minor' | 'moderate' | 'serious' | 'critical';

/**
 * The page's axe violations, one readable line each ("serious label: Form elements must have
 * labels (#q)"). `impacts` keeps only those impacts (default: every one).
 */
export async function accessibilityViolations(
  page: Page,
  options: { impacts?: readonly AxeImpact[] } = {},
): Promise<string[]> {
  await page.evaluate(axe.source);
  const violations = await page.evaluate(async () => {
    const result = await (
      window as unknown as {
        axe: { run(context: unknown, options: unknown): Promise<{ violations: AxeViolation[] }> };
      }
    ).axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
    return result.violations;
  });
  const impacts = options.impacts;
  return violations
    .filter((v) => !impacts || impacts.includes((v.impact ?? 'minor') as AxeImpact))
    .map(
      (v) => `${v.impact ?? ''} ${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`,
    );
}
