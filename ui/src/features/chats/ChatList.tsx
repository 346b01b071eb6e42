import { useLayoutEffect, useState } from "react";
import type { LocalChat } from "../../api";
import { isMuted, MUTED_FOREVER, preview, tileTime } from "../../chatText";
import Avatar from "../../components/Avatar";
import { MoreIcon, MutedIcon, PinIcon, TimerIcon } from "../../components/Icon";
import { placeOf, useTypingUsers } from "../../messages";
import { LAYER, useEscape } from "../../shortcuts";
import { firstScreenShown } from "../../startup";
import { timerTitle } from "../disappearing/words";
import { useMembers, useNames } from "../groups/hooks";
import { typingText, type NameOf } from "../groups/words";
import { chatsApi } from "./api";
import { chatAvatar, isListed, useChats } from "./hooks";
import SearchResults from "./SearchResults";
import "./chats.css";

/** What the frame needs to open a conversation: the chat, and maybe a message to show. */
export interface OpenChat {
  chatId: string;
  /** A message to show (a search hit, a starred one). */
  focus?: string;
  /** Its place in the chat when known: the chat opens on the page around it, not a look back
   * from the newest. */
  focusSeq?: number;
}

const HOUR = 60 * 60 * 1000;
/** The mute choices WhatsApp users know: for a time, or always (`null`). */
const MUTE_CHOICES: { label: string; forMs: number | null }[] = [
  { label: "Mute 8 hours", forMs: 8 * HOUR },
  { label: "Mute 1 week", forMs: 7 * 24 * HOUR },
  { label: "Mute always", forMs: null },
];

/** "Muted" with its end, for the tile's icon. */
function mutedTitle(until: number | null): string {
  if (until === null || until >= MUTED_FOREVER) return "Muted";
  return `Muted until ${new Date(until).toLocaleString([], { dateStyle: "medium", timeStyle: "short" })}`;
}

/** "Bob is typing…" from who is typing's ids. */
function typingWords(ids: string[], nameOf: NameOf): string {
  return typingText(ids.map((id) => nameOf(id) ?? "Someone"));
}

function Tile({
  chat,
  myId,
  selected,
  onOpen,
}: {
  chat: LocalChat;
  myId: string;
  selected: boolean;
  onOpen: (open: OpenChat) => void;
}) {
  const group = chat.kind === "group";
  const typing = useTypingUsers(chat.id);
  // A group's tile names senders (and who is typing) from its members.
  useMembers(group ? chat.id : null, chat.members_seq);
  const nameOf = useNames();
  const [menu, setMenu] = useState(false);
  useEscape(menu, LAYER.menu, () => setMenu(false));
  const avatar = chatAvatar(chat);
  const muted = isMuted(chat);
  const settle = (update: Parameters<typeof chatsApi.updateChat>[1]) => {
    setMenu(false);
    chatsApi
      .updateChat(chat.id, update)
      .catch((error) => console.error("update_chat failed", error));
  };
  return (
    <li className={selected ? "chat-tile selected" : "chat-tile"} data-testid="chat-tile">
      <button type="button" className="chat-tile-open" onClick={() => onOpen({ chatId: chat.id })}>
        <Avatar {...avatar} blurred={chat.request} />
        <div className="chat-tile-text">
          <div className="chat-tile-top">
            <span className="chat-tile-name" data-testid="chat-tile-name">
              {chat.title}
            </span>
            <span className="hint chat-tile-time">
              {chat.last_message ? tileTime(chat.last_message.sent_at) : ""}
            </span>
          </div>
          <div className="chat-tile-bottom">
            <span className="hint chat-tile-preview" data-testid="chat-tile-preview">
              {typing.length > 0 ? (
                <em className="presence-online">
                  {group ? typingWords(typing, nameOf) : "typing…"}
                </em>
              ) : (
                preview(chat, myId, nameOf)
              )}
            </span>
            {chat.pinned_at !== null && (
              <span className="chat-tile-icon" title="Pinned" role="img" aria-label="Pinned">
                <PinIcon />
              </span>
            )}
            {chat.disappear_after_ms != null && (
              <span
                className="chat-tile-icon"
                title={timerTitle(chat.disappear_after_ms)}
                role="img"
                aria-label={timerTitle(chat.disappear_after_ms)}
                data-testid="chat-tile-timer"
              >
                <TimerIcon />
              </span>
            )}
            {muted && (
              <span
                className="chat-tile-icon"
                title={mutedTitle(chat.muted_until)}
                role="img"
                aria-label="Muted"
                data-testid="chat-tile-muted"
              >
                <MutedIcon />
              </span>
            )}
            {chat.unread > 0 && (
              <span className={muted ? "unread muted" : "unread"} data-testid="chat-tile-unread">
                {chat.unread}
              </span>
            )}
          </div>
        </div>
      </button>
      <button
        type="button"
        className="link-button chat-tile-more"
        aria-label={`More for ${chat.title}`}
        onClick={() => setMenu(!menu)}
      >
        <MoreIcon />
      </button>
      {menu && (
        <div className="menu" role="menu">
          <button type="button" onClick={() => settle({ pinned: chat.pinned_at === null })}>
            {chat.pinned_at === null ? "Pin" : "Unpin"}
          </button>
          <button type="button" onClick={() => settle({ archived: !chat.archived })}>
            {chat.archived ? "Unarchive" : "Archive"}
          </button>
          {muted ? (
            <button type="button" onClick={() => settle({ muted_until: 0 })}>
              Unmute
            </button>
          ) : (
            MUTE_CHOICES.map(({ label, forMs }) => (
              <button
                key={label}
                type="button"
                onClick={() =>
                  settle({ muted_until: forMs === null ? MUTED_FOREVER : Date.now() + forMs })
                }
              >
                {label}
              </button>
            ))
          )}
        </div>
      )}
    </li>
  );
}

