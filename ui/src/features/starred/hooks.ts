// My starred messages as this device holds them, for the list across chats and a chat's own.
import { useCallback, useEffect, useRef, useState } from "react";
import { describeError, type LocalMessage, type MessengerEvent } from "../../api";
import { useMessengerEvents } from "../../messages";
import { starredApi } from "./api";

/**
 * My starred messages, newest first: in the chat `chatId`, or (null) in all chats. Loaded again
 * when a message of that chat changes (a star put on or taken off, here or on another device,
 * an edit, a deletion); across chats, when a message starred or listed changes, or the chats do
 * while some are listed (a chat deleted for me takes its messages along).
 */
export function useStarred(chatId: string | null): {
  starred: LocalMessage[] | null;
  error: string | null;
  setError: (error: string | null) => void;
  /** Drops a message from the list at once (its star taken off here). */
  drop: (messageId: string) => void;
} {
  const [starred, setStarred] = useState<LocalMessage[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  /** The latest load: an earlier one that answers after it is dropped. */
  const latest = useRef(0);
  /** The messages shown, for the messenger's events to look at. */
  const shown = useRef<LocalMessage[] | null>(null);
  const show = useCallback((list: LocalMessage[]) => {
    shown.current = list;
    setStarred(list);
  }, []);
  const reload = useCallback(() => {
    const load = ++latest.current;
    starredApi
      .starredMessages(chatId)
      .then((list) => {
        if (load !== latest.current) return;
        show(list);
        setError(null);
      })
      .catch((e) => load === latest.current && setError(describeError(e)));
  }, [chatId, show]);
  useEffect(() => {
    shown.current = null;
    setStarred(null);
    reload();
  }, [reload]);
  useMessengerEvents(
    useCallback(
      (event: MessengerEvent) => {
        if (event.event === "message") {
          if (chatId !== null) {
            if (event.chat_id === chatId) reload();
            return;
          }
          const m = event.message.message;
          if (m.starred || shown.current?.some((local) => local.message.id === m.id)) reload();
        } else if (event.event === "chats_changed" && (shown.current?.length ?? 0) > 0) {
          reload();
        }
      },
      [chatId, reload],
    ),
  );
  const drop = useCallback(
    (messageId: string) => {
      // A load on its way may still hold it: the message's event brings the list again.
      show((shown.current ?? []).filter((local) => local.message.id !== messageId));
    },
    [show],
  );
  return { starred, error, setError, drop };
}
