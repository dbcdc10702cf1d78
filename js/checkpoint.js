// checkpoint.js - training checkpoints as one safetensors file: weights,
// optimizer buffers and step count, generator states and the loop position,
// restored all or nothing so that fit resumes bit-identically.
import { RnnError } from './errors.js';
import { rngStates, setRngStates } from './rng-states.js';
import { serialize, parse } from './safetensors.js';

/**
 * Serialises everything needed to resume: weights, optimizer buffers and
 * step count, generator states, and the loop position, as one safetensors
 * file (Uint8Array).
 */
export function saveCheckpoint({ model, optimizer, position = {}, dataRng = null }) {
  const tensors = {};
  for (const [k, v] of Object.entries(model.stateDict())) tensors[`model.${k}`] = v;
  const opt = optimizer.getState();
  for (const [k, v] of Object.entries(opt.buffers)) tensors[`optimizer.${k}`] = { shape: [v.length], data: v };
  const rngs = {};
  for (const [name, state] of Object.entries(rngStates(model))) rngs[name] = [...state];
  if (dataRng) rngs.__data = [...dataRng.state()];
  const meta = {
    format: 'rnn-wasm-checkpoint',
    version: '1',
    optimizer: JSON.stringify({ kind: opt.kind, steps: opt.steps, config: opt.config }),
    rng: JSON.stringify(rngs),
    position: JSON.stringify(position),
  };
  return serialize(tensors, meta);
}

/** Restores a checkpoint into a model and optimizer of the same shapes, all or nothing; returns { position, dataRng }. */
export function loadCheckpoint(bytes, { model, optimizer }) {
  const file = parse(bytes);
  const meta = file.__metadata__ ?? {};
  if (meta.format !== 'rnn-wasm-checkpoint') {
    throw new RnnError('INVALID_ARGUMENT', 'loadCheckpoint: not an rnn-wasm checkpoint (metadata format missing)');
  }
  const sd = {}, buffers = {};
  for (const [k, v] of Object.entries(file)) {
    if (k.startsWith('model.')) sd[k.slice(6)] = { shape: v.shape, data: v.data };
    else if (k.startsWith('optimizer.')) buffers[k.slice(10)] = v.data;
  }
  let opt, rngs, position;
  try {
    opt = JSON.parse(meta.optimizer);
    rngs = JSON.parse(meta.rng);
    position = JSON.parse(meta.position);
  } catch (err) {
    throw new RnnError('INVALID_ARGUMENT', `loadCheckpoint: the checkpoint's metadata is not valid JSON (${err.message})`);
  }
  // All or nothing: if the optimizer rejects its state, the model gets its
  // previous weights back.
  const previous = model.stateDict();
  model.loadStateDict(sd);
  try {
    optimizer.setState({ kind: opt.kind, steps: opt.steps, config: opt.config, buffers });
  } catch (err) {
    model.loadStateDict(previous);
    throw err;
  }
  setRngStates(model, rngs);
  return { position, dataRng: rngs.__data ? Uint32Array.from(rngs.__data) : null };
}
