// Jumping to a message of the open chat (a search hit, a starred one, a picture in the gallery,
// an event, a message in the group's info): bringing it into the window, centring and marking
// it, or saying it went.
import { useCallback, useEffect, useRef, useState } from "react";
import { describeError, type LocalChat, type Message } from "../../api";
import { goneAt, placeOf } from "../../messages";
import type { ChatMessages } from "./hooks";
import type { Timeline } from "./timeline";
import { MAX_HELD, PAGE, newestSeq, oldestSeq } from "./window";

/** What a jump to a message that went says, and for how long. */
export const GONE_NOTICE = "That message is no longer in this chat";
const NOTICE_MS = 4000;
/** How long the message jumped to stays marked. */
const MARK_MS = 2000;

/** A jump to a message: its id, and its place in the chat when known (a search hit's). */
export interface Jump {
  id: string;
  seq: number | null;
}

/**
 * Jumps in the open chat: the page around the message when its place is known (a search hit's),
 * else a look back from the newest page by pages of growing size (at most `MAX_HELD` held, the
 * window sliding back); then it is centred and marked. One that went (or is nowhere in the whole
 * chat) is not looked for further, and a short notice says so.
 */
export function useJump({
  initial,
  chatMessages,
  chat,
  virtualizer,
  loadingOlder,
  stopFollowing,
  onError,
}: {
  /** The message the chat opened on, if any, and its place when known. */
  initial: Jump | null;
  chatMessages: ChatMessages;
  chat: LocalChat | null;
  virtualizer: Timeline;
  /** A page is on its way (shared with scrolling up: one at a time). */
  loadingOlder: { current: boolean };
  /** The view stops following the newest messages. */
  stopFollowing: () => void;
  onError: (error: string) => void;
}): {
  /** The id of the message marked, for a moment. */
  highlight: string | null;
  /** A jump is under way: the view does not follow the newest messages meanwhile. */
  looking: boolean;
  notice: string | null;
  /** Jumps to a message by its id. */
  jumpToId: (id: string) => void;
  /** Jumps to a search hit's message: one gone since the search is not looked for. */
  jumpToHit: (message: Message) => void;
} {
  const [focus, setFocus] = useState<Jump | null>(initial);
  const [highlight, setHighlight] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  /** How far the jump under way got: the page around its place asked for; looking back from
   * the newest page. Kept for its own jump (each is a new object), so a jump to the same
   * message again starts afresh. */
  const steps = useRef<{ jump: Jump; around: boolean; fromNewest: boolean } | null>(null);
  /** The jump under way, for the answer of a step to know it still is. */
  const jumping = useRef(focus);
  jumping.current = focus;
  /** Bumped as each step's answer is in: the next step is taken from what is held then, also
   * when the step's page was dropped (the window moved meanwhile) and nothing changed. */
  const [settled, setSettled] = useState(0);
  const { messages, gone, complete, newest, showAround, showNewest, loadOlder } = chatMessages;
  useEffect(() => {
    if (!focus || !messages) return;
    const index = messages.findIndex((m) => m.message.id === focus.id);
    if (index >= 0) {
      steps.current = null;
      stopFollowing();
      virtualizer.scrollToIndex(index, { align: "center" });
      setHighlight(focus.id);
      setFocus(null);
      return;
    }
    const went = () => {
      steps.current = null;
      setFocus(null);
      setNotice(GONE_NOTICE);
    };
    // Known gone, or its place is among those held: it went.
    const passed =
      focus.seq !== null && oldestSeq(messages) <= focus.seq && focus.seq <= newestSeq(messages);
    if (gone.has(focus.id) || passed) return went();
    // A page is on its way: the effect runs again with it.
    if (loadingOlder.current) return;
    if (steps.current?.jump !== focus) {
      steps.current = { jump: focus, around: false, fromNewest: newest };
    }
    const done = steps.current;
    // The page around its place came without it, or the whole chat was looked through.
    if (done.around || (complete && done.fromNewest)) return went();
    let step: Promise<unknown> | null = null;
    if (focus.seq !== null) {
      done.around = true;
      step = showAround(focus.seq);
    } else if (!done.fromNewest) {
      done.fromNewest = true;
      step = showNewest();
    } else if (chat && messages.length < chat.last_seq) {
      // None came: the store has nothing before what is held (and the server's are not here).
      step = loadOlder(Math.min(Math.max(messages.length, PAGE), MAX_HELD)).then((count) => {
        if (count === 0 && jumping.current === focus) went();
      });
    }
    // Nothing to ask for yet (the chat's tile not loaded, or behind): it runs again with it.
    if (!step) return;
    // Not held: the newest messages stop pushing the page while it is looked for.
    stopFollowing();
    loadingOlder.current = true;
    step
      .catch((e) => onError(describeError(e)))
      .finally(() => {
        loadingOlder.current = false;
        setSettled((n) => n + 1);
      });
  }, [
    settled,
    focus,
    messages,
    gone,
    complete,
    newest,
    chat,
    virtualizer,
    loadingOlder,
    stopFollowing,
    onError,
    loadOlder,
    showAround,
    showNewest,
  ]);
  // The mark's own timer: the effect above runs again once the message is found.
  useEffect(() => {
    if (highlight === null) return;
    const timer = setTimeout(() => setHighlight(null), MARK_MS);
    return () => clearTimeout(timer);
  }, [highlight]);
  useEffect(() => {
    if (notice === null) return;
    const timer = setTimeout(() => setNotice(null), NOTICE_MS);
    return () => clearTimeout(timer);
  }, [notice]);
  const jumpToId = useCallback((id: string) => setFocus({ id, seq: null }), []);
  const jumpToHit = useCallback((message: Message) => {
    setNotice(null);
    if (goneAt(message, Date.now()) || message.hidden) {
      setFocus(null);
      setNotice(GONE_NOTICE);
    } else {
      setFocus({ id: message.id, seq: placeOf(message) ?? null });
    }
  }, []);
  return { highlight, looking: focus !== null, notice, jumpToId, jumpToHit };
}
