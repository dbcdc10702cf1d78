// int8.js - int8 inference, fetched on first use by rnn.loadInt8() (not
// part of init()'s download): the engine's int8 products (src/qgemm*.c,
// built into rnn-int8.wasm, rnn-int8-scalar.wasm, rnn-int8-mt.wasm and
// rnn-int8-relaxed.wasm, one per engine build) and the int8 form of state
// dicts.
// The module runs on the engine's memory and calls back into the engine's
// function table (rnn_qgemm_pack's weight readers); its functions (OPS) go
// into that table too, and the engine calls them there (rnn_int8_attach).
// It imports nothing: index.js hands it the few core functions it uses (lib),
// since a static import shared with the core splits esbuild's chunks of the
// core differently and costs ~0.8 KB gzipped there (tests/payload.test.mjs).
let RnnError, checkTensor, numel;

// Literal URLs, so bundlers see the assets (as in loader.js).
function defaultUrl(file) {
  if (file === 'rnn-int8-mt.wasm') return new URL('./rnn-int8-mt.wasm', import.meta.url);
  if (file === 'rnn-int8-relaxed.wasm') return new URL('./rnn-int8-relaxed.wasm', import.meta.url);
  return file === 'rnn-int8.wasm'
    ? new URL('./rnn-int8.wasm', import.meta.url)
    : new URL('./rnn-int8-scalar.wasm', import.meta.url);
}

// rnn_int8_ops's order (src/rnn_internal.h); build.sh exports these.
const OPS = ['rnn_qgemm_packed_size', 'rnn_qgemm_pack', 'rnn_qgemm_workspace_size', 'rnn_qgemm_packed', 'rnn_qgemm_snap_row',
  'rnn_qgemv2_packed'];
const STACK = 8192; // the module's C stack, a block of the engine's heap

/** Loads the int8 module matching core's engine and hands it to the engine; core.int8 = this module. */
export async function loadInt8(core, lib) {
  ({ RnnError, checkTensor, numel } = lib);
  Object.assign(lib.int8Files, { pack, unpack });
  const { fetchSource, instantiateFrom } = lib;
  const shared = typeof SharedArrayBuffer === 'function' && core.memory.buffer instanceof SharedArrayBuffer;
  const file = shared ? 'rnn-int8-mt.wasm' : core.build === 'simd' ? 'rnn-int8.wasm' : `rnn-int8-${core.build}.wasm`;
  const source = await fetchSource(core.locateFile ? core.locateFile(file) : defaultUrl(file));
  const x = core.x, table = x.__indirect_function_table;
  const { instance } = await instantiateFrom(source, { env: { memory: core.memory, __indirect_function_table: table } });
  const stack = core.alloc(STACK + 16, 'the int8 module\'s stack');
  instance.exports.__stack_pointer.value = (stack + STACK + 16) & ~15;
  const base = table.grow(OPS.length);
  OPS.forEach((name, i) => table.set(base + i, instance.exports[name]));
  const ops = core.alloc(4 * OPS.length, 'int8 functions');
  core.u32(ops, OPS.length).set(OPS.map((_, i) => base + i));
  try {
    core.check(x.rnn_int8_attach(ops), 'loadInt8');
  } finally {
    core.free(ops);
  }
  core.int8 = { toInt8, fromInt8 };
}

// A quantized module's state dict as int8 files hold it: each weight
// '<name>' I8 [rows, cols] with '<name>.scale' BF16 [rows] (value = scale *
// q), every other tensor (biases) BF16; pack() then puts the scales in one
// tensor. quantize() left the values so
// (src/params.c, src/qgemm.c): bfloat16 scales and biases, scale * q
// weights, so this is exact.
const isWeight = (t) => t.shape.length === 2 && t.name.startsWith('weight');
const SCALES = 'scales'; // pack()'s tensor

