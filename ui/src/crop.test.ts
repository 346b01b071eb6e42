import { describe, expect, it } from "vitest";
import { cropFor, initialView } from "./crop";

describe("cropFor", () => {
  it("starts with the largest centred square", () => {
    expect(cropFor(400, 200, initialView(400, 200))).toEqual({ x: 100, y: 0, size: 200 });
  });

  it("zooms around the centre and stays inside the image", () => {
    expect(cropFor(400, 200, { zoom: 2, centerX: 200, centerY: 100 })).toEqual({
      x: 150,
      y: 50,
      size: 100,
    });
    expect(cropFor(400, 200, { zoom: 2, centerX: 0, centerY: 1000 })).toEqual({
      x: 0,
      y: 100,
      size: 100,
    });
    expect(cropFor(400, 200, { zoom: 99, centerX: 200, centerY: 100 }).size).toBe(50);
  });
});