/** Which of the list's three views shows: my chats, the archived ones, or message requests. */
type View = "chats" | "archived" | "requests";

/**
 * The chat list: pinned first, then by last activity (the store's order); archived chats and
 * message requests (chats strangers started, until I accept) each behind their own entry; direct
 * chats where nothing was said yet left out (see `isListed`).
 */
export default function ChatList({
  myId,
  selectedId,
  onOpen,
}: {
  myId: string;
  selectedId: string | null;
  onOpen: (open: OpenChat) => void;
}) {
  const { chats: all, error } = useChats();
  const nameOf = useNames();
  const [chosen, setView] = useState<View>("chats");
  const [search, setSearch] = useState("");
  useEscape(search !== "", LAYER.search, () => setSearch(""));
  // The tiles from the local store, in the page: the start's first screen (marked, then painted).
  const tilesShown = all !== null && error === null;
  useLayoutEffect(() => {
    if (tilesShown) firstScreenShown("chat_list");
  }, [tilesShown]);
  if (error) {
    return (
      <p className="error" role="alert">
        {error}
      </p>
    );
  }
  if (!all) return null;
  const chats = all.filter(isListed);
  const requests = chats.filter((c) => c.request);
  const archivedCount = chats.filter((c) => c.archived && !c.request).length;
  // A view emptied meanwhile (the last request accepted) falls back to my chats.
  const view: View =
    (chosen === "requests" && requests.length === 0) ||
    (chosen === "archived" && archivedCount === 0)
      ? "chats"
      : chosen;
  const inView = (c: LocalChat) =>
    view === "requests" ? c.request : !c.request && c.archived === (view === "archived");
  const needle = search.trim().toLowerCase();
  const shown = chats.filter(
    (c) =>
      inView(c) &&
      (needle === "" ||
        c.title.toLowerCase().includes(needle) ||
        preview(c, myId, nameOf).toLowerCase().includes(needle)),
  );
  return (
    <section className="chat-list" data-testid="chat-list" data-view={view}>
      {chats.length > 0 && (
        <input
          type="search"
          className="contacts-search"
          data-testid="chat-search"
          placeholder="Search chats"
          value={search}
          onChange={(event) => setSearch(event.target.value)}
        />
      )}
      {view !== "chats" ? (
        <div className="chat-list-view">
          <button type="button" className="link-button" onClick={() => setView("chats")}>
            ← Chats
          </button>
          {view === "requests" && (
            <p className="hint" data-testid="requests-hint">
              Message requests: people you do not know yet. They cannot see when you read their
              messages or when you are online until you accept.
            </p>
          )}
        </div>
      ) : (
        <>
          {requests.length > 0 && (
            <button
              type="button"
              className="link-button"
              data-testid="requests-entry"
              onClick={() => setView("requests")}
            >
              Message requests ({requests.length})
            </button>
          )}
          {archivedCount > 0 && (
            <button type="button" className="link-button" onClick={() => setView("archived")}>
              Archived ({archivedCount})
            </button>
          )}
        </>
      )}
      {chats.length === 0 && (
        <p className="hint">No chats yet. Pick a contact below and say hello.</p>
      )}
      <ul className="contact-list">
        {shown.map((chat) => (
          <Tile
            key={chat.id}
            chat={chat}
            myId={myId}
            selected={chat.id === selectedId}
            onOpen={onOpen}
          />
        ))}
      </ul>
      <SearchResults
        query={search}
        chatId={null}
        onPick={(hit) =>
          onOpen({
            chatId: hit.message.message.chat_id,
            focus: hit.message.message.id,
            focusSeq: placeOf(hit.message.message),
          })
        }
      />
    </section>
  );
}
