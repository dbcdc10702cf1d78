// node bench/run.mjs [--quick] [--clock=cpu] [--skip=tfjs-cpu,pytorch,...] [--no-scaling] [--out=build/bench.json]
// The `npm run bench` driver (after ./build.sh dist && ./build.sh bench):
// runs each library in its own child process, one after the other (never two
// at once: 2 cores), collects their BENCH_JSON lines, and prints
//   1. the workload table: medians [min-max] for rnn-wasm, the same C built
//      natively (gcc and clang, -O3 -march=native), TensorFlow.js wasm and
//      cpu, onnxruntime-web and PyTorch (1 thread each);
//   2. the ratios and targets (rnn-wasm against each peer);
//   3. where rnn-wasm's train step time goes (forward / backward / Adam);
//   4. the GEMM GFLOP/s summary (build/gemm_bench.js);
//   5. the payload (gzip -9 of dist/rnn.wasm + dist/*.js);
//   6. scaling of the LSTM train step with T, H, B, and peak memory of a
//      train step against T, with and without truncated BPTT;
//   7. the speed cliffs (bench/cliffs.mjs: subnormal floats, issue 24), each
//      case against its normal twin, for rnn-wasm (1 and 2 threads),
//      TensorFlow.js-wasm and onnxruntime-web;
// and writes everything to build/bench.json. --clock=cpu times every library
// with its process CPU time instead of wall time (BENCH_CLOCK=cpu in the
// children), for a machine that other work keeps busy; the GEMM table is
// always wall time. Library ids for --skip:
// rnn-wasm, rnn-wasm-2t, native-gcc, native-clang, tfjs-wasm, tfjs-cpu, ort, pytorch, gemm, cliffs.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { parseArgs } from './peers/common.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const args = parseArgs();
const quick = args.quick;
const skip = new Set((args.skip ?? '').split(',').filter(Boolean));
const outFile = path.resolve(root, args.out ?? 'build/bench.json');
const Q = quick ? ['--quick'] : [];
const clock = args.clock === 'cpu' ? 'cpu' : 'wall';
const log = (...a) => console.log(...a);
const progress = (s) => process.stderr.write(`bench: ${s}\n`);

// --- children -------------------------------------------------------------

function findOpenBlas() {
  // Debian's torch uses libblas.so.3; OpenBLAS's serial build is one thread.
  for (const dir of ['/usr/lib/x86_64-linux-gnu/openblas-serial', '/usr/lib/aarch64-linux-gnu/openblas-serial']) {
    if (existsSync(`${dir}/libblas.so.3`)) return dir;
  }
  return null;
}

function runChild(id, cmd, argv, { timeoutS = 300, env = {} } = {}) {
  if (skip.has(id)) return { id, skipped: 'skipped with --skip' };
  const t0 = Date.now();
  const load0 = os.loadavg()[0];
  progress(`${id}: ${[cmd, ...argv].join(' ')}`);
  const r = spawnSync(cmd, argv, {
    cwd: root, encoding: 'utf8', timeout: timeoutS * 1000, maxBuffer: 64 << 20,
    env: { ...process.env, BENCH_CLOCK: clock, ...env },
  });
  const seconds = (Date.now() - t0) / 1000;
  const meta = { id, seconds, loadavgBefore: load0, loadavgAfter: os.loadavg()[0] };
  const line = (r.stdout ?? '').split('\n').reverse().find((l) => l.startsWith('BENCH_JSON '));
  if (r.error) {
    const error = `${r.error.code ?? ''} after ${seconds.toFixed(0)} s`.trim();
    // Children that report as they go (tfjs) keep what they finished.
    return line ? { ...meta, ...JSON.parse(line.slice('BENCH_JSON '.length)), partial: true, error } : { ...meta, error };
  }
  if (r.status !== 0 || !line) {
    const tail = `${r.stderr ?? ''}${r.stdout ?? ''}`.trim().split('\n').slice(-6).join(' | ');
    return { ...meta, error: `exit ${r.status ?? r.signal}: ${tail}` };
  }
  const data = JSON.parse(line.slice('BENCH_JSON '.length));
  progress(`${id}: done in ${seconds.toFixed(0)} s`);
  return { ...meta, ...data };
}

function nodeChild(id, script, argv, opts) {
  return runChild(id, process.execPath, [script, ...argv], opts);
}

// --- formatting ------------------------------------------------------------

