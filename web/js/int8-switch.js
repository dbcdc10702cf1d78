// int8-switch.js - the streaming sections' int8 switch: the section's model
// with int8 weights (model.quantize(): a bfloat16 scale per row, int8 products; the int8 code
// is fetched by rnn.loadInt8() the first time the switch is turned on)
// or its float32 weights, and beside it the model's size as a .safetensors
// file and the time of one stream step both ways, measured in this tab each
// time the switch is turned on.
import { el, num } from './util.js';

/** Best of 5 mean µs of a stream step of `layer` (batch 1), after a warm-up. */
function stepMicros(layer) {
  const s = layer.stream({ batch: 1 });
  const x = new Float32Array(layer.inputSize).fill(0.5);
  try {
    for (let i = 0; i < 200; i++) s.step(x);
    let best = Infinity;
    for (let r = 0; r < 5; r++) {
      const t0 = performance.now();
      for (let i = 0; i < 300; i++) s.step(x);
      best = Math.min(best, ((performance.now() - t0) / 300) * 1000);
    }
    return best;
  } finally {
    s.dispose();
  }
}

const kb = (bytes) => `${num(bytes / 1024, 3)} KB`;

/**
 * Fills `host` with the switch. target() gives { model, layer } (the module
 * whose weights switch, and its recurrent layer to time) or null. keep: the
 * model stays quantized while the switch is on; else the section wraps its
 * work in withWeights(fn).
 */
export function int8Switch(host, { rnn, target, testid, keep = true, onChange = () => {} }) {
  const box = el('input', { type: 'checkbox', 'data-testid': testid });
  const facts = el('span', { class: 'muted small', 'aria-live': 'polite', 'data-testid': `${testid}-facts` });
  host.classList.add('int8-switch');
  host.append(el('label', {}, box, ' int8 weights'), facts);
  let saved = null; // the float32 weights while int8 is on
  const restore = (model) => { model.dequantize().loadStateDict(saved); saved = null; };

  function measure(t) {
    const float = { bytes: rnn.safetensors.serialize(t.model.stateDict()).length, us: stepMicros(t.layer) };
    saved = t.model.stateDict();
    t.model.quantize();
    const int8 = { bytes: rnn.safetensors.serialize(t.model.quantizedStateDict()).length, us: stepMicros(t.layer) };
    facts.textContent = `float32 ${kb(float.bytes)}, ${num(float.us, 2)} µs a step · int8 ${kb(int8.bytes)} ` +
      `(${num(int8.bytes / float.bytes, 2)}×), ${num(int8.us, 2)} µs a step (${num(int8.us / float.us, 2)}×) — measured just now`;
    if (!keep) restore(t.model);
  }

  box.addEventListener('change', async () => {
    // the int8 code is fetched on first use (rnn.loadInt8(): a small wasm module and its JS)
    if (box.checked) {
      box.disabled = true;
      try { await rnn.loadInt8(); } finally { box.disabled = false; }
    }
    const t = target();
    if (t && box.checked) measure(t);
    else if (t && saved && keep) restore(t.model);
    onChange(box.checked);
  });

  return {
    get checked() { return box.checked; },
    /** Runs fn with the target's int8 weights when the switch is on (keep: false). */
    async withWeights(fn) {
      const t = target();
      if (!box.checked || !t || keep) return fn();
      await rnn.loadInt8();
      saved = t.model.stateDict();
      t.model.quantize();
      try { return await fn(); } finally { restore(t.model); }
    },
  };
}
