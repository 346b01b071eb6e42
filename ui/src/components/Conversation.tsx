import { CallButtons } from "./Icon";
import {
  useEffect,
  useLayoutEffect,
  useMemo,
  useRef,
  useState,
  type FormEvent,
  type KeyboardEvent,
} from "react";
import { useVirtualizer } from "@tanstack/react-virtual";
import {
  api,
  describeError,
  type CallKind,
  type LocalMessage,
  type MessageInfo,
  type Target,
} from "../api";
import { TICK_MARK, messageText, tickOf } from "../chatText";
import { LAYER, useEscape } from "../shortcuts";
import { PAGE, TYPING_THROTTLE_MS, useChatMessages, useChats, useTyping } from "../messages";
import { clockTime, dayLabel } from "../time";
import Avatar from "./Avatar";
import type { OpenChat } from "./ChatList";
import SearchResults from "./SearchResults";

const REACTIONS = ["👍", "❤️", "😂", "😮", "😢", "🙏"];
const EMOJI = [
  "😀",
  "😂",
  "😊",
  "😍",
  "😎",
  "🤔",
  "😴",
  "😢",
  "😡",
  "👍",
  "👎",
  "👏",
  "🙏",
  "💪",
  "🎉",
  "❤️",
  "🔥",
  "✨",
  "☕",
  "🍕",
  "⚽",
  "🎵",
  "📷",
  "✅",
];
const EDIT_WINDOW_MS = 15 * 60 * 1000;
const DELETE_WINDOW_MS = 48 * 60 * 60 * 1000;

/** "Delivered today at 14:02 · Read today at 14:05" for a message's info. */
function infoText(info: MessageInfo): string {
  const when = (ms: number | null) =>
    ms === null ? "not yet" : `${dayLabel(ms)} at ${clockTime(ms)}`;
  return info.receipts
    .map(
      (r) =>
        `Delivered ${when(r.delivered_at)} · Read ${r.read_at === null ? "—" : when(r.read_at)}`,
    )
    .join("; ");
}

