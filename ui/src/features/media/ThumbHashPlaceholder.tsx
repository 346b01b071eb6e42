import { useEffect, useMemo, useRef } from "react";
import { fromBase64, thumbHashAverage, thumbHashToRGBA } from "./thumbhash";

/**
 * An attachment's ThumbHash drawn on a tiny canvas stretched over its box (the browser smooths
 * it): the blurred likeness that holds the place until the thumbnail is in. Without a hash, a
 * plain dark box.
 */
export default function ThumbHashPlaceholder({ hash }: { hash: string | undefined }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const bytes = useMemo(() => (hash ? fromBase64(hash) : null), [hash]);
  const pixels = useMemo(() => (bytes ? thumbHashToRGBA(bytes) : null), [bytes]);
  useEffect(() => {
    const element = canvas.current;
    if (!element || !pixels) return;
    const context = element.getContext("2d");
    if (!context) return;
    const image = context.createImageData(pixels.width, pixels.height);
    image.data.set(pixels.rgba);
    context.putImageData(image, 0, 0);
  }, [pixels]);
  return (
    <canvas
      ref={canvas}
      className="media-placeholder"
      data-testid="media-placeholder"
      aria-hidden="true"
      width={pixels?.width ?? 1}
      height={pixels?.height ?? 1}
      style={bytes && bytes.length >= 5 ? { background: thumbHashAverage(bytes) } : undefined}
    />
  );
}
