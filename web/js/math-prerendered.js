// math-prerendered.js - equations typeset ahead of time, by the key
// 'display:<TeX>' or 'inline:<TeX>'. Empty here (the page served from the
// repository typesets with KaTeX in the browser); scripts/build-site.mjs
// replaces this module with every TeX string the page's modules hold as a
// literal `tex: '...'` property or `tex(element, '...')` argument, rendered
// by KaTeX at build time, so the built site never loads KaTeX's JS for them.
export const PRERENDERED = {};
