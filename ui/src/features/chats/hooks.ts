// The chat list's state: my chats, one list for the page that every screen showing them shares
// (the list, the frame's shortcuts, the conversation, …), reloaded whenever the messenger says
// something changed; and which of them the list shows.
import { useEffect, useRef, useSyncExternalStore } from "react";
import { ApiError, type LocalChat, type MessengerEvent } from "../../api";
import { onMessengerEvent } from "../../messages";
import type { PhotoOwner } from "../../photos";
import { mark } from "../../startup";
import { chatsApi } from "./api";

interface ChatsState {
  chats: LocalChat[] | null;
  error: string | null;
}

let state: ChatsState = { chats: null, error: null };
const listeners = new Set<() => void>();
/** How many mounted screens show the list. */
let watchers = 0;
/** The start asked for the list before the frame that shows it mounted: keep it fresh. */
let expected = false;
/** Changed while nobody showed it: loaded again when someone does. */
let stale = false;
/** One `list_chats` at a time; asked again meanwhile: once more when it lands (so an older answer
 * never replaces a newer one). */
let loading = false;
let again = false;
/** Bumped when the list is forgotten: answers asked for before are dropped. */
let generation = 0;
let following: (() => void) | null = null;

/** How long the list waits at start for the local store to open (the account signed in before
 * it): past that, "sign in first" is said as any failure. */
export const STORE_WAIT_MS = 5000;
/** Waiting for the store: asked once more when the wait ends. */
let storeWait: ReturnType<typeof setTimeout> | null = null;
/** The wait ended (or the list loaded): failures are said from now on. */
let storeWaited = false;

function endStoreWait() {
  if (storeWait !== null) clearTimeout(storeWait);
  storeWait = null;
  storeWaited = true;
}

function publish(next: ChatsState) {
  state = next;
  listeners.forEach((listener) => listener());
}

function load() {
  following ??= onMessengerEvent(onEvent);
  if (loading) {
    again = true;
    return;
  }
  loading = true;
  stale = false;
  const asked = generation;
  chatsApi
    .listChats()
    .then((chats) => {
      if (asked !== generation) return;
      mark("chats_answered");
      endStoreWait();
      publish({ chats, error: null });
    })
    .catch((e) => {
      if (asked !== generation) return;
      mark("chats_failed");
      // At start the account can answer before its local store is open: the store says
      // `chats_changed` once it is, and the list loads then (no "sign in first" meanwhile). Not
      // for ever: at the end of the wait it is asked once more, and a failure then is said.
      if (
        e instanceof ApiError &&
        e.code === "unauthorized" &&
        state.chats === null &&
        !storeWaited
      ) {
        storeWait ??= setTimeout(() => {
          endStoreWait();
          load();
        }, STORE_WAIT_MS);
        return;
      }
      publish({ chats: state.chats, error: String(e?.message ?? e) });
    })
    .finally(() => {
      if (asked !== generation) return;
      loading = false;
      if (again) {
        again = false;
        load();
      }
    });
}

function onEvent(event: MessengerEvent) {
  if (event.event === "typing") return;
  if (watchers > 0 || expected) load();
  else if (state.chats !== null) stale = true;
}

function subscribe(listener: () => void) {
  listeners.add(listener);
  watchers += 1;
  expected = false;
  // Changed since the load on its way was asked for: once more after it.
  if (stale || (!loading && (state.chats === null || state.error !== null))) load();
  return () => {
    listeners.delete(listener);
    watchers -= 1;
  };
}

/** My chats, reloaded whenever the messenger says they changed. */
export function useChats(): { chats: LocalChat[] | null; error: string | null } {
  return useSyncExternalStore(subscribe, () => state);
}

/** At start, as soon as the account answers signed in: asks for the tiles before the frame that
 * shows them has rendered. */
export function preloadChats(): void {
  expected = true;
  load();
}

/** Drops the list (signed out: the next account's list is its own). */
export function forgetChats(): void {
  generation += 1;
  loading = false;
  again = false;
  stale = false;
  expected = false;
  endStoreWait();
  // The next account's start waits for its store again.
  storeWaited = false;
  publish({ chats: null, error: null });
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
