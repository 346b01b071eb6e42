import {
  useCallback,
  useEffect,
  useLayoutEffect,
  useMemo,
  useRef,
  useState,
  type FormEvent,
  type KeyboardEvent,
} from "react";
import { useVirtualizer } from "@tanstack/react-virtual";
import { describeError, type LocalMessage, type MessageInfo } from "../../api";
import type { Background } from "../../bindings/Background";
import { messageText, tickOf } from "../../chatText";
import { ChevronDownIcon, CloseIcon, SmileIcon } from "../../components/Icon";
import { LAYER, useEscape } from "../../shortcuts";
import { clockTime, dayLabel } from "../../time";
import { backgroundLook, backgroundMarker, effectiveBackground } from "../appearance/appearance";
import type { OpenChat } from "../chats/ChatList";
import { useChats, useWhenGone } from "../chats/hooks";
import { mayKeep } from "../disappearing/hooks";
import { NEW_GROUP_SETTINGS, type GroupSettings } from "../groups/api";
import GroupInfoPanel from "../groups/GroupInfoPanel";
import { useMembers, useNames } from "../groups/hooks";
import { isAdmin, type NameOf } from "../groups/words";
import { mediaApi } from "../media/api";
import ComposerPreview, { useLinkPreviewDraft } from "../media/ComposerPreview";
import RequestBar from "../requests/RequestBar";
import Gallery from "../media/Gallery";
import { useFileDrop } from "../media/hooks";
import { MediaProvider } from "../media/MediaContext";
import MediaSheet, { AttachButton, DropZone } from "../media/MediaSheet";
import { pastedFiles, usePickedFiles } from "../media/picked";
import ShareContactDialog from "../media/ShareContactDialog";
import PollCreateDialog from "../polls/PollCreateDialog";
import EventCreateDialog from "../events/EventCreateDialog";
import UpcomingEvents from "../events/UpcomingEvents";
import ChatStarred from "../starred/ChatStarred";
import VoiceRecorder, { useVoiceRecording } from "../media/VoiceRecorder";
import { conversationApi } from "./api";
import ConversationHeader from "./ConversationHeader";
import ConversationSearch from "./ConversationSearch";
import EmojiPicker from "./EmojiPicker";
import ForwardPicker from "./ForwardPicker";
import { TYPING_THROTTLE_MS, useChatMessages } from "./hooks";
import MessageBubble from "./MessageBubble";
import MentionList, { useMentionCompletion } from "./MentionList";
import { decodeMentions, encodeMentions, mentionsToText } from "./mentions";
import MessageMenu from "./MessageMenu";
import RefusedNotice from "./RefusedNotice";
import SystemNotice from "./SystemNotice";
import { useJump } from "./jump";
import { useHeightsOfHeldRows, useRowKeptInView } from "./timeline";
import { PAGE } from "./window";
import "../appearance/appearance.css";
import "./conversation.css";

/**
 * "Delivered today at 14:02 · Read today at 14:05" for a message's info; in a group, each
 * member's line starts with their name.
 */
function infoText(info: MessageInfo, nameOf: NameOf | null): string {
  const when = (ms: number | null) =>
    ms === null ? "not yet" : `${dayLabel(ms)} at ${clockTime(ms)}`;
  return info.receipts
    .map(
      (r) =>
        `${nameOf ? `${nameOf(r.user_id) ?? "Someone"}: ` : ""}Delivered ${when(r.delivered_at)} · Read ${r.read_at === null ? "—" : when(r.read_at)}`,
    )
    .join("; ");
}

/**
 * The settings before the settings change at `index`: the change before it, else what a group
 * starts with when its creation is in view, else unknown (null).
 */
function settingsBefore(rows: LocalMessage[], index: number): GroupSettings | null {
  for (let i = index - 1; i >= 0; i--) {
    const content = rows[i]?.message.content;
    if (content?.kind !== "system") continue;
    if (content.event.event === "settings_changed") return content.event.settings;
    if (content.event.event === "created") return NEW_GROUP_SETTINGS;
  }
  return null;
}

/**
 * The timer before the timer change at `index`: the change before it, else off when the group's
 * creation is in view (a group made with a timer says so just after), else unknown (undefined:
 * a direct chat may start with my default timer, unannounced).
 */
