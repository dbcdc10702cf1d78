// code-tabs.js - code listings side by side as tabs (PyTorch / rnn-wasm):
// a WAI-ARIA tablist, arrow keys and Home / End move between tabs.
import { el } from './util.js';

/**
 * Fills `container` with one tab per listing: tabs [{ id, label, code }].
 * Returns { select(id) }.
 */
export function codeTabs(container, tabs, { label }) {
  const list = el('div', { class: 'code-tablist', role: 'tablist', 'aria-label': label });
  const buttons = [], panels = [];
  const base = container.id || `code-${Math.random().toString(36).slice(2)}`;
  tabs.forEach((t, i) => {
    const tabId = `${base}-tab-${t.id}`, panelId = `${base}-panel-${t.id}`;
    const b = el('button', {
      type: 'button', role: 'tab', id: tabId, 'aria-controls': panelId, 'aria-selected': i === 0 ? 'true' : 'false',
      tabindex: i === 0 ? '0' : '-1', 'data-testid': `${base}-tab-${t.id}`,
    }, t.label);
    // The panel itself takes focus (tabindex 0): the listing can be scrolled from the keyboard.
    const p = el('div', { class: 'code-panel', role: 'tabpanel', id: panelId, 'aria-labelledby': tabId, tabindex: '0', hidden: i !== 0 },
      el('pre', {}, el('code', {}, t.code.trim())));
    b.addEventListener('click', () => select(t.id));
    b.addEventListener('keydown', (e) => {
      const k = { ArrowRight: i + 1, ArrowLeft: i - 1, Home: 0, End: tabs.length - 1 }[e.key];
      if (k == null) return;
      e.preventDefault();
      const next = tabs[(k + tabs.length) % tabs.length];
      select(next.id);
      buttons[tabs.indexOf(next)].focus();
    });
    buttons.push(b);
    panels.push(p);
  });
  function select(id) {
    tabs.forEach((t, i) => {
      const on = t.id === id;
      buttons[i].setAttribute('aria-selected', on ? 'true' : 'false');
      buttons[i].tabIndex = on ? 0 : -1;
      panels[i].hidden = !on;
    });
  }
  list.append(...buttons);
  container.replaceChildren(list, ...panels);
  return { select };
}
