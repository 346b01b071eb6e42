// Chats and messages for every component: one subscription to the messenger's events, and
// hooks that reload what they show when it changes. The data lives in the Rust-side local
// store; this module only knows when to ask again.
import { useCallback, useEffect, useRef, useState, useSyncExternalStore } from "react";
import { api, type ChatSummary, type LocalMessage, type MessengerEvent } from "./api";

type Listener = (event: MessengerEvent) => void;
const listeners = new Set<Listener>();
let watching = false;

/** Who is typing where, until when. */
const typing = new Map<string, { userId: string; until: number }>();
const typingListeners = new Set<() => void>();
/** Mirrors proto's TYPING_EXPIRES_MS. */
export const TYPING_EXPIRES_MS = 6000;
/** Mirrors proto's TYPING_THROTTLE_MS. */
export const TYPING_THROTTLE_MS = 3000;

function onEvent(event: MessengerEvent) {
  if (event.event === "typing") {
    if (event.typing) {
      typing.set(event.chat_id, { userId: event.user_id, until: Date.now() + TYPING_EXPIRES_MS });
      setTimeout(() => typingListeners.forEach((l) => l()), TYPING_EXPIRES_MS + 50);
    } else {
      typing.delete(event.chat_id);
    }
    typingListeners.forEach((l) => l());
  }
  if (event.event === "message" && event.message.message.sender_id) {
    // A message ends its sender's "typing…".
    const entry = typing.get(event.message.message.chat_id);
    if (entry && entry.userId === event.message.message.sender_id) {
      typing.delete(event.message.message.chat_id);
      typingListeners.forEach((l) => l());
    }
  }
  listeners.forEach((listener) => listener(event));
}

/** Starts following the messenger (once per page). */
export function useMessengerFeed(): void {
  useEffect(() => {
    if (watching) return;
    watching = true;
    api.watchMessages(onEvent).catch((error) => {
      watching = false;
      console.error("watch_messages failed", error);
    });
  }, []);
}

function useEvents(listener: Listener) {
  useEffect(() => {
    listeners.add(listener);
    return () => {
      listeners.delete(listener);
    };
  }, [listener]);
}

/** Whether someone is typing in `chatId` now. */
export function useTyping(chatId: string | null): boolean {
  const subscribe = useCallback((listener: () => void) => {
    typingListeners.add(listener);
    return () => typingListeners.delete(listener);
  }, []);
  return useSyncExternalStore(subscribe, () => {
    if (!chatId) return false;
    const entry = typing.get(chatId);
    return entry !== undefined && entry.until > Date.now();
  });
}

/** My chats, reloaded whenever the messenger says they changed. */
export function useChats(): { chats: ChatSummary[] | null; error: string | null } {
  const [chats, setChats] = useState<ChatSummary[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const reload = useCallback(() => {
    api
      .listChats()
      .then((list) => {
        setChats(list);
        setError(null);
      })
      .catch((e) => setError(String(e?.message ?? e)));
  }, []);
  useEffect(reload, [reload]);
  useEvents(
    useCallback(
      (event: MessengerEvent) => {
        if (event.event !== "typing") reload();
      },
      [reload],
    ),
  );
  return { chats, error };
}

/** How many messages a chat shows at first, and how many more each older page brings. */
export const PAGE = 200;

/**
 * One chat's messages: the newest `PAGE` at first, growing by older pages (each asked of the
 * store on its own, so paging back costs a page however far back it goes); when any of them
 * changes, as many as are held are reloaded.
 */
export function useChatMessages(chatKey: string): {
  messages: LocalMessage[] | null;
  reload: () => void;
  /** Brings in up to `count` older messages from the store; resolves to how many came. */
  loadOlder: (count: number) => Promise<number>;
} {
  const [messages, setMessages] = useState<LocalMessage[] | null>(null);
  const held = useRef<LocalMessage[] | null>(null);
  const wanted = useRef(PAGE);
  const show = useCallback((list: LocalMessage[]) => {
    held.current = list;
    setMessages(list);
  }, []);
  const reload = useCallback(() => {
    const count = wanted.current;
    api
      .chatMessages(chatKey, null, count)
      .then((list) => {
        // An older page came in meanwhile: this answer holds too few; ask again.
        if (count === wanted.current) show(list);
        else reload();
      })
      .catch((error) => console.error("loading messages failed", error));
  }, [chatKey, show]);
  useEffect(() => {
    held.current = null;
    wanted.current = PAGE;
    setMessages(null);
    reload();
  }, [reload]);
  const loadOlder = useCallback(
    async (count: number) => {
      const oldest = held.current?.find((m) => m.message.seq !== null)?.message.seq;
      if (oldest === undefined || oldest === null) return 0;
      const older = await api.chatMessages(chatKey, oldest, count);
      const current = held.current ?? [];
      if (older.length === 0 || current[0]?.message.seq !== oldest) return 0;
      wanted.current = current.length + older.length;
      show([...older, ...current]);
      return older.length;
    },
    [chatKey, show],
  );
  useEvents(
    useCallback(
      (event: MessengerEvent) => {
        if (
          event.event === "chats_changed" ||
          (event.event === "message" && event.chat_key === chatKey)
        ) {
          reload();
        }
      },
      [chatKey, reload],
    ),
  );
  return { messages, reload, loadOlder };
}
