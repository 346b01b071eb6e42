import { useEffect, useRef, useState, type ChangeEvent, type PointerEvent } from "react";
import { api, type Me } from "../api";
import { MAX_ZOOM, cropFor, initialView, type CropView } from "../crop";
import { useSubmit } from "../useSubmit";
import Avatar from "./Avatar";

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

/** My profile photo: pick a file, drag and zoom the square, save; or remove it. */
export default function PhotoSettings({ me, onSaved }: { me: Me; onSaved: (me: Me) => void }) {
  const [picked, setPicked] = useState<Picked | null>(null);
  const [view, setView] = useState<CropView | null>(null);
  const { error, setError, busy, run } = useSubmit();
  const drag = useRef<{ x: number; y: number } | null>(null);

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

  const save = () =>
    run(async () => {
      if (!picked || !crop) return;
      onSaved(await api.setPhoto(picked.bytes, crop));
      setPicked(null);
      setView(null);
    });

  const remove = () => run(async () => onSaved(await api.removePhoto()));

  return (
    <section className="settings-section" data-testid="photo-settings">
      <h2>Photo</h2>
      {picked && crop && view ? (
        <>
          <div
            className="crop-frame"
            data-testid="photo-crop"
            style={{ width: FRAME, height: FRAME }}
            onPointerDown={onPointerDown}
            onPointerMove={onPointerMove}
            onPointerUp={() => (drag.current = null)}
          >
            <img
              src={picked.url}
              alt="The chosen photo"
              draggable={false}
              style={{
                width: picked.width * scale,
                height: picked.height * scale,
                left: -crop.x * scale,
                top: -crop.y * scale,
              }}
            />
          </div>
          <label className="field">
            Zoom
            <input
              type="range"
              data-testid="photo-zoom"
              min={1}
              max={MAX_ZOOM}
              step={0.05}
              value={view.zoom}
              onChange={(event) => setView({ ...view, zoom: Number(event.target.value) })}
            />
          </label>
          <p className="hint">Drag the picture to choose what shows in the circle.</p>
          <div className="row">
            <button type="button" data-testid="photo-save" disabled={busy} onClick={save}>
              Save photo
            </button>
            <button
              type="button"
              className="link-button"
              onClick={() => {
                setPicked(null);
                setView(null);
              }}
            >
              Cancel
            </button>
          </div>
        </>
      ) : (
        <div className="row photo-row">
          <Avatar userId={me.id} photo={me.photo} name={me.display_name} size="full" large />
          <label className="button-like">
            {me.photo ? "Change photo" : "Add a photo"}
            <input
              type="file"
              className="visually-hidden"
              data-testid="photo-file"
              accept="image/png,image/jpeg,image/webp,image/gif"
              onChange={choose}
            />
          </label>
          {me.photo && (
            <button
              type="button"
              className="link-button"
              data-testid="photo-remove"
              disabled={busy}
              onClick={remove}
            >
              Remove photo
            </button>
          )}
        </div>
      )}
      {error && (
        <p className="error" role="alert" data-testid="photo-error">
          {error}
        </p>
      )}
    </section>
  );
}
