// keras/topology.js - a Keras / TF.js model topology (Sequential, or a
// functional Model whose layers form one chain) -> its layers in order,
// [{ className, name, config }]. Branches, merges, shared layers and
// nested models are refused, naming the layer.
import { RnnError } from '../errors.js';

const fail = (code, msg) => { throw new RnnError(code, `loadLayersModel: ${msg}`); };

function layerOf(l, i) {
  if (l === null || typeof l !== 'object' || typeof l.class_name !== 'string' || l.config === null || typeof l.config !== 'object') {
    fail('FORMAT', `layer ${i} must be { class_name, config }`);
  }
  return { className: l.class_name, name: String(l.config.name ?? l.name ?? `layer_${i}`), config: l.config };
}

// The layer names an inbound node refers to, in the Keras 2 / TF.js form
// [[name, node, tensor, kwargs], ...] or the Keras 3 form
// { args: [{ config: { keras_history: [name, node, tensor] } }], kwargs }.
function inboundNames(node) {
  const names = [];
  const walk = (v) => {
    if (Array.isArray(v)) {
      if (typeof v[0] === 'string' && Number.isInteger(v[1]) && Number.isInteger(v[2])) names.push(v[0]);
      else v.forEach(walk);
    } else if (v !== null && typeof v === 'object') {
      if (Array.isArray(v.config?.keras_history)) names.push(v.config.keras_history[0]);
      else if (v.args !== undefined) walk(v.args);
    }
  };
  walk(node);
  return names;
}

function endpoints(v, what) {
  const names = inboundNames(v);
  if (names.length !== 1) fail('UNSUPPORTED', `the model has ${names.length} ${what}s; only models with one input and one output (a chain of layers) can be loaded`);
  return names[0];
}

function functionalChain(config) {
  if (!Array.isArray(config.layers)) fail('FORMAT', 'a functional model needs config.layers');
  const layers = config.layers.map((l, i) => ({ ...layerOf(l, i), raw: l }));
  const byName = new Map(layers.map((l) => [l.name, l]));
  if (byName.size !== layers.length) fail('FORMAT', 'two layers share one name');
  const input = endpoints(config.input_layers, 'input'), output = endpoints(config.output_layers, 'output');
  for (const l of layers) {
    const nodes = l.raw.inbound_nodes ?? [];
    if (!Array.isArray(nodes)) fail('FORMAT', `layer '${l.name}': inbound_nodes must be an array`);
    if (nodes.length > 1) fail('UNSUPPORTED', `layer '${l.name}' is called ${nodes.length} times (a shared layer); only a chain of layers can be loaded`);
    l.inputs = nodes.length ? inboundNames(nodes[0]) : [];
    if (l.inputs.length > 1) fail('UNSUPPORTED', `layer '${l.name}' (${l.className}) takes ${l.inputs.length} inputs; only a chain of layers can be loaded`);
    for (const n of l.inputs) if (!byName.has(n)) fail('FORMAT', `layer '${l.name}' takes its input from '${n}', which is not a layer of the model`);
  }
  if (!byName.has(input) || !byName.has(output)) fail('FORMAT', `the input '${input}' or output '${output}' is not a layer of the model`);
  const order = [];
  for (let cur = byName.get(input); ;) {
    if (order.includes(cur)) fail('FORMAT', `the layers form a cycle at '${cur.name}'`);
    order.push(cur);
    if (cur.name === output) break;
    const next = layers.filter((l) => l.inputs.includes(cur.name));
    if (next.length !== 1) {
      fail('UNSUPPORTED', next.length ? `layer '${cur.name}' feeds ${next.length} layers (${next.map((l) => l.name).join(', ')}); only a chain of layers can be loaded`
        : `layer '${cur.name}' feeds nothing before the output '${output}' is reached; the layers are not a chain`);
    }
    cur = next[0];
  }
  const off = layers.filter((l) => !order.includes(l));
  if (off.length) fail('UNSUPPORTED', `layer '${off[0].name}' is not on the chain from '${input}' to '${output}'; only a chain of layers can be loaded`);
  return order.map(({ className, name, config: c }) => ({ className, name, config: c }));
}

/** topology { class_name, config } -> [{ className, name, config }] in the order data flows. */
export function layerChain(topology) {
  const { class_name: kind, config } = topology;
  if (kind === 'Sequential') {
    const list = Array.isArray(config) ? config : config.layers;
    if (!Array.isArray(list) || list.length === 0) fail('FORMAT', 'a Sequential model needs a non-empty config.layers');
    return list.map(layerOf);
  }
  if (kind === 'Model' || kind === 'Functional') return functionalChain(config);
  return fail('UNSUPPORTED', `model class '${kind}' is not supported (Sequential, or a functional Model whose layers form a chain)`);
}
