// node bench/min_shakespeare.mjs [flags]: issue 23's learning race. A
// character LM on Tiny Shakespeare with the LSTM 1x256 of examples/charlm.mjs
// against stacked minGRU and minLSTM, validation loss against training time.
//
// Same data, split, vocabulary, TBPTT layout (batch 32 x k 100), Adam and
// clipping as examples/charlm.mjs; the LSTM trains for charlm's 2,000 steps,
// each min cell for the LSTM's training CPU time and the block stacks for half
// of it, the target's budget (read from its result file, or --budget). Validation (charlm's: the last 10% in 16 streams, state
// carried) runs every --eval-every CPU seconds of training and is not counted
// on the clock.
//
// The clock is this process's CPU time (process.cpuUsage), not wall time: the
// machine is shared, and CPU time is what the model costs. Run it niced:
//   nice -n 10 node bench/min_shakespeare.mjs                 # all three, one after the other
//   nice -n 10 node bench/min_shakespeare.mjs --models mingru # one model (runs can go side by side)
//   node bench/min_shakespeare.mjs --report                   # the table from the saved curves
//   nice -n 10 node bench/min_shakespeare.mjs --models mingru --min-layers 3 --min-hidden 128 --dir build/ms-3x128
//   node bench/min_shakespeare.mjs --report --also build/ms-3x128 # another size in the same table
//   node bench/min_shakespeare.mjs --report --reference build/x/lstm.json # measured against another LSTM run
//   nice -n 10 node bench/min_shakespeare.mjs --models blocks --budget 210 --name b3d192
//     (the paper's pre-norm residual stack, bench/min_blocks.mjs: Embedding, blocks of [LayerNorm, rnn.CausalConv1d,
//     minGRU] (and an MLP with --mlp 2), LayerNorm, Linear; warm-up, then cosine lr down to --lr-floor x lr at the
//     budget. The defaults, the best measured (session 7): 3 blocks of d 192, each min cell after a depthwise causal
//     convolution over its last 4 inputs (--conv 4; Mamba's conv before its scan: the min cell's gates read x_t only)
//     started as RWKV's token shift (--conv-init shift: half the features from x_{t-1}; 'random' is PyTorch's init),
//     batch 8 at lr 3e-3, cosine to 0. Earlier recipes: --conv 0 --shift 0.5 is the fixed token shift alone; --bigram
//     adds an embedding of the (previous, current) character pair (rows for the 1,381 pairs of the training text,
//     176,768 parameters; session 6: 4 blocks d 128 --conv 0 --bigram met the target at 1.5510);
//     --conv 0 --shift 0 --bigram=false --block-batch 16 --lr-floor 0.1 --blocks 4 --d-model 128 is session 5's:
//     bench/RESULTS-2026-12-05-min-learn3.txt)
// Each model's curve goes to build/min-shakespeare/<model>.json; the report
// says when each min cell first reached the LSTM's final validation loss.
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpuSeconds, fmt, loadRnn, parseFlags, readRepoFile, repoPath, streamLoss } from '../examples/common.mjs';
import { blockStack } from './min_blocks.mjs';

const flags = parseFlags({
  models: 'lstm,mingru,minlstm', report: false, dir: 'build/min-shakespeare', also: '', budget: 0, evalEvery: 15, steps: 2000,
  batch: 32, k: 100, embed: 64, clip: 5, valBatch: 16, seed: 1,
  lstmHidden: 256, lstmLr: 2e-3, minHidden: 256, minLayers: 3, minLr: 4e-3,
  reference: '', blockCell: 'MinGRU', blocks: 3, dModel: 192, mlp: 0, act: 'GELU', blockLr: 3e-3, blockBatch: 8, warmup: 10, cosine: true, decay: 0, lrFloor: 0, beta2: 0.999, shift: 0.5, shiftSteps: 1, bigram: false, conv: 4, convInit: 'shift', name: '',
}, 'node bench/min_shakespeare.mjs [flags]: LSTM 1x256 vs minGRU / minLSTM stacks on Tiny Shakespeare');

