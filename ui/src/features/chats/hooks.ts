// The chat list's state: my chats (reloaded whenever the messenger says something changed) and
// which of them the list shows.
import { useCallback, useEffect, useRef, useState } from "react";
import type { LocalChat, MessengerEvent } from "../../api";
import { useMessengerEvents } from "../../messages";
import type { PhotoOwner } from "../../photos";
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
 * Calls `onGone` when the chat `chatId`, once listed among `chats` (my chats), is no longer
 * listed: deleted for me, here or on another device. A chat not listed yet (just opened, just
 * joined, opened again after deleting it) is waited for.
 */
export function useWhenGone(chatId: string, chats: LocalChat[] | null, onGone: () => void) {
  /** The chat id last seen in the list. */
  const seen = useRef<string | null>(null);
  useEffect(() => {
    if (!chats) return;
    if (chats.some((chat) => chat.id === chatId && isListed(chat))) {
      seen.current = chatId;
    } else if (seen.current === chatId) {
      seen.current = null;
      onGone();
    }
  }, [chatId, chats, onGone]);
}

/**
 * Whether the chat list shows `chat`: a chat I cleared ("clear chat": `clear_listed`) always,
 * emptied or not (its tile then has no preview); otherwise not a direct chat where nothing was
 * ever said (opening a chat with a contact starts it on the server before the first message;
 * until then it is no more than the contact), nor a chat I deleted in which nothing new was said
 * since (the store holds none of its messages then).
 */
export function isListed(chat: LocalChat): boolean {
  if (chat.last_message !== null || chat.clear_listed) return true;
  return !(chat.cleared_seq > 0 || (chat.kind === "direct" && chat.last_seq === 0));
}

/** Who an avatar stands for: the other person in a direct chat, else the chat itself. */
export function chatAvatar(chat: LocalChat): {
  owner: PhotoOwner;
  photo: string | null;
  name: string;
} {
  const person = chat.kind === "direct" ? chat.other_member : null;
  if (person) {
    // A direct chat's photo is the other person's, fetched as theirs.
    return { owner: { kind: "user", id: person.user_id }, photo: chat.photo, name: chat.title };
  }
  // A group's own image; a direct chat whose member list is not synced yet shows its letter.
  return {
    owner: { kind: "chat", id: chat.id },
    photo: chat.kind === "group" ? chat.photo : null,
    name: chat.title,
  };
}
