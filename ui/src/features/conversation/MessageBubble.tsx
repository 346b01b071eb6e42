import type { ReactNode } from "react";
import type { LocalMessage } from "../../api";
import { messageText, type Tick } from "../../chatText";
import {
  AlertIcon,
  CheckIcon,
  ClockIcon,
  CloseIcon,
  DoubleCheckIcon,
  MoreIcon,
  StarIcon,
} from "../../components/Icon";
import Avatar from "../../components/Avatar";
import { clockTime } from "../../time";
import { ExpiryMark } from "../disappearing/Marks";
import ContactCardView from "../media/ContactCardView";
import LinkPreviewCard from "../media/LinkPreviewCard";
import MediaAttachments from "../media/MediaAttachments";
import { useMediaActions } from "../media/MediaContext";
import type { NameOf } from "../groups/words";
import EventCard from "../events/EventCard";
import PollCard from "../polls/PollCard";
import StatusQuoteView from "../status/StatusQuoteView";
import { renderMentions, type MentionNames } from "./mentions";
import MessageText from "./MessageText";
import { senderColor } from "./senders";

/** Who sent a message in a group (others' only), and whether their avatar starts a run. */
export interface Sender {
  userId: string;
  name: string;
  photo: string | null;
  /** The first of their messages in a row: their avatar beside it. */
  first: boolean;
}

/** Where no names are known: voters and those who answered show as "Someone". */
const noName: NameOf = () => undefined;

/** A tick as a line icon (emoji fonts are not on every desktop). */
function TickIcon({ tick }: { tick: Tick }) {
  switch (tick) {
    case "pending":
      return <ClockIcon />;
    case "failed":
      return <AlertIcon />;
    case "sent":
      return <CheckIcon />;
    case "delivered":
    case "read":
      return <DoubleCheckIcon />;
  }
}

/**
 * What a message says: its attachments and caption, a contact card, a poll, an event, or its
 * text (with its link's preview); a deleted one's tombstone. Links in the text or caption, and
 * the preview, open on a click.
 */
function MessageBody({
  local,
  mine,
  names,
  voterName,
}: {
  local: LocalMessage;
  mine: boolean;
  names: MentionNames | null;
  voterName: NameOf;
}) {
  const { openLink, myId } = useMediaActions();
  const m = local.message;
  const content = m.deleted_at === null ? m.content : null;
  if (content?.kind === "contact") return <ContactCardView card={content.card} />;
  if (content?.kind === "poll") {
    return <PollCard local={local} poll={content.poll} nameOf={voterName} />;
  }
  if (content?.kind === "event") {
    return <EventCard local={local} event={content.event} nameOf={voterName} />;
  }
  const text =
    content === null ? (
      <div className="message-text deleted" data-testid="message-text">
        {messageText(m)}
      </div>
    ) : content.kind !== "media" || content.caption ? (
      <div className="message-text" data-testid="message-text">
        <MessageText
          text={content.kind === "media" ? (content.caption ?? "") : messageText(m)}
          names={names}
        />
      </div>
    ) : null;
  return (
    <>
      {content?.kind === "media" && (
        <MediaAttachments local={local} attachments={content.attachments} mine={mine} />
      )}
      {content?.kind === "text" && content.status && (
        <StatusQuoteView quote={content.status} myId={myId} nameOf={voterName} />
      )}
      {text}
      {content?.kind === "text" && content.preview && (
        <LinkPreviewCard preview={content.preview} onOpen={openLink} />
      )}
    </>
  );
}

/**
 * One message in the timeline: forwarded mark, the quote it answers ("Message expired" once that
 * one disappeared), what it says, reactions, my star, whether it will disappear (or was kept),
 * time, tick (mine only) and the actions button; its info, a send failure and its menu under it.
 */
