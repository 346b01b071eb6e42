// Groups' state: each group's members from this device's store, shared by every screen that
// shows them (tiles, the conversation, the info panel), and the names of everyone seen in a
// member list this session (so someone who left still has a name in the messages before).
import { useCallback, useEffect, useState, useSyncExternalStore } from "react";
import type { ChatMember, MessengerEvent } from "../../api";
import { onMessengerEvent, useMessengerEvents } from "../../messages";
import { groupsApi, type GroupInfo } from "./api";
import { groupErrorText, type NameOf } from "./words";

interface Entry {
  members: ChatMember[] | null;
  /** The tile's `members_seq` when the list was asked for. */
  seq: number;
  loading: boolean;
  /** Asked again while loading: load once more when it lands. */
  again: boolean;
}

const entries = new Map<string, Entry>();
/** How many mounted screens show each chat's members (only those are reloaded). */
const watchers = new Map<string, number>();
/** User id → display name, from every member list seen. */
const names = new Map<string, string>();
const listeners = new Set<() => void>();
let version = 0;
let following: (() => void) | null = null;

function changed() {
  version += 1;
  listeners.forEach((listener) => listener());
}

function load(chatId: string, seq: number) {
  const entry = entries.get(chatId) ?? { members: null, seq, loading: false, again: false };
  entry.seq = Math.max(entry.seq, seq);
  entries.set(chatId, entry);
  if (entry.loading) {
    entry.again = true;
    return;
  }
  entry.loading = true;
  // Former members too: their names for what they did (left, removed, wrote before).
  Promise.all([groupsApi.chatMembers(chatId), groupsApi.formerMembers(chatId).catch(() => [])])
    .then(([list, former]) => {
      const members = Array.isArray(list) ? list : [];
      (Array.isArray(former) ? former : []).forEach((m) => names.set(m.user_id, m.display_name));
      members.forEach((m) => names.set(m.user_id, m.display_name));
      entry.members = members;
      changed();
    })
    .catch((error) => console.warn("chat_members failed", error))
    .finally(() => {
      entry.loading = false;
      if (entry.again) {
        entry.again = false;
        load(chatId, entry.seq);
      }
    });
}

/** After any change the store syncs member lists and says `chats_changed`; a system message
 * (someone added, an admin made) changes one group's. */
function onEvent(event: MessengerEvent) {
  if (event.event === "chats_changed") {
    for (const chatId of watchers.keys()) load(chatId, entries.get(chatId)?.seq ?? 0);
  } else if (
    event.event === "message" &&
    event.message.message.content?.kind === "system" &&
    watchers.has(event.chat_id)
  ) {
    load(event.chat_id, entries.get(event.chat_id)?.seq ?? 0);
  }
}

function subscribe(listener: () => void) {
  listeners.add(listener);
  return () => {
    listeners.delete(listener);
  };
}

/**
 * A chat's members from this device's store (null while loading, or for `chatId` null: not a
 * group), reloaded when the tile's `membersSeq` moves and whenever the store says chats changed.
 */
export function useMembers(chatId: string | null, membersSeq: number): ChatMember[] | null {
  const members = useSyncExternalStore(subscribe, () =>
    chatId ? (entries.get(chatId)?.members ?? null) : null,
  );
  useEffect(() => {
    if (!chatId) return;
    following ??= onMessengerEvent(onEvent);
    watchers.set(chatId, (watchers.get(chatId) ?? 0) + 1);
    return () => {
      const left = (watchers.get(chatId) ?? 1) - 1;
      if (left > 0) watchers.set(chatId, left);
      else watchers.delete(chatId);
    };
  }, [chatId]);
  useEffect(() => {
    if (!chatId) return;
    const entry = entries.get(chatId);
    if (!entry || entry.members === null || entry.seq < membersSeq) load(chatId, membersSeq);
  }, [chatId, membersSeq]);
  return members;
}

/** Asks the store for a chat's members again (after a change made here). */
export function reloadMembers(chatId: string) {
  load(chatId, entries.get(chatId)?.seq ?? 0);
}

/** The display name of anyone seen in a member list this session. */
export function knownName(userId: string): string | undefined {
  return names.get(userId);
}

/** `knownName`, re-rendering the caller when new names come in. */
export function useNames(): NameOf {
  const seen = useSyncExternalStore(subscribe, () => version);
  // A new function when names change, so memoised renderings follow.
  // eslint-disable-next-line react-hooks/exhaustive-deps
  return useCallback((userId: string) => names.get(userId), [seen]);
}

/** For tests: forgets every member list and name. */
export function resetMembers() {
  entries.clear();
  names.clear();
  changed();
}

/**
 * A group's info and settings from the server (while `enabled`: I am in it), loaded when shown
 * and again after any change (a system message in it, or the store's `chats_changed`).
 */
export function useGroupInfo(
  chatId: string,
  enabled: boolean,
): {
  info: GroupInfo | null;
  error: string | null;
  setInfo: (info: GroupInfo) => void;
  reload: () => void;
} {
  const [info, setInfo] = useState<GroupInfo | null>(null);
  const [error, setError] = useState<string | null>(null);
  const reload = useCallback(() => {
    if (!enabled) return;
    groupsApi
      .groupInfo(chatId)
      .then((loaded) => {
        setInfo(loaded);
        setError(null);
      })
      .catch((e) => setError(groupErrorText(e)));
  }, [chatId, enabled]);
  useEffect(reload, [reload]);
  useMessengerEvents(
    useCallback(
      (event: MessengerEvent) => {
        if (
          event.event === "chats_changed" ||
          (event.event === "message" &&
            event.chat_id === chatId &&
            event.message.message.content?.kind === "system")
        ) {
          reload();
        }
      },
      [chatId, reload],
    ),
  );
  return { info, error, setInfo, reload };
}
