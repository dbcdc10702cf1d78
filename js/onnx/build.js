// onnx/build.js - an ONNX graph (onnx/read.js) -> the run-time steps of an
// OnnxModel: what depends only on constants is computed once here; the
// recurrent nodes become rnn-wasm recurrent layers, MatMul / Gemm with a
// constant weight (and the Add of a constant bias after a MatMul) become
// Linear layers, Gather from a constant float table becomes an Embedding;
// the rest runs as the glue ops of onnx/glue.js. Any other operator is
// refused with UNSUPPORTED naming it and its node.
import { RnnError } from '../errors.js';
import { Embedding, Linear } from '../layers.js';
import { glueOp, runStep } from './glue.js';
import { makeTensor } from './read.js';
import { buildRecurrent } from './cells.js';

const unsupported = (where, msg) => { throw new RnnError('UNSUPPORTED', `loadOnnx: ${where}: ${msg}`); };
const bad = (where, msg) => { throw new RnnError('FORMAT', `loadOnnx: ${where}: ${msg}`); };
const RECURRENT = ['RNN', 'GRU', 'LSTM'];
export const SUPPORTED = [...RECURRENT, 'Gather', 'MatMul', 'Gemm', 'Add', 'Transpose', 'Squeeze', 'Unsqueeze', 'Slice', 'Concat', 'Reshape',
  'Sigmoid', 'Tanh', 'Relu', 'Softmax', 'Identity', 'Dropout', 'Constant', 'Shape', 'ConstantOfShape', 'Expand'];

/** A Linear layer as a step: x [..., K] -> [..., N]. */
class LinearStep {
  constructor(node, module) { this.node = node; this.module = module; }
  fwd([x]) {
    if (x.type !== 'float') throw new RnnError('DTYPE', `${this.node.where}: needs a float input`);
    const y = this.module.forward({ shape: x.shape, data: x.data });
    return [makeTensor('float', y.shape, y.data)];
  }
  bwd([dy], needDx) {
    const r = this.module.backward({ dOutput: { shape: dy.shape, data: dy.data } });
    return needDx ? [makeTensor('float', r.dx.shape, r.dx.data)] : [];
  }
}

/** An Embedding as a step: integer ids of any shape -> [..., D] (ONNX Gather: negative ids count from the end). */
class EmbeddingStep {
  constructor(node, module) { this.node = node; this.module = module; }
  fwd([, ids]) {
    const V = this.module.numEmbeddings;
    if (ids.type !== 'int') throw new RnnError('DTYPE', `${this.node.where}: indices must be integers`);
    const data = Int32Array.from(ids.data, (v) => {
      if (!(v >= -V && v < V)) throw new RnnError('INVALID_ARGUMENT', `${this.node.where}: index ${v} is out of range for ${V} rows`);
      return v < 0 ? v + V : v;
    });
    const y = this.module.forward({ shape: ids.shape.length ? ids.shape : [1], data });
    this.shape = y.shape;
    return [makeTensor('float', [...ids.shape, this.module.embeddingDim], y.data)];
  }
  bwd([dy]) { this.module.backward({ dOutput: { shape: this.shape, data: dy.data } }); return []; }
}

// A name for a module in state dicts: the node's name without '/' and '.'.
function moduleName(node, taken) {
  let base = node.name.replace(/^\/+/, '').replace(/[^A-Za-z0-9_]+/g, '_') || node.op;
  for (let k = 2; taken.has(base); k++) base = `${base.replace(/_\d+$/, '')}_${k}`;
  taken.add(base);
  return base;
}

/**
 * graph (readModel's) -> { steps, consts, modules: [name, module][] }.
 * keep(module) records each module made (disposed if building fails).
 */
