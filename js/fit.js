// fit.js - the training loop: fit(core, model, options) with epochs, batches,
// optimizer choice, learning-rate schedules, gradient clipping, validation
// metrics, early stopping, progress, truncated BPTT (and tbpttBatches, its
// batches), a non-finite guard, cancellation, and checkpoints (checkpoint.js)
// that resume bit-identically.
import { RnnError } from './errors.js';
import { checkKnown } from './options.js';
import { refuseQuantized } from './param-module.js';
import { createRng, range, shuffle as shuffled } from './data.js';
import { loadCheckpoint, saveCheckpoint } from './checkpoint.js';
import { Adam, AdamW, SGD, clipGradNorm as clipGrads } from './optim.js';
import * as losses from './losses.js';

const now = () => (typeof performance === 'object' ? performance.now() : Date.now());

// Losses by name, applied to the model's output and the batch's targets.
// Outputs [B, T, C] with targets [B, T] are flattened for crossEntropy
// (padding targets should be ignoreIndex, -100 by default). 'ctc': the
// output is logits [B, T, C] (batch first, as Sequential's) and y is
// { targets, inputLengths, targetLengths } (losses.ctc's arguments);
// the log_softmax is fused, and impossible alignments cost 0 (zeroInfinity)
// so one too-short utterance cannot stop training.
function lossFunction(core, loss) {
  if (typeof loss === 'function') return loss;
  const flat = (t, keep) => ({ shape: [t.data.length / keep, keep], data: t.data });
  switch (loss) {
    case 'mse': return (out, y) => losses.mse(core, out, y);
    case 'bce': case 'bceWithLogits': return (out, y) => {
      const r = losses.bceWithLogits(core, { shape: y.shape, data: out.data }, y);
      return { loss: r.loss, grad: { shape: out.shape, data: r.grad.data } };
    };
    case 'crossEntropy': return (out, y) => {
      const C = out.shape[out.shape.length - 1];
      const r = losses.crossEntropy(core, flat(out, C), { shape: [y.data.length], data: y.data });
      return { loss: r.loss, grad: { shape: out.shape, data: r.grad.data } };
    };
    case 'ctc': return (out, y) => {
      if (y === null || typeof y !== 'object' || !('targets' in y)) {
        throw new RnnError('INVALID_ARGUMENT', "fit: with loss 'ctc' each batch's y must be { targets, inputLengths, targetLengths }");
      }
      return losses.ctc(core, out, y.targets, y.inputLengths, y.targetLengths, { fromLogits: true, zeroInfinity: true, batchFirst: true });
    };
    default: throw new RnnError('INVALID_ARGUMENT', `fit: unknown loss ${JSON.stringify(loss)} (use 'mse', 'bce', 'crossEntropy', 'ctc' or a function)`);
  }
}

// Metrics by name: accumulate over batches, then report.
function metricFunction(name, lossKind) {
  if (name !== 'accuracy') throw new RnnError('INVALID_ARGUMENT', `fit: unknown metric ${JSON.stringify(name)} (use 'accuracy')`);
  return (out, y) => {
    let correct = 0, count = 0;
    if (lossKind === 'crossEntropy') {
      const C = out.shape[out.shape.length - 1];
      for (let i = 0; i < y.data.length; i++) {
        if (y.data[i] < 0) continue; // ignoreIndex
        let best = 0;
        for (let c = 1; c < C; c++) if (out.data[i * C + c] > out.data[i * C + best]) best = c;
        correct += best === y.data[i] ? 1 : 0;
        count++;
      }
    } else {
      for (let i = 0; i < y.data.length; i++) {
        correct += (out.data[i] > 0) === (y.data[i] > 0.5) ? 1 : 0;
        count++;
      }
    }
    return { correct, count };
  };
}

function scheduleFunction(schedule, baseLr) {
  if (schedule == null) return () => baseLr;
  if (typeof schedule === 'function') return schedule;
  const { type } = schedule;
  if (type === 'step') {
    const { stepSize, gamma = 0.1 } = schedule;
    return (step) => baseLr * gamma ** Math.floor(step / stepSize);
  }
  if (type === 'exponential') return (step) => baseLr * (schedule.gamma ?? 0.99) ** step;
  if (type === 'cosine') {
    const { totalSteps, minLr = 0, warmupSteps = 0 } = schedule;
    return (step) => {
      if (step < warmupSteps) return baseLr * (step + 1) / warmupSteps;
      const p = Math.min(1, (step - warmupSteps) / Math.max(1, totalSteps - warmupSteps));
      return minLr + 0.5 * (baseLr - minLr) * (1 + Math.cos(Math.PI * p));
    };
  }
  throw new RnnError('INVALID_ARGUMENT', `fit: unknown lrSchedule type ${JSON.stringify(type)} (use 'step', 'exponential', 'cosine' or a function (step, epoch) => lr)`);
}

