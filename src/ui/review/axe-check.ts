import axe from 'axe-core';

/**
 * Test helper: runs axe-core (WCAG 2.1 A/AA and best practices) on an element, its shadow root
 * included, and returns the violations as `rule: targets` lines (empty when it passes).
 */
export async function axeViolations(element: Element): Promise<string[]> {
  const results = await axe.run(element, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] } });
  return results.violations.map((violation) => `${violation.id}: ${violation.nodes.map((node) => node.target.join(' ')).join(', ')}`);
}
