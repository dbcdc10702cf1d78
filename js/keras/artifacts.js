// keras/artifacts.js - reads the TensorFlow.js LayersModel format into
// { topology, weights, warnings }: model.json (modelTopology +
// weightsManifest) and its binary shards, from a URL, Files, bytes, or the
// ModelArtifacts object TF.js hands a save handler. Every byte count is
// checked against the manifest before anything is decoded.
import { RnnError } from '../errors.js';

const fail = (msg) => { throw new RnnError('FORMAT', `loadLayersModel: ${msg}`); };
const PLAIN = { float32: 4, int32: 4, bool: 1 };
const QUANTIZED = { uint8: 1, uint16: 2, float16: 2 };

function asBytes(v, what) {
  if (v instanceof Uint8Array) return v;
  if (v instanceof ArrayBuffer) return new Uint8Array(v);
  if (ArrayBuffer.isView(v)) return new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
  if (Array.isArray(v) && v.every((b) => b instanceof ArrayBuffer)) return concat(v.map((b) => new Uint8Array(b)));
  throw new RnnError('INVALID_ARGUMENT', `loadLayersModel: ${what} must be bytes (Uint8Array or ArrayBuffer), got ${v === null ? 'null' : typeof v}`);
}

function concat(parts) {
  const out = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
}

function parseJson(v) {
  if (v !== null && typeof v === 'object' && !ArrayBuffer.isView(v) && !(v instanceof ArrayBuffer)) return v;
  const text = typeof v === 'string' ? v : new TextDecoder().decode(asBytes(v, 'model.json'));
  try { return JSON.parse(text); } catch (e) { return fail(`model.json is not JSON (${e.message})`); }
}

const baseName = (p) => String(p).split(/[\\/]/).pop();
const isFile = (f) => f !== null && typeof f === 'object' && typeof f.arrayBuffer === 'function' && typeof f.name === 'string';

/**
 * source -> { json, shard(path) -> Promise<Uint8Array> } or { artifacts }.
 * A URL string / URL object; an array or FileList of Files (model.json and
 * its shards, matched by file name); { modelJson, weights } with weights a
 * { path: bytes } map or one buffer for every shard in order; or TF.js
 * ModelArtifacts { modelTopology, weightSpecs, weightData }.
 */
async function open(source, fetchFn) {
  if (typeof source === 'string' || (typeof URL === 'function' && source instanceof URL)) {
    const url = String(source);
    const get = async (u, what) => {
      let r;
      try { r = await fetchFn(u); } catch (e) { return fail(`could not fetch ${what} ${u}: ${e.message}`); }
      if (!r.ok) fail(`could not fetch ${what} ${u}: HTTP ${r.status}`);
      return new Uint8Array(await r.arrayBuffer());
    };
    const json = parseJson(await get(url, 'model.json'));
    return { json, shard: (p) => get(new URL(p, new URL(url, globalThis.location?.href ?? 'file:///')).href, 'weight shard') };
  }
  if ((Array.isArray(source) && source.length && source.every(isFile)) || (typeof FileList === 'function' && source instanceof FileList)) {
    const files = [...source];
    const jsons = files.filter((f) => f.name.endsWith('.json'));
    if (jsons.length !== 1) {
      throw new RnnError('INVALID_ARGUMENT', `loadLayersModel: the files must hold exactly one .json (model.json), got ${jsons.length}`);
    }
    const json = parseJson(new Uint8Array(await jsons[0].arrayBuffer()));
    return {
      json,
      shard: async (p) => {
        const f = files.find((g) => g.name === baseName(p));
        if (!f) fail(`weight shard '${p}' is missing (files given: ${files.map((g) => g.name).join(', ')})`);
        return new Uint8Array(await f.arrayBuffer());
      },
    };
  }
  if (source !== null && typeof source === 'object' && 'modelTopology' in source && 'weightSpecs' in source) {
    return { artifacts: source };
  }
  if (source !== null && typeof source === 'object' && 'modelJson' in source) {
    const json = parseJson(source.modelJson);
    const w = source.weights;
    if (w !== null && typeof w === 'object' && !ArrayBuffer.isView(w) && !(w instanceof ArrayBuffer) && !Array.isArray(w)) {
      return {
        json,
        shard: async (p) => {
          const hit = w[p] ?? w[baseName(p)] ?? w[`./${baseName(p)}`];
          if (hit == null) fail(`weight shard '${p}' is missing (given: ${Object.keys(w).join(', ') || 'none'})`);
          return asBytes(hit, `weights['${p}']`);
        },
      };
    }
    return { json, all: w == null ? new Uint8Array(0) : asBytes(w, 'weights') };
  }
  throw new RnnError('INVALID_ARGUMENT', 'loadLayersModel: source must be the URL of model.json, its Files (model.json + .bin), { modelJson, weights } or TF.js ModelArtifacts');
}

