// The conversation's state: one chat's messages, paged back on demand, reloaded when the
// messenger says they changed and gone the moment they disappear, and the changes of mine the
// server refused.
import { useCallback, useEffect, useRef, useState } from "react";
import type { LocalMessage, MessageAction, MessengerEvent } from "../../api";
import { goneAt, useMessengerEvents } from "../../messages";
import { conversationApi } from "./api";

/** Mirrors proto's TYPING_THROTTLE_MS. */
export const TYPING_THROTTLE_MS = 3000;

/** How many messages a chat shows at first, and how many more each older page brings. */
export const PAGE = 200;

/** The longest wait before looking again for messages whose time is up (timers cap theirs). */
export const EXPIRY_CHECK_MS = 24 * 60 * 60 * 1000;
const NONE: ReadonlySet<string> = new Set();

/** When the next of these (shown) messages disappears; a kept one does not. */
export function nextExpiry(list: LocalMessage[]): number | null {
  let next: number | null = null;
  for (const { message } of list) {
    const at = message.expires_at;
    if (message.kept || message.expired || typeof at !== "number") continue;
    if (next === null || at < next) next = at;
  }
  return next;
}

/** The sequence number of the oldest of these that has one (a pending message has none yet:
 * 0); Infinity when none has. */
function oldestSeq(list: LocalMessage[]): number {
  return list.find((local) => local.message.seq > 0)?.message.seq ?? Infinity;
}

/**
 * One chat's messages: the newest `PAGE` at first, growing by older pages (each asked of the
 * store on its own, so paging back costs a page however far back it goes); when any of them
 * changes, as many as are held are reloaded. A message that disappeared (expired, or its time up
 * and nobody kept it) is not among them: it goes at its time while shown, and at once when the
 * messenger says it expired.
 */
export function useChatMessages(chatId: string): {
  messages: LocalMessage[] | null;
  /** The ids of the messages known to have disappeared: seen go while the chat is open, or
   * said expired by the messenger, held or not (their quotes say so). */
  gone: ReadonlySet<string>;
  /** Everything from the chat's first message on is held (no older page to bring in). */
  complete: boolean;
  reload: () => void;
  /** Brings in up to `count` older messages from the store; resolves to how many came. */
  loadOlder: (count: number) => Promise<number>;
} {
  const [messages, setMessages] = useState<LocalMessage[] | null>(null);
  const [gone, setGone] = useState<ReadonlySet<string>>(NONE);
  const [complete, setComplete] = useState(false);
  /** What the store gave, gone ones too (paging goes by it). */
  const held = useRef<LocalMessage[] | null>(null);
  const wanted = useRef(PAGE);
  const show = useCallback((list: LocalMessage[]) => {
    held.current = list;
    setComplete(oldestSeq(list) <= 1);
    const now = Date.now();
    const goneNow = list.filter((local) => goneAt(local.message, now));
    if (goneNow.length === 0) {
      setMessages(list);
      return;
    }
    setGone((before) => new Set([...before, ...goneNow.map((local) => local.message.id)]));
    setMessages(list.filter((local) => !goneAt(local.message, now)));
  }, []);
  const reload = useCallback(() => {
    const count = wanted.current;
    conversationApi
      .chatMessages(chatId, null, count)
      .then((list) => {
        // An older page came in meanwhile: this answer holds too few; ask again.
        if (count === wanted.current) show(list);
        else reload();
      })
      .catch((error) => console.error("loading messages failed", error));
  }, [chatId, show]);
  useEffect(() => {
    held.current = null;
    wanted.current = PAGE;
    setMessages(null);
    setGone(NONE);
    setComplete(false);
    reload();
  }, [reload]);
  // A message whose time comes while it is shown goes then (the store's timers say so too, a
  // moment later); a long wait is cut short and taken up again.
  // Scheduled from what is shown: one whose time passed since it was shown goes at once.
  useEffect(() => {
    const next = messages && nextExpiry(messages);
    if (next === null) return;
    const timer = setTimeout(
      () => held.current && show([...held.current]),
      Math.max(0, Math.min(next - Date.now(), EXPIRY_CHECK_MS)),
    );
    return () => clearTimeout(timer);
  }, [messages, show]);
  const loadOlder = useCallback(
    async (count: number) => {
      const oldest = held.current?.find((m) => m.message.seq !== null)?.message.seq;
      if (oldest === undefined || oldest === null) return 0;
      const older = await conversationApi.chatMessages(chatId, oldest, count);
      const current = held.current ?? [];
      if (older.length === 0 || current[0]?.message.seq !== oldest) return 0;
      wanted.current = current.length + older.length;
      show([...older, ...current]);
      return older.length;
    },
    [chatId, show],
  );
  useMessengerEvents(
    useCallback(
      (event: MessengerEvent) => {
        if (event.event === "message" && event.chat_id === chatId) {
          // Expired: out of the list at once, before the store's answer comes; one not held
          // (an older page's) is known gone all the same.
          const expired = event.message.message;
          if (expired.expired) {
            setGone((before) =>
              before.has(expired.id) ? before : new Set([...before, expired.id]),
            );
            if (held.current) {
              show(
                held.current.map((local) =>
                  local.message.id === expired.id ? event.message : local,
                ),
              );
            }
          }
          reload();
        } else if (event.event === "chats_changed") {
          reload();
        }
      },
      [chatId, reload, show],
    ),
  );
  return { messages, gone, complete, reload, loadOlder };
}

/** A refused change of mine in words, by what it was: "Your edit couldn't be saved: …". */
export function refusedText(action: MessageAction, message: string): string {
  switch (action.action) {
    case "edit":
      return `Your edit couldn't be saved: ${message}`;
    case "react":
      return `Your reaction couldn't be sent: ${message}`;
    case "vote":
      return `Your vote couldn't be counted: ${message}`;
    case "close_poll":
      return `The poll couldn't be closed: ${message}`;
    case "rsvp":
      return `Your answer couldn't be sent: ${message}`;
    case "update_event":
      return `The event couldn't be changed: ${message}`;
    case "cancel_event":
      return `The event couldn't be cancelled: ${message}`;
    case "star":
      return action.starred
        ? `The message couldn't be starred: ${message}`
        : `The star couldn't be taken off: ${message}`;
    case "keep":
      return action.kept
        ? `The message couldn't be kept: ${message}`
        : `The message couldn't be unkept: ${message}`;
    case "delete_for_everyone":
    case "delete_for_me":
      return `The message couldn't be deleted: ${message}`;
  }
}

/**
 * The latest edit, reaction or deletion of mine in this chat that the server refused (it showed
 * at once, maybe while offline, and has been taken back), in words; null when there is none or
 * it was dismissed.
 */
export function useRefusedAction(chatId: string): { text: string | null; dismiss: () => void } {
  const [text, setText] = useState<string | null>(null);
  useEffect(() => setText(null), [chatId]);
  useMessengerEvents(
    useCallback(
      (event: MessengerEvent) => {
        if (event.event === "action_refused" && event.chat_id === chatId) {
          setText(refusedText(event.action, event.message));
        }
      },
      [chatId],
    ),
  );
  const dismiss = useCallback(() => setText(null), []);
  return { text, dismiss };
}
