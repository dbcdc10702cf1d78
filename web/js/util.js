// util.js - small helpers shared by the page's sections.

export const $ = (sel, root = document) => root.querySelector(sel);
export const $$ = (sel, root = document) => [...root.querySelectorAll(sel)];

/** document.createElement with attributes / properties and children. */
export function el(tag, attrs = {}, ...children) {
  const svg = ['svg', 'g', 'rect', 'circle', 'path', 'line', 'text', 'tspan', 'title', 'polyline', 'ellipse', 'defs', 'marker'].includes(tag);
  const node = svg ? document.createElementNS('http://www.w3.org/2000/svg', tag) : document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v == null || v === false) continue;
    if (k === 'class') node.setAttribute('class', v);
    else if (k === 'text') node.textContent = v;
    else if (k.startsWith('on') && typeof v === 'function') node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat()) if (c != null) node.append(c);
  return node;
}

export const clamp = (v, lo, hi) => Math.min(hi, Math.max(lo, v));

/** 1234567 -> '1,234,567'. */
export const int = (n) => Math.round(n).toLocaleString('en-US');

/** A number with `d` significant digits, '–' for non-finite. */
export function num(v, d = 3) {
  if (!Number.isFinite(v)) return '–';
  if (v !== 0 && (Math.abs(v) < 1e-3 || Math.abs(v) >= 1e5)) return v.toExponential(Math.max(0, d - 1));
  return Number(v.toPrecision(d)).toString();
}

/** Signed fixed: 0.5 -> '+0.50'. */
export const signed = (v, d = 2) => (v >= 0 ? '+' : '−') + Math.abs(v).toFixed(d);

export function seconds(s) {
  if (!Number.isFinite(s)) return '–';
  if (s < 60) return `${Math.round(s)} s`;
  return `${Math.floor(s / 60)} min ${String(Math.round(s % 60)).padStart(2, '0')} s`;
}

/** mulberry32: a small seeded generator in [0, 1). */
export function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function debounce(fn, ms) {
  let t = 0;
  return (...args) => {
    clearTimeout(t);
    t = setTimeout(() => fn(...args), ms);
  };
}

/** Resolves on the next animation frame (or after 50 ms when frames are throttled). */
export const nextFrame = () => new Promise((r) => {
  const t = setTimeout(r, 50);
  requestAnimationFrame(() => { clearTimeout(t); r(); });
});

/** Yields to the event loop (a macrotask), so long work is cut into short tasks. */
export const yieldTask = () => new Promise((r) => setTimeout(r, 0));

/** The theme's colours, read from the CSS custom properties. */
export function palette() {
  const cs = getComputedStyle(document.documentElement);
  const v = (n) => cs.getPropertyValue(n).trim();
  return {
    bg: v('--bg'), surface: v('--surface'), ink: v('--ink'), muted: v('--muted'), faint: v('--faint'),
    grid: v('--grid'), border: v('--border'), accent: v('--accent'),
    rnn: v('--c-rnn'), lstm: v('--c-lstm'), gru: v('--c-gru'),
    pos: v('--pos'), neg: v('--neg'), warn: v('--warn'),
    dark: document.documentElement.dataset.resolvedTheme === 'dark',
  };
}

/** Calls fn() whenever the theme changes (the toggle or the system setting). */
export function onThemeChange(fn) {
  document.addEventListener('themechange', () => fn());
}

/**
 * Whether an element is on screen, kept up to date: animations pause when
 * their section scrolls away (they cost the main thread nothing then).
 */
export function visibility(element, onChange) {
  const state = { visible: false };
  const io = new IntersectionObserver((entries) => {
    for (const e of entries) {
      state.visible = e.isIntersecting;
      onChange?.(state.visible);
    }
  }, { rootMargin: '80px' });
  io.observe(element);
  return state;
}

/**
 * Calls load() once, when element comes within margin of the view (or at
 * once where IntersectionObserver is missing): what a section fetches
 * (datasets, weights) waits for the reader to get near it.
 */
export function whenNear(element, load, margin = '100% 0px') {
  if (typeof IntersectionObserver !== 'function') { load(); return; }
  const io = new IntersectionObserver((entries) => {
    if (!entries.some((e) => e.isIntersecting)) return;
    io.disconnect();
    load();
  }, { rootMargin: margin });
  io.observe(element);
}

/**
 * Keeps the control that just took the focus in view. Sections have
 * content-visibility: auto and build some content when they come near, so a
 * section above the focus can grow just after the browser scrolled the
 * focused control into view and push it out again: for a short while after
 * each focus, a control that leaves the view is brought back (once).
 */
