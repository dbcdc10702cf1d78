// axe.mjs - axe-core (npm, a dev dependency) in a playwright page: inject it
// and run the WCAG 2.1 A and AA rules on a part of the page.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
export const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

/**
 * Runs axe on context (an axe context: a selector, or { include, exclude })
 * and returns { violations, passed }: violations as
 * { rule, impact, help, nodes: [{ target, summary }] }, passed: the ids of
 * the rules that found something to check there and passed.
 */
export async function axeCheck(page, context = 'body') {
  if (!(await page.evaluate(() => typeof window.axe === 'object'))) await page.evaluate(AXE_SOURCE);
  return page.evaluate(async ({ context, tags }) => {
    const r = await window.axe.run(context, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] });
    return {
      violations: r.violations.map((v) => ({
        rule: v.id, impact: v.impact, help: v.help,
        nodes: v.nodes.map((n) => ({ target: n.target.join(' '), summary: n.failureSummary.replace(/\s+/g, ' ').trim() })),
      })),
      passed: r.passes.map((p) => p.id),
    };
  }, { context, tags: WCAG_TAGS });
}

/** Violations as readable lines, for an assertion message. */
export const describeViolations = (where, violations) => violations.flatMap((v) =>
  v.nodes.map((n) => `${where}: ${v.rule} (${v.impact}) at ${n.target}: ${n.summary}`));