export function buildSteps(core, graph, { seed, keep }) {
  const consts = new Map(graph.initializers);
  const defined = new Set([...consts.keys(), ...graph.inputs.map((v) => v.name)]);
  const uses = new Map();
  for (const n of graph.nodes) for (const i of n.inputs) if (i) uses.set(i, (uses.get(i) ?? 0) + 1);
  for (const o of graph.outputs) uses.set(o.name, (uses.get(o.name) ?? 0) + 1);
  const consumers = (name) => graph.nodes.filter((n) => n.inputs.includes(name));
  const steps = [], modules = [], taken = new Set(), absorbed = new Set();
  const add = (node, op, ins = node.inputs, outs = node.outputs) => {
    steps.push({ node, op, ins, outs });
    for (const o of outs) if (o) defined.add(o);
  };

  graph.nodes.forEach((node, k) => {
    if (absorbed.has(node)) return;
    const { where } = node;
    for (const i of node.inputs) {
      if (i && !defined.has(i)) bad(where, `input '${i}' is not defined before this node (a missing input or initializer, or the nodes are not in topological order)`);
    }
    for (const o of node.outputs) if (o && defined.has(o)) bad(where, `output '${o}' is defined twice`);
    const isConst = (i) => !i || consts.has(i);
    const constOf = (pos, what) => {
      const name = node.inputs[pos];
      if (!name) bad(where, `missing input ${what}`);
      if (!consts.has(name)) unsupported(where, `${what} ('${name}') is computed in the graph; it must be an initializer or a constant`);
      const t = consts.get(name);
      if (t.type !== 'float') bad(where, `${what} ('${name}') must be a float tensor`);
      return t;
    };
    const glue = glueOp(node, graph.opset);
    if (glue && node.inputs.every(isConst)) {
      // constant folding: computed once now
      const outs = runStep(glue, node.inputs.map((i) => (i ? consts.get(i) : null)));
      node.outputs.forEach((o, j) => { if (o && outs[j]) { consts.set(o, outs[j]); defined.add(o); } });
      return;
    }
    const named = (m) => { modules.push([moduleName(node, taken), m]); return m; };
    if (RECURRENT.includes(node.op)) {
      const step = buildRecurrent(core, node, constOf, (seed + k) >>> 0, (m) => named(keep(m)));
      const y = node.outputs[0];
      const users = y ? consumers(y) : [];
      if (step.D === 2 && step.layout === 0 && uses.get(y) === 1 && users.length === 1 && users[0].op === 'Transpose' && (users[0].attrs.perm ?? []).join() === '0,2,1,3') {
        step.yTransposed = true; // the Transpose after it becomes a rename
        absorbed.add(users[0]);
        add(node, step, node.inputs, [users[0].outputs[0], ...node.outputs.slice(1)]);
        return;
      }
      return add(node, step);
    }
    if (node.op === 'Gather' && consts.get(node.inputs[0])?.type === 'float' && consts.get(node.inputs[0]).shape.length === 2 && (node.attrs.axis ?? 0) === 0) {
      const w = consts.get(node.inputs[0]);
      const [V, D] = w.shape;
      const m = named(keep(new Embedding(core, { numEmbeddings: V, embeddingDim: D, seed: (seed + k) >>> 0 })));
      m.loadStateDict({ weight: { shape: [V, D], data: w.data } });
      return add(node, new EmbeddingStep(node, m));
    }
    if (node.op === 'MatMul' || node.op === 'Gemm') return linear(node, k);
    if (glue) return add(node, glue);
    return unsupported(where, `operator ${node.op} is not supported (supported: ${SUPPORTED.join(', ')})`);

    function linear(n, at) {
      const gemm = n.op === 'Gemm', a = n.attrs;
      if (gemm && a.transA) unsupported(where, 'Gemm with transA');
      if (consts.has(n.inputs[0])) unsupported(where, `${n.op} with a constant first operand (only x times a constant weight is supported)`);
      const w = constOf(1, 'the weight (second input)');
      if (w.shape.length !== 2) unsupported(where, `a weight of shape [${w.shape}] (2-D only)`);
      const tB = gemm && a.transB === 1, alpha = gemm ? a.alpha ?? 1 : 1;
      const [K, N] = tB ? [w.shape[1], w.shape[0]] : w.shape;
      const weight = new Float32Array(N * K);
      for (let i = 0; i < K; i++) for (let j = 0; j < N; j++) weight[j * K + i] = alpha * w.data[tB ? j * K + i : i * N + j];
      let bias = null, outs = n.outputs;
      const biasOf = (t, scale) => {
        if (t.type !== 'float' || t.data.length !== N || t.shape[t.shape.length - 1] !== N) return null;
        return Float32Array.from(t.data, (v) => v * scale);
      };
      if (gemm && n.inputs[2]) {
        bias = biasOf(constOf(2, 'C'), a.beta ?? 1);
        if (!bias) unsupported(where, `Gemm's C of shape [${consts.get(n.inputs[2]).shape}] (a bias of ${N} values only)`);
      } else if (!gemm && uses.get(n.outputs[0]) === 1) {
        const [next] = consumers(n.outputs[0]);
        const other = next?.op === 'Add' ? next.inputs.find((i) => i !== n.outputs[0]) : null;
        const t = other && consts.get(other);
        if (t && (bias = biasOf(t, 1))) { absorbed.add(next); outs = next.outputs; }
      }
      const m = named(keep(new Linear(core, { inFeatures: K, outFeatures: N, bias: !!bias, seed: (seed + at) >>> 0 })));
      m.loadStateDict(bias ? { weight: { shape: [N, K], data: weight }, bias: { shape: [N], data: bias } } : { weight: { shape: [N, K], data: weight } });
      return add(n, new LinearStep(n, m), [n.inputs[0]], outs);
    }
  });
  for (const o of graph.outputs) if (!defined.has(o.name)) bad(`output '${o.name}'`, 'is not computed by any node');
  return { steps, consts, modules };
}
