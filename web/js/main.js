// main.js - the page's entry: theme, navigation, the engine, then each
// section. Everything uses rnn-wasm's public API only.
import { replacedLanguage } from './locale.js'; // first: makes navigator.language usable by Intl
import { init } from '../../dist/index.js';
import { PAGE_BUILD, PAGE_THREADS, engineStatus, oneThreadReason } from './engine-status.js';
import { $, $$, keepFocusInView, scrollBoxesByKeyboard } from './util.js';

// What tests (and curious people in the console) can read.
const page = { ready: false, error: null, backend: null, threads: null, oneThreadReason: null, replacedLanguage, sections: {} };
window.__rnnPage = page;

// The page starts in a task of its own: this module runs in the parser's last
// task, which also fires DOMContentLoaded, where Chromium's autofill lays out
// every section that holds a form field.
await new Promise((r) => setTimeout(r));

// ---- theme: auto (the system's) -> light -> dark -----------------------
const THEMES = ['auto', 'light', 'dark'];
const root = document.documentElement;
const media = matchMedia('(prefers-color-scheme: dark)');

function applyTheme(choice) {
  const dark = choice === 'dark' || (choice === 'auto' && media.matches);
  const resolved = dark ? 'dark' : 'light';
  const changed = root.dataset.resolvedTheme !== resolved;
  root.dataset.theme = choice;
  root.dataset.resolvedTheme = resolved;
  const label = { auto: 'Auto', light: 'Light', dark: 'Dark' }[choice];
  $('#theme-label').textContent = label;
  // The name starts with the visible label (WCAG 2.5.3, label in name).
  $('#theme-toggle').setAttribute('aria-label', `Theme: ${label}${choice === 'auto' ? ` (follows the system, ${resolved} now)` : ''}`);
  if (changed) document.dispatchEvent(new CustomEvent('themechange', { detail: { theme: resolved } }));
}
applyTheme(root.dataset.theme || 'auto');
$('#theme-toggle').addEventListener('click', () => {
  const next = THEMES[(THEMES.indexOf(root.dataset.theme) + 1) % THEMES.length];
  try { localStorage.setItem('rnn-wasm-theme', next); } catch { /* private mode */ }
  applyTheme(next);
});
media.addEventListener('change', () => applyTheme(root.dataset.theme));

// ---- the table of contents follows the reading position ---------------
const links = new Map($$('.toc a').map((a) => [a.getAttribute('href').slice(1), a]));
const seen = new Map();
const tocObserver = new IntersectionObserver((entries) => {
  for (const e of entries) seen.set(e.target.id, e.isIntersecting ? e.intersectionRatio : 0);
  let best = null, bestRatio = 0;
  for (const [id, ratio] of seen) if (ratio > bestRatio) { best = id; bestRatio = ratio; }
  if (!best) return;
  for (const [id, a] of links) {
    a.classList.toggle('active', id === best);
    if (id === best) a.setAttribute('aria-current', 'true'); else a.removeAttribute('aria-current');
  }
}, { threshold: [0, 0.1, 0.25, 0.5, 0.75], rootMargin: '-10% 0px -40% 0px' });
for (const id of links.keys()) { const s = document.getElementById(id); if (s) tocObserver.observe(s); }

// ---- errors are shown, not swallowed ------------------------------------
const status = $('#status');
function fail(where, err) {
  console.error(`[${where}]`, err);
  page.error = `${where}: ${err?.message ?? err}`;
  status.textContent = `Something went wrong in ${where}: ${err?.message ?? err}`;
  status.classList.add('error');
}

// ---- start ----------------------------------------------------------------
// (The built site's equations are typeset already: KaTeX is loaded only here.)
const mathReady = document.querySelector('[data-tex]:not([data-rendered])')
  ? import('./math.js').then((m) => m.renderAll()).catch((e) => fail('the equations', e)) : null;

try {
  const t0 = performance.now();
  const rnn = await init({ threads: PAGE_THREADS, build: PAGE_BUILD });
  performance.mark('rnn-engine-ready');
  page.backend = rnn.backend;
  page.threads = rnn.threads;
  page.oneThreadReason = oneThreadReason(rnn);
  $('#backend').textContent = rnn.backend;
  $('#engine-dot').classList.add('ok');
  status.textContent = engineStatus(rnn, performance.now() - t0);

  const modules = [
    ['unrolled', () => import('./unrolled.js')],
    ['gradients', () => import('./gradients.js')],
    ['gates', () => import('./gates.js')],
    ['gatesMin', () => import('./gates-min.js')],
    ['params', () => import('./params.js')],
    ['lengths', () => import('./lengths.js')],
    ['sentiment', () => import('./sentiment-section.js')],
    ['seq2seq', () => import('./seq2seq-section.js')],
    ['playground', () => import('./playground.js')],
    ['streaming', () => import('./streaming.js')],
    ['compare', () => import('./compare.js')],
    ['listen', () => import('./digits-section.js')],
    ['race', () => import('./race.js')],
    ['questions', () => import('./questions.js')],
  ];
  const ctx = { rnn, page };
  for (const [name, load] of modules) {
    try {
      performance.mark(`rnn-section-${name}`);
      const mod = await load();
      page.sections[name] = await mod.setup(ctx);
    } catch (e) {
      fail(`section "${name}"`, e);
    }
  }
  await mathReady;
  // Lay out each section once, so content-visibility remembers its real height
  // (links land right) and its scroll boxes are measured laid out: one section
  // per frame, as all at once made one long task.
  const frame = () => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
  for (const section of $$('.section')) {
    section.classList.add('render-now');
    await frame();
    scrollBoxesByKeyboard(section);
    section.classList.remove('render-now');
  }
  scrollBoxesByKeyboard(document.body, '.section');
  keepFocusInView();
  page.ready = true;
  performance.mark('rnn-page-ready');
  document.documentElement.dataset.ready = 'true';
} catch (e) {
  $('#backend').textContent = 'unavailable';
  $('#engine-dot').classList.add('err');
  fail('loading the engine', e);
}