const outDir = repoPath(flags.dir);
const curvePath = (name) => `${outDir}/${name}.json`;

const MODELS = {
  lstm: { cell: 'LSTM', layers: 1, hidden: flags.lstmHidden, lr: flags.lstmLr },
  mingru: { cell: 'MinGRU', layers: flags.minLayers, hidden: flags.minHidden, lr: flags.minLr },
  minlstm: { cell: 'MinLSTM', layers: flags.minLayers, hidden: flags.minHidden, lr: flags.minLr },
  // the paper's stack: x += cell(LayerNorm(x)); x += MLP(LayerNorm(x)); LayerNorm, Linear out
  blocks: {
    cell: flags.blockCell, layers: flags.blocks, hidden: flags.dModel, lr: flags.blockLr, blocks: true,
    mlp: flags.mlp, act: flags.act, warmup: flags.warmup, cosine: flags.cosine, decay: flags.decay, lrFloor: flags.lrFloor, beta2: flags.beta2, shift: flags.shift, shiftSteps: flags.shiftSteps, bigram: flags.bigram, conv: flags.conv, convInit: flags.convInit,
  },
};
// Runs of one model kind under other names (--name) sit side by side in one --dir.
const KINDS = Object.keys(MODELS);

if (flags.report) report();
else await train();

