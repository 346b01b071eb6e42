// ThumbHash placeholders (https://evanw.github.io/thumbhash/): a picture's blurred likeness in
// about 25 bytes, sent with the message so the timeline holds its place before the thumbnail
// comes. A port of the reference decoder (`thumbHashToRGBA`, public domain), as the client's
// `thumbhash` crate encodes it.

/** Base64 → bytes; null when it is not base64. */
export function fromBase64(text: string): Uint8Array | null {
  try {
    const binary = atob(text);
    const bytes = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
    return bytes;
  } catch {
    return null;
  }
}

/** The picture's rough width / height, from the hash's header. */
export function thumbHashRatio(hash: Uint8Array): number {
  const hasAlpha = (hash[2] & 0x80) !== 0;
  const lMax = hasAlpha ? 5 : 7;
  const lMin = hash[3] & 7;
  const landscape = (hash[4] & 0x80) !== 0;
  const lx = landscape ? lMax : lMin;
  const ly = landscape ? lMin : lMax;
  return lx / ly;
}

/** The average colour as CSS `rgb(…)`: what shows where no canvas can be drawn. */
export function thumbHashAverage(hash: Uint8Array): string {
  const header = hash[0] | (hash[1] << 8) | (hash[2] << 16);
  const l = (header & 63) / 63;
  const p = ((header >> 6) & 63) / 31.5 - 1;
  const q = ((header >> 12) & 63) / 31.5 - 1;
  const b = l - (2 / 3) * p;
  const r = (3 * l - b + q) / 2;
  const g = r - q;
  const byte = (v: number) => Math.round(Math.min(1, Math.max(0, v)) * 255);
  return `rgb(${byte(r)}, ${byte(g)}, ${byte(b)})`;
}

/** The placeholder as pixels (at most 32×32, RGBA, not premultiplied); null when too short. */
export function thumbHashToRGBA(
  hash: Uint8Array,
): { width: number; height: number; rgba: Uint8ClampedArray } | null {
  if (hash.length < 5) return null;
  const ratio = thumbHashRatio(hash);
  const header24 = hash[0] | (hash[1] << 8) | (hash[2] << 16);
  const header16 = hash[3] | (hash[4] << 8);
  const lDc = (header24 & 63) / 63;
  const pDc = ((header24 >> 6) & 63) / 31.5 - 1;
  const qDc = ((header24 >> 12) & 63) / 31.5 - 1;
  const lScale = ((header24 >> 18) & 31) / 31;
  const hasAlpha = header24 >> 23 !== 0;
  const pScale = ((header16 >> 3) & 63) / 63;
  const qScale = ((header16 >> 9) & 63) / 63;
  const landscape = header16 >> 15 !== 0;
  const lMax = hasAlpha ? 5 : 7;
  const lx = Math.max(3, landscape ? lMax : header16 & 7);
  const ly = Math.max(3, landscape ? header16 & 7 : lMax);
  let aDc = 1;
  let aScale = 1;
  let at = 5;
  if (hasAlpha) {
    if (hash.length < 6) return null;
    aDc = (hash[5] & 15) / 15;
    aScale = (hash[5] >> 4) / 15;
    at = 6;
  }

  // The varying factors, four bits each (saturation boosted 1.25× against quantisation).
  let nibble = 0;
  const decodeChannel = (nx: number, ny: number, scale: number): number[] | null => {
    const ac: number[] = [];
    for (let cy = 0; cy < ny; cy++) {
      for (let cx = cy > 0 ? 0 : 1; cx * ny < nx * (ny - cy); cx++) {
        const byte = hash[at + (nibble >> 1)];
        if (byte === undefined) return null;
        ac.push((((byte >> ((nibble & 1) << 2)) & 15) / 7.5 - 1) * scale);
        nibble++;
      }
    }
    return ac;
  };
  const lAc = decodeChannel(lx, ly, lScale);
  const pAc = decodeChannel(3, 3, pScale * 1.25);
  const qAc = decodeChannel(3, 3, qScale * 1.25);
  const aAc = hasAlpha ? decodeChannel(5, 5, aScale) : [];
  if (!lAc || !pAc || !qAc || !aAc) return null;

  const width = Math.round(ratio > 1 ? 32 : 32 * ratio);
  const height = Math.round(ratio > 1 ? 32 / ratio : 32);
  const rgba = new Uint8ClampedArray(width * height * 4);
  const fx: number[] = [];
  const fy: number[] = [];
  for (let y = 0, i = 0; y < height; y++) {
    for (let x = 0; x < width; x++, i += 4) {
      let l = lDc;
      let p = pDc;
      let q = qDc;
      let a = aDc;
      for (let cx = 0, n = Math.max(lx, hasAlpha ? 5 : 3); cx < n; cx++) {
        fx[cx] = Math.cos((Math.PI / width) * (x + 0.5) * cx);
      }
      for (let cy = 0, n = Math.max(ly, hasAlpha ? 5 : 3); cy < n; cy++) {
        fy[cy] = Math.cos((Math.PI / height) * (y + 0.5) * cy);
      }
      for (let cy = 0, j = 0; cy < ly; cy++) {
        const fy2 = fy[cy] * 2;
        for (let cx = cy > 0 ? 0 : 1; cx * ly < lx * (ly - cy); cx++, j++) {
          l += lAc[j] * fx[cx] * fy2;
        }
      }
      for (let cy = 0, j = 0; cy < 3; cy++) {
        const fy2 = fy[cy] * 2;
        for (let cx = cy > 0 ? 0 : 1; cx < 3 - cy; cx++, j++) {
          const f = fx[cx] * fy2;
          p += pAc[j] * f;
          q += qAc[j] * f;
        }
      }
      if (hasAlpha) {
        for (let cy = 0, j = 0; cy < 5; cy++) {
          const fy2 = fy[cy] * 2;
          for (let cx = cy > 0 ? 0 : 1; cx < 5 - cy; cx++, j++) {
            a += aAc[j] * fx[cx] * fy2;
          }
        }
      }
      const b = l - (2 / 3) * p;
      const r = (3 * l - b + q) / 2;
      const g = r - q;
      rgba[i] = Math.max(0, 255 * Math.min(1, r));
      rgba[i + 1] = Math.max(0, 255 * Math.min(1, g));
      rgba[i + 2] = Math.max(0, 255 * Math.min(1, b));
      rgba[i + 3] = Math.max(0, 255 * Math.min(1, a));
    }
  }
  return { width, height, rgba };
}
