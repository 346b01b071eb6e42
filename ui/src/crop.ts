// The square of an image that becomes a profile photo: zoom and pan in the editor map to a
// crop in the image's own pixels, which the server applies.
import type { PhotoCrop } from "./api";

export interface CropView {
  /** 1 shows the largest square; 4 shows a quarter of its side. */
  zoom: number;
  /** The square's centre, in image pixels. */
  centerX: number;
  centerY: number;
}

export const MAX_ZOOM = 4;

/** The crop square for `view` on a `width`×`height` image, kept inside the image. */
export function cropFor(width: number, height: number, view: CropView): PhotoCrop {
  const zoom = Math.min(Math.max(view.zoom, 1), MAX_ZOOM);
  const size = Math.max(1, Math.floor(Math.min(width, height) / zoom));
  const clamp = (centre: number, extent: number) =>
    Math.round(Math.min(Math.max(centre - size / 2, 0), extent - size));
  return { x: clamp(view.centerX, width), y: clamp(view.centerY, height), size };
}

/** The view that shows the largest centred square. */
export function initialView(width: number, height: number): CropView {
  return { zoom: 1, centerX: width / 2, centerY: height / 2 };
}