function timerBefore(rows: LocalMessage[], index: number): number | null | undefined {
  for (let i = index - 1; i >= 0; i--) {
    const content = rows[i]?.message.content;
    if (content?.kind !== "system") continue;
    if (content.event.event === "timer_changed") return content.event.after_ms;
    if (content.event.event === "created") return null;
  }
  return undefined;
}

/**
 * One conversation: header, the timeline with date separators and ticks (messages that
 * disappeared are not in it; a quote of one says so), and the composer with
 * its attachments (picked, pasted or dropped, shown in a sheet before they go), shared contacts,
 * polls, events, voice messages and link previews, and a notice when the server refuses a change
 * of mine. In a group: senders' names and avatars, its happenings in words, mentions, and the
 * info panel (with the upcoming events and starred messages). Beside it, the chat's gallery (in
 * a direct chat with the upcoming events and starred messages above it). It closes once the chat
 * is deleted for me (here or on another device); cleared, it stays open, empty as a new chat (or
 * with the starred messages I kept).
 */
export default function Conversation({
  open,
  myId,
  defaultBackground = null,
  onClose,
  onOpenChat,
}: {
  open: OpenChat;
  myId: string;
  /** My background for chats without their own (my appearance's). */
  defaultBackground?: Background | null;
  onClose: () => void;
  /** Opens another chat (a shared contact's Message). */
  onOpenChat?: (chatId: string) => void;
}) {
  return (
    <MediaProvider chatId={open.chatId} myId={myId} onOpenChat={onOpenChat ?? null}>
      <ConversationView
        open={open}
        myId={myId}
        defaultBackground={defaultBackground}
        onClose={onClose}
      />
    </MediaProvider>
  );
}