async function train() {
  const rnn = await loadRnn();
  const text = readRepoFile('data/text/tinyshakespeare/tinyshakespeare.txt');
  const chars = [...text];
  const nVal = Math.round(chars.length * 0.1);
  const trainText = chars.slice(0, chars.length - nVal).join('');
  const valText = chars.slice(chars.length - nVal).join('');
  const vocab = rnn.data.CharVocab.fromText(trainText);
  const V = vocab.size;
  const trainIds = vocab.encode(trainText);
  const valBatches = rnn.tbpttBatches(vocab.encode(valText), { batchSize: flags.valBatch, k: flags.k });
  mkdirSync(outDir, { recursive: true });

  for (const kind of flags.models.split(',')) {
    const m = MODELS[kind];
    if (!m) throw new Error(`unknown model ${kind} (${KINDS.join(', ')})`);
    const name = flags.name || kind;
    // the block stacks train on their own batch size (--block-batch; 0: --batch)
    const batch = (m.blocks && flags.blockBatch) || flags.batch;
    const trainBatches = rnn.tbpttBatches(trainIds, { batchSize: batch, k: flags.k });
    const budget = kind === 'lstm' ? Infinity : (flags.budget || lstmBudget() / (m.blocks ? 2 : 1));
    const model = m.blocks ? blockStack(rnn, m, V, { trainIds, seed: flags.seed }) : new rnn.Sequential([
      new rnn.Embedding({ numEmbeddings: V, embeddingDim: flags.embed, seed: flags.seed * 10 + 1 }),
      new rnn[m.cell]({ inputSize: flags.embed, hiddenSize: m.hidden, numLayers: m.layers, batchFirst: true, seed: flags.seed * 10 + 2 }),
      new rnn.Linear({ inFeatures: m.hidden, outFeatures: V, seed: flags.seed * 10 + 3 }),
    ]);
    const params = model.parameters();
    const numParams = params.reduce((s, p) => s + p.numel, 0);
    const opt = new rnn.Adam(params, { lr: m.lr, betas: [0.9, m.beta2 ?? 0.999] });
    const label = m.blocks ? `${m.cell} ${m.layers} blocks d${m.hidden}${m.bigram ? ' bigram' : ''}${m.conv ? ` conv${m.conv} ${m.convInit}` : ''}${m.shift && !m.conv ? ` shift ${m.shift}${m.shiftSteps > 1 ? ` x${m.shiftSteps}` : ''}` : ''}${m.mlp ? ` mlp${m.mlp} ${m.act}` : ''} batch ${batch}` : `${m.cell} ${m.layers}x${m.hidden}`;
    const schedule = m.blocks ? `, warm-up ${m.warmup} CPU s${m.decay ? `, constant, then linear to ${m.lrFloor} lr over the budget's last ${m.decay}` : m.cosine ? `, cosine to ${m.lrFloor} lr at the budget` : ''}${m.beta2 !== 0.999 ? `, beta2 ${m.beta2}` : ''}` : '';
    console.log(`${label}: ${numParams} parameters, Adam lr ${m.lr}${schedule}, clip ${flags.clip}, ` +
      `TBPTT ${batch} x ${flags.k}; ${kind === 'lstm' ? `${flags.steps} steps` : `budget ${fmt(budget, 1)} CPU s`}`);
    // The block stacks' lr follows the CPU clock: linear warm-up, then cosine down to lr * lrFloor at the budget
    // (or with --decay f: constant, then linear down to lr * lrFloor over the budget's last fraction f).
    const anneal = (t) => (m.decay ? Math.min(1, (1 - Math.min(1, t / budget)) / m.decay)
      : 0.5 * (1 + Math.cos(Math.PI * Math.min(1, t / budget))));
    const lrAt = (t) => m.lr * Math.min(1, (t + 1e-3) / m.warmup) *
      (m.cosine || m.decay ? m.lrFloor + (1 - m.lrFloor) * anneal(t) : 1);

    const validate = () => {
      const loss = streamLoss(rnn, model, valBatches, V);
      model.train();
      return loss;
    };

    // Training CPU time is summed over the steps only; validation is off the clock.
    const curve = [{ step: 0, cpu: 0, val: validate() }];
    let cpu = 0, step = 0, state = null, nextEval = flags.evalEvery;
    const done = () => (kind === 'lstm' ? step >= flags.steps : cpu >= budget);
    while (!done()) {
      const b = trainBatches[step % trainBatches.length];
      if (step % trainBatches.length === 0) state = null; // each epoch starts fresh, as fit({ tbptt }) does
      const t0 = cpuSeconds();
      if (m.blocks) opt.lr = lrAt(cpu);
      opt.zeroGrad();
      const out = model.forward(b.x, { state });
      state = model.state;
      const { loss, grad } = rnn.losses.crossEntropy({ shape: [out.data.length / V, V], data: out.data }, b.y.data);
      model.backward({ shape: out.shape, data: grad.data });
      rnn.clipGradNorm(params, flags.clip);
      opt.step();
      cpu += cpuSeconds() - t0;
      step++;
      if (!Number.isFinite(loss)) throw new Error(`${label}: loss ${loss} at step ${step}`);
      if (cpu >= nextEval || done()) {
        const val = validate();
        curve.push({ step, cpu, val, train: loss });
        console.log(`${label}  step ${step}  ${fmt(cpu, 1)} CPU s  ${fmt(step / cpu, 2)} steps/s  train ${fmt(loss)}  val ${fmt(val)}`);
        // Saved at every evaluation, so a run cut short still leaves its curve (complete: false).
        writeFileSync(curvePath(name), JSON.stringify({
          name, label, ...m, batch, numParams, steps: step, cpuSeconds: cpu, stepsPerCpuSecond: step / cpu,
          finalVal: val, complete: done(), curve, flags, node: process.version,
        }, null, 1));
        while (nextEval <= cpu) nextEval += flags.evalEvery;
      }
    }
    model.dispose();
    opt.dispose();
  }
  report();
}

function lstmBudget() {
  if (!existsSync(curvePath('lstm'))) throw new Error('no LSTM result yet: run --models lstm first, or give --budget');
  return JSON.parse(readFileSync(curvePath('lstm'), 'utf8')).cpuSeconds;
}

