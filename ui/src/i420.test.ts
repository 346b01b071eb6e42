import { describe, expect, it } from "vitest";
import { decodeFrame, i420ToRgba, yuvToRgb } from "./i420";

/** A message as Rust sends it: the 5-byte header, then Y, U and V. */
function message(which: number, width: number, height: number, planes: number[]): ArrayBuffer {
  return new Uint8Array([which, width & 255, width >> 8, height & 255, height >> 8, ...planes])
    .buffer;
}

const near = (actual: number[], expected: number[]) =>
  actual.forEach((value, i) => expect(Math.abs(value - expected[i])).toBeLessThanOrEqual(2));

describe("yuvToRgb", () => {
  it("turns the test pattern's BT.601 limited-range bars into their colours", () => {
    // The bars client/src/media/devices.rs draws.
    near(yuvToRgb(235, 128, 128), [255, 255, 255]);
    near(yuvToRgb(16, 128, 128), [0, 0, 0]);
    near(yuvToRgb(210, 16, 146), [255, 255, 0]);
    near(yuvToRgb(170, 166, 16), [0, 255, 255]);
    near(yuvToRgb(145, 54, 34), [0, 255, 0]);
    near(yuvToRgb(106, 202, 222), [255, 0, 255]);
    near(yuvToRgb(81, 90, 240), [255, 0, 0]);
    near(yuvToRgb(41, 240, 110), [0, 0, 255]);
  });

  it("clamps what falls outside the range", () => {
    expect(yuvToRgb(0, 128, 128)).toEqual([0, 0, 0]);
    expect(yuvToRgb(255, 128, 128)).toEqual([255, 255, 255]);
  });
});

describe("decodeFrame", () => {
  it("reads the header and the planes, with chroma rounded up for odd sizes", () => {
    // 3x3: Y 9 bytes, U and V 2x2 = 4 bytes each.
    const y = [1, 2, 3, 4, 5, 6, 7, 8, 9];
    const frame = decodeFrame(message(1, 3, 3, [...y, 10, 11, 12, 13, 20, 21, 22, 23]))!;
    expect([frame.which, frame.width, frame.height]).toEqual([1, 3, 3]);
    expect([...frame.y]).toEqual(y);
    expect([...frame.u]).toEqual([10, 11, 12, 13]);
    expect([...frame.v]).toEqual([20, 21, 22, 23]);
  });

  it("reads widths past 255 little-endian, from any byte container", () => {
    const planes = new Array(300 * 2 + 2 * 150).fill(128);
    const bytes = new Uint8Array(message(0, 300, 2, planes));
    for (const form of [bytes.buffer, bytes, Array.from(bytes)]) {
      const frame = decodeFrame(form)!;
      expect([frame.which, frame.width, frame.height]).toEqual([0, 300, 2]);
    }
  });

  it("refuses short or empty messages", () => {
    expect(decodeFrame(new ArrayBuffer(3))).toBeNull();
    expect(decodeFrame(message(0, 4, 4, [1, 2, 3]))).toBeNull();
    expect(decodeFrame(message(0, 0, 0, []))).toBeNull();
    expect(decodeFrame("not bytes")).toBeNull();
  });
});

describe("i420ToRgba", () => {
  it("gives each 2x2 block its chroma, opaque", () => {
    // 2x2 red: one chroma sample for all four pixels.
    const frame = decodeFrame(message(0, 2, 2, [81, 81, 81, 81, 90, 240]))!;
    const out = new Uint8ClampedArray(2 * 2 * 4);
    i420ToRgba(frame, out);
    for (let pixel = 0; pixel < 4; pixel++) {
      near([...out.subarray(pixel * 4, pixel * 4 + 4)], [...yuvToRgb(81, 90, 240), 255]);
    }
  });
});