/** One conversation: header, the timeline with date separators and ticks, and the composer. */
export default function Conversation({ open, myId }: { open: OpenChat; myId: string }) {
  const [chatId, setChatId] = useState(open.chatId);
  const chatKey = chatId ?? `user:${open.peer.user_id}`;
  const { messages, loadOlder: loadOlderRows } = useChatMessages(chatKey);
  /** An older page is on its way (scrolling up, or a jump back to a search hit). */
  const loadingOlder = useRef(false);
  const { chats } = useChats();
  const chat = chats?.find((c) => c.id === chatId) ?? null;
  const typing = useTyping(chatId);
  const [text, setText] = useState("");
  const [replyTo, setReplyTo] = useState<LocalMessage | null>(null);
  const [editing, setEditing] = useState<LocalMessage | null>(null);
  const [menuFor, setMenuFor] = useState<string | null>(null);
  const [emoji, setEmoji] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [atBottom, setAtBottom] = useState(true);
  const [hasOlder, setHasOlder] = useState(true);
  const [forwarding, setForwarding] = useState<LocalMessage | null>(null);
  const [info, setInfo] = useState<{ id: string; text: string } | null>(null);
  const [searching, setSearching] = useState(false);
  const [query, setQuery] = useState("");
  const [focus, setFocus] = useState<string | null>(open.focus ?? null);
  const [callError, setCallError] = useState<string | null>(null);
  const lastTyping = useRef(0);
  const list = useRef<HTMLDivElement>(null);
  // Where the unread divider goes: fixed when the chat's tile first loads.
  const [readAtOpen, setReadAtOpen] = useState<number | null>(null);
  useEffect(() => {
    if (chat && readAtOpen === null) setReadAtOpen(chat.my_read_seq);
  }, [chat, readAtOpen]);

  useEffect(() => setChatId(open.chatId), [open.chatId]);
  // The first message starts the chat: follow it from "user:<id>" to its id.
  useEffect(() => {
    if (chatId !== null) return;
    api.directChatWith(open.peer.user_id).then((id) => id && setChatId(id));
  }, [chatId, open.peer.user_id, chats]);

  // Reading: whatever is shown while the window has focus is read.
  useEffect(() => {
    if (chatId && chat && chat.unread > 0 && document.hasFocus()) {
      api.markRead(chatId).catch((e) => console.warn("mark_read failed", e));
    }
  }, [chatId, chat]);

  // Only the rows in view (and a few around) are in the page: a chat of 100,000 messages
  // scrolls like one of ten. Rows measure themselves; sizes are estimates until then.
  const rows = messages ?? [];
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => list.current,
    estimateSize: () => 64,
    overscan: 12,
    getItemKey: (index) => rows[index]?.message.id ?? index,
    initialRect: { width: 800, height: 600 },
  });

  // Stay at the bottom as messages arrive, unless the user scrolled up.
  useLayoutEffect(() => {
    if (atBottom && rows.length > 0) virtualizer.scrollToIndex(rows.length - 1, { align: "end" });
  }, [rows.length, atBottom, virtualizer, messages]);

  // Older rows came in above: keep what the user was looking at in place. Only once they are
  // in: a reload of the same rows (another event) must not use up the position.
  const keepFromBottom = useRef<{ fromBottom: number; count: number } | null>(null);
  useLayoutEffect(() => {
    const element = list.current;
    const keep = keepFromBottom.current;
    if (element && keep !== null && (messages?.length ?? 0) > keep.count) {
      element.scrollTop = element.scrollHeight - keep.fromBottom;
      keepFromBottom.current = null;
    }
  }, [messages]);

  // Jumping to a message: load back far enough to hold it, then centre and mark it.
  const [highlight, setHighlight] = useState<string | null>(null);
  useEffect(() => {
    if (!focus || !messages) return;
    const index = messages.findIndex((m) => m.message.id === focus);
    if (index >= 0) {
      setAtBottom(false);
      virtualizer.scrollToIndex(index, { align: "center" });
      setHighlight(focus);
      setFocus(null);
      const timer = setTimeout(() => setHighlight(null), 2000);
      return () => clearTimeout(timer);
    }
    // Not loaded yet: bring in pages of growing size (the effect runs again with them).
    if (chat && messages.length < chat.last_seq && !loadingOlder.current) {
      loadingOlder.current = true;
      loadOlderRows(Math.max(messages.length, PAGE))
        .catch((e) => setError(describeError(e)))
        .finally(() => {
          loadingOlder.current = false;
        });
    }
  }, [focus, messages, chat, virtualizer, loadOlderRows]);

  const byId = useMemo(() => new Map((messages ?? []).map((m) => [m.message.id, m])), [messages]);
  const target: Target = chatId
    ? { kind: "chat", id: chatId }
    : { kind: "user", id: open.peer.user_id };

  const onChange = (value: string) => {
    setText(value);
    const now = Date.now();
    if (chatId && value.trim() !== "" && now - lastTyping.current > TYPING_THROTTLE_MS) {
      lastTyping.current = now;
      api.setTyping(chatId, true).catch(() => {});
    }
  };

  const submit = async (event?: FormEvent) => {
    event?.preventDefault();
    const body = text;
    if (body.trim() === "") return;
    setError(null);
    try {
      if (editing && chatId) {
        await api.actOnMessage(chatId, editing.message.id, {
          action: "edit",
          content: { kind: "text", text: body },
        });
        setEditing(null);
      } else {
        await api.sendText(target, body, replyTo?.message.id ?? null);
        setReplyTo(null);
      }
      setText("");
      setAtBottom(true);
      if (chatId) {
        lastTyping.current = 0;
        api.setTyping(chatId, false).catch(() => {});
      }
    } catch (e) {
      setError(describeError(e));
    }
  };

  // Cancelling keeps a reply's words and drops an edit's (they were the old message's).
  const cancelQuote = () => {
    if (editing) setText("");
    setEditing(null);
    setReplyTo(null);
  };

  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (event.key === "Enter" && !event.shiftKey) {
      event.preventDefault();
      void submit();
    }
    // Esc in the composer takes its quote before anything else (the window leaves it be).
    if (event.key === "Escape" && (replyTo || editing)) {
      event.preventDefault();
      cancelQuote();
    }
  };

  // Esc elsewhere takes the innermost first: a menu or picker, the search, the quote, and only
  // then (in App) the chat.
  useEscape(menuFor !== null, LAYER.menu, () => setMenuFor(null));
  useEscape(emoji, LAYER.menu, () => setEmoji(false));
  useEscape(forwarding !== null, LAYER.menu, () => setForwarding(null));
  useEscape(info !== null, LAYER.menu, () => setInfo(null));
  useEscape(searching, LAYER.search, () => (setSearching(false), setQuery("")));
  useEscape(replyTo !== null || editing !== null, LAYER.quote, cancelQuote);

  const act = (local: LocalMessage, action: Parameters<typeof api.actOnMessage>[2]) => {
    setMenuFor(null);
    if (!chatId) return;
    api.actOnMessage(chatId, local.message.id, action).catch((e) => setError(describeError(e)));
  };

  // Older messages: from this device's store first, then from the server.
  const loadOlder = async () => {
    if (!chatId || loadingOlder.current) return;
    loadingOlder.current = true;
    const element = list.current;
    if (element) {
      keepFromBottom.current = {
        fromBottom: element.scrollHeight - element.scrollTop,
        count: messages?.length ?? 0,
      };
    }
    try {
      setAtBottom(false);
      const got = await loadOlderRows(PAGE);
      if (got < PAGE) {
        // The store has no more: fetch older ones from the server into it, then show them.
        setHasOlder(await api.loadOlderMessages(chatId));
        await loadOlderRows(PAGE - got);
      }
    } catch (e) {
      setError(describeError(e));
    } finally {
      loadingOlder.current = false;
    }
  };

  const startCall = (kind: CallKind) => {
    setCallError(null);
    api.startCall(open.peer.user_id, kind).catch((e) => setCallError(describeError(e)));
  };

  const now = Date.now();
  const canLoadOlder = Boolean(chatId) && hasOlder && (messages?.[0]?.message.seq ?? 0) > 1;
  return (
    <div className="conversation" data-testid="conversation">
      <header className="conversation-header">
        <Avatar userId={open.peer.user_id} photo={open.peer.photo} name={open.peer.display_name} />
        <div>
          <div className="contact-name" data-testid="conversation-name">
            {open.peer.display_name}
          </div>
          <div className="hint" data-testid="conversation-status">
            {typing ? "typing…" : `@${open.peer.username}`}
          </div>
        </div>
        <button
          type="button"
          className="link-button header-search"
          aria-label="Search in this chat"
          data-testid="conversation-search-toggle"
          onClick={() => (setSearching(!searching), setQuery(""))}
        >
          🔍
        </button>
        <CallButtons
          onCall={startCall}
          className="header-call"
          testIdPrefix="chat-call-"
          size={20}
        />
      </header>
      {callError && (
        <p className="error conversation-call-error" role="alert" data-testid="chat-call-error">
          {callError}
        </p>
      )}
      {searching && (
        <div className="conversation-search">
          <input
            type="search"
            data-testid="conversation-search"
            placeholder="Search this chat"
            value={query}
            onChange={(event) => setQuery(event.target.value)}
          />
          <SearchResults
            query={query}
            chatKey={chatKey}
            onPick={(hit) => {
              setSearching(false);
              setFocus(hit.message.message.id);
            }}
          />
        </div>
      )}
      <div
        className="timeline"
        ref={list}
        data-testid="timeline"
        data-loaded={messages?.length ?? 0}
        onScroll={(event) => {
          const el = event.currentTarget;
          setAtBottom(el.scrollHeight - el.scrollTop - el.clientHeight < 40);
          if (el.scrollTop < 200 && canLoadOlder) void loadOlder();
        }}
      >
        {canLoadOlder && (
          <button type="button" className="link-button older" onClick={loadOlder}>
            Load older messages
          </button>
        )}
        <div className="timeline-rows" style={{ height: virtualizer.getTotalSize() }}>
          {virtualizer.getVirtualItems().map((item) => {
            const local = rows[item.index];
            const m = local.message;
            const mine = m.sender_id === myId;
            const day = dayLabel(m.sent_at, now);
            const previous = rows[item.index - 1];
            const separator = !previous || dayLabel(previous.message.sent_at, now) !== day;
            const unreadStart =
              readAtOpen !== null && !mine && m.seq === readAtOpen + 1 && m.seq > 0;
            const quoted = m.reply_to ? byId.get(m.reply_to) : undefined;
            const deleted = m.deleted_at !== null;
            const tick = mine ? tickOf(local, chat) : null;
            return (
              <div
                key={item.key}
                data-index={item.index}
                ref={virtualizer.measureElement}
                className="timeline-row"
                style={{
                  transform: `translateY(${item.start}px)`,
                  zIndex: menuFor === m.id ? 5 : undefined,
                }}
              >
                {separator && <div className="day-separator">{day}</div>}
                {unreadStart && <div className="unread-divider">Unread messages</div>}
                <div
                  className={`bubble ${mine ? "mine" : "theirs"}${highlight === m.id ? " highlight" : ""}`}
                  data-testid="message"
                  data-message-id={m.id}
                  data-seq={m.seq}
                  data-status={tick ?? "received"}
                >
                  {m.forwarded && <div className="hint">Forwarded</div>}
                  {quoted && (
                    <div className="quote" data-testid="message-quote">
                      {messageText(quoted.message)}
                    </div>
                  )}
                  <div
                    className={deleted ? "message-text deleted" : "message-text"}
                    data-testid="message-text"
                  >
                    {messageText(m)}
                  </div>
                  {m.reactions.length > 0 && (
                    <div className="reactions" data-testid="message-reactions">
                      {m.reactions.map((r) => r.emoji).join(" ")}
                    </div>
                  )}
                  <div className="message-meta">
                    {m.edited_at !== null && !deleted && <span>edited</span>}
                    <span>{clockTime(m.sent_at)}</span>
                    {tick && (
                      <span className={`tick tick-${tick}`} data-testid="message-tick" title={tick}>
                        {TICK_MARK[tick]}
                      </span>
                    )}
                    {!deleted && m.seq > 0 && (
                      <button
                        type="button"
                        className="link-button"
                        aria-label="Message actions"
                        data-testid="message-menu"
                        onClick={() => setMenuFor(menuFor === m.id ? null : m.id)}
                      >
                        ⋯
                      </button>
                    )}
                  </div>
                  {info?.id === m.id && (
                    <div className="hint" data-testid="message-info-text">
                      {info.text}{" "}
                      <button type="button" className="link-button" onClick={() => setInfo(null)}>
                        ✕
                      </button>
                    </div>
                  )}
                  {local.status.state === "failed" && (
                    <div className="error" data-testid="message-failed">
                      Not sent: {local.status.message}
                    </div>
                  )}
                  {menuFor === m.id && (
                    <div className="menu" role="menu">
                      <div className="row">
                        {REACTIONS.map((r) => (
                          <button
                            key={r}
                            type="button"
                            className="link-button"
                            onClick={() =>
                              act(local, {
                                action: "react",
                                emoji: m.reactions.some((x) => x.user_id === myId && x.emoji === r)
                                  ? null
                                  : r,
                              })
                            }
                          >
                            {r}
                          </button>
                        ))}
                      </div>
                      <button type="button" onClick={() => (setReplyTo(local), setMenuFor(null))}>
                        Reply
                      </button>
                      {m.content && local.status.state === "sent" && (
                        <button
                          type="button"
                          data-testid="message-forward"
                          onClick={() => (setForwarding(local), setMenuFor(null))}
                        >
                          Forward
                        </button>
                      )}
                      <button
                        type="button"
                        onClick={() => {
                          void navigator.clipboard?.writeText(messageText(m));
                          setMenuFor(null);
                        }}
                      >
                        Copy
                      </button>
                      {mine && now - m.sent_at < EDIT_WINDOW_MS && (
                        <button
                          type="button"
                          onClick={() => {
                            setEditing(local);
                            setText(messageText(m));
                            setMenuFor(null);
                          }}
                        >
                          Edit
                        </button>
                      )}
                      <button type="button" onClick={() => act(local, { action: "delete_for_me" })}>
                        Delete for me
                      </button>
                      {mine && now - m.sent_at < DELETE_WINDOW_MS && (
                        <button
                          type="button"
                          data-testid="delete-for-everyone"
                          onClick={() => act(local, { action: "delete_for_everyone" })}
                        >
                          Delete for everyone
                        </button>
                      )}
                      {mine && chatId && (
                        <button
                          type="button"
                          data-testid="message-info"
                          onClick={() => {
                            setMenuFor(null);
                            api
                              .messageInfo(chatId, m.id)
                              .then((found) => setInfo({ id: m.id, text: infoText(found) }))
                              .catch((e) => setError(describeError(e)));
                          }}
                        >
                          Info
                        </button>
                      )}
                      <p className="hint">
                        Sent {dayLabel(m.sent_at, now)} at {clockTime(m.sent_at)}
                      </p>
                    </div>
                  )}
                </div>
              </div>
            );
          })}
        </div>
      </div>
      {!atBottom && (
        <button
          type="button"
          className="jump-to-bottom"
          aria-label="Jump to the newest message"
          onClick={() => setAtBottom(true)}
        >
          ↓
        </button>
      )}
      {forwarding && (
        <div className="forward-picker" data-testid="forward-picker">
          <div className="row">
            <strong>Forward to…</strong>
            <button type="button" className="link-button" onClick={() => setForwarding(null)}>
              ✕
            </button>
          </div>
          {(chats ?? []).map((c) => (
            <button
              key={c.id}
              type="button"
              className="link-button"
              data-testid="forward-to"
              onClick={() => {
                const message = forwarding;
                setForwarding(null);
                api
                  .forwardMessage(message.message.id, { kind: "chat", id: c.id })
                  .catch((e) => setError(describeError(e)));
              }}
            >
              {c.peer?.display_name ?? "Chat"}
            </button>
          ))}
        </div>
      )}
      {(replyTo || editing) && (
        <div className="composer-context" data-testid="composer-context">
          <span>
            {editing ? "Editing: " : "Replying to: "}
            {messageText((editing ?? replyTo)!.message)}
          </span>
          <button
            type="button"
            className="link-button"
            onClick={() => {
              setEditing(null);
              setReplyTo(null);
              setText("");
            }}
          >
            ✕
          </button>
        </div>
      )}
      {error && (
        <p className="error" role="alert" data-testid="composer-error">
          {error}
        </p>
      )}
      {emoji && (
        <div className="emoji-picker" data-testid="emoji-picker">
          {EMOJI.map((e) => (
            <button key={e} type="button" className="link-button" onClick={() => setText(text + e)}>
              {e}
            </button>
          ))}
        </div>
      )}
      <form className="composer" onSubmit={submit}>
        <button
          type="button"
          className="link-button"
          aria-label="Emoji"
          onClick={() => setEmoji(!emoji)}
        >
          😊
        </button>
        <textarea
          data-testid="composer"
          rows={1}
          placeholder="Type a message"
          value={text}
          onChange={(event) => onChange(event.target.value)}
          onKeyDown={onKeyDown}
        />
        <button type="submit" data-testid="send">
          {editing ? "Save" : "Send"}
        </button>
      </form>
    </div>
  );
}
