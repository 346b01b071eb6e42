import type { LocalMessage, MessageAction } from "../../api";
import { messageText } from "../../chatText";
import { clockTime, dayLabel } from "../../time";
import { knownName } from "../groups/hooks";
import { mentionsToText } from "./mentions";

const REACTIONS = ["👍", "❤️", "😂", "😮", "😢", "🙏"];
const EDIT_WINDOW_MS = 15 * 60 * 1000;
const DELETE_WINDOW_MS = 48 * 60 * 60 * 1000;

/** One message's actions: react, reply, forward, copy, star, keep, edit, delete, info. */
export default function MessageMenu({
  local,
  myId,
  now,
  canKeep = true,
  onAct,
  onReply,
  onForward,
  onEdit,
  onInfo,
  onClose,
}: {
  local: LocalMessage;
  myId: string;
  now: number;
  /** I may keep disappearing messages here (in a group, maybe only admins may). */
  canKeep?: boolean;
  onAct: (action: MessageAction) => void;
  onReply: () => void;
  onForward: () => void;
  onEdit: () => void;
  onInfo: () => void;
  onClose: () => void;
}) {
  const m = local.message;
  const mine = m.sender_id === myId;
  /** A cancelled event or a closed poll is not passed on (the app refuses it). */
  const forwardable =
    m.content !== null &&
    local.status.state === "sent" &&
    !(m.content.kind === "event" && m.content.event.cancelled_at !== undefined) &&
    !(m.content.kind === "poll" && m.content.poll.closed_at !== undefined);
  /** Any message still there (not a tombstone) but a group's happenings. */
  const starrable = m.deleted_at === null && m.content !== null && m.content.kind !== "system";
  /** A message still there that is to disappear (or was kept from it). */
  const keepable = canKeep && starrable && !m.expired && typeof m.expires_at === "number";
  return (
    <div className="menu" role="menu">
      <div className="row">
        {REACTIONS.map((r) => (
          <button
            key={r}
            type="button"
            className="link-button"
            onClick={() =>
              onAct({
                action: "react",
                emoji: m.reactions.some((x) => x.user_id === myId && x.emoji === r) ? null : r,
              })
            }
          >
            {r}
          </button>
        ))}
      </div>
      <button type="button" onClick={onReply}>
        Reply
      </button>
      {forwardable && (
        <button type="button" data-testid="message-forward" onClick={onForward}>
          Forward
        </button>
      )}
      <button
        type="button"
        onClick={() => {
          void navigator.clipboard?.writeText(mentionsToText(messageText(m), knownName));
          onClose();
        }}
      >
        Copy
      </button>
      {starrable && (
        <button
          type="button"
          data-testid="message-star"
          onClick={() => onAct({ action: "star", starred: !m.starred })}
        >
          {m.starred ? "Unstar" : "Star"}
        </button>
      )}
      {keepable && (
        <button
          type="button"
          data-testid="menu-keep"
          onClick={() => onAct({ action: "keep", kept: !m.kept })}
        >
          {m.kept ? "Unkeep" : "Keep"}
        </button>
      )}
      {/* A poll or an event is not edited here: an edit would turn it into text (an event's
       creator changes it on its card). */}
      {mine &&
        m.content?.kind !== "poll" &&
        m.content?.kind !== "event" &&
        now - m.sent_at < EDIT_WINDOW_MS && (
          <button type="button" onClick={onEdit}>
            Edit
          </button>
        )}
      <button type="button" onClick={() => onAct({ action: "delete_for_me" })}>
        Delete for me
      </button>
      {mine && now - m.sent_at < DELETE_WINDOW_MS && (
        <button
          type="button"
          data-testid="delete-for-everyone"
          onClick={() => onAct({ action: "delete_for_everyone" })}
        >
          Delete for everyone
        </button>
      )}
      {mine && (
        <button type="button" data-testid="message-info" onClick={onInfo}>
          Info
        </button>
      )}
      <p className="hint">
        Sent {dayLabel(m.sent_at, now)} at {clockTime(m.sent_at)}
      </p>
    </div>
  );
}