function fmtNum(v) {
  if (v == null || !Number.isFinite(v)) return '-';
  if (v >= 1000) return Math.round(v).toLocaleString('en-US');
  if (v >= 100) return v.toFixed(0);
  if (v >= 10) return v.toFixed(1);
  return v.toFixed(2);
}

function fmtCell(r) {
  if (!r) return '-';
  return `${fmtNum(r.median)} [${fmtNum(r.min)}-${fmtNum(r.max)}]`;
}

function table(header, rows) {
  const all = [header, ...rows];
  const widths = header.map((_, i) => Math.max(...all.map((r) => String(r[i] ?? '').length)));
  const line = (r) => r.map((c, i) => (i === 0 ? String(c).padEnd(widths[i]) : String(c ?? '').padStart(widths[i]))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

const x = (v) => (v == null || !Number.isFinite(v) ? '-' : `${v >= 10 ? v.toFixed(1) : v.toFixed(2)}x`);

// --- payload ---------------------------------------------------------------

function payload() {
  const dist = path.join(root, 'dist');
  if (!existsSync(path.join(dist, 'rnn.wasm'))) return { error: 'dist/rnn.wasm missing' };
  const files = ['rnn.wasm', ...readdirSync(dist).filter((f) => f.endsWith('.js')).sort()];
  const bufs = files.map((f) => readFileSync(path.join(dist, f)));
  const per = files.map((f, i) => ({ file: f, raw: bufs[i].length, gzip: gzipSync(bufs[i], { level: 9 }).length }));
  const wasm = per[0];
  const js = per.slice(1);
  return {
    budget: 100 * 1024,
    files: per,
    gzip: per.reduce((a, s) => a + s.gzip, 0),
    gzipConcatenated: gzipSync(Buffer.concat(bufs), { level: 9 }).length,
    raw: per.reduce((a, s) => a + s.raw, 0),
    wasmGzip: wasm.gzip,
    jsGzip: js.reduce((a, s) => a + s.gzip, 0),
  };
}

// --- GEMM --------------------------------------------------------------------

function gemm() {
  if (skip.has('gemm')) return { skipped: 'skipped with --skip' };
  const bench = path.join(root, 'build/gemm_bench.js');
  if (!existsSync(bench)) return { error: 'build/gemm_bench.js missing: run ./build.sh bench' };
  progress('gemm: build/gemm_bench.js');
  const r = spawnSync(process.execPath, [bench], { cwd: root, encoding: 'utf8', timeout: 300000 });
  if (r.status !== 0) return { error: `exit ${r.status}: ${(r.stderr ?? '').slice(-400)}` };
  const rows = [];
  for (const l of r.stdout.split('\n')) {
    const m = l.match(/^(.*?)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+([\d.]+)\s+([\d.]+)\s*$/);
    if (m) rows.push({ shape: m[1].trim(), H: +m[2], M: +m[3], N: +m[4], K: +m[5], simd: +m[6], scalar: +m[7] });
  }
  return { rows, text: r.stdout.trim() };
}

// --- run everything -----------------------------------------------------------

const started = new Date();
progress(`start ${started.toISOString()}, load average ${os.loadavg().map((v) => v.toFixed(2)).join(' ')}`);

let nativeBuild = { ok: false };
if (!(skip.has('native-gcc') && skip.has('native-clang'))) {
  progress('native: bench/native/build.sh');
  const b = spawnSync('bash', [path.join(root, 'bench/native/build.sh')], { cwd: root, encoding: 'utf8' });
  nativeBuild = { ok: b.status === 0, log: `${b.stdout}${b.stderr}`.trim() };
  if (!nativeBuild.ok) progress(`native build failed: ${nativeBuild.log.slice(-400)}`);
}

const openblas = findOpenBlas();
const libs = {};
libs['rnn-wasm'] = nodeChild('rnn-wasm', 'bench/peers/rnnwasm.mjs', [...Q, '--breakdown']);
// The multi-threaded build (init({ threads: 2 })), always on the wall clock:
// process CPU time would add the two threads up.
libs['rnn-wasm-2t'] = nodeChild('rnn-wasm-2t', 'bench/peers/rnnwasm.mjs', [...Q, '--threads=2'], { env: { BENCH_CLOCK: 'wall' } });
libs['native-gcc'] = nativeBuild.ok ? runChild('native-gcc', path.join(root, 'build/bench_native'), [...Q, '--breakdown'])
  : { id: 'native-gcc', error: 'native build failed' };
libs['native-clang'] = nativeBuild.ok && existsSync(path.join(root, 'build/bench_native_clang'))
  ? runChild('native-clang', path.join(root, 'build/bench_native_clang'), [...Q, '--breakdown'])
  : { id: 'native-clang', skipped: 'no clang' };
libs['tfjs-wasm'] = nodeChild('tfjs-wasm', 'bench/peers/tfjs.mjs', [...Q, '--backend=wasm']);
libs['tfjs-cpu'] = nodeChild('tfjs-cpu', 'bench/peers/tfjs.mjs', [...Q, '--backend=cpu'], { timeoutS: 600 });
libs.ort = nodeChild('ort', 'bench/peers/ort.mjs', [...Q]);
libs.pytorch = existsSync('/usr/bin/python3')
  ? runChild('pytorch', '/usr/bin/python3', ['bench/pytorch_bench.py', ...Q], {
    env: openblas ? { LD_LIBRARY_PATH: [openblas, process.env.LD_LIBRARY_PATH].filter(Boolean).join(':'), OPENBLAS_NUM_THREADS: '1' } : {},
  })
  : { id: 'pytorch', skipped: '/usr/bin/python3 missing' };
const gemmResult = gemm();

let scaling = null, memory = null;
if (!args['no-scaling'] && !skip.has('rnn-wasm')) {
  const s = nodeChild('rnn-wasm', 'bench/peers/rnnwasm.mjs', [...Q, '--scaling']);
  scaling = s.scaling ?? { error: s.error };
  memory = { full: [], tbptt: [] };
  for (const T of [64, 128, 256, 512, 1024, 2048]) {
    const m = nodeChild('rnn-wasm', 'bench/peers/rnnwasm.mjs', [`--memory=${T}`]);
    memory.full.push(m.memory ?? { T, error: m.error });
  }
  for (const T of [256, 1024, 2048, 8192]) {
    const m = nodeChild('rnn-wasm', 'bench/peers/rnnwasm.mjs', [`--memory=${T}`, '--tbptt=32']);
    memory.tbptt.push(m.memory ?? { T, error: m.error });
  }
}
// Speed cliffs: its own driver, which runs each library in a child in turn.
const cliffs = nodeChild('cliffs', 'bench/cliffs.mjs', [...Q, '--out=build/cliffs.json'], { timeoutS: 600 });
const pay = payload();
const finished = new Date();

// --- report ----------------------------------------------------------------------

const COLS = [
  ['rnn-wasm', 'rnn-wasm'], ['rnn-wasm-2t', 'rnn-wasm 2 threads (wall)'], ['native-gcc', 'native gcc'], ['native-clang', 'native clang'],
  ['tfjs-wasm', 'tfjs-wasm'], ['tfjs-cpu', 'tfjs-cpu'], ['ort', 'ort-web'], ['pytorch', 'PyTorch'],
];
const ROWS = [
  ['W1', 'W1 train LSTM H128 (ms)'], ['W2', 'W2 train LSTM H256 (ms)'],
  ['W3_GRU', 'W3 train GRU H128 (ms)'], ['W3_RNN', 'W3 train RNN H128 (ms)'],
  ['W4', 'W4 infer LSTM H256 (ms)'], ['W5', 'W5 step LSTM H256 B1 (us)'],
];
const res = (lib, w) => libs[lib]?.results?.[w];
const med = (lib, w) => res(lib, w)?.median;

const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
log(`\nrnn-wasm benchmark  ${started.toISOString()}  ${cpu}, ${os.cpus().length} cores, Node ${process.version}`);
log(`load average at start ${libs['rnn-wasm'].loadavgBefore?.toFixed(2) ?? '-'}, at end ${os.loadavg()[0].toFixed(2)}${os.loadavg()[0] > 1.5 ? '  (a busy machine: timings are inflated)' : ''}`);
log(`All single-threaded, float32, one layer, T 64, B 32, inputSize 32 unless stated. median [min-max], ${clock === 'cpu' ? 'process CPU time (--clock=cpu)' : 'wall time'}.\n`);
log(table(['workload', ...COLS.map((c) => c[1])], ROWS.map(([w, label]) => [label, ...COLS.map(([lib]) => fmtCell(res(lib, w)))])));
for (const [lib, name] of COLS) {
  const L = libs[lib];
  if (L?.error && L?.partial) log(`  ${name}: stopped (${L.error}); the workloads it finished are shown`);
  else if (L?.error) log(`  ${name}: FAILED ${L.error}`);
  else if (L?.skipped) log(`  ${name}: not run (${L.skipped})`);
}
const notes = [];
if (libs['rnn-wasm']?.results?.W5?.how) notes.push(`rnn-wasm W5: ${libs['rnn-wasm'].results.W5.how}`);
if (libs['tfjs-wasm']?.results?.W5?.how) notes.push(`tfjs-wasm W5: ${libs['tfjs-wasm'].results.W5.how}`);
if (libs['tfjs-cpu']?.results?.W5?.how) notes.push(`tfjs-cpu W5: ${libs['tfjs-cpu'].results.W5.how}`);
if (libs['tfjs-wasm']?.results?.W1?.how) notes.push(`tfjs train steps: ${libs['tfjs-wasm'].results.W1.how}`);
if (libs.pytorch?.results?.W5?.how) notes.push(`PyTorch W5: ${libs.pytorch.results.W5.how}`);
if (libs.pytorch?.blas) notes.push(`PyTorch ${libs.pytorch.version}, BLAS: ${libs.pytorch.blas}`);
if (libs.ort?.version) notes.push(`onnxruntime-web ${libs.ort.version} (${libs.ort.backend}); ONNX LSTM checked against nn.LSTM: max error ${libs.ort.check?.maxAbsErrorVsReference?.toExponential(1)}`);
if (libs['tfjs-wasm']?.version) notes.push(`TensorFlow.js ${libs['tfjs-wasm'].version} (${libs['tfjs-wasm'].backend})`);
if (libs['native-gcc']?.compiler) notes.push(`native gcc: ${libs['native-gcc'].compiler}; native clang: ${libs['native-clang']?.compiler ?? '-'}`);
for (const n of notes) log(`  ${n}`);

// Ratios: > 1 means rnn-wasm is faster.
const speedup = (peer, w) => (med(peer, w) && med('rnn-wasm', w) ? med(peer, w) / med('rnn-wasm', w) : null);
log('\nSpeed-up of rnn-wasm (peer median / rnn-wasm median; > 1: rnn-wasm faster)');
log(table(['workload', 'vs tfjs-wasm', 'vs tfjs-cpu', 'vs ort-web', 'vs PyTorch', 'vs native gcc', 'vs native clang'],
  ROWS.map(([w, label]) => [label, x(speedup('tfjs-wasm', w)), x(speedup('tfjs-cpu', w)), x(speedup('ort', w)),
    x(speedup('pytorch', w)), x(speedup('native-gcc', w)), x(speedup('native-clang', w))])));

const two = ROWS.map(([w, label]) => [label, fmtNum(med('rnn-wasm', w)), fmtNum(med('rnn-wasm-2t', w)),
  med('rnn-wasm-2t', w) ? x(med('rnn-wasm', w) / med('rnn-wasm-2t', w)) : '-']);
log('\nThe multi-threaded build: 2 threads against 1 (init({ threads: 2 }); bitwise the same results)');
log(table(['workload', '1 thread', '2 threads', 'speed-up'], two));

// Targets: issue 8's, each as a limit on rnn-wasm's one-thread median (or,
// for the GEMM, a floor on its slowest LSTM shape with M >= 4).
const GEMM_PEAK = 50; // GFLOP/s, the SIMD128 mul+add peak measured on this machine kind
const gemmMin = (() => {
  const rows = (gemmResult.rows ?? []).filter((r) => r.M >= 4);
  return rows.length ? Math.min(...rows.map((r) => r.simd)) : null;
})();
const perPeer = (w, peer, factor) => (med(peer, w) == null ? null : med(peer, w) / factor);
const TARGETS = [
  { w: 'W1', limit: perPeer('W1', 'tfjs-wasm', 15), what: 'W1 >= 15x faster than tfjs-wasm' },
  { w: 'W2', limit: perPeer('W2', 'tfjs-wasm', 25), what: 'W2 >= 25x faster than tfjs-wasm' },
  { w: 'W3_GRU', limit: perPeer('W3_GRU', 'tfjs-wasm', 10), what: 'W3 GRU >= 10x faster than tfjs-wasm' },
  { w: 'W3_RNN', limit: perPeer('W3_RNN', 'tfjs-wasm', 10), what: 'W3 RNN >= 10x faster than tfjs-wasm' },
  { w: 'W1', limit: perPeer('W1', 'pytorch', 1 / 1.5), what: 'W1 within 1.5x of PyTorch' },
  { w: 'W2', limit: perPeer('W2', 'pytorch', 1 / 1.5), what: 'W2 within 1.5x of PyTorch' },
  { w: 'W3_GRU', limit: perPeer('W3_GRU', 'pytorch', 1 / 1.5), what: 'W3 GRU within 1.5x of PyTorch' },
  { w: 'W3_RNN', limit: perPeer('W3_RNN', 'pytorch', 1 / 1.5), what: 'W3 RNN within 1.5x of PyTorch' },
  { w: 'W4', limit: perPeer('W4', 'ort', 1.3), what: 'W4 >= 1.3x faster than onnxruntime-web' },
  { w: 'W5', limit: 15, what: 'W5 <= 15 us per step' },
  { ours: gemmMin == null ? null : 0.85 * GEMM_PEAK, limit: gemmMin,
    what: `GEMM (M >= 4) >= 85% of ${GEMM_PEAK} GFLOP/s`, show: [gemmMin, 0.85 * GEMM_PEAK] },
];
const targets = TARGETS.map((t) => {
  const ours = t.ours !== undefined ? t.ours : med('rnn-wasm', t.w);
  if (ours == null || t.limit == null) return { ...t, status: 'not measured' };
  const ratio = ours / t.limit; // <= 1 met
  const [shownOurs, shownLimit] = t.show ?? [ours, t.limit];
  return { ...t, ours: shownOurs, theirs: shownLimit, ratio, status: ratio <= 1 ? 'met' : 'MISSED' };
}).sort((a, b) => (b.ratio ?? 0) - (a.ratio ?? 0));
log('\nIssue 8 targets, one thread (biggest gap first; limit: the largest rnn-wasm median that meets it,\nor for the GEMM the floor; ratio <= 1 met)');
log(table(['target', 'rnn-wasm', 'limit', 'ratio', 'status'],
  targets.map((t) => [t.what, fmtNum(t.ours), fmtNum(t.theirs), t.ratio ? t.ratio.toFixed(2) : '-', t.status])));

// Issue's peer medians, to see whether this run's machine matches the reference one.
const ISSUE = [
  ['W1', 'tfjs-wasm', 473], ['W1', 'tfjs-cpu', 1714], ['W1', 'pytorch', 22.5], ['W2', 'tfjs-wasm', 2235], ['W2', 'pytorch', 52],
  ['W3_GRU', 'tfjs-wasm', 334], ['W3_GRU', 'pytorch', 17], ['W3_RNN', 'tfjs-wasm', 92], ['W3_RNN', 'pytorch', 5.5],
  ['W4', 'ort', 46], ['W5', 'ort', 38], ['W5', 'tfjs-wasm', 139],
];
log('\nPeers here against the medians the issue measured (PyTorch: middle of its range)');
log(table(['workload', 'peer', 'issue', 'this run', 'this/issue'], ISSUE.map(([w, p, v]) => [w, p, fmtNum(v), fmtNum(med(p, w)), med(p, w) ? (med(p, w) / v).toFixed(2) : '-'])));

const bd = libs['rnn-wasm']?.breakdown;
if (bd) {
  log('\nWhere an rnn-wasm train step goes (ms, mean of 20 steps, timed inside the step)');
  const nb = (lib, w) => libs[lib]?.breakdown?.[w];
  log(table(['workload', 'forward', 'read-out+loss', 'backward', 'Adam', 'native gcc fwd/bwd/Adam', 'native clang fwd/bwd/Adam'],
    ['W1', 'W2'].map((w) => {
      const b = bd[w], g = nb('native-gcc', w), c = nb('native-clang', w);
      const f3 = (n) => (n ? `${fmtNum(n.forward_ms)} / ${fmtNum(n.backward_ms)} / ${fmtNum(n.adam_ms)}` : '-');
      return [w, fmtNum(b.forward_ms), fmtNum(b.readout_ms), fmtNum(b.backward_ms), fmtNum(b.adam_ms), f3(g), f3(c)];
    })));
}

if (gemmResult.rows?.length) {
  log('\nGEMM GFLOP/s, wasm SIMD128 (scalar wasm in parentheses), build/gemm_bench.js');
  const kinds = [...new Set(gemmResult.rows.map((r) => `${r.shape}|${r.M === 2048 || r.K === 2048 ? 'TB' : r.M}`))];
  const Hs = [...new Set(gemmResult.rows.map((r) => r.H))];
  log(table(['shape', ...Hs.map((h) => `H=${h}`)], kinds.map((k) => {
    const [shape, m] = k.split('|');
    return [`${shape}${m === 'TB' ? '' : ` M=${m}`}`, ...Hs.map((h) => {
      const r = gemmResult.rows.find((q) => q.H === h && `${q.shape}|${q.M === 2048 || q.K === 2048 ? 'TB' : q.M}` === k);
      return r ? `${r.simd.toFixed(1)} (${r.scalar.toFixed(1)})` : '-';
    })];
  })));
} else if (gemmResult.error) log(`\nGEMM: ${gemmResult.error}`);

if (!pay.error) {
  log(`\nPayload: dist/rnn.wasm + ${pay.files.length - 1} dist/*.js, gzip -9 per file: ${pay.gzip.toLocaleString('en-US')} bytes ` +
    `(${(pay.gzip / 1024).toFixed(1)} KB; wasm ${(pay.wasmGzip / 1024).toFixed(1)} KB, JS ${(pay.jsGzip / 1024).toFixed(1)} KB; ` +
    `one gzip stream ${(pay.gzipConcatenated / 1024).toFixed(1)} KB; raw ${(pay.raw / 1024).toFixed(1)} KB). ` +
    `Budget 100 KB: ${pay.gzip <= pay.budget ? 'met' : `MISSED by ${((pay.gzip - pay.budget) / 1024).toFixed(1)} KB`}`);
}

if (scaling && !scaling.error) {
  log('\nScaling of the rnn-wasm LSTM train step (base T 64, B 32, I 32, H 128; ms median)');
  const row = (k, v, r, norm) => [`${k}=${v}`, fmtNum(r.median), norm.toFixed(2)];
  const t64 = scaling.T.find((r) => r.T === 64)?.median, h128 = scaling.H.find((r) => r.H === 128)?.median, b32 = scaling.B.find((r) => r.B === 32)?.median;
  log(table(['size', 'ms', 'ms / (ms at base * size/base)'], [
    ...scaling.T.map((r) => row('T', r.T, r, r.median / (t64 * r.T / 64))),
    ...scaling.H.map((r) => row('H', r.H, r, r.median / (h128 * (r.H / 128) ** 2))),
    ...scaling.B.map((r) => row('B', r.B, r, r.median / (b32 * r.B / 32))),
  ]));
  log('  (last column: 1.00 = exactly linear in T or B, quadratic in H; > 1 grows faster, < 1 slower)');
}
if (memory) {
  const mb = (b) => (b == null ? '-' : (b / 2 ** 20).toFixed(1));
  log('\nPeak memory of LSTM training (B 32, I 32, H 128; wasm memory after a fresh init; process max RSS)');
  log(table(['steps T', 'BPTT', 'wasm MB', 'max RSS MB', 'ms / sequence'], [
    ...memory.full.map((m) => [m.T, 'full', mb(m.wasmBytes), mb(m.maxRssBytes), fmtNum(m.msPerSequence)]),
    ...memory.tbptt.map((m) => [m.T, `chunks of ${m.tbptt ?? 32}`, mb(m.wasmBytes), mb(m.maxRssBytes), fmtNum(m.msPerSequence)]),
  ]));
  const tb = memory.tbptt.filter((m) => m.wasmBytes);
  if (tb.length > 1) {
    const grow = tb[tb.length - 1].wasmBytes / tb[0].wasmBytes;
    log(`  truncated BPTT: wasm memory at T=${tb[tb.length - 1].T} is ${grow.toFixed(2)}x that at T=${tb[0].T} (${grow < 1.25 ? 'bounded' : 'NOT bounded'})`);
  }
}

if (cliffs.report) log(`\n${cliffs.report}`);
else if (cliffs.skipped) log(`\nSpeed cliffs: not run (${cliffs.skipped})`);
else if (cliffs.error) log(`\nSpeed cliffs: FAILED ${cliffs.error}`);

const out = {
  date: started.toISOString(), finished: finished.toISOString(), seconds: (finished - started) / 1000,
  machine: { cpu, cores: os.cpus().length, node: process.version, platform: `${process.platform}-${process.arch}`, loadavgAtEnd: os.loadavg() },
  quick, clock, libraries: libs, targets, issueReference: ISSUE, gemm: gemmResult, payload: pay, scaling, memory, nativeBuild,
  cliffs: cliffs.libs ? { libs: cliffs.libs, quick: cliffs.quick } : { error: cliffs.error, skipped: cliffs.skipped },
};
mkdirSync(path.dirname(outFile), { recursive: true });
writeFileSync(outFile, JSON.stringify(out, null, 2));
log(`\nWrote ${path.relative(root, outFile)} (${out.seconds.toFixed(0)} s in all).`);
