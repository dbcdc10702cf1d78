// common.mjs - shared by the per-library benchmark scripts in bench/peers/:
// the workload shapes, the timing loop, deterministic inputs, and the JSON
// result protocol (one line `BENCH_JSON {...}` on stdout, so library banners
// printed to stdout do not break the parent's parsing).

/** The workloads of the performance issue (float32, one layer, PyTorch gates). */
export const WORKLOADS = {
  W1: { kind: 'train', cell: 'LSTM', T: 64, B: 32, I: 32, H: 128 },
  W2: { kind: 'train', cell: 'LSTM', T: 64, B: 32, I: 32, H: 256 },
  W3_GRU: { kind: 'train', cell: 'GRU', T: 64, B: 32, I: 32, H: 128 },
  W3_RNN: { kind: 'train', cell: 'RNN', T: 64, B: 32, I: 32, H: 128 },
  W4: { kind: 'infer', cell: 'LSTM', T: 64, B: 32, I: 32, H: 256 },
  W5: { kind: 'step', cell: 'LSTM', T: 1, B: 1, I: 32, H: 256 },
};

/**
 * The benchmark clock in ms: wall time (performance.now), or with
 * BENCH_CLOCK=cpu the process's CPU time (user + system), which a busy shared
 * machine inflates far less than wall time (it still counts V8's own helper
 * threads, and cache and SMT sharing still slow the work itself).
 */
export const clockKind = process.env.BENCH_CLOCK === 'cpu' ? 'cpu' : 'wall';
export const now = clockKind === 'cpu'
  ? () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; }
  : () => performance.now();

export function stats(times) {
  const s = [...times].sort((a, b) => a - b);
  const n = s.length;
  const median = n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
  return { median, min: s[0], max: s[n - 1], runs: n };
}

/**
 * Times fn (synchronous or async) in ms: `warmup` untimed calls, then at
 * least minRuns timed calls and until minMs has passed, at most maxRuns.
 */
export async function time(fn, { warmup = 3, minRuns = 10, minMs = 1500, maxRuns = 1000 } = {}) {
  for (let i = 0; i < warmup; i++) await fn();
  const times = [];
  const start = now();
  while (times.length < minRuns || (now() - start < minMs && times.length < maxRuns)) {
    const t0 = now();
    await fn();
    times.push(now() - t0);
  }
  return stats(times);
}

/**
 * Per-step latency in microseconds of a streaming step: batches of `inner`
 * steps are timed together (the per-call overhead of performance.now() is
 * ~0.1 us, large next to a 10 us step), median over the batches.
 */
export async function timeSteps(step, { inner = 200, warmup = 500, minBatches = 20, minMs = 1500 } = {}) {
  // A step that returns a promise (onnxruntime-web's run) is awaited; a
  // synchronous one is not: an await per call costs a microtask turn
  // (~2 us in Node 20), which is the harness's, not the library's.
  const first = step();
  const async = first != null && typeof first.then === 'function';
  if (async) await first;
  for (let i = 1; i < warmup; i++) if (async) await step(); else step();
  const per = [];
  const start = now();
  while (per.length < minBatches || now() - start < minMs) {
    const t0 = now();
    if (async) for (let i = 0; i < inner; i++) await step();
    else for (let i = 0; i < inner; i++) step();
    per.push(((now() - t0) / inner) * 1000);
  }
  return { ...stats(per), unit: 'us', inner };
}

/** Uniform values in [-scale, scale) from a 32-bit LCG (same for every library). */
export function uniform(n, seed, scale = 0.5) {
  let s = seed >>> 0;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = (s / 2 ** 32 - 0.5) * 2 * scale;
  }
  return out;
}

/** PyTorch-layout weights U(-1/sqrt(H), 1/sqrt(H)) for a cell with `gates` gate blocks. */
export function cellWeights({ I, H }, gates, seed = 11) {
  const k = 1 / Math.sqrt(H);
  return {
    weight_ih: uniform(gates * H * I, seed, k),
    weight_hh: uniform(gates * H * H, seed + 1, k),
    bias_ih: uniform(gates * H, seed + 2, k),
    bias_hh: uniform(gates * H, seed + 3, k),
  };
}

export const GATES = { LSTM: 4, GRU: 3, RNN: 1 };

/** argv: `--key=value` or a bare `--flag` (true); --only=W1,W4 runs a subset, --quick shortens runs. */
export function parseArgs(argv = process.argv.slice(2)) {
  const out = { positional: [] };
  for (const a of argv) {
    if (!a.startsWith('--')) { out.positional.push(a); continue; }
    const eq = a.indexOf('=');
    if (eq < 0) out[a.slice(2)] = 'true';
    else out[a.slice(2, eq)] = a.slice(eq + 1);
  }
  out.only = out.only ? new Set(out.only.split(',')) : null;
  out.quick = out.quick === 'true';
  return out;
}

/** Prints the one result line the driver (bench/run.mjs) reads. */
export function emit(result) {
  process.stdout.write(`BENCH_JSON ${JSON.stringify(result)}\n`);
}

/** Minimal system facts for the result header. */
export function environment() {
  return { node: process.version, platform: `${process.platform}-${process.arch}`, clock: clockKind };
}
