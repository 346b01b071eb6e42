import type { Message } from "../../api";
import { BookmarkIcon, TimerIcon } from "../../components/Icon";
import { disappearsWords, durationShort, timerTitle } from "./words";
import "./disappearing.css";

/** A chat's timer in a few letters (a stopwatch and "24h"), for its header; nothing when off. */
export function ChatTimerMark({ afterMs }: { afterMs: number | null | undefined }) {
  if (afterMs == null) return null;
  const title = timerTitle(afterMs);
  return (
    <span
      className="chat-timer-mark"
      data-testid="chat-timer-mark"
      title={title}
      role="img"
      aria-label={title}
    >
      <TimerIcon size={14} />
      {durationShort(afterMs)}
    </span>
  );
}

/**
 * Beside a message's time: a stopwatch while it is to disappear (its title says when), a bookmark
 * once someone kept it; nothing for a message sent without a timer, or a tombstone.
 */
export function ExpiryMark({ message }: { message: Message }) {
  if (message.expired || message.deleted_at !== null) return null;
  if (message.kept) {
    return (
      <span
        className="kept-mark"
        data-testid="bubble-kept"
        title="Kept"
        role="img"
        aria-label="Kept"
      >
        <BookmarkIcon size={12} filled />
      </span>
    );
  }
  if (typeof message.expires_at !== "number") return null;
  const when = disappearsWords(message.expires_at);
  return (
    <span
      className="timer-mark"
      data-testid="bubble-timer"
      title={when}
      role="img"
      aria-label={when}
    >
      <TimerIcon size={12} />
    </span>
  );
}
