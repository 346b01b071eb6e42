// The media feature's state: how far each file's upload or download got and which uploads
// became ready (both from the messenger's events, kept per media id for the latest few hundred
// files), the files dropped on the window, and a chat's gallery page by page.
import { useCallback, useEffect, useRef, useState, useSyncExternalStore } from "react";
import { describeError, type LocalMessage, type MessengerEvent } from "../../api";
import { onMessengerEvent } from "../../messages";
import { mediaApi, type GalleryTab, type MediaSource, type TransferUpdate } from "./api";

/** How many files' news is kept: a file not heard of among the latest this many is long done
 * (each in flight says how far it got every moment), and the page must not keep one entry per
 * file it ever saw. */
export const MEDIA_NEWS_KEPT = 500;

/** The latest progress of each file, by media id. */
const transfers = new Map<string, TransferUpdate>();
/** How many times each media became ready since the page loaded (a picture that failed to
 * load asks again). */
const versions = new Map<string, number>();
const listeners = new Set<() => void>();
let following = false;

/** Sets `key` as the newest entry of `map`, dropping the oldest past `MEDIA_NEWS_KEPT`. */
function keepNewest<V>(map: Map<string, V>, key: string, value: V) {
  map.delete(key);
  map.set(key, value);
  for (const oldest of map.keys()) {
    if (map.size <= MEDIA_NEWS_KEPT) break;
    map.delete(oldest);
  }
}

function apply(event: MessengerEvent) {
  if (event.event === "transfer") {
    const { message_id, media_id, direction, done, total, state } = event;
    keepNewest(transfers, media_id, { message_id, media_id, direction, done, total, state });
    listeners.forEach((l) => l());
  } else if (event.event === "media" && event.state !== "uploading") {
    keepNewest(versions, event.media_id, (versions.get(event.media_id) ?? 0) + 1);
    listeners.forEach((l) => l());
  }
}

function subscribe(listener: () => void) {
  if (!following) {
    following = true;
    onMessengerEvent(apply);
  }
  listeners.add(listener);
  return () => {
    listeners.delete(listener);
  };
}

/** How far the upload or download of `mediaId` got; undefined before any news of it. */
export function useTransfer(mediaId: string | undefined): TransferUpdate | undefined {
  return useSyncExternalStore(subscribe, () => (mediaId ? transfers.get(mediaId) : undefined));
}

/** Bumped each time `mediaId` became ready (or failed) on the server. */
export function useMediaVersion(mediaId: string | undefined): number {
  return useSyncExternalStore(subscribe, () => (mediaId ? (versions.get(mediaId) ?? 0) : 0));
}

/** Forgets every transfer (tests start clean). */
export function resetTransfers() {
  transfers.clear();
  versions.clear();
}

/** How many files' progress and readiness are kept (for tests). */
export function mediaNewsHeld(): { transfers: number; versions: number } {
  return { transfers: transfers.size, versions: versions.size };
}

/** What the desktop tells of a drag over the window. */
type DragDrop = { type: "enter" | "over" | "leave" } | { type: "drop"; paths: string[] };

/**
 * Files dragged onto the window: `dragging` while they hover, `onDrop` with them as sources when
 * let go. Tauri hands the paths through the webview's drag-drop event (the page's own drop
 * events carry no paths); outside the desktop app (tests, a browser) nothing happens.
 */
export function useFileDrop(enabled: boolean, onDrop: (sources: MediaSource[]) => void): boolean {
  const [dragging, setDragging] = useState(false);
  const latest = useRef(onDrop);
  latest.current = onDrop;
  useEffect(() => {
    if (!enabled || !("__TAURI_INTERNALS__" in window)) return;
    let gone = false;
    let unlisten: (() => void) | null = null;
    const handle = (payload: DragDrop) => {
      if (payload.type === "enter" || payload.type === "over") setDragging(true);
      else setDragging(false);
      if (payload.type === "drop" && payload.paths.length > 0) {
        latest.current(payload.paths.map((path) => ({ path, name: null })));
      }
    };
    import("@tauri-apps/api/webview")
      .then(({ getCurrentWebview }) =>
        getCurrentWebview().onDragDropEvent((event) => handle(event.payload)),
      )
      .then((stop) => {
        if (gone) stop();
        else unlisten = stop;
      })
      .catch((error) => console.warn("file drops are not followed", error));
    return () => {
      gone = true;
      unlisten?.();
      setDragging(false);
    };
  }, [enabled]);
  return dragging;
}

/** How many gallery items one page asks for. */
export const GALLERY_PAGE = 60;

/** A chat's gallery tab: the newest page, then older ones on `loadMore`. */
export function useGallery(
  chatId: string,
  tab: GalleryTab,
): {
  items: LocalMessage[] | null;
  more: boolean;
  loadMore: () => void;
  error: string | null;
} {
  const [items, setItems] = useState<LocalMessage[] | null>(null);
  const [more, setMore] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const loading = useRef(false);
  const held = useRef<LocalMessage[]>([]);
  // A tab's answer that comes after another tab was chosen is dropped.
  const generation = useRef(0);
  const load = useCallback(
    (before: number | null) => {
      if (loading.current) return;
      loading.current = true;
      const asked = generation.current;
      mediaApi
        .chatGallery(chatId, tab, before, GALLERY_PAGE)
        .then((page) => {
          if (asked !== generation.current) return;
          held.current = before === null ? page : [...held.current, ...page];
          setItems(held.current);
          setMore(page.length === GALLERY_PAGE);
          setError(null);
        })
        .catch((e) => asked === generation.current && setError(describeError(e)))
        .finally(() => {
          if (asked === generation.current) loading.current = false;
        });
    },
    [chatId, tab],
  );
  useEffect(() => {
    generation.current++;
    held.current = [];
    setItems(null);
    setMore(false);
    loading.current = false;
    load(null);
  }, [load]);
  const loadMore = useCallback(() => {
    const last = held.current[held.current.length - 1];
    if (last) load(last.message.seq);
  }, [load]);
  return { items, more, loadMore, error };
}