function isFiniteArray(a) {
  for (let i = 0; i < a.length; i++) if (!Number.isFinite(a[i])) return false;
  return true;
}

const OPTIMIZERS = { adam: Adam, adamw: AdamW, sgd: SGD };

function makeOptimizer(core, model, spec, lr) {
  if (spec && typeof spec === 'object' && typeof spec.step === 'function') return { opt: spec, owned: false };
  const { type = 'adam', ...opts } = typeof spec === 'string' ? { type: spec } : (spec ?? {});
  const cls = OPTIMIZERS[String(type).toLowerCase()];
  if (!cls) throw new RnnError('INVALID_ARGUMENT', `fit: unknown optimizer ${JSON.stringify(type)} (use 'adam', 'adamw', 'sgd' or an optimizer)`);
  return { opt: new cls(core, model.parameters(), { ...opts, ...(lr !== undefined ? { lr } : {}) }), owned: true };
}

/**
 * fit(core, model, options) trains `model` (anything with forward(x, { lengths,
 * state }), backward(dOutput), parameters(), train(), eval()). Batches are
 * { x, y, lengths? }. Returns a history; see the README for every option.
 */
export async function fit(core, model, options = {}) {
  checkKnown(options, ['train', 'val', 'loss', 'epochs', 'optimizer', 'lr', 'lrSchedule', 'clipGradNorm',
    'metrics', 'earlyStopping', 'tbptt', 'seed', 'shuffle', 'onProgress', 'progressEvery', 'signal',
    'control', 'yieldEveryMs', 'checkpointEvery', 'onCheckpoint', 'resume', 'maxSteps'], 'fit');
  const {
    train, val, epochs = 1, lr, lrSchedule, clipGradNorm, metrics = [], earlyStopping, tbptt = null,
    seed = 0, shuffle = true, onProgress, progressEvery = 1, signal, control, yieldEveryMs = 50,
    checkpointEvery = 0, onCheckpoint, resume, maxSteps = Infinity,
  } = options;
  refuseQuantized([model], 'fit');
  if (!Array.isArray(train) || train.length === 0) {
    throw new RnnError('INVALID_ARGUMENT', 'fit: train must be a non-empty array of batches { x, y, lengths? }');
  }
  if (!Number.isInteger(epochs) || epochs < 1) throw new RnnError('INVALID_ARGUMENT', `fit: epochs must be an integer >= 1, got ${epochs}`);
  if (clipGradNorm !== undefined && !(clipGradNorm > 0)) throw new RnnError('INVALID_ARGUMENT', `fit: clipGradNorm must be > 0, got ${clipGradNorm}`);
  const lossKind = typeof options.loss === 'string' ? options.loss : 'custom';
  const lossFn = lossFunction(core, options.loss ?? 'mse');
  const metricFns = metrics.map((m) => [m, metricFunction(m, lossKind)]);
  const { opt, owned } = makeOptimizer(core, model, options.optimizer, lr);
  const baseLr = opt.lr;
  const lrAt = scheduleFunction(lrSchedule, baseLr);
  const params = model.parameters();
  const rng = createRng(seed);
  const history = { epochs: [], steps: 0, stopped: 'completed', bestEpoch: -1 };
  const patience = earlyStopping?.patience ?? Infinity;
  const minDelta = earlyStopping?.minDelta ?? 0;
  let best = Infinity, bestWeights = null, sinceBest = 0;
  let step = 0, startEpoch = 0, startBatch = 0, order = null;
  if (resume) {
    const r = loadCheckpoint(resume, { model, optimizer: opt });
    ({ step, epoch: startEpoch, batch: startBatch } = r.position);
    order = r.position.order ?? null;
    if (r.dataRng) rng.setState(r.dataRng);
    history.steps = step;
  }
  const totalSteps = Math.min(maxSteps, epochs * train.length);
  let lastYield = now();
  const t0 = now();
  let examples = 0;
  let stepsThisRun = 0;

  const evaluate = (batches) => {
    model.eval();
    let sum = 0, n = 0;
    const acc = metricFns.map(() => ({ correct: 0, count: 0 }));
    let state = null;
    for (const b of batches) {
      const out = model.forward(b.x, { lengths: b.lengths, state: tbptt ? state : undefined });
      if (tbptt) state = model.state;
      sum += lossFn(out, b.y).loss;
      n++;
      metricFns.forEach(([, f], i) => { const r = f(out, b.y); acc[i].correct += r.correct; acc[i].count += r.count; });
    }
    model.train();
    const res = { loss: sum / n };
    metricFns.forEach(([name], i) => { res[name] = acc[i].correct / Math.max(1, acc[i].count); });
    return res;
  };

  try {
    model.train();
    outer: for (let epoch = startEpoch; epoch < epochs; epoch++) {
      if (!order || epoch !== startEpoch) {
        order = shuffle && !tbptt ? shuffled(range(train.length), rng) : train.map((_, i) => i);
      }
      let epochLoss = 0, epochN = 0;
      let state = null; // carried between chunks in truncated BPTT, without gradient
      for (let bi = epoch === startEpoch ? startBatch : 0; bi < order.length; bi++) {
        if (step >= maxSteps) { history.stopped = 'maxSteps'; break outer; }
        if (signal?.aborted || control?.cancelled) { history.stopped = 'cancelled'; break outer; }
        while (control?.paused && !control.cancelled) await new Promise((r) => setTimeout(r, 20));
        const batch = train[order[bi]];
        opt.lr = lrAt(step, epoch);
        opt.zeroGrad();
        const out = model.forward(batch.x, { lengths: batch.lengths, state: tbptt ? state : undefined });
        const { loss, grad } = lossFn(out, batch.y);
        if (!Number.isFinite(loss) || !isFiniteArray(grad.data)) {
          throw new RnnError('NON_FINITE', `fit: the loss is ${loss} at step ${step} (epoch ${epoch}, batch ${bi}); training stopped and the weights of the last good step are kept`);
        }
        model.backward(grad);
        const norm = clipGrads(core, params, clipGradNorm ?? Infinity);
        if (!Number.isFinite(norm)) {
          opt.zeroGrad();
          throw new RnnError('NON_FINITE', `fit: a gradient is not finite at step ${step} (epoch ${epoch}, batch ${bi}); training stopped and the weights of the last good step are kept`);
        }
        opt.step();
        if (tbptt) state = model.state;
        step++;
        stepsThisRun++;
        history.steps = step;
        epochLoss += loss;
        epochN++;
        examples += batch.x.shape[0];
        if (onProgress && step % progressEvery === 0) {
          const elapsed = (now() - t0) / 1000;
          const perStep = elapsed / stepsThisRun;
          onProgress({
            step, epoch, batch: bi, loss, lr: opt.lr, gradNorm: norm,
            examplesPerSec: examples / elapsed, stepsPerSec: stepsThisRun / elapsed,
            etaSeconds: perStep * Math.max(0, totalSteps - step), totalSteps,
          });
        }
        if (checkpointEvery > 0 && step % checkpointEvery === 0 && onCheckpoint) {
          const position = bi + 1 < order.length
            ? { step, epoch, batch: bi + 1, order }
            : { step, epoch: epoch + 1, batch: 0, order: null };
          await onCheckpoint(saveCheckpoint({ model, optimizer: opt, position, dataRng: rng }), { step, epoch });
        }
        if (now() - lastYield > yieldEveryMs) { // let the page (or worker messages) breathe
          await new Promise((r) => setTimeout(r, 0));
          lastYield = now();
        }
      }
      const record = { epoch, loss: epochN ? epochLoss / epochN : NaN };
      if (val && val.length) {
        const v = evaluate(val);
        record.valLoss = v.loss;
        for (const [name] of metricFns) record[`val${name[0].toUpperCase()}${name.slice(1)}`] = v[name];
      }
      history.epochs.push(record);
      onProgress?.({ step, epoch, epochEnd: true, ...record });
      if (earlyStopping) {
        const monitored = record.valLoss ?? record.loss;
        if (monitored < best - minDelta) {
          best = monitored; sinceBest = 0; history.bestEpoch = epoch;
          if (earlyStopping.restoreBest !== false) bestWeights = model.stateDict();
        } else if (++sinceBest >= patience) {
          history.stopped = 'earlyStopping';
          break;
        }
      }
    }
    if (bestWeights && history.stopped === 'earlyStopping') model.loadStateDict(bestWeights);
  } finally {
    if (owned) opt.dispose();
  }
  return history;
}

/**
 * Splits a long token stream into `batchSize` contiguous streams
 * (char-rnn's loader) and cuts them into chunks of k steps: batches for
 * truncated BPTT with fit({ tbptt: true }) — the state is carried from one
 * chunk to the next without gradient, so memory is bounded by k.
 */
export function tbpttBatches(ids, { batchSize, k }) {
  if (!(ids instanceof Int32Array)) throw new RnnError('DTYPE', 'tbpttBatches: ids must be an Int32Array');
  const per = Math.floor((ids.length - 1) / batchSize);
  const chunks = Math.floor(per / k);
  if (chunks < 1) throw new RnnError('SHAPE', `tbpttBatches: ${ids.length} tokens are too few for batchSize ${batchSize} x k ${k}`);
  const out = [];
  for (let c = 0; c < chunks; c++) {
    const x = new Int32Array(batchSize * k), y = new Int32Array(batchSize * k);
    for (let b = 0; b < batchSize; b++) {
      const start = b * per + c * k;
      x.set(ids.subarray(start, start + k), b * k);
      y.set(ids.subarray(start + 1, start + k + 1), b * k);
    }
    out.push({ x: { shape: [batchSize, k], data: x }, y: { shape: [batchSize, k], data: y } });
  }
  return out;
}

