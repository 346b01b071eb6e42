// A chat's events as this device holds them, for the upcoming ones beside the conversation.
import { useCallback, useEffect, useRef, useState } from "react";
import { describeError, type LocalMessage, type MessengerEvent } from "../../api";
import { useMessengerEvents } from "../../messages";
import { conversationApi } from "../conversation/api";

/** How many messages each look into the store brings, and how far back it looks at most. */
const SCAN_PAGE = 500;
const SCAN_PAGES = 10;

/** The chat's event messages in the store, newest first, walking back page by page. */
async function loadEvents(chatId: string): Promise<LocalMessage[]> {
  const found: LocalMessage[] = [];
  let before: number | null = null;
  for (let page = 0; page < SCAN_PAGES; page++) {
    const rows = await conversationApi.chatMessages(chatId, before, SCAN_PAGE);
    found.push(...rows.filter((local) => local.message.content?.kind === "event"));
    // Oldest first: the next page ends before the first stored one.
    const oldest = rows.find((local) => local.message.seq > 0)?.message.seq ?? null;
    if (rows.length < SCAN_PAGE || oldest === null || (before !== null && oldest >= before)) break;
    before = oldest;
  }
  // One message once, even if pages met.
  return [...new Map(found.map((local) => [local.message.id, local])).values()];
}

/** Whether a changed message may change the chat's events: an event, or one deleted. */
function mayBeEvent(local: LocalMessage): boolean {
  const content = local.message.content;
  return content === null || content.kind === "event";
}

/**
 * The events of a chat held on this device (the newest 5,000 messages' at most); loaded again
 * when one of its events changes (is sent, answered, changed, cancelled or deleted).
 */
export function useChatEvents(chatId: string): {
  events: LocalMessage[] | null;
  error: string | null;
} {
  const [events, setEvents] = useState<LocalMessage[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  /** The latest load: an earlier one that answers after it is dropped. */
  const latest = useRef(0);
  const reload = useCallback(() => {
    const load = ++latest.current;
    loadEvents(chatId)
      .then((list) => {
        if (load !== latest.current) return;
        setEvents(list);
        setError(null);
      })
      .catch((e) => load === latest.current && setError(describeError(e)));
  }, [chatId]);
  useEffect(() => {
    setEvents(null);
    reload();
  }, [reload]);
  useMessengerEvents(
    useCallback(
      (event: MessengerEvent) => {
        if (event.event === "message" && event.chat_id === chatId && mayBeEvent(event.message)) {
          reload();
        }
      },
      [chatId, reload],
    ),
  );
  return { events, error };
}
