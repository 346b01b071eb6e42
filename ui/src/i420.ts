// Call pictures as they cross from Rust: a 5-byte header (which picture, width and height as
// little-endian u16) then the I420 planes — Y at full size, U and V at half size rounded up —
// and the BT.601 limited-range conversion to RGB the 2D fallback and the shader share.

/** One decoded picture; the planes are views into the message, not copies. */
export interface I420Picture {
  /** 0 the far side, 1 my self-view. */
  which: number;
  width: number;
  height: number;
  y: Uint8Array;
  u: Uint8Array;
  v: Uint8Array;
}

const HEADER = 5;

function asBytes(message: unknown): Uint8Array | null {
  if (message instanceof Uint8Array) return message;
  if (message instanceof ArrayBuffer) return new Uint8Array(message);
  if (ArrayBuffer.isView(message)) {
    return new Uint8Array(message.buffer, message.byteOffset, message.byteLength);
  }
  if (Array.isArray(message)) return Uint8Array.from(message as number[]);
  return null;
}

/** A binary call-video message as a picture; null when it is not one (short or malformed). */
export function decodeFrame(message: unknown): I420Picture | null {
  const bytes = asBytes(message);
  if (!bytes || bytes.length < HEADER) return null;
  const width = bytes[1] | (bytes[2] << 8);
  const height = bytes[3] | (bytes[4] << 8);
  const luma = width * height;
  const chroma = Math.ceil(width / 2) * Math.ceil(height / 2);
  if (luma === 0 || bytes.length < HEADER + luma + 2 * chroma) return null;
  const u = HEADER + luma;
  const v = u + chroma;
  return {
    which: bytes[0],
    width,
    height,
    y: bytes.subarray(HEADER, u),
    u: bytes.subarray(u, v),
    v: bytes.subarray(v, v + chroma),
  };
}

const clamp = (value: number) => (value < 0 ? 0 : value > 255 ? 255 : Math.round(value));

/** One BT.601 limited-range (16–235) YUV sample as RGB 0–255. */
export function yuvToRgb(y: number, u: number, v: number): [number, number, number] {
  const c = 1.164 * (y - 16);
  const d = u - 128;
  const e = v - 128;
  return [clamp(c + 1.596 * e), clamp(c - 0.392 * d - 0.813 * e), clamp(c + 2.017 * d)];
}

/** The whole picture as RGBA into `out` (width * height * 4 bytes, e.g. an ImageData's). */
export function i420ToRgba(picture: I420Picture, out: Uint8ClampedArray): void {
  const { width, height, y, u, v } = picture;
  const chromaWidth = Math.ceil(width / 2);
  // yuvToRgb inlined: no array per pixel (a 640x480 picture is 300,000 of them).
  for (let row = 0; row < height; row++) {
    const chromaRow = (row >> 1) * chromaWidth;
    for (let col = 0; col < width; col++) {
      const c = 1.164 * (y[row * width + col] - 16);
      const d = u[chromaRow + (col >> 1)] - 128;
      const e = v[chromaRow + (col >> 1)] - 128;
      const at = (row * width + col) * 4;
      // A Uint8ClampedArray clamps and rounds by itself.
      out[at] = c + 1.596 * e;
      out[at + 1] = c - 0.392 * d - 0.813 * e;
      out[at + 2] = c + 2.017 * d;
      out[at + 3] = 255;
    }
  }
}
