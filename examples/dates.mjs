// examples/dates.mjs - a character-level encoder-decoder with attention that
// converts dates written in many human formats to ISO 8601 (YYYY-MM-DD):
//   "Tuesday, March 5, 1996" / "5th of march 1996" / "05.03.1996" -> "1996-03-05"
// The data is generated here (seeded): random dates in 1950-2049, each in one
// of 18 formats and a random letter case. The held-out set uses a different
// seed and keeps no input string that is in the training set.
//
//   ./build.sh dist && node examples/dates.mjs            (a few minutes)
//   node examples/dates.mjs --quick                      (smaller, for a smoke run)
// Prints progress, a few decodes (greedy and beam search, streamed), and a
// final line `exact_match=<fraction of held-out inputs converted exactly>`.
// One full run (5 epochs, 1,875 steps): exact_match=0.9965 greedy and with beam 3.
import { init, data } from '../dist/index.js';

const quick = process.argv.includes('--quick');
const N_TRAIN = quick ? 6000 : 24000, N_TEST = quick ? 500 : 2000;
const EPOCHS = quick ? 3 : 5;

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September',
  'October', 'November', 'December'];
const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const pad2 = (n) => String(n).padStart(2, '0');
const ord = (n) => `${n}${n % 10 === 1 && n !== 11 ? 'st' : n % 10 === 2 && n !== 12 ? 'nd' : n % 10 === 3 && n !== 13 ? 'rd' : 'th'}`;
const mon3 = (m) => MONTHS[m - 1].slice(0, 3);

// Every format: (year, month, day, weekday) -> text.
const FORMATS = [
  (y, m, d) => `${MONTHS[m - 1]} ${d}, ${y}`,
  (y, m, d) => `${mon3(m)} ${d}, ${y}`,
  (y, m, d) => `${mon3(m)}. ${d} ${y}`,
  (y, m, d) => `${d} ${MONTHS[m - 1]} ${y}`,
  (y, m, d) => `${d} ${mon3(m)} ${y}`,
  (y, m, d) => `${MONTHS[m - 1]} ${ord(d)}, ${y}`,
  (y, m, d) => `the ${ord(d)} of ${MONTHS[m - 1]} ${y}`,
  (y, m, d) => `${ord(d)} ${MONTHS[m - 1]}, ${y}`,
  (y, m, d, w) => `${DAYS[w]}, ${MONTHS[m - 1]} ${d}, ${y}`,
  (y, m, d, w) => `${DAYS[w].slice(0, 3)} ${d} ${mon3(m)} ${y}`,
  (y, m, d) => `${pad2(m)}/${pad2(d)}/${y}`,
  (y, m, d) => `${m}/${d}/${y}`,
  (y, m, d) => `${pad2(d)}.${pad2(m)}.${y}`,
  (y, m, d) => `${y}/${pad2(m)}/${pad2(d)}`,
  (y, m, d) => `${d}-${mon3(m)}-${y}`,
  (y, m, d) => `${y}${pad2(m)}${pad2(d)}`,
  (y, m, d) => `${y}, ${MONTHS[m - 1]} ${d}`,
  (y, m, d) => `${MONTHS[m - 1]} ${y}, day ${d}`,
];

function randomDate(rng) {
  const start = Date.UTC(1950, 0, 1), days = Math.round((Date.UTC(2049, 11, 31) - start) / 86400000) + 1;
  const dt = new Date(start + rng.int(days) * 86400000);
  const y = dt.getUTCFullYear(), m = dt.getUTCMonth() + 1, d = dt.getUTCDate();
  const f = FORMATS[rng.int(FORMATS.length)];
  let text = f(y, m, d, dt.getUTCDay());
  const c = rng.int(4); // letter case: as written, lower, upper, as written
  if (c === 1) text = text.toLowerCase();
  else if (c === 2) text = text.toUpperCase();
  return { text, iso: `${y}-${pad2(m)}-${pad2(d)}` };
}

