// The conversation's state: a window of one chat's messages (the newest while they are in view,
// paged back and forth as the user scrolls), kept fresh from the messenger's events and rid of
// the moment a message disappears; and the changes of mine the server refused.
import { useCallback, useEffect, useRef, useState } from "react";
import type { LocalMessage, MessageAction, MessengerEvent } from "../../api";
import { goneAt, useMessengerEvents } from "../../messages";
import { conversationApi } from "./api";
import {
  BEFORE_ALL,
  MAX_HELD,
  PAGE,
  joinNewer,
  newestSeq,
  oldestSeq,
  placed,
  withArrived,
  withIds,
} from "./window";

export { PAGE } from "./window";

/** Mirrors proto's TYPING_THROTTLE_MS. */
export const TYPING_THROTTLE_MS = 3000;

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

/** One chat's window of messages and how to move it; see `useChatMessages`. */
export interface ChatMessages {
  messages: LocalMessage[] | null;
  /** The ids of the messages known to have disappeared (the latest `MAX_HELD`): seen go while
   * the chat is open, or said expired by the messenger, held or not (their quotes say so). */
  gone: ReadonlySet<string>;
  /** Everything from the chat's first message on is held (no older page to bring in). */
  complete: boolean;
  /** The chat's newest message is held (else newer ones come as the user scrolls down). */
  newest: boolean;
  /** The store has messages older than the first one held (dropped, or not asked for yet). */
  olderInStore: boolean;
  /** Holds the chat's newest page again, as on opening. */
  showNewest: () => Promise<void>;
  /** Back to the newest messages (a jump down, or after sending): the newest page again, unless
   * it is held and the view already at it; pages asked for before it are dropped. */
  backToNewest: () => void;
  /** Brings in up to `count` older messages from the store; resolves to how many came (0: the
   * store has none older), or null when the window started over meanwhile (the page dropped). */
  loadOlder: (count: number) => Promise<number | null>;
  /** Brings in the next newer messages from the store; resolves to how many came. */
  loadNewer: () => Promise<number>;
  /** Holds a page around the message at `seq` (a jump far back). */
  showAround: (seq: number) => Promise<void>;
}

/**
 * One chat's messages, a window of them and never the whole chat: the newest `PAGE` at first,
 * and only those while `atBottom` (the user is at the bottom of the timeline). Scrolling up
 * brings older pages from the store and keeps messages arriving meanwhile, up to `MAX_HELD`;
 * past it the far end goes (the newest too: they come back page by page as the user scrolls
 * down). At the bottom, a message arriving in order (or one of mine composed or sent, or a held
 * one changed) is put in its place from its event: no store read per message. Anything else
 * that changes asks the store for its newest page only — one look at a time — and a changed
 * message that is held takes the version its event carries meanwhile. A message that disappeared
 * (expired, or its time up and nobody kept it) is not among them: it goes at its time while
 * shown, and at once when the messenger says it expired.
 */
