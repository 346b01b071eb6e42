import {
  useEffect,
  useLayoutEffect,
  useMemo,
  useRef,
  useState,
  type FormEvent,
  type KeyboardEvent,
} from "react";
import { api, describeError, type LocalMessage, type Target } from "../api";
import { TICK_MARK, messageText, tickOf } from "../chatText";
import { TYPING_THROTTLE_MS, useChatMessages, useChats, useTyping } from "../messages";
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
const PAGE = 200;

/** One conversation: header, the timeline with date separators and ticks, and the composer. */
export default function Conversation({ open, myId }: { open: OpenChat; myId: string }) {
  const [chatId, setChatId] = useState(open.chatId);
  const chatKey = chatId ?? `user:${open.peer.user_id}`;
  const [limit, setLimit] = useState(PAGE);
  const { messages } = useChatMessages(chatKey, limit);
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
  const [searching, setSearching] = useState(false);
  const [query, setQuery] = useState("");
  const [focus, setFocus] = useState<string | null>(open.focus ?? null);
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

  // Stay at the bottom as messages arrive, unless the user scrolled up.
  useLayoutEffect(() => {
    const element = list.current;
    if (element && atBottom) element.scrollTop = element.scrollHeight;
  }, [messages, atBottom]);

  // Jumping to a message: load back far enough to hold it, then centre and mark it.
  useEffect(() => {
    if (!focus || !messages) return;
    const element = list.current?.querySelector(`[data-message-id="${focus}"]`);
    if (element) {
      setAtBottom(false);
      element.scrollIntoView({ block: "center" });
      element.classList.add("highlight");
      const timer = setTimeout(() => element.classList.remove("highlight"), 2000);
      setFocus(null);
      return () => clearTimeout(timer);
    }
    if (chat && messages.length < chat.last_seq) setLimit((l) => Math.max(l * 2, l + PAGE));
  }, [focus, messages, chat]);

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

  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (event.key === "Enter" && !event.shiftKey) {
      event.preventDefault();
      void submit();
    }
    if (event.key === "Escape") {
      setEditing(null);
      setReplyTo(null);
    }
  };

  const act = (local: LocalMessage, action: Parameters<typeof api.actOnMessage>[2]) => {
    setMenuFor(null);
    if (!chatId) return;
    api.actOnMessage(chatId, local.message.id, action).catch((e) => setError(describeError(e)));
  };

  const loadOlder = async () => {
    if (!chatId) return;
    try {
      setHasOlder(await api.loadOlderMessages(chatId));
      setAtBottom(false);
      setLimit(limit + PAGE);
    } catch (e) {
      setError(describeError(e));
    }
  };

  let lastDay = "";
  const now = Date.now();
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
      </header>
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
        onScroll={(event) => {
          const el = event.currentTarget;
          setAtBottom(el.scrollHeight - el.scrollTop - el.clientHeight < 40);
        }}
      >
        {chatId && hasOlder && (messages?.[0]?.message.seq ?? 0) > 1 && (
          <button type="button" className="link-button older" onClick={loadOlder}>
            Load older messages
          </button>
        )}
        {(messages ?? []).map((local) => {
          const m = local.message;
          const mine = m.sender_id === myId;
          const day = dayLabel(m.sent_at, now);
          const separator = day !== lastDay;
          lastDay = day;
          const unreadStart = readAtOpen !== null && !mine && m.seq === readAtOpen + 1 && m.seq > 0;
          const quoted = m.reply_to ? byId.get(m.reply_to) : undefined;
          const deleted = m.deleted_at !== null;
          const tick = mine ? tickOf(local, chat) : null;
          return (
            <div key={m.id}>
              {separator && <div className="day-separator">{day}</div>}
              {unreadStart && <div className="unread-divider">Unread messages</div>}
              <div
                className={mine ? "bubble mine" : "bubble theirs"}
                data-testid="message"
                data-message-id={m.id}
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
                    <p className="hint">
                      Sent {dayLabel(m.sent_at, now)} at {clockTime(m.sent_at)}
                      {tick === "read" ? " · read" : tick === "delivered" ? " · delivered" : ""}
                    </p>
                  </div>
                )}
              </div>
            </div>
          );
        })}
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
