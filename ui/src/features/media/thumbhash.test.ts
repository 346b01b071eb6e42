import { describe, expect, it } from "vitest";
import { plain, thumbHashOf } from "./test-media";
import { fromBase64, thumbHashAverage, thumbHashRatio, thumbHashToRGBA } from "./thumbhash";
import { docCategory, fileName, formatBytes, formatDuration, typeLabel } from "./words";

/** A w×h picture going from red on the left to blue on the right. */
function redToBlue(w: number, h: number): Uint8Array {
  const rgba = new Uint8Array(w * h * 4);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const t = x / (w - 1);
      rgba.set([Math.round(255 * (1 - t)), 0, Math.round(255 * t), 255], (y * w + x) * 4);
    }
  }
  return rgba;
}

describe("ThumbHash", () => {
  it("decodes a landscape picture to its shape and colours", () => {
    const hash = fromBase64(thumbHashOf(40, 30, redToBlue(40, 30)))!;
    expect(thumbHashRatio(hash)).toBeCloseTo(7 / 5);
    const image = thumbHashToRGBA(hash)!;
    expect([image.width, image.height]).toEqual([32, 23]);
    const pixel = (x: number, y: number) =>
      Array.from(image.rgba.slice((y * image.width + x) * 4, (y * image.width + x) * 4 + 4));
    const [r0, , b0, a0] = pixel(0, 11);
    const [r1, , b1] = pixel(31, 11);
    expect(r0).toBeGreaterThan(b0! + 100);
    expect(b1).toBeGreaterThan(r1! + 100);
    expect(a0).toBe(255);
  });

  it("gives a portrait picture's average colour", () => {
    const hash = fromBase64(thumbHashOf(20, 40, plain(20, 40, [0, 128, 0])))!;
    const image = thumbHashToRGBA(hash)!;
    expect(image.height).toBe(32);
    expect(image.width).toBeLessThan(32);
    const [r, g, b] = thumbHashAverage(hash).match(/\d+/g)!.map(Number);
    expect(g).toBeGreaterThan(100);
    expect(r).toBeLessThan(30);
    expect(b).toBeLessThan(30);
  });

  it("refuses what is too short or not base64", () => {
    expect(thumbHashToRGBA(new Uint8Array([1, 2, 3]))).toBeNull();
    expect(fromBase64("not base64!")).toBeNull();
  });
});

describe("media words", () => {
  it("words sizes, lengths and types", () => {
    expect(formatBytes(512)).toBe("512 bytes");
    expect(formatBytes(1536)).toBe("1.5 KB");
    expect(formatBytes(12 * 1024 * 1024)).toBe("12 MB");
    expect(formatBytes(2 * 1024 ** 3)).toBe("2 GB");
    expect(formatDuration(7_000)).toBe("0:07");
    expect(formatDuration(3_723_000)).toBe("1:02:03");
    expect(typeLabel("application/pdf", "a.bin")).toBe("PDF");
    expect(typeLabel("application/octet-stream", "notes.md")).toBe("MD");
    expect(typeLabel("application/octet-stream")).toBe("File");
    expect(docCategory({ kind: "file", mime: "application/zip", name: "photos.zip" })).toBe(
      "archive",
    );
    expect(fileName({ media_id: "m", kind: "image", mime: "image/png", size: 1 })).toBe(
      "photo.png",
    );
  });
});
