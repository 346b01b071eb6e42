import { useRef, useState } from "react";
import {
  api,
  describeError,
  type CallKind,
  type ChatMember,
  type Contact,
  type LocalChat,
} from "../../api";
import Avatar from "../../components/Avatar";
import Confirm from "../../components/Confirm";
import { CallButtons, ImageIcon, InfoIcon, MoreIcon, SearchIcon } from "../../components/Icon";
import ReportForm from "../../components/ReportForm";
import { useNow } from "../../hooks";
import { useTypingUsers } from "../../messages";
import { usePresence } from "../../presence";
import { LAYER, useEscape } from "../../shortcuts";
import { presenceText } from "../../time";
import { useLoaded } from "../../useLoaded";
import BackgroundDialog from "../appearance/BackgroundDialog";
import { chatsApi } from "../chats/api";
import { chatAvatar } from "../chats/hooks";
import { useMayChangeTimer } from "../disappearing/hooks";
import { ChatTimerMark } from "../disappearing/Marks";
import TimerDialog from "../disappearing/TimerDialog";
import { typingText, type NameOf } from "../groups/words";
import ClearChatDialog from "./ClearChatDialog";

/** "online" or "last seen …", live, for a contact; nothing when their privacy hides it. */
function Presence({ contact }: { contact: Contact }) {
  const presence = usePresence(contact);
  const now = useNow(!presence.online && presence.last_seen !== null, 60_000);
  const text = presenceText(presence, now);
  return text ? <span data-testid="conversation-presence"> · {text}</span> : null;
}

/** "@username", with their presence when they are one of my contacts. */
function PersonLine({ person }: { person: ChatMember }) {
  const { data: contacts } = useLoaded(api.listContacts);
  const contact = contacts?.find((c) => c.user_id === person.user_id);
  return (
    <>
      @{person.username}
      {contact && <Presence contact={contact} />}
    </>
  );
}

/**
 * The conversation's header: the chat's photo and title, what is going on (typing, the other
 * person's @username and presence, a group's size), its disappearing-messages timer, search, the
 * chat's media, links and docs, and in a direct chat the call buttons. Its menu sets the timer
 * (in a group, disabled with why when only admins may) and the chat's background, clears the
 * chat (emptied for me, still listed), and in a direct chat has Block / Report for the other
 * person, and Delete chat.
 */
