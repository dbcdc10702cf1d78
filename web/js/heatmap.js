// heatmap.js - colour maps and a units x time heat map drawn on a canvas.

function hex(c) {
  const n = parseInt(c.slice(1), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

function lut(stops) {
  const rgb = stops.map(hex);
  const out = new Uint8ClampedArray(256 * 3);
  for (let i = 0; i < 256; i++) {
    const p = (i / 255) * (rgb.length - 1);
    const k = Math.min(rgb.length - 2, Math.floor(p)), f = p - k;
    for (let c = 0; c < 3; c++) out[i * 3 + c] = rgb[k][c] + (rgb[k + 1][c] - rgb[k][c]) * f;
  }
  return out;
}

// Sequential for gates in [0, 1] (viridis stops), diverging for values in
// [-1, 1] (blue - neutral - red; the neutral follows the theme).
const GATE = lut(['#440154', '#482878', '#3e4989', '#31688e', '#26828e', '#1f9e89', '#35b779', '#6ece58', '#b5de2b', '#fde725']);
const DIVERGING_LIGHT = lut(['#1d4e89', '#3b7dbf', '#8fb8de', '#eef1f5', '#f0a98f', '#d1553b', '#8c1d18']);
const DIVERGING_DARK = lut(['#7fb2ee', '#3f7fc4', '#24476e', '#1b1f27', '#6e2d22', '#c8553b', '#f4a582']);

/** { map, lo, hi }: the colour map for a kind of value. */
export function scaleFor(kind, dark) {
  if (kind === 'gate') return { map: GATE, lo: 0, hi: 1 };
  return { map: dark ? DIVERGING_DARK : DIVERGING_LIGHT, lo: -1, hi: 1 };
}

function rgbOf(v, scale) {
  const i = Math.max(0, Math.min(255, Math.round(((v - scale.lo) / (scale.hi - scale.lo)) * 255)));
  return scale.map.subarray(i * 3, i * 3 + 3);
}

/** CSS colour of v under a scale. */
export function colorOf(v, scale) {
  const [r, g, b] = rgbOf(v, scale);
  return `rgb(${r},${g},${b})`;
}

function luminance(r, g, b) {
  const lin = (c) => { const s = c / 255; return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4; };
  return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
}

/** Black or white, whichever reads better on colorOf(v, scale): at least 4.58:1 on any colour (WCAG AA). */
export function inkOn(v, scale) {
  const L = luminance(...rgbOf(v, scale));
  return (1.05 / (L + 0.05)) >= ((L + 0.05) / 0.05) ? '#fff' : '#000';
}

/** A CSS linear-gradient of a scale, for legends. */
export function gradientCss(scale) {
  const stops = [];
  for (let i = 0; i <= 8; i++) {
    const k = Math.round((i / 8) * 255) * 3;
    stops.push(`rgb(${scale.map[k]},${scale.map[k + 1]},${scale.map[k + 2]}) ${(i / 8) * 100}%`);
  }
  return `linear-gradient(90deg, ${stops.join(', ')})`;
}

/**
 * Draws a one-channel signal history as a line in a band of height `band` at
 * the top of ctx (values in [-1, 1], the newest step at the right edge), over
 * a midline, with a small label in its corner.
 */
export function drawSignalBand(ctx, history, w, band, p, label = 'input x') {
  ctx.strokeStyle = p.grid;
  ctx.beginPath(); ctx.moveTo(0, band / 2 + 0.5); ctx.lineTo(w, band / 2 + 0.5); ctx.stroke();
  ctx.strokeStyle = p.ink;
  ctx.lineWidth = 1.5;
  ctx.beginPath();
  const cols = history.cols, shown = Math.min(history.count, cols);
  for (let back = shown - 1; back >= 0; back--) {
    const px = ((cols - 1 - back + 0.5) / cols) * w, py = band / 2 - history.column(back)[0] * (band / 2 - 4);
    if (back === shown - 1) ctx.moveTo(px, py); else ctx.lineTo(px, py);
  }
  ctx.stroke();
  drawTag(ctx, label, 0, p);
}

/** A small label on a surface-coloured chip at the left edge, row top y. */
export function drawTag(ctx, text, y, p) {
  ctx.font = '600 10px Inter, system-ui, sans-serif';
  ctx.fillStyle = p.surface;
  ctx.fillRect(3, y + 2, ctx.measureText(text).width + 8, 13);
  ctx.fillStyle = p.muted;
  ctx.fillText(text, 7, y + 12);
}

/**
 * A ring buffer of the last `cols` steps of `rows` values, drawn as a heat
 * map with time running left to right (the newest step at the right edge).
 */
export class History {
  constructor(rows, cols) {
    this.rows = rows;
    this.cols = cols;
    this.data = new Float32Array(rows * cols);
    this.count = 0; // steps pushed so far
    this.image = null;
    this.canvas = null;
  }

  push(values) {
    const c = this.count % this.cols;
    for (let r = 0; r < this.rows; r++) this.data[c * this.rows + r] = values[r];
    this.count++;
  }

  clear() { this.count = 0; this.data.fill(0); }

  /** The values of the step `back` steps ago (0: the newest). */
  column(back = 0) {
    if (this.count === 0) return null;
    const c = (this.count - 1 - back + this.cols * 4) % this.cols;
    return this.data.subarray(c * this.rows, (c + 1) * this.rows);
  }

  /** Draws into the rectangle (x, y, w, h) of ctx with a scale from scaleFor. */
  draw(ctx, x, y, w, h, scale, background) {
    const { rows, cols } = this;
    if (!this.canvas) {
      this.canvas = document.createElement('canvas');
      this.canvas.width = cols;
      this.canvas.height = rows;
      this.image = this.canvas.getContext('2d').createImageData(cols, rows);
    }
    const px = this.image.data, m = scale.map, span = scale.hi - scale.lo;
    const bg = background ? hex(background) : [0, 0, 0];
    const shown = Math.min(this.count, cols);
    for (let col = 0; col < cols; col++) {
      // col cols-1 is the newest step
      const back = cols - 1 - col;
      const src = back < shown ? ((this.count - 1 - back) % cols) : -1;
      for (let r = 0; r < rows; r++) {
        const o = (r * cols + col) * 4;
        if (src < 0) {
          px[o] = bg[0]; px[o + 1] = bg[1]; px[o + 2] = bg[2]; px[o + 3] = background ? 255 : 0;
          continue;
        }
        const v = this.data[src * rows + r];
        const i = Math.max(0, Math.min(255, Math.round(((v - scale.lo) / span) * 255))) * 3;
        px[o] = m[i]; px[o + 1] = m[i + 1]; px[o + 2] = m[i + 2]; px[o + 3] = 255;
      }
    }
    this.canvas.getContext('2d').putImageData(this.image, 0, 0);
    ctx.imageSmoothingEnabled = false;
    ctx.drawImage(this.canvas, x, y, w, h);
  }
}