export default function MessageBubble({
  local,
  mine,
  tick,
  quoted,
  quoteExpired = false,
  highlighted,
  info,
  onToggleMenu,
  onCloseInfo,
  menu,
  sender = null,
  names = null,
  voterName = noName,
}: {
  local: LocalMessage;
  mine: boolean;
  /** Where one of my messages stands; null for others'. */
  tick: Tick | null;
  quoted: LocalMessage | undefined;
  /** The message it answers (not in `quoted`) disappeared. */
  quoteExpired?: boolean;
  highlighted: boolean;
  /** Who received and read it, when asked for. */
  info: string | null;
  onToggleMenu: () => void;
  onCloseInfo: () => void;
  /** The open action menu, if it is this message's. */
  menu: ReactNode;
  /** In a group, who sent someone else's message. */
  sender?: Sender | null;
  /** Names for mentions (a group's members). */
  names?: MentionNames | null;
  /** Names of a poll's voters and of those who answered an event. */
  voterName?: NameOf;
}) {
  const m = local.message;
  const deleted = m.deleted_at !== null;
  const media = !deleted && m.content?.kind === "media";
  const bubble = (
    <div
      className={`bubble ${mine ? "mine" : "theirs"}${media ? " media-bubble" : ""}${highlighted ? " highlight" : ""}`}
      data-testid="message"
      data-message-id={m.id}
      data-seq={m.seq}
      data-status={tick ?? "received"}
    >
      {sender && (
        <div
          className={`sender-name sender-${senderColor(sender.userId)}`}
          data-testid="message-sender"
        >
          {sender.name}
        </div>
      )}
      {m.forwarded && <div className="hint">Forwarded</div>}
      {quoted ? (
        <div className="quote" data-testid="message-quote">
          {renderMentions(messageText(quoted.message), names)}
        </div>
      ) : (
        quoteExpired && (
          <div className="quote expired" data-testid="message-quote">
            Message expired
          </div>
        )
      )}
      <MessageBody local={local} mine={mine} names={names} voterName={voterName} />
      {m.reactions.length > 0 && (
        <div className="reactions" data-testid="message-reactions">
          {m.reactions.map((r) => r.emoji).join(" ")}
        </div>
      )}
      <div className="message-meta">
        {m.edited_at !== null && !deleted && <span>edited</span>}
        {m.starred && !deleted && (
          <span
            className="starred-mark"
            data-testid="message-starred-mark"
            title="Starred"
            role="img"
            aria-label="Starred"
          >
            <StarIcon size={12} filled />
          </span>
        )}
        <ExpiryMark message={m} />
        <span>{clockTime(m.sent_at)}</span>
        {tick && (
          <span
            className={`tick tick-${tick}`}
            data-testid="message-tick"
            title={tick}
            role="img"
            aria-label={tick}
          >
            <TickIcon tick={tick} />
          </span>
        )}
        {!deleted && m.seq > 0 && (
          <button
            type="button"
            className="link-button"
            aria-label="Message actions"
            data-testid="message-menu"
            onClick={onToggleMenu}
          >
            <MoreIcon size={16} />
          </button>
        )}
      </div>
      {info !== null && (
        <div className="hint" data-testid="message-info-text">
          {info}{" "}
          <button type="button" className="link-button" aria-label="Close" onClick={onCloseInfo}>
            <CloseIcon size={12} />
          </button>
        </div>
      )}
      {local.status.state === "failed" && (
        <div className="error" data-testid="message-failed">
          Not sent: {local.status.message}
        </div>
      )}
      {menu}
    </div>
  );
  if (!sender) return bubble;
  // Others' messages in a group: the sender's avatar beside the first of a run, room for it
  // beside the rest.
  return (
    <div className="sender-run">
      {sender.first ? (
        <span className="sender-avatar" data-testid="message-avatar">
          <Avatar
            owner={{ kind: "user", id: sender.userId }}
            photo={sender.photo}
            name={sender.name}
          />
        </span>
      ) : (
        <span className="sender-avatar" aria-hidden="true" />
      )}
      {bubble}
    </div>
  );
}
