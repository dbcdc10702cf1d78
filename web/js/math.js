// math.js - equations typeset with KaTeX (from npm, served locally): HTML
// for the eye plus MathML for screen readers; the TeX source stays in the
// MathML annotation. The built site (scripts/build-site.mjs) typesets the
// page's [data-tex] markup and the TeX literals of its modules at build time
// (math-prerendered.js), so KaTeX's JS is loaded only for TeX made up at run
// time: keep run-time equations as literals (`tex: '...'`).
import { PRERENDERED } from './math-prerendered.js';
import { KATEX_CSS, KATEX_JS } from './paths.js';
import { loadStylesheet, yieldTask } from './util.js';

let katexPromise = null;

export function katex() {
  katexPromise ??= Promise.all([import(KATEX_JS), loadStylesheet(KATEX_CSS)]).then(([m]) => m.default);
  return katexPromise;
}

/** Typesets TeX into element (display style unless display is false). */
export async function tex(element, source, display = true) {
  const html = PRERENDERED[`${display ? 'display' : 'inline'}:${source}`];
  if (html !== undefined) {
    element.innerHTML = html;
    element.dataset.rendered = 'true';
    return;
  }
  const k = await katex();
  k.render(source, element, { displayMode: display, throwOnError: false, output: 'htmlAndMathml', strict: 'ignore' });
  element.dataset.rendered = 'true';
}

/** Typesets every [data-tex] element under root, a few per task. */
export async function renderAll(root = document) {
  const items = [...root.querySelectorAll('[data-tex]:not([data-rendered])')];
  if (!items.length) return;
  const k = await katex();
  for (let i = 0; i < items.length; i++) {
    const e = items[i];
    k.render(e.dataset.tex, e, {
      displayMode: e.dataset.display !== 'inline', throwOnError: false, output: 'htmlAndMathml', strict: 'ignore',
    });
    e.dataset.rendered = 'true';
    if (i % 4 === 3) await yieldTask();
  }
}