/** The conversation itself, inside the media provider its bubbles and sheet use. */
function ConversationView({
  open,
  myId,
  defaultBackground,
  onClose,
}: {
  open: OpenChat;
  myId: string;
  defaultBackground: Background | null;
  onClose: () => void;
}) {
  const chatId = open.chatId;
  const [atBottom, setAtBottom] = useState(true);
  const chatMessages = useChatMessages(chatId, atBottom);
  const {
    messages,
    gone,
    complete,
    newest,
    olderInStore,
    showNewest,
    backToNewest,
    loadOlder: loadOlderRows,
    loadNewer: loadNewerRows,
  } = chatMessages;
  /** The newest message is held and the view is at it: new ones come into view. */
  const following = atBottom && newest;
  /** Back to the newest messages (a jump down, or after sending). */
  const toNewest = useCallback(() => {
    setAtBottom(true);
    backToNewest();
  }, [backToNewest]);
  /** An older page is on its way (scrolling up, or a jump back to a search hit). */
  const loadingOlder = useRef(false);
  const loadingNewer = useRef(false);
  const { chats } = useChats();
  const chat = chats?.find((c) => c.id === chatId) ?? null;
  useWhenGone(chatId, chats, onClose);
  const group = chat?.kind === "group";
  const members = useMembers(group ? chatId : null, chat?.members_seq ?? 0);
  const nameOf = useNames();
  // Voters' names (and those of whoever answered or changed an event): a group's members, or
  // in a direct chat the other person.
  const peer = chat?.other_member ?? null;
  const voterName = useCallback<NameOf>(
    (userId) => nameOf(userId) ?? (peer?.user_id === userId ? peer.display_name : undefined),
    [nameOf, peer],
  );
  const [infoOpen, setInfoOpen] = useState(false);
  const [galleryOpen, setGalleryOpen] = useState(false);
  const [text, setText] = useState("");
  const [replyTo, setReplyTo] = useState<LocalMessage | null>(null);
  const [editing, setEditing] = useState<LocalMessage | null>(null);
  const [menuFor, setMenuFor] = useState<string | null>(null);
  const [emoji, setEmoji] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [hasOlder, setHasOlder] = useState(true);
  const [forwarding, setForwarding] = useState<LocalMessage | null>(null);
  const [sharingContact, setSharingContact] = useState(false);
  const [creatingPoll, setCreatingPoll] = useState(false);
  const [creatingEvent, setCreatingEvent] = useState(false);
  const [info, setInfo] = useState<{ id: string; text: string } | null>(null);
  const [searching, setSearching] = useState(false);
  const lastTyping = useRef(0);
  const list = useRef<HTMLDivElement>(null);
  const composer = useRef<HTMLTextAreaElement>(null);
  // In a group, who may no longer (or may not) write here.
  const notMember = group && chat.my_role === null;
  const adminsOnly = group && !notMember && chat.only_admins_send && !isAdmin(chat.my_role);
  const files = usePickedFiles();
  const dragging = useFileDrop(!notMember && !adminsOnly, files.addSources);
  const mentions = useMentionCompletion({
    members: group ? (members ?? []) : null,
    myId,
    text,
    setText,
    composer,
  });
  const voice = useVoiceRecording(chatId, {
    onError: setError,
    onSent: toNewest,
  });
  const recording = voice.phase !== "idle";
  const preview = useLinkPreviewDraft(text, editing === null);
  // Where the unread divider goes: fixed when the chat's tile first loads.
  const [readAtOpen, setReadAtOpen] = useState<number | null>(null);
  useEffect(() => {
    if (chat && readAtOpen === null) setReadAtOpen(chat.my_read_seq);
  }, [chat, readAtOpen]);

  // Ready to type as soon as a chat opens; not when it opens on a search hit, where the search
  // box the hit came from keeps the keyboard.
  useEffect(() => {
    if (!open.focus) composer.current?.focus();
  }, [chatId, open.focus]);

  // Reading: whatever is shown while the window has focus is read.
  useEffect(() => {
    if (chat && chat.unread > 0 && document.hasFocus()) {
      conversationApi.markRead(chatId).catch((e) => console.warn("mark_read failed", e));
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
    if (following && rows.length > 0) virtualizer.scrollToIndex(rows.length - 1, { align: "end" });
  }, [rows.length, following, virtualizer, messages]);

  // Rows come and go above the one in view (older pages in, the far end dropped): it stays put.
  const noteRowInView = useRowKeptInView(virtualizer, list, rows, following);
  useHeightsOfHeldRows(virtualizer, rows);

  const stopFollowing = useCallback(() => setAtBottom(false), []);
  const {
    highlight,
    looking,
    notice: jumpNotice,
    jumpToId,
    jumpToHit,
  } = useJump({
    initial: open.focus ? { id: open.focus, seq: open.focusSeq ?? null } : null,
    chatMessages,
    chat,
    virtualizer,
    loadingOlder,
    stopFollowing,
    onError: setError,
  });

  const byId = useMemo(() => new Map((messages ?? []).map((m) => [m.message.id, m])), [messages]);

  const onChange = (value: string, caret: number | null) => {
    setText(value);
    mentions.follow(value, caret);
    const now = Date.now();
    if (value.trim() !== "" && now - lastTyping.current > TYPING_THROTTLE_MS) {
      lastTyping.current = now;
      conversationApi.setTyping(chatId, true).catch(() => {});
    }
  };

  const submit = async (event?: FormEvent) => {
    event?.preventDefault();
    if (text.trim() === "") return;
    const body = group ? encodeMentions(text, mentions.picked) : text;
    setError(null);
    try {
      if (editing) {
        await conversationApi.actOnMessage(chatId, editing.message.id, {
          action: "edit",
          content: { kind: "text", text: body },
        });
        setEditing(null);
      } else {
        const replyId = replyTo?.message.id ?? null;
        if (preview.draft) {
          await mediaApi.sendTextWithPreview(chatId, body, replyId, preview.draft);
        } else {
          await conversationApi.sendText(chatId, body, replyId);
        }
        setReplyTo(null);
        preview.clear();
      }
      setText("");
      mentions.reset();
      toNewest();
      lastTyping.current = 0;
      conversationApi.setTyping(chatId, false).catch(() => {});
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
    // The @-completion list, while open, has the arrows, Enter, Tab and Esc.
    if (mentions.onKeyDown(event)) return;
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
  useEscape(searching, LAYER.search, () => setSearching(false));
  useEscape(infoOpen, LAYER.pane, () => setInfoOpen(false));
  useEscape(replyTo !== null || editing !== null, LAYER.quote, cancelQuote);

  const act = (local: LocalMessage, action: Parameters<typeof conversationApi.actOnMessage>[2]) => {
    setMenuFor(null);
    conversationApi
      .actOnMessage(chatId, local.message.id, action)
      .catch((e) => setError(describeError(e)));
  };

  // Older messages: from this device's store first, then from the server.
  const loadOlder = async () => {
    if (loadingOlder.current) return;
    loadingOlder.current = true;
    try {
      setAtBottom(false);
      const got = await loadOlderRows(PAGE);
      // Dropped: the window started over meanwhile (back to the newest, a jump).
      if (got === null) return;
      if (got < PAGE) {
        // The store has no more: fetch older ones from the server into it, then show them.
        setHasOlder(await conversationApi.loadOlderMessages(chatId));
        await loadOlderRows(PAGE - got);
      }
    } catch (e) {
      setError(describeError(e));
    } finally {
      loadingOlder.current = false;
    }
  };

  // Newer messages, after a long read back or a jump: from the store.
  const loadNewer = async () => {
    if (loadingNewer.current) return;
    loadingNewer.current = true;
    try {
      // They come in below the view, which does not follow them down.
      setAtBottom(false);
      await loadNewerRows();
    } catch (e) {
      setError(describeError(e));
    } finally {
      loadingNewer.current = false;
    }
  };

  const now = Date.now();
  const canLoadOlder = (hasOlder || olderInStore) && (messages?.[0]?.message.seq ?? 0) > 1;
  /** Nothing older is left to bring in: a message not here is not in the chat at all. */
  const allLoaded = complete || (!hasOlder && !olderInStore);

  /**
   * Whether the message a reply quotes disappeared: known gone (seen going, or said expired by
   * the messenger), or not here at all though the whole chat is, while the reply itself was sent
   * under a timer (it went before the chat opened). One merely not loaded yet is not quoted.
   */
  const quoteExpired = (m: LocalMessage["message"]) =>
    m.reply_to !== null &&
    !byId.has(m.reply_to) &&
    (gone.has(m.reply_to) || (allLoaded && typeof m.expires_at === "number"));
  // Behind the messages: mine for this chat, else the group's, else my default.
  const backdrop = effectiveBackground(chat, defaultBackground);
  const look = backgroundLook(backdrop.background);
  return (
    <div className="conversation-frame">
      <div
        className="conversation"
        data-testid="conversation"
        data-background={backgroundMarker(backdrop.background)}
        data-background-source={backdrop.source}
      >
        <ConversationHeader
          chatId={chatId}
          chat={chat}
          onToggleSearch={() => setSearching(!searching)}
          onOpenInfo={() => (setGalleryOpen(false), setInfoOpen(!infoOpen))}
          onOpenGallery={() => (setInfoOpen(false), setGalleryOpen(!galleryOpen))}
          onDeleted={onClose}
          onCleared={() => void showNewest()}
          nameOf={nameOf}
        />
        {searching && (
          <ConversationSearch
            chatId={chatId}
            onPick={(hit) => {
              setSearching(false);
              jumpToHit(hit.message.message);
            }}
          />
        )}
        {jumpNotice && (
          <p className="hint conversation-notice" role="status" data-testid="jump-notice">
            {jumpNotice}
          </p>
        )}
        <div
          className={look.className ? `timeline ${look.className}` : "timeline"}
          style={look.style}
          ref={list}
          data-testid="timeline"
          data-loaded={messages?.length ?? 0}
          data-oldest-seq={messages?.find((m) => m.message.seq > 0)?.message.seq ?? ""}
          onScroll={(event) => {
            const el = event.currentTarget;
            const fromBottom = el.scrollHeight - el.scrollTop - el.clientHeight;
            // At the bottom of what is held follows the chat only when that is its newest, and
            // not while a jump looks for its message (the window is moved by the jump then).
            setAtBottom(fromBottom < 40 && newest && !looking);
            noteRowInView();
            if (looking) return;
            if (el.scrollTop < 200 && canLoadOlder) void loadOlder();
            if (fromBottom < 200 && !newest) void loadNewer();
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
              const system = m.content?.kind === "system";
              // Others' messages in a group name their sender; the first of a run has their avatar.
              const sender =
                group && !mine && !system
                  ? {
                      userId: m.sender_id,
                      name: nameOf(m.sender_id) ?? "Someone",
                      photo: members?.find((p) => p.user_id === m.sender_id)?.photo ?? null,
                      first:
                        separator ||
                        unreadStart ||
                        previous?.message.sender_id !== m.sender_id ||
                        previous?.message.content?.kind === "system",
                    }
                  : null;
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
                  {system ? (
                    <SystemNotice
                      local={local}
                      myId={myId}
                      nameOf={voterName}
                      settingsBefore={
                        m.content?.kind === "system" && m.content.event.event === "settings_changed"
                          ? settingsBefore(rows, item.index)
                          : null
                      }
                      timerBefore={
                        m.content?.kind === "system" && m.content.event.event === "timer_changed"
                          ? timerBefore(rows, item.index)
                          : undefined
                      }
                      highlighted={highlight === m.id}
                    />
                  ) : (
                    <MessageBubble
                      sender={sender}
                      names={nameOf}
                      voterName={voterName}
                      local={local}
                      mine={mine}
                      tick={mine ? tickOf(local, chat) : null}
                      quoted={m.reply_to ? byId.get(m.reply_to) : undefined}
                      quoteExpired={quoteExpired(m)}
                      highlighted={highlight === m.id}
                      info={info?.id === m.id ? info.text : null}
                      onToggleMenu={() => setMenuFor(menuFor === m.id ? null : m.id)}
                      onCloseInfo={() => setInfo(null)}
                      menu={
                        menuFor === m.id && (
                          <MessageMenu
                            local={local}
                            myId={myId}
                            now={now}
                            canKeep={mayKeep(chat)}
                            onAct={(action) => act(local, action)}
                            onReply={() => {
                              setReplyTo(local);
                              setMenuFor(null);
                              composer.current?.focus();
                            }}
                            onForward={() => (setForwarding(local), setMenuFor(null))}
                            onEdit={() => {
                              setEditing(local);
                              const decoded = decodeMentions(messageText(m), nameOf);
                              setText(decoded.text);
                              mentions.setPicked(decoded.picked);
                              setMenuFor(null);
                              composer.current?.focus();
                            }}
                            onInfo={() => {
                              setMenuFor(null);
                              conversationApi
                                .messageInfo(chatId, m.id)
                                .then((found) =>
                                  setInfo({
                                    id: m.id,
                                    text: infoText(found, group ? nameOf : null),
                                  }),
                                )
                                .catch((e) => setError(describeError(e)));
                            }}
                            onClose={() => setMenuFor(null)}
                          />
                        )
                      }
                    />
                  )}
                </div>
              );
            })}
          </div>
        </div>
        {dragging && <DropZone />}
        {files.picked.length > 0 && (
          <MediaSheet
            chatId={chatId}
            replyTo={replyTo?.message.id ?? null}
            picked={files.picked}
            onAdd={files.addFiles}
            onRemove={files.remove}
            onCancel={() => {
              files.clear();
              composer.current?.focus();
            }}
            onSent={() => {
              files.clear();
              setReplyTo(null);
              toNewest();
              composer.current?.focus();
            }}
          />
        )}
        {sharingContact && (
          <ShareContactDialog
            chatId={chatId}
            replyTo={replyTo?.message.id ?? null}
            onClose={() => {
              setSharingContact(false);
              composer.current?.focus();
            }}
            onSent={() => {
              setSharingContact(false);
              setReplyTo(null);
              toNewest();
              composer.current?.focus();
            }}
          />
        )}
        {creatingPoll && (
          <PollCreateDialog
            chatId={chatId}
            onClose={() => {
              setCreatingPoll(false);
              composer.current?.focus();
            }}
            onSent={() => {
              setCreatingPoll(false);
              toNewest();
              composer.current?.focus();
            }}
          />
        )}
        {creatingEvent && (
          <EventCreateDialog
            chatId={chatId}
            onClose={() => {
              setCreatingEvent(false);
              composer.current?.focus();
            }}
            onSent={() => {
              setCreatingEvent(false);
              toNewest();
              composer.current?.focus();
            }}
          />
        )}
        {!following && (
          <button
            type="button"
            className="jump-to-bottom"
            aria-label="Jump to the newest message"
            onClick={toNewest}
          >
            <ChevronDownIcon />
          </button>
        )}
        {forwarding && (
          <ForwardPicker
            message={forwarding}
            chats={chats}
            onClose={() => setForwarding(null)}
            onError={setError}
          />
        )}
        <RefusedNotice chatId={chatId} />
        {error && (
          <p className="error" role="alert" data-testid="composer-error">
            {error}
          </p>
        )}
        {chat?.request ? (
          <RequestBar chat={chat} onGone={onClose} />
        ) : notMember ? (
          <p className="composer-notice" data-testid="not-member-notice">
            You're no longer a member of this group
          </p>
        ) : adminsOnly ? (
          <p className="composer-notice" data-testid="admins-only-notice">
            Only admins can send messages
          </p>
        ) : (
          <>
            {(replyTo || editing) && (
              <div className="composer-context" data-testid="composer-context">
                <span>
                  {editing ? "Editing: " : "Replying to: "}
                  {mentionsToText(messageText((editing ?? replyTo)!.message), nameOf)}
                </span>
                <button
                  type="button"
                  className="link-button"
                  aria-label={editing ? "Cancel the edit" : "Cancel the reply"}
                  onClick={() => {
                    setEditing(null);
                    setReplyTo(null);
                    setText("");
                  }}
                >
                  <CloseIcon />
                </button>
              </div>
            )}
            {emoji && !recording && <EmojiPicker onPick={(e) => setText(text + e)} />}
            {mentions.open && (
              <MentionList
                candidates={mentions.candidates}
                selected={mentions.selected}
                onPick={mentions.pick}
              />
            )}
            {preview.draft && <ComposerPreview draft={preview.draft} onRemove={preview.dismiss} />}
            <form className={recording ? "composer recording" : "composer"} onSubmit={submit}>
              <button
                type="button"
                className="link-button composer-emoji"
                aria-label="Emoji"
                title="Emoji"
                disabled={recording}
                onClick={() => setEmoji(!emoji)}
              >
                <SmileIcon size={22} />
              </button>
              <AttachButton
                onFiles={files.addFiles}
                onContact={() => setSharingContact(true)}
                onPoll={() => setCreatingPoll(true)}
                onEvent={() => setCreatingEvent(true)}
                disabled={recording}
              />
              <textarea
                ref={composer}
                data-testid="composer"
                rows={1}
                disabled={recording}
                placeholder="Type a message"
                value={text}
                onChange={(event) => onChange(event.target.value, event.target.selectionStart)}
                onKeyDown={onKeyDown}
                onPaste={(event) => {
                  // Pictures and files pasted go to the sheet; text pastes as text.
                  const pasted = pastedFiles(event.clipboardData);
                  if (pasted.length === 0) {
                    // Nothing but maybe a picture the webview did not hand over: ask the app.
                    if (!event.clipboardData?.getData?.("text/plain")) {
                      mediaApi
                        .pasteClipboardImage()
                        .then((source) => source && files.addSources([source]))
                        .catch(() => {});
                    }
                    return;
                  }
                  event.preventDefault();
                  files.addFiles(pasted);
                }}
                onClick={(event) =>
                  mentions.follow(event.currentTarget.value, event.currentTarget.selectionStart)
                }
                onKeyUp={(event) => {
                  if (event.key === "ArrowLeft" || event.key === "ArrowRight") {
                    mentions.follow(event.currentTarget.value, event.currentTarget.selectionStart);
                  }
                }}
              />
              {/* The microphone while there is nothing to send (and while it records). */}
              {recording || (!editing && text.trim() === "") ? (
                <VoiceRecorder recording={voice} />
              ) : (
                <button type="submit" data-testid="send">
                  {editing ? "Save" : "Send"}
                </button>
              )}
            </form>
          </>
        )}
      </div>
      {infoOpen && chat && group && (
        <GroupInfoPanel
          chat={chat}
          myId={myId}
          members={members}
          onClose={() => setInfoOpen(false)}
          onDeleted={onClose}
          onShowMessage={(messageId) => {
            setInfoOpen(false);
            jumpToId(messageId);
          }}
        />
      )}
      {galleryOpen && (
        <Gallery
          chatId={chatId}
          onPick={(messageId) => {
            setGalleryOpen(false);
            jumpToId(messageId);
          }}
          onClose={() => setGalleryOpen(false)}
        >
          {!group && (
            <UpcomingEvents
              chatId={chatId}
              myId={myId}
              hideEmpty
              onPick={(messageId) => {
                setGalleryOpen(false);
                jumpToId(messageId);
              }}
            />
          )}
          {!group && chat && (
            <ChatStarred
              chat={chat}
              myId={myId}
              onPick={(messageId) => {
                setGalleryOpen(false);
                jumpToId(messageId);
              }}
            />
          )}
        </Gallery>
      )}
    </div>
  );
}
