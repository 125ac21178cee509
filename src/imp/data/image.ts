/**
 * Image resampling for loaders: uint8 [H0, W0, C] -> float32 [H, W, C] in [0, 1]. Separable
 * triangle (bilinear) filter whose support widens when shrinking, like PIL's BILINEAR, so a
 * 64 -> 16 downscale averages pixels instead of aliasing. Pixel centres are at i + 0.5.
 */

interface Taps {
  start: Int32Array;
  count: Int32Array;
  weights: Float32Array; // [outSize, maxTaps]
  maxTaps: number;
}

const tapCache = new Map<string, Taps>();

function taps(inSize: number, outSize: number): Taps {
  const key = `${inSize}>${outSize}`;
  const hit = tapCache.get(key);
  if (hit) return hit;
  const scale = inSize / outSize;
  const support = Math.max(1, scale); // half-width of the triangle in input pixels
  const maxTaps = Math.ceil(support) * 2 + 1;
  const start = new Int32Array(outSize);
  const count = new Int32Array(outSize);
  const weights = new Float32Array(outSize * maxTaps);
  for (let o = 0; o < outSize; o++) {
    const centre = (o + 0.5) * scale;
    const lo = Math.max(0, Math.floor(centre - support));
    const hi = Math.min(inSize, Math.ceil(centre + support));
    let sum = 0;
    let n = 0;
    for (let i = lo; i < hi && n < maxTaps; i++, n++) {
      const w = Math.max(0, 1 - Math.abs(i + 0.5 - centre) / support);
      weights[o * maxTaps + n] = w;
      sum += w;
    }
    for (let k = 0; k < n; k++) weights[o * maxTaps + k] /= sum || 1;
    start[o] = lo;
    count[o] = n;
  }
  const t = { start, count, weights, maxTaps };
  tapCache.set(key, t);
  return t;
}

/**
 * Resamples one uint8 (or float) image [h0, w0, c] into `out` at `offset` as float32 [h, w, c],
 * scaled by `scale` (1/255 for bytes). Same size is an exact copy.
 *
 * @example
 * ```ts
 * const src = new Uint8Array([0, 255, 255, 0]);           // 2x2, one channel
 * const out = new Float32Array(1);
 * resampleInto(src, 2, 2, 1, out, 0, 1, 1, 1 / 255);     // out[0] === 0.5
 * ```
 */
export function resampleInto(
  src: ArrayLike<number>,
  h0: number,
  w0: number,
  c: number,
  out: Float32Array,
  offset: number,
  h: number,
  w: number,
  scale = 1 / 255,
  srcOffset = 0,
): void {
  if (h === h0 && w === w0) {
    const n = h * w * c;
    for (let i = 0; i < n; i++) out[offset + i] = src[srcOffset + i] * scale;
    return;
  }
  const ty = taps(h0, h);
  const tx = taps(w0, w);
  // Horizontal pass into a [h0, w, c] buffer, then vertical into out.
  const mid = new Float32Array(h0 * w * c);
  for (let y = 0; y < h0; y++) {
    for (let x = 0; x < w; x++) {
      const s = tx.start[x];
      const n = tx.count[x];
      for (let ch = 0; ch < c; ch++) {
        let acc = 0;
        for (let k = 0; k < n; k++) acc += tx.weights[x * tx.maxTaps + k] * src[srcOffset + (y * w0 + s + k) * c + ch];
        mid[(y * w + x) * c + ch] = acc;
      }
    }
  }
  for (let y = 0; y < h; y++) {
    const s = ty.start[y];
    const n = ty.count[y];
    for (let x = 0; x < w; x++) {
      for (let ch = 0; ch < c; ch++) {
        let acc = 0;
        for (let k = 0; k < n; k++) acc += ty.weights[y * ty.maxTaps + k] * mid[((s + k) * w + x) * c + ch];
        out[offset + (y * w + x) * c + ch] = acc * scale;
      }
    }
  }
}
