import { useEffect, useRef } from "react";

/** What a key press asks for (Ctrl on Linux and Windows, Cmd on macOS). */
export type Shortcut =
  | "search"
  | "new-chat"
  | "settings"
  /** Esc: closes the innermost open thing (see `useEscape`). */
  | "close"
  | "previous-chat"
  | "next-chat"
  | "zoom-in"
  | "zoom-out"
  | "zoom-reset";

interface Keys {
  key: string;
  ctrlKey: boolean;
  metaKey: boolean;
  altKey: boolean;
  shiftKey: boolean;
}

/** The shortcut a key press means, if any. */
export function shortcutFor(event: Keys): Shortcut | null {
  const command = event.ctrlKey || event.metaKey;
  if (command && !event.altKey) {
    switch (event.key.toLowerCase()) {
      case "k":
        return "search";
      case "n":
        return "new-chat";
      case ",":
        return "settings";
      case "=":
      case "+":
        return "zoom-in";
      case "-":
        return "zoom-out";
      case "0":
        return "zoom-reset";
    }
    return null;
  }
  if (event.altKey && !command) {
    if (event.key === "ArrowUp") return "previous-chat";
    if (event.key === "ArrowDown") return "next-chat";
    return null;
  }
  if (event.key === "Escape" && !command && !event.altKey) return "close";
  return null;
}

/**
 * How deep an Esc-closable thing sits: Esc closes the open one of the highest rank (the latest
 * opened among equals), so a menu goes before the search, the search before a side pane, and a
 * reply quote before the conversation it belongs to; a full-window overlay (the media viewer)
 * before all of them.
 */
export const LAYER = {
  conversation: 0,
  quote: 1,
  pane: 2,
  search: 3,
  menu: 4,
  overlay: 5,
} as const;

interface Layer {
  rank: number;
  opened: number;
  close: () => void;
}

const layers = new Set<Layer>();
let openedCount = 0;

/** While `open`, Esc may call `close` (see `LAYER` for which goes first). */
export function useEscape(open: boolean, rank: number, close: () => void) {
  const latest = useRef(close);
  latest.current = close;
  useEffect(() => {
    if (!open) return;
    const layer = { rank, opened: ++openedCount, close: () => latest.current() };
    layers.add(layer);
    return () => {
      layers.delete(layer);
    };
  }, [open, rank]);
}

/** Closes the innermost open layer; false when nothing is open. */
export function closeInnermost(): boolean {
  let top: Layer | null = null;
  for (const layer of layers) {
    if (!top || layer.rank > top.rank || (layer.rank === top.rank && layer.opened > top.opened)) {
      top = layer;
    }
  }
  top?.close();
  return top !== null;
}

/** Calls `onShortcut` for shortcuts pressed anywhere in the window; Esc goes to `useEscape`. */
export function useShortcuts(onShortcut: (shortcut: Shortcut) => void) {
  const latest = useRef(onShortcut);
  latest.current = onShortcut;
  useEffect(() => {
    const listen = (event: KeyboardEvent) => {
      // A key already used by something on screen is theirs.
      if (event.defaultPrevented) return;
      const shortcut = shortcutFor(event);
      if (!shortcut) return;
      event.preventDefault();
      if (shortcut === "close") closeInnermost();
      else latest.current(shortcut);
    };
    window.addEventListener("keydown", listen);
    return () => window.removeEventListener("keydown", listen);
  }, []);
}

const ZOOM_KEY = "gkchat.zoom";
const ZOOM_STEPS = [0.67, 0.8, 0.9, 1, 1.1, 1.25, 1.5, 1.75, 2];

/** The next zoom level in `direction` (+1 in, -1 out, 0 reset), from `current`. */
export function nextZoom(current: number, direction: -1 | 0 | 1): number {
  if (direction === 0) return 1;
  const at = ZOOM_STEPS.findIndex((step) => step >= current - 0.001);
  const index = at === -1 ? ZOOM_STEPS.length - 1 : at;
  const next = Math.min(ZOOM_STEPS.length - 1, Math.max(0, index + direction));
  return ZOOM_STEPS[next] ?? 1;
}

/** The saved zoom, applied to the page; returns it. */
export function applySavedZoom(): number {
  const saved = Number(localStorage.getItem(ZOOM_KEY) ?? "1");
  const zoom = Number.isFinite(saved) && saved > 0 ? saved : 1;
  document.documentElement.style.setProperty("zoom", String(zoom));
  return zoom;
}

/** Zooms the whole window in, out or back to 100 %, and remembers it. */
export function zoom(direction: -1 | 0 | 1) {
  const next = nextZoom(applySavedZoom(), direction);
  localStorage.setItem(ZOOM_KEY, String(next));
  document.documentElement.style.setProperty("zoom", String(next));
}
