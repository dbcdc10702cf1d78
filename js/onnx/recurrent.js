// onnx/recurrent.js - one recurrent module (RNN, LSTM, GRU, MinGRU, MinLSTM;
// stacked, bidirectional) as ONNX nodes, time-major inside (layout 0:
// onnxruntime has no layout 1 kernels), its initial states zeros or graph
// inputs (toOnnx's initialStates option).
//  - RNN / LSTM / GRU: one ONNX RNN / LSTM / GRU node per layer, weights in
//    ONNX's gate order (LSTM i, o, f, c from PyTorch's i, f, g, o; GRU z, r, h
//    from r, z, n); the GRU's reset gate form is linear_before_reset (1:
//    PyTorch's, 0: resetAfter false); hard sigmoid gates are HardSigmoid
//    activations (TF.js' alpha 0.2, beta 0.5; Keras 3's relu6(x + 3) / 6 is
//    alpha 1/6, beta 0.5).
//  - MinGRU / MinLSTM (no ONNX operator) and LSTM with projSize (ONNX's LSTM
//    has no projection): the gate projections of all steps as one MatMul,
//    then a Scan over time whose body is one step of the recurrence.
import { Graph, float, floats } from './graph.js';
import { DATA_TYPE } from './schema.js';

const { FLOAT, INT64 } = DATA_TYPE;

/** ONNX_GATES[cell][k] = the PyTorch gate block that ONNX's block k is. */
export const ONNX_GATES = { RNN: [0], LSTM: [0, 3, 1, 2], GRU: [1, 0, 2] };

// HardSigmoid's (alpha, beta) for each gateActivation that is not sigmoid
const HARD = { hardSigmoid: [0.2, 0.5], hardSigmoidKeras3: [1 / 6, 0.5] };

/** PyTorch [G*H, cols] (flat) with its gate blocks in ONNX's order. */
export function toOnnxGates(w, H, order) {
  const block = H * (w.length / (order.length * H));
  const out = new Float32Array(w.length);
  order.forEach((src, k) => out.set(w.subarray(src * block, (src + 1) * block), k * block));
  return out;
}

