// A chat's upcoming events as this device holds them, for the list beside the conversation.
import { useCallback, useEffect, useRef, useState } from "react";
import { describeError, type LocalMessage, type MessengerEvent } from "../../api";
import { useMessengerEvents } from "../../messages";
import { eventsApi } from "./api";

/**
 * Whether a changed message may change the chat's upcoming events: an event (sent, answered,
 * changed, cancelled or deleted for me), or a message deleted for everyone (which no longer
 * says what it was).
 */
function mayBeEvent(local: LocalMessage): boolean {
  const m = local.message;
  return m.content === null || m.deleted_at !== null || m.hidden || m.content.kind === "event";
}

/**
 * The chat's events still to come or going on, not cancelled, soonest first (at most 50: the
 * store's `upcoming_events`); loaded again when one of its events changes or is deleted.
 */
export function useChatEvents(chatId: string): {
  events: LocalMessage[] | null;
  error: string | null;
} {
  const [events, setEvents] = useState<LocalMessage[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  /** The latest load: an earlier one that answers after it is dropped. */
  const latest = useRef(0);
  /** The events shown, for the messenger's events to look at. */
  const shown = useRef<LocalMessage[] | null>(null);
  const reload = useCallback(() => {
    const load = ++latest.current;
    eventsApi
      .upcomingEvents(chatId)
      .then((list) => {
        if (load !== latest.current) return;
        shown.current = list;
        setEvents(list);
        setError(null);
      })
      .catch((e) => load === latest.current && setError(describeError(e)));
  }, [chatId]);
  useEffect(() => {
    shown.current = null;
    setEvents(null);
    reload();
  }, [reload]);
  useMessengerEvents(
    useCallback(
      (event: MessengerEvent) => {
        if (event.event === "message" && event.chat_id === chatId && mayBeEvent(event.message)) {
          reload();
        } else if (
          event.event === "chats_changed" &&
          // An event not sent yet that is taken back (or a failed one dropped) goes with no
          // word of its own: only that the chats changed.
          shown.current?.some((local) => local.status.state !== "sent")
        ) {
          reload();
        }
      },
      [chatId, reload],
    ),
  );
  return { events, error };
}