function checkSpec(s, i) {
  if (s === null || typeof s !== 'object') fail(`weight entry ${i} is not an object`);
  if (typeof s.name !== 'string' || !s.name) fail(`weight entry ${i} has no name`);
  if (!Array.isArray(s.shape) || !s.shape.every((d) => Number.isInteger(d) && d >= 0)) {
    fail(`weight '${s.name}' has shape ${JSON.stringify(s.shape)}, not a list of non-negative integers`);
  }
  const n = s.shape.reduce((a, d) => a * d, 1);
  if (n > 2 ** 30) fail(`weight '${s.name}' has ${n} values, more than this loader takes (2^30)`);
  const q = s.quantization;
  if (q != null) {
    if (typeof q !== 'object' || !(q.dtype in QUANTIZED)) fail(`weight '${s.name}' has quantization dtype ${JSON.stringify(q?.dtype)} (known: ${Object.keys(QUANTIZED).join(', ')})`);
    if (q.dtype !== 'float16' && !(Number.isFinite(q.scale) && Number.isFinite(q.min))) fail(`weight '${s.name}': ${q.dtype} quantization needs finite scale and min`);
    return n * QUANTIZED[q.dtype];
  }
  if (!Object.hasOwn(PLAIN, s.dtype)) fail(`weight '${s.name}' has dtype ${JSON.stringify(s.dtype)} (known: ${Object.keys(PLAIN).join(', ')})`);
  return n * PLAIN[s.dtype];
}

function half(h) {
  const e = (h >> 10) & 31, m = h & 1023, s = h & 0x8000 ? -1 : 1;
  if (e === 0) return s * m * 2 ** -24;
  if (e === 31) return m ? NaN : s * Infinity;
  return s * (1 + m / 1024) * 2 ** (e - 15);
}

// One weight's bytes -> Float32Array.
function decode(s, bytes) {
  const n = s.shape.reduce((a, d) => a * d, 1);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Float32Array(n);
  const q = s.quantization;
  if (q?.dtype === 'float16') for (let i = 0; i < n; i++) out[i] = half(dv.getUint16(2 * i, true));
  else if (q?.dtype === 'uint8') for (let i = 0; i < n; i++) out[i] = bytes[i] * q.scale + q.min;
  else if (q?.dtype === 'uint16') for (let i = 0; i < n; i++) out[i] = dv.getUint16(2 * i, true) * q.scale + q.min;
  else if (s.dtype === 'float32') for (let i = 0; i < n; i++) out[i] = dv.getFloat32(4 * i, true);
  else if (s.dtype === 'int32') for (let i = 0; i < n; i++) out[i] = dv.getInt32(4 * i, true);
  else for (let i = 0; i < n; i++) out[i] = bytes[i] ? 1 : 0;
  return out;
}

