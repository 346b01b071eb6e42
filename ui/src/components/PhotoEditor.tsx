import {
  useEffect,
  useRef,
  useState,
  type ChangeEvent,
  type HTMLAttributes,
  type PointerEvent,
  type ReactNode,
} from "react";
import { describeError, type PhotoCrop } from "../api";
import { MAX_ZOOM, cropFor, initialView, type CropView } from "../crop";
import { useSubmit } from "../useSubmit";

/** Side of the crop preview, in CSS pixels. */
const FRAME = 240;

interface Picked {
  bytes: Uint8Array;
  url: string;
  width: number;
  height: number;
}

function readBytes(file: File): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(new Uint8Array(reader.result as ArrayBuffer));
    reader.onerror = () => reject(reader.error ?? new Error(`cannot read ${file.name}`));
    reader.readAsArrayBuffer(file);
  });
}

/** Reads a chosen file: its bytes for the upload and its size for the crop. */
async function readImage(file: File): Promise<Picked> {
  const bytes = await readBytes(file);
  const url = URL.createObjectURL(file);
  const image = new Image();
  image.src = url;
  try {
    await image.decode();
  } catch {
    URL.revokeObjectURL(url);
    throw new Error(`${file.name} is not an image this app can show`);
  }
  return { bytes, url, width: image.naturalWidth, height: image.naturalHeight };
}

/**
 * The square `crop` of the image at `url`, `side` pixels wide, in the circle others see. Scaled
 * by a transform, so the image's own size need not be known.
 */
export function CroppedImage({
  url,
  crop,
  side,
  alt,
  className = "crop-frame",
  ...frame
}: {
  url: string;
  crop: PhotoCrop;
  side: number;
  alt: string;
} & HTMLAttributes<HTMLDivElement>) {
  const scale = side / crop.size;
  return (
    <div className={className} style={{ width: side, height: side }} {...frame}>
      <img
        src={url}
        alt={alt}
        draggable={false}
        style={{
          left: 0,
          top: 0,
          transformOrigin: "0 0",
          transform: `translate(${-crop.x * scale}px, ${-crop.y * scale}px) scale(${scale})`,
        }}
      />
    </div>
  );
}

/**
 * A photo's editor: the photo as it stands, a file to pick, the square to drag and zoom, then
 * Save or Cancel; Remove while there is a photo. For my photo, a group's, and a new group's
 * (kept until the group is made).
 */
export default function PhotoEditor({
  current,
  hasPhoto,
  noun,
  saveLabel = `Save ${noun}`,
  testIdPrefix,
  describe = describeError,
  onSave,
  onRemove,
}: {
  /** What shows while no file is being cropped: the photo as it stands. */
  current: ReactNode;
  hasPhoto: boolean;
  /** What the buttons call it: "photo", "group photo". */
  noun: string;
  saveLabel?: string;
  /** Test ids are `<prefix>-file`, `-crop`, `-zoom`, `-save`, `-cancel`, `-remove`, `-error`. */
  testIdPrefix: string;
  /** A failure in words (stable: a module's function). */
  describe?: (error: unknown) => string;
  /** The chosen file's bytes as they are and the square to keep, in its pixels. */
  onSave: (image: Uint8Array, crop: PhotoCrop) => Promise<void>;
  /** Without it, no Remove. */
  onRemove?: () => Promise<void>;
}) {
  const [picked, setPicked] = useState<Picked | null>(null);
  const [view, setView] = useState<CropView | null>(null);
  const { error, setError, busy, run } = useSubmit(describe);
  const drag = useRef<{ x: number; y: number } | null>(null);
  const id = (name: string) => `${testIdPrefix}-${name}`;

  useEffect(
    () => () => {
      if (picked) URL.revokeObjectURL(picked.url);
    },
    [picked],
  );

  const choose = async (event: ChangeEvent<HTMLInputElement>) => {
    const file = event.target.files?.[0];
    event.target.value = "";
    if (!file) return;
    setError(null);
    try {
      const image = await readImage(file);
      setPicked(image);
      setView(initialView(image.width, image.height));
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
  };

  const crop = picked && view ? cropFor(picked.width, picked.height, view) : null;
  const scale = crop ? FRAME / crop.size : 1;

  const onPointerDown = (event: PointerEvent<HTMLDivElement>) => {
    event.currentTarget.setPointerCapture(event.pointerId);
    drag.current = { x: event.clientX, y: event.clientY };
  };
  const onPointerMove = (event: PointerEvent<HTMLDivElement>) => {
    if (!drag.current || !view || !picked || !crop) return;
    const dx = (event.clientX - drag.current.x) / scale;
    const dy = (event.clientY - drag.current.y) / scale;
    drag.current = { x: event.clientX, y: event.clientY };
    // Keep the centre where the clamped square is, so dragging back responds at once.
    setView({
      ...view,
      centerX: crop.x + crop.size / 2 - dx,
      centerY: crop.y + crop.size / 2 - dy,
    });
  };

  const cancel = () => {
    setPicked(null);
    setView(null);
  };

  const save = () =>
    run(async () => {
      if (!picked || !crop) return;
      await onSave(picked.bytes, crop);
      cancel();
    });

  const remove = () => run(async () => onRemove?.());

  return (
    <>
      {picked && crop && view ? (
        <>
          <CroppedImage
            url={picked.url}
            crop={crop}
            side={FRAME}
            alt={`The chosen ${noun}`}
            data-testid={id("crop")}
            onPointerDown={onPointerDown}
            onPointerMove={onPointerMove}
            onPointerUp={() => (drag.current = null)}
          />
          <label className="field">
            Zoom
            <input
              type="range"
              data-testid={id("zoom")}
              min={1}
              max={MAX_ZOOM}
              step={0.05}
              value={view.zoom}
              onChange={(event) => setView({ ...view, zoom: Number(event.target.value) })}
            />
          </label>
          <p className="hint">Drag the picture to choose what shows in the circle.</p>
          <div className="row">
            <button type="button" data-testid={id("save")} disabled={busy} onClick={save}>
              {saveLabel}
            </button>
            <button
              type="button"
              className="link-button"
              data-testid={id("cancel")}
              onClick={cancel}
            >
              Cancel
            </button>
          </div>
        </>
      ) : (
        <div className="row photo-row">
          {current}
          <label className="button-like">
            {hasPhoto ? `Change ${noun}` : `Add a ${noun}`}
            <input
              type="file"
              className="visually-hidden"
              data-testid={id("file")}
              accept="image/png,image/jpeg,image/webp,image/gif"
              onChange={choose}
            />
          </label>
          {hasPhoto && onRemove && (
            <button
              type="button"
              className="link-button"
              data-testid={id("remove")}
              disabled={busy}
              onClick={remove}
            >
              Remove {noun}
            </button>
          )}
        </div>
      )}
      {error && (
        <p className="error" role="alert" data-testid={id("error")}>
          {error}
        </p>
      )}
    </>
  );
}
