// dates-core.js - the dates task of examples/dates.mjs, shared with the
// course page's sequence-to-sequence section: random dates in 1950-2049
// written in one of 18 human formats (and a random letter case), each with
// its ISO 8601 form. No DOM and no import of the library: callers pass the
// library's `data.createRng`, so Node and the page make the same pairs.

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September',
  'October', 'November', 'December'];
const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const pad2 = (n) => String(n).padStart(2, '0');
const ord = (n) => `${n}${n % 10 === 1 && n !== 11 ? 'st' : n % 10 === 2 && n !== 12 ? 'nd' : n % 10 === 3 && n !== 13 ? 'rd' : 'th'}`;
const mon3 = (m) => MONTHS[m - 1].slice(0, 3);

// Every format: (year, month, day, weekday) -> text.
export const FORMATS = [
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

/** One random { text, iso } pair drawn from rng (data.createRng). */
export function randomDate(rng) {
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

/** n distinct pairs from the seeded generator, none of whose texts is in `exclude`. */
export function dateDataset(createRng, n, seed, exclude = new Set()) {
  const rng = createRng(seed);
  const out = [], seen = new Set();
  while (out.length < n) {
    const ex = randomDate(rng);
    if (exclude.has(ex.text) || seen.has(ex.text)) continue;
    seen.add(ex.text);
    out.push(ex);
  }
  return out;
}

/** The decoder's vocabulary: '^' = BOS (id 2), '$' = EOS (id 3), then the ISO characters. */
export const DATE_TARGET_CHARS = ['^', '$', ...'0123456789-'];
