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
} from "../../components/Icon";
import { clockTime } from "../../time";

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
 * One message in the timeline: forwarded mark, the quote it answers, its text, reactions, time,
 * tick (mine only) and the actions button; its info, a send failure and its menu under it.
 */
export default function MessageBubble({
  local,
  mine,
  tick,
  quoted,
  highlighted,
  info,
  onToggleMenu,
  onCloseInfo,
  menu,
}: {
  local: LocalMessage;
  mine: boolean;
  /** Where one of my messages stands; null for others'. */
  tick: Tick | null;
  quoted: LocalMessage | undefined;
  highlighted: boolean;
  /** Who received and read it, when asked for. */
  info: string | null;
  onToggleMenu: () => void;
  onCloseInfo: () => void;
  /** The open action menu, if it is this message's. */
  menu: ReactNode;
}) {
  const m = local.message;
  const deleted = m.deleted_at !== null;
  return (
    <div
      className={`bubble ${mine ? "mine" : "theirs"}${highlighted ? " highlight" : ""}`}
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
      <div className={deleted ? "message-text deleted" : "message-text"} data-testid="message-text">
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
}