/** First point where the validation loss is at or below `target`, time linearly interpolated between evaluations. */
function timeToReach(curve, target) {
  // A curve without its step-0 point that starts below target: its first evaluation is an upper bound.
  if (curve[0]?.val <= target) return { cpu: curve[0].cpu, evalCpu: curve[0].cpu, step: curve[0].step, upper: curve[0].step > 0 };
  for (let i = 1; i < curve.length; i++) {
    const a = curve[i - 1], b = curve[i];
    if (b.val <= target) {
      const t = a.val === b.val ? b.cpu : a.cpu + (b.cpu - a.cpu) * (a.val - target) / (a.val - b.val);
      return { cpu: t, evalCpu: b.cpu, step: b.step };
    }
  }
  return null;
}

function report() {
  // --also dir1,dir2: runs of other sizes (saved with --dir) join the table.
  const paths = [flags.dir, ...flags.also.split(',').filter(Boolean)]
    .filter((d) => existsSync(repoPath(d)))
    .flatMap((d) => readdirSync(repoPath(d)).filter((f) => f.endsWith('.json')).sort().map((f) => `${repoPath(d)}/${f}`));
  const runs = paths.map((p) => JSON.parse(readFileSync(p, 'utf8')));
  // --reference file.json: the LSTM run the others are measured against (else the first run named lstm)
  const lstm = flags.reference ? JSON.parse(readFileSync(repoPath(flags.reference), 'utf8')) : runs.find((r) => r.name === 'lstm');
  if (flags.reference) runs.unshift(lstm);
  // runs of one size at two lrs, or saved under their own --name, stay apart
  const tag = (r) => `${r.label} lr ${r.lr}${r.name && !KINDS.includes(r.name) ? ` [${r.name}]` : ''}`;
  console.log('\nmodel | parameters | lr | steps | train CPU s | steps / CPU s | final val (nats/char) | reaches the LSTM\'s final val at');
  for (const r of runs) {
    let reach = '';
    if (lstm && r !== lstm) {
      const t = timeToReach(r.curve, lstm.finalVal);
      reach = t ? `${fmt(t.cpu, 1)} CPU s (${fmt(t.cpu / lstm.cpuSeconds * 100, 1)}% of the LSTM's time; evaluated at ${fmt(t.evalCpu, 1)} s, step ${t.step})` : 'not reached';
    }
    const cut = r.complete ? '' : ' (cut short: the last evaluation)';
    console.log(`${tag(r)} | ${r.numParams} | ${r.lr} | ${r.steps}${cut} | ${fmt(r.cpuSeconds, 1)} | ${fmt(r.stepsPerCpuSecond, 2)} | ${fmt(r.finalVal)} | ${reach}`);
  }
  // The target at every budget the LSTM's curve offers: its loss after t CPU s against the time each min cell needed for it.
  if (lstm) {
    const mins = runs.filter((r) => r !== lstm);
    console.log(`\nLSTM budget t (CPU s) | LSTM val at t | ${mins.map((r) => `${tag(r)}: CPU s to reach it (/ t)`).join(' | ')}`);
    for (const q of lstm.curve.filter((c) => c.cpu > 0)) {
      const cells = mins.map((r) => {
        const hit = timeToReach(r.curve, q.val);
        const le = hit?.upper ? '<= ' : '';
        return hit ? `${le}${fmt(hit.cpu, 1)} (${le}${fmt(hit.cpu / q.cpu, 2)})` : `not by ${fmt(r.cpuSeconds, 0)}`;
      });
      console.log(`${fmt(q.cpu, 1)} | ${fmt(q.val)} | ${cells.join(' | ')}`);
    }
  }
  console.log('\nvalidation loss (nats/char) at CPU seconds of training:');
  for (const r of runs) console.log(`${tag(r)}: ${r.curve.map((p) => `${fmt(p.cpu, 0)}s ${fmt(p.val, 3)}`).join(', ')}`);
}
