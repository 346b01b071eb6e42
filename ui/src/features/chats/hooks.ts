// The chat list's state: my chats (reloaded whenever the messenger says something changed) and
// which of them the list shows.
import { useCallback, useEffect, useState } from "react";
import type { LocalChat, MessengerEvent } from "../../api";
import { useMessengerEvents } from "../../messages";
import { chatsApi } from "./api";

/** My chats, reloaded whenever the messenger says they changed. */
export function useChats(): { chats: LocalChat[] | null; error: string | null } {
  const [chats, setChats] = useState<LocalChat[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const reload = useCallback(() => {
    chatsApi
      .listChats()
      .then((list) => {
        setChats(list);
        setError(null);
      })
      .catch((e) => setError(String(e?.message ?? e)));
  }, []);
  useEffect(reload, [reload]);
  useMessengerEvents(
    useCallback(
      (event: MessengerEvent) => {
        if (event.event !== "typing") reload();
      },
      [reload],
    ),
  );
  return { chats, error };
}

/**
 * Whether the chat list shows `chat`: not a direct chat where nothing was ever said (opening a
 * chat with a contact starts it on the server before the first message; until then it is no
 * more than the contact).
 */
export function isListed(chat: LocalChat): boolean {
  return !(chat.kind === "direct" && chat.last_message === null && chat.last_seq === 0);
}

/** Who an avatar stands for: the other person in a direct chat, else the chat itself. */
export function chatAvatar(chat: LocalChat): {
  userId: string;
  photo: string | null;
  name: string;
} {
  const person = chat.kind === "direct" ? chat.other_member : null;
  return {
    userId: person?.user_id ?? chat.id,
    // Photos are fetched as the person's: without them (a group, a member list not synced yet),
    // the first letter of the title.
    photo: person ? chat.photo : null,
    name: chat.title,
  };
}