export default function ConversationHeader({
  chatId,
  chat,
  onToggleSearch,
  onOpenInfo,
  onOpenGallery,
  onDeleted,
  onCleared,
  nameOf,
}: {
  chatId: string;
  /** Null until the chat's tile has loaded. */
  chat: LocalChat | null;
  onToggleSearch: () => void;
  /** Shows a group's info panel. */
  onOpenInfo?: () => void;
  /** Shows the chat's media, links and documents. */
  onOpenGallery?: () => void;
  /** The chat was deleted for me: close it. */
  onDeleted: () => void;
  /** The chat was cleared for me: show it empty at once. */
  onCleared?: () => void;
  /** Names of a group's members (who is typing). */
  nameOf?: NameOf;
}) {
  const typingIds = useTypingUsers(chatId);
  const typing = typingIds.length > 0;
  const [menu, setMenu] = useState(false);
  /** The menu's button: the keyboard comes back to it from a dialog the menu opened. */
  const more = useRef<HTMLButtonElement>(null);
  const [reporting, setReporting] = useState(false);
  const [deleting, setDeleting] = useState(false);
  const [timer, setTimer] = useState(false);
  const [clearing, setClearing] = useState(false);
  const [choosingBackground, setChoosingBackground] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  useEscape(menu, LAYER.menu, () => setMenu(false));
  useEscape(reporting, LAYER.menu, () => setReporting(false));
  useEscape(deleting, LAYER.menu, () => setDeleting(false));
  // The other person of a direct chat, once the chat's members are on this device.
  const person = chat?.kind === "direct" ? chat.other_member : null;
  const group = chat?.kind === "group";
  // Whether I may set the timer: a group's settings are asked for once its menu opens.
  const timerAllowed = useMayChangeTimer(chat, menu || timer);

  const startCall = (kind: CallKind) => {
    if (!person) return;
    setError(null);
    api.startCall(person.user_id, kind).catch((e) => setError(describeError(e)));
  };
  const block = () => {
    setMenu(false);
    if (!person) return;
    setError(null);
    api
      .blockUser(person.user_id)
      .then(() => setNotice(`${person.display_name} is blocked.`))
      .catch((e) => setError(describeError(e)));
  };
  const openTimer = () => {
    setMenu(false);
    setTimer(true);
  };
  const openBackground = () => {
    setMenu(false);
    setChoosingBackground(true);
  };
  const openClear = () => {
    setMenu(false);
    setNotice(null);
    setClearing(true);
  };
  /** The report form, or the question before deleting, below the header. */
  const show = (form: "report" | "delete") => {
    setMenu(false);
    setNotice(null);
    setReporting(form === "report");
    setDeleting(form === "delete");
  };
  const deleteChat = () => {
    setBusy(true);
    setError(null);
    chatsApi
      .deleteChat(chatId)
      .then(onDeleted)
      .catch((e) => setError(describeError(e)))
      .finally(() => setBusy(false));
  };

  return (
    <>
      <header className="conversation-header">
        {chat && <Avatar {...chatAvatar(chat)} blurred={chat.request} />}
        <div className="conversation-title">
          <div className="contact-name" data-testid="conversation-name">
            {group && onOpenInfo ? (
              <button
                type="button"
                className="title-button"
                title="Group info"
                onClick={onOpenInfo}
              >
                {chat.title}
              </button>
            ) : (
              (chat?.title ?? "")
            )}
          </div>
          <div className="hint" data-testid="conversation-status">
            {typing && group ? (
              typingText(typingIds.map((id) => nameOf?.(id) ?? "Someone"))
            ) : typing ? (
              "typing…"
            ) : group ? (
              `${chat.member_count} ${chat.member_count === 1 ? "member" : "members"}`
            ) : person ? (
              <PersonLine person={person} />
            ) : null}
          </div>
        </div>
        <ChatTimerMark afterMs={chat?.disappear_after_ms} />
        <button
          type="button"
          className="link-button header-search"
          aria-label="Search in this chat"
          title="Search in this chat"
          data-testid="conversation-search-toggle"
          onClick={onToggleSearch}
        >
          <SearchIcon size={20} />
        </button>
        {onOpenGallery && (
          <button
            type="button"
            className="link-button header-call"
            aria-label="Media, links and docs"
            title="Media, links and docs"
            data-testid="open-gallery"
            onClick={onOpenGallery}
          >
            <ImageIcon size={20} />
          </button>
        )}
        {group && onOpenInfo && (
          <button
            type="button"
            className="link-button header-call"
            aria-label="Group info"
            title="Group info"
            data-testid="open-group-info"
            onClick={onOpenInfo}
          >
            <InfoIcon size={20} />
          </button>
        )}
        {person && (
          <CallButtons
            onCall={startCall}
            className="header-call"
            testIdPrefix="chat-call-"
            size={20}
          />
        )}
        {chat && (
          <div className="header-more">
            <button
              type="button"
              className="link-button header-call"
              aria-label={`More for ${person?.display_name ?? chat.title}`}
              title="More"
              data-testid="conversation-more"
              ref={more}
              onClick={() => setMenu(!menu)}
            >
              <MoreIcon size={20} />
            </button>
            {menu && (
              <div className="menu" role="menu">
                <button
                  type="button"
                  data-testid="menu-disappearing"
                  disabled={timerAllowed === false}
                  onClick={openTimer}
                >
                  Disappearing messages
                  {timerAllowed === false && (
                    <span className="hint menu-hint" data-testid="menu-disappearing-hint">
                      {chat.my_role === null
                        ? "You're no longer a member of this group"
                        : "Only admins can change this"}
                    </span>
                  )}
                </button>
                <button type="button" data-testid="menu-background" onClick={openBackground}>
                  Chat background
                </button>
                {person && (
                  <>
                    <button type="button" data-testid="conversation-block" onClick={block}>
                      Block {person.display_name}
                    </button>
                    <button
                      type="button"
                      data-testid="conversation-report"
                      onClick={() => show("report")}
                    >
                      Report {person.display_name}
                    </button>
                  </>
                )}
                <button type="button" data-testid="menu-clear-chat" onClick={openClear}>
                  Clear chat
                </button>
                {person && (
                  <button
                    type="button"
                    data-testid="conversation-delete-chat"
                    onClick={() => show("delete")}
                  >
                    Delete chat
                  </button>
                )}
              </div>
            )}
          </div>
        )}
      </header>
      {error && (
        <p className="error conversation-call-error" role="alert" data-testid="chat-call-error">
          {error}
        </p>
      )}
      {notice && (
        <p className="hint conversation-notice" role="status" data-testid="conversation-notice">
          {notice}
        </p>
      )}
      {person && reporting && (
        <div className="conversation-report">
          <ReportForm
            contact={person}
            onDone={() => {
              setReporting(false);
              setNotice("Thanks — the report was sent.");
            }}
            onCancel={() => setReporting(false)}
          />
        </div>
      )}
      {chat && timer && (
        <TimerDialog
          chatId={chatId}
          current={chat.disappear_after_ms ?? null}
          allowed={timerAllowed !== false}
          onClose={() => setTimer(false)}
          returnFocus={more}
        />
      )}
      {chat && choosingBackground && (
        <BackgroundDialog
          chat={chat}
          onClose={() => setChoosingBackground(false)}
          returnFocus={more}
        />
      )}
      {chat && clearing && (
        <ClearChatDialog
          chatId={chatId}
          onCleared={() => onCleared?.()}
          onClose={() => setClearing(false)}
          returnFocus={more}
        />
      )}
      {person && deleting && (
        <div className="conversation-report">
          <Confirm
            label="Delete chat"
            testId="delete-chat-confirm"
            busy={busy}
            onConfirm={deleteChat}
            onCancel={() => setDeleting(false)}
          >
            Delete your chat with {person.display_name}, with its messages, on all your devices? A
            new message from them starts it again.
          </Confirm>
        </div>
      )}
    </>
  );
}
