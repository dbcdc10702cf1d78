// math.js - equations typeset with KaTeX (from npm, served locally): HTML
// for the eye plus MathML for screen readers; the TeX source stays in the
// MathML annotation.
import { KATEX_CSS, KATEX_JS } from './paths.js';
import { yieldTask } from './util.js';

let katexPromise = null;

export function loadStylesheet(href) {
  if (document.querySelector(`link[href="${href}"]`)) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const link = document.createElement('link');
    link.rel = 'stylesheet';
    link.href = href;
    link.onload = () => resolve();
    link.onerror = () => reject(new Error(`could not load ${href}`));
    document.head.append(link);
  });
}

export function katex() {
  katexPromise ??= Promise.all([import(KATEX_JS), loadStylesheet(KATEX_CSS)]).then(([m]) => m.default);
  return katexPromise;
}

/** Typesets TeX into element (display style unless display is false). */
export async function tex(element, source, display = true) {
  const k = await katex();
  k.render(source, element, { displayMode: display, throwOnError: false, output: 'htmlAndMathml', strict: 'ignore' });
  element.dataset.rendered = 'true';
}

/** Typesets every [data-tex] element under root, a few per task. */
export async function renderAll(root = document) {
  const k = await katex();
  const items = [...root.querySelectorAll('[data-tex]:not([data-rendered])')];
  for (let i = 0; i < items.length; i++) {
    const e = items[i];
    k.render(e.dataset.tex, e, {
      displayMode: e.dataset.display !== 'inline', throwOnError: false, output: 'htmlAndMathml', strict: 'ignore',
    });
    e.dataset.rendered = 'true';
    if (i % 4 === 3) await yieldTask();
  }
}