function dataset(n, seed, exclude = new Set()) {
  const rng = data.createRng(seed);
  const out = [], seen = new Set();
  while (out.length < n) {
    const ex = randomDate(rng);
    if (exclude.has(ex.text) || seen.has(ex.text)) continue;
    seen.add(ex.text);
    out.push(ex);
  }
  return out;
}

const rnn = await init();
const train = dataset(N_TRAIN, 1);
const test = dataset(N_TEST, 2, new Set(train.map((e) => e.text)));
const srcVocab = data.CharVocab.fromText(train.map((e) => e.text).join(''));
// '^' = BOS (id 2), '$' = EOS (id 3): the model's default bosId / eosId
const tgtVocab = new data.CharVocab(['^', '$', ...'0123456789-']);
const enc = (s) => srcVocab.encode(s), dec = (ids) => tgtVocab.decode(ids);

const model = new rnn.models.Seq2Seq({
  srcVocab: srcVocab.size, tgtVocab: tgtVocab.size, embedDim: 32, hiddenDim: 128,
  cell: 'lstm', attention: 'general', seed: 7,
});
console.log(`dates: ${train.length} train / ${test.length} held-out pairs, source vocabulary ${srcVocab.size}, ` +
  `${model.numParams} parameters, backend ${rnn.backend}`);
for (const e of train.slice(0, 4)) console.log(`  ${JSON.stringify(e.text)} -> ${e.iso}`);

const batches = model.makeBatches(train.map((e) => enc(e.text)), train.map((e) => tgtVocab.encode(e.iso)), { batchSize: 64, seed: 3 });
const t0 = performance.now();
const history = await rnn.fit(model, {
  train: batches, loss: 'crossEntropy', epochs: EPOCHS, optimizer: 'adam', lr: 2e-3, clipGradNorm: 1, seed: 4,
  lrSchedule: { type: 'cosine', totalSteps: EPOCHS * batches.length, minLr: 1e-4 },
  onProgress: (p) => {
    if (p.epochEnd) console.log(`epoch ${p.epoch + 1}/${EPOCHS}: train loss ${p.loss.toFixed(4)} (${((performance.now() - t0) / 1000).toFixed(0)} s)`);
  },
});
console.log(`trained ${history.steps} steps in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

model.eval();
function exactMatch(decodeBatch) {
  let right = 0;
  for (let i = 0; i < test.length; i += 200) {
    const part = test.slice(i, i + 200);
    const out = decodeBatch(part.map((e) => enc(e.text)));
    out.forEach((o, j) => { if (o.eos && dec(o.tokens) === part[j].iso) right++; });
  }
  return right / test.length;
}
const tg = performance.now();
const greedyAcc = exactMatch((src) => model.greedy(src, { maxLength: 12 }));
const greedyMs = performance.now() - tg;
const tb = performance.now();
const beamAcc = exactMatch((src) => model.beamSearch(src, { beamWidth: 3, maxLength: 12 }));
const beamMs = performance.now() - tb;
console.log(`held-out exact match: greedy ${greedyAcc.toFixed(4)} (${(greedyMs / test.length).toFixed(2)} ms/example), ` +
  `beam 3 ${beamAcc.toFixed(4)} (${(beamMs / test.length).toFixed(2)} ms/example)`);

for (const text of ['Tuesday, March 5, 1996', 'the 1st of january 2000', '12.10.1975', 'DEC 25, 2049', 'July 4th, 1976']) {
  let streamed = '';
  const [r] = model.beamSearch([enc(text)], { beamWidth: 3, onToken: (b, tok) => { streamed += tgtVocab.tokens[tok]; } });
  console.log(`  ${JSON.stringify(text)} -> ${dec(r.tokens)} (streamed ${JSON.stringify(streamed)}, log p ${r.logProb.toFixed(4)})`);
}
model.dispose();
console.log(`exact_match=${greedyAcc.toFixed(4)}`);