export function keepFocusInView(ms = 1500) {
  document.addEventListener('focusin', (event) => {
    const target = event.target, until = performance.now() + ms;
    const check = () => {
      if (document.activeElement !== target || !(target instanceof Element)) return;
      const r = target.getBoundingClientRect();
      if (r.height > 0 && (r.bottom <= 0 || r.top >= innerHeight)) { target.scrollIntoView({ block: 'nearest' }); return; }
      if (performance.now() < until) requestAnimationFrame(check);
    };
    requestAnimationFrame(check);
  });
}

/** Adds a stylesheet (once); resolves when it has loaded. */
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

/** A canvas sized to its CSS box at the device pixel ratio; returns a 2-D context in CSS pixels. */
/** Shows a play / pause toggle's state: aria-pressed, its label and its icon. */
export function showPlaying(button, playing, playLabel = 'Play') {
  button.setAttribute('aria-pressed', String(playing));
  button.querySelector('.label').textContent = playing ? 'Pause' : playLabel;
  button.querySelector('[aria-hidden]').className = playing ? 'icon-pause' : 'icon-play';
}

export function fitCanvas(canvas) {
  const dpr = Math.min(window.devicePixelRatio || 1, 2);
  const w = Math.max(1, Math.round(canvas.clientWidth)), h = Math.max(1, Math.round(canvas.clientHeight));
  if (canvas.width !== Math.round(w * dpr) || canvas.height !== Math.round(h * dpr)) {
    canvas.width = Math.round(w * dpr);
    canvas.height = Math.round(h * dpr);
  }
  const ctx = canvas.getContext('2d');
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.clearRect(0, 0, w, h);
  return { ctx, w, h };
}

/** Saves bytes as a download. */
export function download(bytes, filename, type = 'application/octet-stream') {
  const url = URL.createObjectURL(new Blob([bytes], { type }));
  const a = el('a', { href: url, download: filename });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** Reads the value of a range / select / number input as a number. */
export const numberOf = (input) => Number(input.value);

/** Writes a range input's value into its <output> (for= its id). */
export function bindOutput(input, format = (v) => v) {
  const out = document.querySelector(`output[for="${input.id}"]`);
  const show = () => { if (out) out.textContent = format(Number(input.value)); };
  input.addEventListener('input', show);
  show();
  return show;
}

/** The reader asked for less motion (prefers-reduced-motion: reduce): nothing may animate by itself. */
export const reducedMotion = matchMedia('(prefers-reduced-motion: reduce)');

const FOCUSABLE = 'a[href], button, input, select, textarea, [tabindex]:not([tabindex="-1"])';

/**
 * Every scroll box under root whose content overflows gets tabindex=0 (unless
 * it holds something focusable already), so a keyboard alone can scroll it
 * (WCAG 2.1.1); boxes that fit stay out of the tab order. Kept up to date as
 * boxes resize or their content changes. Boxes inside `skip` (a selector) are
 * left to another call.
 */
export function scrollBoxesByKeyboard(root, skip = null) {
  const scrolls = (v) => v === 'auto' || v === 'scroll';
  const SLACK = 12; // px: a glyph's overhang hides nothing (axe-core allows 13)
  const update = (box) => {
    const cs = getComputedStyle(box);
    const over = (scrolls(cs.overflowX) && box.scrollWidth > box.clientWidth + SLACK)
      || (scrolls(cs.overflowY) && box.scrollHeight > box.clientHeight + SLACK);
    if (over && !box.querySelector(FOCUSABLE)) box.tabIndex = 0;
    else box.removeAttribute('tabindex');
  };
  const boxes = [...root.querySelectorAll('*:not(.katex *)')].filter((e) => {
    if (skip && e.closest(skip)) return false;
    const cs = getComputedStyle(e);
    return scrolls(cs.overflowX) || scrolls(cs.overflowY);
  });
  const resized = new ResizeObserver((entries) => { for (const e of entries) update(e.target.closest('[data-scroll-box]') ?? e.target); });
  const changed = new MutationObserver((records) => {
    const boxes = new Set(records.map((r) => (r.target.nodeType === 1 ? r.target : r.target.parentElement)?.closest('[data-scroll-box]')));
    for (const box of boxes) if (box) update(box);
  });
  for (const box of boxes) {
    box.dataset.scrollBox = '';
    resized.observe(box);
    if (box.firstElementChild) resized.observe(box.firstElementChild);
    changed.observe(box, { childList: true, subtree: true, characterData: true });
    update(box);
  }
  return boxes;
}