// [{ specs, bytes }] -> Map(name -> { shape, data }); warnings for non-finite values.
function decodeGroups(groups, warnings) {
  const weights = new Map();
  for (const { specs, bytes, where } of groups) {
    const sizes = specs.map(checkSpec);
    const need = sizes.reduce((a, b) => a + b, 0);
    if (bytes.length < need) fail(`${where} holds ${bytes.length} bytes but its weights need ${need} (a missing or short shard)`);
    if (bytes.length > need) warnings.push(`${where} holds ${bytes.length} bytes, ${bytes.length - need} more than its weights need; the rest is ignored`);
    let at = 0;
    specs.forEach((s, i) => {
      if (weights.has(s.name)) fail(`weight '${s.name}' is listed twice`);
      const data = decode(s, bytes.subarray(at, at + sizes[i]));
      at += sizes[i];
      let bad = 0;
      for (let k = 0; k < data.length; k++) if (!Number.isFinite(data[k])) bad++;
      if (bad) warnings.push(`weight '${s.name}' holds ${bad} non-finite value${bad > 1 ? 's' : ''} (NaN or Infinity); loaded as they are`);
      weights.set(s.name, { shape: [...s.shape], data });
    });
  }
  return weights;
}

/**
 * Reads a LayersModel: { topology (the model's { class_name, config }),
 * weights: Map(name -> { shape, data: Float32Array }), warnings: string[] }.
 */
export async function readLayersModel(source, fetchFn = globalThis.fetch) {
  const src = await open(source, fetchFn);
  const warnings = [];
  if (src.artifacts) {
    const a = src.artifacts;
    if (!Array.isArray(a.weightSpecs)) fail('ModelArtifacts.weightSpecs must be an array');
    const bytes = a.weightData == null ? new Uint8Array(0) : asBytes(a.weightData, 'weightData');
    return { topology: topologyOf(a.modelTopology, a.format), weights: decodeGroups([{ specs: a.weightSpecs, bytes, where: 'weightData' }], warnings), warnings };
  }
  const json = src.json;
  if (json === null || typeof json !== 'object' || Array.isArray(json)) fail('model.json must hold a JSON object');
  const manifest = json.weightsManifest ?? [];
  if (!Array.isArray(manifest)) fail('weightsManifest must be an array of { paths, weights }');
  const topology = topologyOf(json.modelTopology, json.format);
  const groups = [];
  if (src.all) {
    groups.push({ specs: manifest.flatMap((g) => g?.weights ?? []), bytes: src.all, where: 'the weights buffer' });
  } else {
    for (const [gi, g] of manifest.entries()) {
      if (g === null || typeof g !== 'object' || !Array.isArray(g.paths) || !Array.isArray(g.weights)) {
        fail(`weightsManifest[${gi}] must be { paths: [...], weights: [...] }`);
      }
      if (!g.paths.every((p) => typeof p === 'string' && p)) fail(`weightsManifest[${gi}].paths must be file names`);
      const parts = [];
      for (const p of g.paths) parts.push(await src.shard(p));
      groups.push({ specs: g.weights, bytes: concat(parts), where: `weight group ${gi} (${g.paths.join(', ')})` });
    }
  }
  return { topology, weights: decodeGroups(groups, warnings), warnings };
}

// TF.js's model.save writes the model's { class_name, config } as
// modelTopology; the Keras converter nests it under model_config.
function topologyOf(t, format) {
  if (format != null && format !== 'layers-model') {
    throw new RnnError('UNSUPPORTED', `loadLayersModel: format '${format}' is not a LayersModel (a graph model has no layers to rebuild; convert the Keras model with --output_format tfjs_layers_model)`);
  }
  if (t === null || typeof t !== 'object') fail('modelTopology is missing');
  const m = t.model_config ?? t;
  if (m === null || typeof m !== 'object' || typeof m.class_name !== 'string' || m.config === null || typeof m.config !== 'object') {
    fail('modelTopology must hold a model { class_name, config }');
  }
  return { ...m, kerasVersion: String(t.keras_version ?? '') };
}
