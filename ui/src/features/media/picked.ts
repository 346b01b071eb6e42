// Files picked, pasted or dropped for the next message: listed in the preview sheet before they
// are sent. A file the page holds (picked, pasted) is staged into the app's data at once; a
// dropped one is named by its path.
import { useCallback, useEffect, useRef, useState } from "react";
import { mediaApi, type MediaSource } from "./api";

export type PickedKind = "image" | "video" | "audio" | "file";

export interface Picked {
  key: number;
  name: string;
  /** Bytes, when the page knows (picked, pasted). */
  size: number | null;
  kind: PickedKind;
  /** An object URL of a picture the page holds, for its thumbnail in the sheet. */
  preview: string | null;
  /** What `send_media` takes, once staged. */
  source: Promise<MediaSource>;
}

const EXTENSIONS: Record<string, PickedKind> = {
  jpg: "image",
  jpeg: "image",
  png: "image",
  gif: "image",
  webp: "image",
  bmp: "image",
  heic: "image",
  avif: "image",
  mp4: "video",
  mov: "video",
  webm: "video",
  mkv: "video",
  m4v: "video",
  mp3: "audio",
  ogg: "audio",
  opus: "audio",
  wav: "audio",
  m4a: "audio",
  flac: "audio",
  aac: "audio",
};

/** What a file looks like it is, for its icon (the app finds out from the bytes). */
export function kindOf(name: string, mime = ""): PickedKind {
  const major = mime.split("/")[0];
  if (major === "image" || major === "video" || major === "audio") return major;
  return EXTENSIONS[name.split(".").pop()?.toLowerCase() ?? ""] ?? "file";
}

/** The last part of a path (either separator). */
export function baseName(path: string): string {
  return path.split(/[\\/]/).filter(Boolean).pop() ?? path;
}

/** The files a paste carries (a screenshot, files copied in a file manager). */
export function pastedFiles(data: DataTransfer | null): File[] {
  if (!data) return [];
  const files = Array.from(data.files ?? []);
  if (files.length > 0) return files;
  return Array.from(data.items ?? [])
    .filter((item) => item.kind === "file")
    .map((item) => item.getAsFile())
    .filter((file): file is File => file !== null);
}

/** The bytes of a file the page holds. */
export function readBytes(file: File): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(new Uint8Array(reader.result as ArrayBuffer));
    reader.onerror = () => reject(reader.error ?? new Error(`cannot read ${file.name}`));
    reader.readAsArrayBuffer(file);
  });
}

function revoke(item: Picked) {
  if (item.preview) URL.revokeObjectURL(item.preview);
}

/** The files chosen for the next message, and adding and removing them. */
export function usePickedFiles(): {
  picked: Picked[];
  addFiles: (files: File[]) => void;
  addSources: (sources: MediaSource[]) => void;
  remove: (key: number) => void;
  clear: () => void;
} {
  const [picked, setPicked] = useState<Picked[]>([]);
  const held = useRef<Picked[]>([]);
  const nextKey = useRef(0);
  const show = useCallback((next: Picked[]) => {
    held.current = next;
    setPicked(next);
  }, []);
  useEffect(() => () => held.current.forEach(revoke), []);

  const add = useCallback(
    (items: Omit<Picked, "key">[]) => {
      // A failure shows when sending; until then it is no unhandled rejection.
      items.forEach((item) => item.source.catch(() => undefined));
      show([...held.current, ...items.map((item) => ({ ...item, key: nextKey.current++ }))]);
    },
    [show],
  );
  const addFiles = useCallback(
    (files: File[]) =>
      add(
        files.map((file) => {
          const name = file.name || "Pasted image.png";
          const kind = kindOf(name, file.type);
          return {
            name,
            size: file.size,
            kind,
            preview:
              kind === "image" && typeof URL.createObjectURL === "function"
                ? URL.createObjectURL(file)
                : null,
            source: readBytes(file).then((bytes) => mediaApi.stageFile(bytes, name)),
          };
        }),
      ),
    [add],
  );
  const addSources = useCallback(
    (sources: MediaSource[]) =>
      add(
        sources.map((source) => {
          const name = source.name ?? baseName(source.path);
          return {
            name,
            size: null,
            kind: kindOf(name),
            preview: null,
            source: Promise.resolve(source),
          };
        }),
      ),
    [add],
  );
  const remove = useCallback(
    (key: number) => {
      held.current.filter((item) => item.key === key).forEach(revoke);
      show(held.current.filter((item) => item.key !== key));
    },
    [show],
  );
  const clear = useCallback(() => {
    held.current.forEach(revoke);
    show([]);
  }, [show]);
  return { picked, addFiles, addSources, remove, clear };
}