/** [rows, cols] (flat) -> [cols, rows]: a MatMul's right operand from a PyTorch weight. */
export function transpose2(w, rows, cols) {
  const out = new Float32Array(w.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = w[r * cols + c];
  return out;
}

const concat = (parts) => {
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
};

// The gate activation as a node.
function gate(g, x, act) {
  const hard = HARD[act];
  return hard ? g.op('HardSigmoid', [x], { alpha: float(hard[0]), beta: float(hard[1]) }) : g.op('Sigmoid', [x]);
}

// x[..., from:to] on the last axis (axis: its index).
const slice = (g, x, from, to, axis) => g.op('Slice', [x, g.ints([from]), g.ints([to]), g.ints([axis])]);

// The initial states of every layer and direction, [LD, batch, size]: a graph
// input `name` (given: true), or null (zeros: the RNN / LSTM / GRU operators'
// default; the Scan paths expand a zero).
function stateInput(g, name, LD, size, given) {
  if (!given) return null;
  return g.input(g.unique(name), FLOAT, [LD, 'batch', size], 'initial state [layers * directions, batch, size]');
}

/**
 * The steps inside each sequence (lengths: int32 [B]): bool [T, B, 1] when
 * x's time axis is 0, [B, T, 1] when it is 1.
 */
export function liveMask(g, x, timeAxis, lengths) {
  const T = g.op('Squeeze', [g.op('Shape', [x], { start: timeAxis, end: timeAxis + 1 })]);
  const t = g.op('Range', [g.ints([0], true), T, g.ints([1], true)]);
  const len = g.op('Cast', [lengths], { to: INT64 });
  const live = timeAxis === 0
    ? g.op('Less', [g.op('Unsqueeze', [t, g.ints([1])]), len])
    : g.op('Less', [t, g.op('Unsqueeze', [len, g.ints([1])])]);
  return g.op('Unsqueeze', [live, g.ints([2])]);
}

// zeros [batch, size] (batch: the 1-element shape of the batch axis)
const zeros = (g, batch, size) => g.op('Expand', [g.scalar(0), g.op('Concat', [batch, g.ints([size])], { axis: 0 })]);

/**
 * Adds the nodes of a recurrent module (spec: its modelSpec; sd: its state
 * dict; x: its input's value name, in the module's layout; p: the name
 * prefix of its initializers and state inputs/outputs; given: the initial
 * states are graph inputs, else zeros; lengths: an int32 [B] value, each
 * sequence's length, as packed sequences run). Returns the value
 * names { y, hn, cn } (y in the module's layout; cn for LSTMs) and the sizes
 * { L, D, H, P } (layers, directions, hidden size, h's size).
 */
export function exportRecurrent(g, spec, sd, x, p, given, lengths = null) {
  const { type, numLayers: L, hiddenSize: H, bias } = spec;
  const D = spec.bidirectional ? 2 : 1, P = spec.projSize || H;
  const lstm = type === 'LSTM';
  let xt = spec.batchFirst ? g.op('Transpose', [x], { perm: [1, 0, 2] }) : x;
  const h0 = stateInput(g, `${p}h0`, L * D, P, given);
  const c0 = lstm ? stateInput(g, `${p}c0`, L * D, H, given) : null;
  const hs = [], cs = [];
  const scan = type.startsWith('Min') || P !== H;
  const live = scan && lengths ? liveMask(g, xt, 0, lengths) : null;
  for (let l = 0; l < L; l++) {
    const I = l === 0 ? spec.inputSize : D * P;
    const layerState = (s) => (s === null || L === 1 ? s : slice(g, s, l * D, (l + 1) * D, 0));
    const h0l = layerState(h0), c0l = lstm ? layerState(c0) : null;
    if (scan) {
      const ys = [];
      const batch = g.op('Shape', [xt], { start: 1, end: 2 });
      for (let d = 0; d < D; d++) {
        const sfx = `_l${l}${d ? '_reverse' : ''}`;
        const pick = (s, size) => (s === null ? zeros(g, batch, size) : g.op('Gather', [s, g.ints([d], true)], { axis: 0 }));
        const r = (lstm ? scanLSTM : scanMin)(g, spec, sd, xt, sfx, d === 1, I, pick(h0l, P), lstm ? pick(c0l, H) : null, p, live);
        ys.push(r.y);
        hs.push(g.op('Unsqueeze', [r.h, g.ints([0])]));
        if (lstm) cs.push(g.op('Unsqueeze', [r.c, g.ints([0])]));
      }
      xt = D === 1 ? ys[0] : g.op('Concat', ys, { axis: 2 });
    } else {
      const cell = type === 'RNN' ? 'RNN' : type;
      const order = ONNX_GATES[cell];
      const dirs = D === 1 ? [''] : ['', '_reverse'];
      const t = (k, sfx) => sd[`${k}_l${l}${sfx}`].data;
      const W = g.weight(`${p}W_l${l}`, [D, order.length * H, I], concat(dirs.map((s) => toOnnxGates(t('weight_ih', s), H, order))));
      const R = g.weight(`${p}R_l${l}`, [D, order.length * H, H], concat(dirs.map((s) => toOnnxGates(t('weight_hh', s), H, order))));
      const B = bias ? g.weight(`${p}B_l${l}`, [D, 2 * order.length * H],
        concat(dirs.flatMap((s) => [toOnnxGates(t('bias_ih', s), H, order), toOnnxGates(t('bias_hh', s), H, order)]))) : '';
      const attrs = { hidden_size: H, direction: D === 2 ? 'bidirectional' : 'forward' };
      const act = spec.gateActivation ?? 'sigmoid';
      if (cell === 'RNN') attrs.activations = Array(D).fill(spec.nonlinearity === 'relu' ? 'Relu' : 'Tanh');
      else if (act !== 'sigmoid') {
        attrs.activations = Array(D).fill(lstm ? ['HardSigmoid', 'Tanh', 'Tanh'] : ['HardSigmoid', 'Tanh']).flat();
        attrs.activation_alpha = floats(Array(D).fill(HARD[act][0]));
        attrs.activation_beta = floats(Array(D).fill(HARD[act][1]));
      }
      if (cell === 'GRU') attrs.linear_before_reset = spec.resetAfter === false ? 0 : 1;
      const states = h0l === null ? [] : [h0l, ...(lstm ? [c0l] : [])];
      const ins = [xt, W, R, B, lengths ?? '', ...states];
      while (ins[ins.length - 1] === '') ins.pop();
      const outs = g.op(cell, ins, attrs, lstm ? 3 : 2);
      hs.push(outs[1]);
      if (lstm) cs.push(outs[2]);
      // Y [T, D, B, H] -> [T, B, D * H]
      xt = g.op('Reshape', [g.op('Transpose', [outs[0]], { perm: [0, 2, 1, 3] }), g.ints([0, 0, -1])]);
    }
  }
  const y = spec.batchFirst ? g.op('Transpose', [xt], { perm: [1, 0, 2] }) : xt;
  const stack = (parts, name) => g.op('Concat', parts, { axis: 0 }, [g.unique(name)]);
  return { y, hn: stack(hs, `${p}hn`), cn: lstm ? stack(cs, `${p}cn`) : null, L, D, H, P };
}

// The gate pre-activations of every step: x [T, B, I] W^T + b -> [T, B, rows].
function projection(g, sd, xt, sfx, I, rows, p, bias = null) {
  const w = sd[`weight_ih${sfx}`].data;
  const pre = g.op('MatMul', [xt, g.weight(`${p}weight_ih${sfx}_t`, [I, rows], transpose2(w, rows, I))]);
  return bias ? g.op('Add', [pre, g.weight(`${p}bias${sfx}`, [rows], bias)]) : pre;
}

// A Scan over time: state inputs, per-step inputs ([T, B, *] each), a body
// builder (body graph, state names, step names) -> [new states..., per-step output].
function scanOver(g, states, steps, reverse, build, types = []) {
  const body = new Graph('step', g);
  const sIn = states.map((_, k) => body.input(body.unique(`state${k}`), FLOAT, null));
  const xIn = steps.map((_, k) => body.input(body.unique(`step${k}`), types[k] ?? FLOAT, null));
  const outs = build(body, sIn, xIn);
  const last = outs.length - 1;
  outs[last] = body.op('Identity', [outs[last]]); // the per-step output, a value of its own
  for (const o of outs) body.output(o, FLOAT, null);
  const dir = reverse ? 1 : 0;
  return g.op('Scan', [...states, ...steps], {
    body, num_scan_inputs: steps.length,
    scan_input_directions: steps.map(() => dir), scan_output_directions: [dir],
  }, outs.length);
}

// minGRU / minLSTM, one direction: a_t and v_t of every step computed at once
// (as src/cell_min.c: a = 1 - z, v = z * h~; a = f / (f + i), v = i / (f + i) * h~;
// log space: h~ -> g(h~)), then the Scan h_t = a_t * h_{t-1} + v_t. Past a
// sequence's length (live false) a = 1, v = 0 keep h, and the output is 0.
function scanMin(g, spec, sd, xt, sfx, reverse, I, h0, _c0, p, live) {
  const H = spec.hiddenSize, G = spec.type === 'MinGRU' ? 2 : 3;
  const pre = projection(g, sd, xt, sfx, I, G * H, p, spec.bias ? sd[`bias_ih${sfx}`].data : null);
  let c = slice(g, pre, (G - 1) * H, G * H, 2);
  if (spec.logSpace) {
    const positive = g.op('GreaterOrEqual', [c, g.scalar(0)]);
    c = g.op('Where', [positive, g.op('Add', [c, g.scalar(0.5)]), g.op('Sigmoid', [c])]);
  }
  let a, v;
  if (G === 2) {
    const z = g.op('Sigmoid', [slice(g, pre, 0, H, 2)]);
    a = g.op('Sub', [g.scalar(1), z]);
    v = g.op('Mul', [z, c]);
  } else {
    const f = g.op('Sigmoid', [slice(g, pre, 0, H, 2)]), i = g.op('Sigmoid', [slice(g, pre, H, 2 * H, 2)]);
    const s = g.op('Add', [f, i]);
    a = g.op('Div', [f, s]);
    v = g.op('Mul', [g.op('Div', [i, s]), c]);
  }
  if (live) {
    a = g.op('Where', [live, a, g.scalar(1)]);
    v = g.op('Where', [live, v, g.scalar(0)]);
  }
  const [h, y] = scanOver(g, [h0], [a, v], reverse, (b, [hp], [at, vt]) => {
    const hn = b.op('Add', [b.op('Mul', [at, hp]), vt]);
    return [hn, hn];
  });
  return { y: live ? g.op('Where', [live, y, g.scalar(0)]) : y, h };
}

// An LSTM with a projection (h = W_hr (o * tanh(c))), one direction: the input
// projection of all steps at once, then a Scan of PyTorch's LSTM step (past
// a sequence's length the state stays and the output is 0).
function scanLSTM(g, spec, sd, xt, sfx, reverse, I, h0, c0, p, live) {
  const H = spec.hiddenSize, P = spec.projSize;
  const b = spec.bias ? Float32Array.from(sd[`bias_ih${sfx}`].data, (v, k) => v + sd[`bias_hh${sfx}`].data[k]) : null;
  const pre = projection(g, sd, xt, sfx, I, 4 * H, p, b);
  const Rt = g.weight(`${p}weight_hh${sfx}_t`, [P, 4 * H], transpose2(sd[`weight_hh${sfx}`].data, 4 * H, P));
  const Wp = g.weight(`${p}weight_hr${sfx}_t`, [H, P], transpose2(sd[`weight_hr${sfx}`].data, P, H));
  const act = spec.gateActivation ?? 'sigmoid';
  const [h, c, y] = scanOver(g, [h0, c0], live ? [pre, live] : [pre], reverse, (s, [hp, cp], [xg, m]) => {
    const z = s.op('Add', [xg, s.op('MatMul', [hp, Rt])]);
    const i = gate(s, slice(s, z, 0, H, 1), act), f = gate(s, slice(s, z, H, 2 * H, 1), act);
    const n = s.op('Tanh', [slice(s, z, 2 * H, 3 * H, 1)]), o = gate(s, slice(s, z, 3 * H, 4 * H, 1), act);
    const cn = s.op('Add', [s.op('Mul', [f, cp]), s.op('Mul', [i, n])]);
    const hn = s.op('MatMul', [s.op('Mul', [o, s.op('Tanh', [cn])]), Wp]);
    if (!m) return [hn, cn, hn];
    return [s.op('Where', [m, hn, hp]), s.op('Where', [m, cn, cp]), s.op('Where', [m, hn, s.scalar(0)])];
  }, [FLOAT, DATA_TYPE.BOOL]);
  return { y, h, c };
}
