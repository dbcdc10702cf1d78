// adding-core.js - the adding problem (Hochreiter & Schmidhuber 1997) of
// examples/adding.mjs, shared with the course page's cell comparison
// (web/js/compare-run.js): each sequence is T random values with two marked,
// one in each half; the target is the sum of the two marked values. No DOM
// and no import of the library: callers pass a generator from the library's
// `data.createRng`, so Node and the page make the same sequences.

/** n sequences: x [n, T, 2] (value, marker), y [n, 1]: the sum of the two marked values. */
export function addingBatch(rng, n, T) {
  const x = new Float32Array(n * T * 2), y = new Float32Array(n);
  const half = Math.floor(T / 2);
  for (let b = 0; b < n; b++) {
    for (let t = 0; t < T; t++) x[(b * T + t) * 2] = rng.uniform();
    const i = rng.int(half), j = half + rng.int(T - half);
    x[(b * T + i) * 2 + 1] = 1;
    x[(b * T + j) * 2 + 1] = 1;
    y[b] = x[(b * T + i) * 2] + x[(b * T + j) * 2];
  }
  return { x: { shape: [n, T, 2], data: x }, y: { shape: [n, 1], data: y } };
}
