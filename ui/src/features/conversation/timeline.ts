// The timeline's scrolling as its window of messages moves: the row in view stays put while rows
// come or go above it, and the virtualiser forgets the heights of rows no longer held.
import { useCallback, useEffect, useLayoutEffect, useRef, type RefObject } from "react";
import type { Virtualizer } from "@tanstack/react-virtual";
import type { LocalMessage } from "../../api";

/** The timeline's virtualiser. */
export type Timeline = Virtualizer<HTMLDivElement, Element>;

/**
 * Keeps the row at the top of the view where it is when rows come or go above it (an older page
 * in, the far end of a long read dropped, another page after the last): the view follows that
 * row, not the scroll offset. Off while `following` the newest (the timeline stays at its bottom
 * then). Returns what the timeline calls as it scrolls, to note the row in view.
 */
export function useRowKeptInView(
  virtualizer: Timeline,
  list: RefObject<HTMLDivElement | null>,
  rows: LocalMessage[],
  following: boolean,
): () => void {
  const kept = useRef<{ id: string; start: number; offset: number } | null>(null);
  const note = useCallback(() => {
    const element = list.current;
    const item = element ? virtualizer.getVirtualItemForOffset(element.scrollTop) : undefined;
    kept.current =
      element && item
        ? { id: String(item.key), start: item.start, offset: element.scrollTop - item.start }
        : null;
  }, [virtualizer, list]);
  useLayoutEffect(() => {
    const element = list.current;
    const row = kept.current;
    if (element && row && !following) {
      const index = rows.findIndex((local) => local.message.id === row.id);
      const start = index < 0 ? undefined : virtualizer.measurementsCache[index]?.start;
      if (start !== undefined && start !== row.start) element.scrollTop = start + row.offset;
    }
    note();
  }, [rows, following, virtualizer, list, note]);
  return note;
}

/** The virtualiser measures every row it shows and keeps each height by the row's key: only
 * those of the rows held are kept (one paged back in again is measured again). */
export function useHeightsOfHeldRows(virtualizer: Timeline, rows: LocalMessage[]): void {
  useEffect(() => {
    const ids = new Set(rows.map((local) => local.message.id));
    for (const key of virtualizer.itemSizeCache.keys()) {
      if (!ids.has(String(key))) virtualizer.itemSizeCache.delete(key);
    }
  }, [virtualizer, rows]);
}
