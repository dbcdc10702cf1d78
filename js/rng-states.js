// rng-states.js - the random generators a model holds (recurrent dropout,
// Dropout layers), by dotted name: what checkpoints save and what the
// off-thread trainer carries to its worker and back.

// [name, module] for every module with a readable rngState, in child order.
function rngHolders(model) {
  const out = [];
  const visit = (m, name) => {
    if (!m) return;
    if (m._children) for (const [k, c] of m._children) visit(c, name ? `${name}.${k}` : k);
    else if ('rngState' in m) out.push([name || 'model', m]);
  };
  visit(model, '');
  return out;
}

/** { name: Uint32Array(4) }: copies of the model's generator states. */
export function rngStates(model) {
  const out = {};
  for (const [name, m] of rngHolders(model)) out[name] = m.rngState;
  return out;
}

/** Restores rngStates() (or their JSON arrays) into a model of the same architecture; other names are ignored. */
export function setRngStates(model, states) {
  if (!states) return;
  for (const [name, m] of rngHolders(model)) {
    if (states[name]) m.rngState = Uint32Array.from(states[name]);
  }
}
