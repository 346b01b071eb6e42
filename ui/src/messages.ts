// The messenger's events for every feature: one subscription for the page, handed to whoever
// listens (features/chats reloads its tiles, features/conversation its messages), and who is
// typing where. The data lives in the Rust-side local store; this module only knows when to ask
// again, and when a message has disappeared.
import { useCallback, useEffect, useMemo, useSyncExternalStore } from "react";
import { api, type Message, type MessengerEvent } from "./api";

/** A message's place in its chat (its sequence number); none while it is unsent. */
export const placeOf = (message: Message): number | undefined =>
  message.seq > 0 ? message.seq : undefined;

/**
 * Whether a message has disappeared by `now`: expired (nothing of it is left), or its time is up
 * and nobody kept it. Mirrors proto's `Message::gone_at`; such a message is shown nowhere.
 */
export function goneAt(message: Message, now: number): boolean {
  return (
    message.expired === true ||
    (message.kept !== true && typeof message.expires_at === "number" && message.expires_at <= now)
  );
}

type Listener = (event: MessengerEvent) => void;
const listeners = new Set<Listener>();
/** The page's one subscription to the messenger, once someone started it; the events of any
 * other (one `resetMessengerFeed` dropped) go nowhere. */
let watching: symbol | null = null;

/** Who is typing in each chat (several at once in a group), each until when. */
const typing = new Map<string, Map<string, number>>();
const typingListeners = new Set<() => void>();
/** Mirrors proto's TYPING_EXPIRES_MS. */
export const TYPING_EXPIRES_MS = 6000;

function setTyping(chatId: string, userId: string, until: number | null) {
  const inChat = typing.get(chatId) ?? new Map<string, number>();
  if (until === null) inChat.delete(userId);
  else inChat.set(userId, until);
  if (inChat.size === 0) typing.delete(chatId);
  else typing.set(chatId, inChat);
  typingListeners.forEach((l) => l());
}

function onEvent(event: MessengerEvent) {
  if (event.event === "typing") {
    if (event.typing) {
      setTyping(event.chat_id, event.user_id, Date.now() + TYPING_EXPIRES_MS);
      setTimeout(() => typingListeners.forEach((l) => l()), TYPING_EXPIRES_MS + 50);
    } else {
      setTyping(event.chat_id, event.user_id, null);
    }
  }
  if (event.event === "message") {
    // A message ends its sender's "typing…".
    const sender = event.message.message.sender_id;
    if (typing.get(event.chat_id)?.has(sender)) setTyping(event.chat_id, sender, null);
  }
  listeners.forEach((listener) => listener(event));
}

/** Starts following the messenger (once per page): at start before the tiles are asked for
 * (account.ts), else when the signed-in frame mounts. */
export function followMessenger(): void {
  if (watching) return;
  const mine = Symbol("messenger feed");
  watching = mine;
  api
    .watchMessages((event) => {
      if (watching === mine) onEvent(event);
    })
    .catch((error) => {
      if (watching === mine) watching = null;
      console.error("watch_messages failed", error);
    });
}

/** `followMessenger` once mounted. */
export function useMessengerFeed(): void {
  useEffect(followMessenger, []);
}

/** For tests: forgets the page's subscription (the next `useMessengerFeed` starts its own, and
 * the old one's events go nowhere) and who was typing. */
export function resetMessengerFeed() {
  watching = null;
  typing.clear();
  typingListeners.forEach((l) => l());
}

/** Calls `listener` with every messenger event until the returned function is called (for
 * module-level stores; components use `useMessengerEvents`). */
export function onMessengerEvent(listener: Listener): () => void {
  listeners.add(listener);
  return () => {
    listeners.delete(listener);
  };
}

/** Calls `listener` (keep it stable: `useCallback`) with every messenger event while mounted. */
export function useMessengerEvents(listener: Listener): void {
  useEffect(() => {
    listeners.add(listener);
    return () => {
      listeners.delete(listener);
    };
  }, [listener]);
}

/** Who is typing in `chatId` now (user ids, in a stable order). */
export function useTypingUsers(chatId: string | null): string[] {
  const subscribe = useCallback((listener: () => void) => {
    typingListeners.add(listener);
    return () => typingListeners.delete(listener);
  }, []);
  // A string snapshot: the same people give the same value, so nothing re-renders for nothing.
  const key = useSyncExternalStore(subscribe, () => {
    if (!chatId) return "";
    const now = Date.now();
    return [...(typing.get(chatId)?.entries() ?? [])]
      .filter(([, until]) => until > now)
      .map(([userId]) => userId)
      .sort()
      .join("\n");
  });
  return useMemo(() => (key === "" ? [] : key.split("\n")), [key]);
}