function toInt8(sd, table) {
  for (const t of table) {
    if (!isWeight(t)) {
      sd[t.name].dtype = 'BF16';
      continue;
    }
    const { shape: [rows, cols], data } = sd[t.name];
    const q = new Int8Array(data.length), scale = new Float32Array(rows);
    for (let r = 0; r < rows; r++) {
      const row = data.subarray(r * cols, (r + 1) * cols);
      const s = scale[r] = Math.fround(row.reduce((m, v) => Math.max(m, Math.abs(v)), 0) / 127);
      if (s > 0) for (let k = 0; k < cols; k++) q[r * cols + k] = Math.round(row[k] / s);
    }
    sd[t.name] = { dtype: 'I8', shape: [rows, cols], data: q };
    sd[t.name + '.scale'] = { dtype: 'BF16', shape: [rows], data: scale };
  }
  return sd;
}

// sd with its int8 weights as float32 values ({ sd, found }); table: the
// module's tensors when it takes int8 weights (else I8 data is left to fail
// the dtype check).
function fromInt8(sd, prefix, table) {
  if (!table || !sd || typeof sd !== 'object') return { sd, found: false };
  const out = { ...sd };
  let found = false;
  for (const t of table) {
    const e = sd[t.name], scale = sd[t.name + '.scale'];
    if (!isWeight(t) || !(e?.data instanceof Int8Array)) continue;
    const what = `int8 tensor '${prefix}${t.name}'`;
    if (!scale) throw new RnnError('FORMAT', `${what} has no scales: no '${SCALES}' tensor, no '${prefix}${t.name}.scale'`);
    checkTensor(scale, `'${prefix}${t.name}.scale'`, [t.shape[0]]);
    if (!scale.data.every((s) => s >= 0 && s < Infinity)) throw new RnnError('FORMAT', `'${prefix}${t.name}.scale' holds a negative or non-finite scale`);
    if (!Array.isArray(e.shape) || e.shape.join() !== t.shape.join() || e.data.length !== numel(t.shape)) {
      throw new RnnError('SHAPE', `${what} has shape [${e.shape}], expected [${t.shape}]`);
    }
    const cols = e.shape[1], v = new Float32Array(e.data.length);
    for (let i = 0; i < v.length; i++) v[i] = e.data[i] * scale.data[Math.floor(i / cols)];
    out[t.name] = { shape: e.shape, data: v };
    delete out[t.name + '.scale'];
    found = true;
  }
  return { sd: out, found };
}

// The scales of a whole file as one BF16 tensor 'scales': every I8 tensor's
// row scales, the tensors in name order (their order in the file's data).
// One header entry instead of one per weight: ~90 bytes each, 1% of a small
// model's int8 file (issue 21's 0.27x). Files of '<name>.scale' tensors
// (the first layout) load as they are.
const int8Names = (sd) => Object.keys(sd).filter((k) => sd[k]?.data instanceof Int8Array).sort();

function pack(sd) {
  const names = int8Names(sd), out = {};
  if (!names.length) return sd;
  const parts = names.map((k) => sd[k + '.scale'].data);
  for (const k of Object.keys(sd)) if (!names.includes(k.slice(0, -6)) || !k.endsWith('.scale')) out[k] = sd[k];
  const data = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  parts.reduce((at, p) => (data.set(p, at), at + p.length), 0);
  out[SCALES] = { dtype: 'BF16', shape: [data.length], data };
  return out;
}

// sd with 'scales' back as '<name>.scale' tensors (fromInt8 checks them).
function unpack(sd) {
  if (!sd || typeof sd !== 'object' || !Object.hasOwn(sd, SCALES)) return sd;
  const names = int8Names(sd), s = sd[SCALES], out = { ...sd };
  delete out[SCALES];
  const twice = names.find((k) => Object.hasOwn(sd, k + '.scale'));
  if (twice) throw new RnnError('FORMAT', `int8 scales given twice: '${SCALES}' and '${twice}.scale'`);
  const rows = names.map((k) => (Array.isArray(sd[k].shape) ? sd[k].shape[0] >>> 0 : 0));
  checkTensor(s, `'${SCALES}' (the ${names.length} int8 tensors' row scales)`, [rows.reduce((n, r) => n + r, 0)]);
  let at = 0;
  names.forEach((k, i) => { out[k + '.scale'] = { shape: [rows[i]], data: s.data.subarray(at, at += rows[i]) }; });
  return out;
}