export function useChatMessages(chatId: string, atBottom: boolean): ChatMessages {
  const [messages, setMessages] = useState<LocalMessage[] | null>(null);
  const [gone, setGone] = useState<ReadonlySet<string>>(NONE);
  const [complete, setComplete] = useState(false);
  const [newest, setNewest] = useState(true);
  const [olderInStore, setOlderInStore] = useState(false);
  /** What the store gave, gone ones too (paging goes by it). */
  const held = useRef<LocalMessage[] | null>(null);
  /** `held` reaches the chat's newest message: what arrives joins it. */
  const atNewest = useRef(true);
  const bottom = useRef(atBottom);
  bottom.current = atBottom;
  /** Bumped when the window starts over (another chat, the newest again, a jump): answers
   * asked for before it are dropped. */
  const generation = useRef(0);
  /** A look at the newest page is on its way; `again`: events came meanwhile. */
  const looking = useRef(false);
  const again = useRef(false);
  /** The last event was a message of this chat (put in place, or looked at the store for). */
  const toldMessage = useRef(false);

  const show = useCallback((list: LocalMessage[]) => {
    held.current = list;
    setComplete(oldestSeq(list) <= 1);
    const now = Date.now();
    const goneNow = list.filter((local) => goneAt(local.message, now));
    if (goneNow.length === 0) {
      setMessages(list);
      return;
    }
    const ids = goneNow.map((local) => local.message.id);
    setGone((before) => withIds(before, ids));
    setMessages(list.filter((local) => !goneAt(local.message, now)));
  }, []);
  const reachNewest = useCallback((reached: boolean) => {
    atNewest.current = reached;
    setNewest(reached);
  }, []);
  /** Starts the window over: what was asked for before it no longer counts. */
  const restart = useCallback(() => {
    generation.current += 1;
    looking.current = false;
    again.current = false;
    return generation.current;
  }, []);
  const ask = useCallback(
    (before: number | null, limit: number) => conversationApi.chatMessages(chatId, before, limit),
    [chatId],
  );

  /** The newest page, held on its own: the store may have older ones unless it came short. */
  const holdNewest = useCallback(
    (newestPage: LocalMessage[]) => {
      reachNewest(true);
      setOlderInStore(newestPage.length >= PAGE);
      show(newestPage);
    },
    [reachNewest, show],
  );

  /**
   * The store's newest messages back to where they meet `list` (the user reads back): pages
   * before the newest one are asked for while they do not; `whole` when the store has no more
   * (the run is the whole chat). Null past `MAX_HELD`: what arrived waits in the store.
   */
  const runToHeld = useCallback(
    async (list: LocalMessage[], newestPage: LocalMessage[]) => {
      let run = newestPage;
      let whole = run.length < PAGE;
      while (!whole && joinNewer(list, run) === null) {
        if (run.length >= MAX_HELD) return null;
        const start = oldestSeq(run);
        const page = await ask(start === Infinity ? BEFORE_ALL : start, PAGE);
        run = [...page, ...run];
        whole = page.length < PAGE;
      }
      return { run, whole };
    },
    [ask],
  );

  /** The look of generation `asked` is over (unless the window started over since): whether
   * events came meanwhile, to look again. */
  const lookDone = useCallback((asked: number) => {
    if (asked !== generation.current) return false;
    looking.current = false;
    const more = again.current;
    again.current = false;
    return more;
  }, []);

  /** Looks at the newest page again (something changed) and joins it to what is held. */
  const refresh = useCallback(() => {
    // A look on its way (the newest page asked for anew too): another after it.
    if (looking.current) {
      again.current = true;
      return;
    }
    if (!atNewest.current) return;
    looking.current = true;
    const asked = generation.current;
    const current = () => asked === generation.current && atNewest.current;
    ask(null, PAGE)
      .then(async (newestPage) => {
        const list = held.current;
        if (!current()) return;
        if (list === null || bottom.current) return holdNewest(newestPage);
        const newer = await runToHeld(list, newestPage);
        // What is held now (an older page may have come meanwhile).
        const now = held.current;
        if (!current() || now === null) return;
        const joined = newer && (newer.whole ? newer.run : joinNewer(now, newer.run));
        if (joined === null || joined.length > MAX_HELD) reachNewest(false);
        else show(joined);
      })
      .catch((error) => console.error("loading messages failed", error))
      .finally(() => lookDone(asked) && refresh());
  }, [ask, holdNewest, lookDone, runToHeld, reachNewest, show]);

  /**
   * Puts a message its event carries in its place among the held newest page without asking the
   * store (see `withArrived`), keeping only the newest page. Only at the bottom: while the user
   * reads back, what arrives is joined from the store as before (up to `MAX_HELD`, then it waits
   * there). False where the store must say: not following the newest, a look on its way (its page
   * may not have it), no place known, or deleted for me.
   */
  const placeArrived = useCallback(
    (arrived: LocalMessage) => {
      const list = held.current;
      if (!bottom.current || !atNewest.current || looking.current || list === null) return false;
      const placedList = !arrived.message.hidden && withArrived(list, arrived);
      if (!placedList) return false;
      if (placedList.length > PAGE) setOlderInStore(true);
      show(placedList.slice(-PAGE));
      return true;
    },
    [show],
  );

  /** Holds the newest page anew: a look like refresh's (what arrives meanwhile waits for it). */
  const showNewest = useCallback(async () => {
    const asked = restart();
    looking.current = true;
    try {
      const newestPage = await ask(null, PAGE);
      if (asked === generation.current) holdNewest(newestPage);
    } catch (error) {
      console.error("loading messages failed", error);
    }
    if (lookDone(asked)) refresh();
  }, [ask, holdNewest, lookDone, refresh, restart]);

  // Read from the refs, not from a render: sending while reading back can take the newest out of
  // the window (its message one past the most held) after the caller's render.
  const backToNewest = useCallback(() => {
    const following = bottom.current && atNewest.current;
    bottom.current = true;
    if (!following) void showNewest();
  }, [showNewest]);

  useEffect(() => {
    held.current = null;
    atNewest.current = true;
    toldMessage.current = false;
    setMessages(null);
    setGone(NONE);
    setComplete(false);
    setNewest(true);
    setOlderInStore(false);
    void showNewest();
  }, [showNewest]);

  // At the bottom with the newest held: the newest page alone (the rest is in the store).
  useEffect(() => {
    const list = held.current;
    if (!atBottom || !atNewest.current || list === null || list.length <= PAGE) return;
    setOlderInStore(true);
    show(list.slice(list.length - PAGE));
  }, [atBottom, show]);

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
      const oldest = oldestSeq(held.current ?? []);
      if (oldest === Infinity) return 0;
      const asked = generation.current;
      const older = await ask(oldest, count);
      const current = held.current ?? [];
      // The window started over (back to the newest, a jump), or an older page came meanwhile.
      if (asked !== generation.current || oldestSeq(current) !== oldest) return null;
      setOlderInStore(older.length >= count);
      if (older.length === 0) return 0;
      let list = [...older, ...current];
      // Past the most held, the newest end goes (scrolling down brings it back).
      if (list.length > MAX_HELD) {
        list = list.slice(0, Math.max(MAX_HELD, older.length));
        reachNewest(false);
      }
      show(list);
      return older.length;
    },
    [ask, reachNewest, show],
  );

  const loadNewer = useCallback(async () => {
    const list = held.current;
    if (list === null || atNewest.current) return 0;
    const asked = generation.current;
    const reach = newestSeq(list);
    let newestPage = await ask(null, PAGE);
    // A page of unsent ones only: the placed ones before them too.
    if (newestPage.length >= PAGE && oldestSeq(newestPage) === Infinity) {
      newestPage = [...(await ask(BEFORE_ALL, PAGE)), ...newestPage];
    }
    const start = oldestSeq(newestPage);
    // Held up to `reach`; what follows it, and whether that is the chat's newest.
    let cut = reach + 1;
    let newer: LocalMessage[] | null = null;
    let reached = true;
    if (newestPage.length < PAGE || start === Infinity) {
      newer = newestPage.filter((local) => !placed(local) || local.message.seq > reach);
    } else if (start <= cut) {
      cut = start;
      newer = newestPage;
    }
    // The page after `reach`: the next `PAGE` places hold at most `PAGE` messages (none, where
    // every one of them went: on to the next).
    for (let from = reach; newer === null;) {
      const before = Math.min(from + PAGE + 1, start);
      const page = (await ask(before, PAGE)).filter((local) => local.message.seq > reach);
      if (before === start) newer = [...page, ...newestPage];
      else if (page.length > 0) [newer, reached] = [page, false];
      else from = before - 1;
    }
    const current = held.current;
    if (asked !== generation.current || current === null || newestSeq(current) !== reach) return 0;
    let joined = [...current.filter((local) => placed(local) && local.message.seq < cut), ...newer];
    // Past the most held, the oldest end goes (the view keeps its row; scrolling up brings it).
    if (joined.length > MAX_HELD) {
      joined = joined.slice(joined.length - MAX_HELD);
      setOlderInStore(true);
    }
    if (reached) reachNewest(true);
    show(joined);
    return newer.length;
  }, [ask, reachNewest, show]);

  const showAround = useCallback(
    async (seq: number) => {
      const asked = restart();
      // As many after it as before it.
      const page = await ask(seq + PAGE / 2 + 1, PAGE);
      if (asked !== generation.current) return;
      reachNewest(false);
      setOlderInStore(page.length >= PAGE);
      show(page);
    },
    [ask, reachNewest, restart, show],
  );

  useMessengerEvents(
    useCallback(
      (event: MessengerEvent) => {
        const afterMessage = toldMessage.current;
        toldMessage.current = event.event === "message" && event.chat_id === chatId;
        if (event.event === "message" && event.chat_id === chatId) {
          const changed = event.message;
          const id = changed.message.id;
          // Expired: known gone at once, held or not (an older page's quote says so).
          if (changed.message.expired) setGone((before) => withIds(before, [id]));
          if (placeArrived(changed)) return;
          // Held: its new version shows before the store's page comes (and where that page
          // does not reach); deleted for me, it goes.
          const list = held.current;
          if (list?.some((local) => local.message.id === id)) {
            show(
              changed.message.hidden
                ? list.filter((local) => local.message.id !== id)
                : list.map((local) => (local.message.id === id ? changed : local)),
            );
          }
          refresh();
        } else if (event.event === "chats_changed" && !afterMessage) {
          // The messenger tells every change to a message with the message, then
          // `chats_changed`: one right after a message of this chat says no more than that
          // message did (put in place, or looked at the store for), and would read the store
          // for every message arriving. Any other (a chat cleared, an unsent one taken back, a
          // catch-up stored after a reconnect, events missed) looks at the store.
          refresh();
        }
      },
      [chatId, placeArrived, refresh, show],
    ),
  );
  return {
    messages,
    gone,
    complete,
    newest,
    olderInStore,
    showNewest,
    backToNewest,
    loadOlder,
    loadNewer,
    showAround,
  };
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
