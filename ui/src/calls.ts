// Calls for every component: one subscription to the current call's changes and one to its
// pictures for the whole page, the call log (reloaded when a call ends), the words calls are
// shown in, and who the other person is.
import { useCallback, useEffect, useState, useSyncExternalStore } from "react";
import { api, type CallLogEntry, type CallView, type ChatPeer, type LocalChat } from "./api";
import { useLoaded } from "./useLoaded";
import { decodeFrame, type I420Picture } from "./i420";

/** How long the call screen says how a call ended before it goes away. */
export const ENDED_SHOWN_MS = 2000;

let current: CallView | null = null;
const callListeners = new Set<() => void>();
const endedListeners = new Set<() => void>();
let watchingCalls = false;

function onCall(view: CallView) {
  // An end I never saw going on (the feed's first view, from before this page): nothing to say.
  if (view.phase === "ended" && current?.call_id !== view.call_id) return;
  if (view.phase === "ended" && current?.phase === "ended") return;
  current = view;
  callListeners.forEach((listener) => listener());
  if (view.phase === "ended") {
    endedListeners.forEach((listener) => listener());
    setTimeout(() => {
      if (current !== view) return;
      current = null;
      callListeners.forEach((listener) => listener());
    }, ENDED_SHOWN_MS);
  }
}

function subscribeCalls(listener: () => void) {
  callListeners.add(listener);
  if (!watchingCalls) {
    // The Rust side keeps one feed per channel for the page's life: start it once.
    watchingCalls = true;
    api.watchCalls(onCall).catch((error) => {
      watchingCalls = false;
      console.error("watch_calls failed", error);
    });
  }
  return () => {
    callListeners.delete(listener);
  };
}

/**
 * The call going on, following watch_calls; an ended one stays ENDED_SHOWN_MS (for the screen
 * to say how it ended), then null.
 */
export function useCall(): CallView | null {
  return useSyncExternalStore(subscribeCalls, () => current);
}

type FrameListener = (picture: I420Picture) => void;
const frameListeners: [Set<FrameListener>, Set<FrameListener>] = [new Set(), new Set()];
let watchingVideo = false;

/** Follows one of the call's pictures (0 the far side, 1 my self-view) until the returned stop. */
export function subscribeFrames(which: 0 | 1, listener: FrameListener): () => void {
  frameListeners[which].add(listener);
  if (!watchingVideo) {
    watchingVideo = true;
    api
      .watchCallVideo((message) => {
        const picture = decodeFrame(message);
        if (picture && picture.which <= 1) {
          frameListeners[picture.which as 0 | 1].forEach((l) => l(picture));
        }
      })
      .catch((error) => {
        watchingVideo = false;
        console.error("watch_call_video failed", error);
      });
  }
  return () => {
    frameListeners[which].delete(listener);
  };
}

/** My call log (newest first), reloaded when a call ends. */
export function useCallLog(limit = 100): {
  entries: CallLogEntry[] | null;
  error: string | null;
  reload: () => void;
} {
  const fetch = useCallback(() => api.callLog(null, limit), [limit]);
  const { data: entries, error, reload } = useLoaded(fetch);
  useEffect(() => {
    // The server writes the log line before it says a call ended.
    const onEnded = () => reload();
    endedListeners.add(onEnded);
    const unwatch = subscribeCalls(() => undefined); // ends are only heard while following
    return () => {
      unwatch();
      endedListeners.delete(onEnded);
    };
  }, [reload]);
  return { entries, error, reload };
}

/** "0:07", "12:34", "1:02:03". */
export function formatDuration(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = String(total % 60).padStart(2, "0");
  if (hours > 0) return `${hours}:${String(minutes).padStart(2, "0")}:${seconds}`;
  return `${minutes}:${seconds}`;
}

/** What the call screen says once a call is over. */
export function endedWords(view: CallView): string {
  const outgoing = view.direction === "outgoing";
  switch (view.outcome) {
    case null:
      return "Answered on another device";
    case "answered":
      return "Call ended";
    case "missed":
      return outgoing ? "No answer" : "Missed";
    case "declined":
      return "Declined";
    case "busy":
      return "Busy";
    case "cancelled":
      return outgoing ? "Call ended" : "Missed";
    case "failed":
      return "Call failed";
  }
}

/** A log line's outcome: the duration when answered, else what happened. */
export function outcomeWords(entry: CallLogEntry): string {
  switch (entry.outcome) {
    case "answered":
      return formatDuration(entry.duration_ms);
    case "missed":
      return "Missed";
    case "declined":
      return "Declined";
    case "busy":
      return "Busy";
    case "cancelled":
      return "Cancelled";
    case "failed":
      return "Failed";
  }
}

/**
 * Who `peerId` is: the other person of one of my direct chats, else one of my contacts; null
 * while unknown ("Someone").
 */
export function usePeer(peerId: string | null, chats: LocalChat[] | null): ChatPeer | null {
  const fromChats = chats?.find((c) => c.other_member?.user_id === peerId)?.other_member ?? null;
  const [fromContacts, setFromContacts] = useState<ChatPeer | null>(null);
  const known = fromChats !== null;
  useEffect(() => {
    if (!peerId || known) return;
    let live = true;
    api
      .listContacts()
      .then((list) => {
        if (live) setFromContacts(list.find((c) => c.user_id === peerId) ?? null);
      })
      .catch((error) => console.warn("list_contacts failed", error));
    return () => {
      live = false;
    };
  }, [peerId, known]);
  if (fromChats) return fromChats;
  return fromContacts?.user_id === peerId ? fromContacts : null;
}
