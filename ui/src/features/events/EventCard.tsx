import { useState } from "react";
import { createPortal } from "react-dom";
import { describeError, type LocalMessage, type MessageAction } from "../../api";
import Confirm from "../../components/Confirm";
import { useNow } from "../../hooks";
import { openLink } from "../../links";
import { conversationApi } from "../conversation/api";
import type { NameOf } from "../groups/words";
import { useMediaActions } from "../media/MediaContext";
import type { Event } from "./api";
import EventAnswers from "./EventAnswers";
import EventCreateDialog from "./EventCreateDialog";
import EventReminder from "./EventReminder";
import {
  creatorZoneWords,
  isOver,
  monthAndDay,
  myRsvp,
  nextRsvp,
  RSVP_WORDS,
  RSVPS,
  rsvpCounts,
  whenWords,
} from "./when";
import "./events.css";

/** "MAR" over "14": the start's day on the card's corner, in the viewer's time ("?" for a start
 * that cannot be shown). */
function DateChip({ at }: { at: number }) {
  const date = monthAndDay(at);
  return (
    <span className="event-date-chip" aria-hidden="true">
      <span className="event-date-month">{date?.month ?? ""}</span>
      <span className="event-date-day">{date?.day ?? "?"}</span>
    </span>
  );
}

/**
 * An event in its bubble: its title, when it is in the viewer's own time (and in its creator's
 * when that reads otherwise), place, description and call link; going / maybe / not going with
 * how many gave each (a tap on my answer takes it back), who answered what, and for those going
 * when this device reminds them. Its creator may change or cancel it; a cancelled one takes no
 * answers, and one that is over says so. A tap sends at once (the backend shows it at once and
 * sends it when it can); an event not sent yet takes none.
 */
export default function EventCard({
  local,
  event,
  nameOf,
}: {
  local: LocalMessage;
  event: Event;
  /** Names of those who answered. */
  nameOf: NameOf;
}) {
  const { myId, notify } = useMediaActions();
  const now = useNow(true, 60_000);
  const [showAnswers, setShowAnswers] = useState(false);
  const [editing, setEditing] = useState(false);
  const [cancelling, setCancelling] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const m = local.message;
  const mine = myRsvp(m.rsvps, myId);
  const counts = rsvpCounts(m.rsvps);
  const cancelled = event.cancelled_at !== undefined;
  const over = isOver(event, now);
  const sent = local.status.state === "sent" && m.seq > 0;
  const canAnswer = sent && !cancelled && myId !== null;
  const creator = sent && !cancelled && myId !== null && m.sender_id === myId;
  const zoneWords = creatorZoneWords(event);

  const act = (action: MessageAction) => {
    setError(null);
    return conversationApi
      .actOnMessage(m.chat_id, m.id, action)
      .catch((e) => setError(describeError(e)));
  };
  const joinCall = (link: string) => {
    setError(null);
    openLink(link).catch((e) => setError(describeError(e)));
  };
  const cancelEvent = () => {
    setBusy(true);
    void act({ action: "cancel_event" }).finally(() => {
      setBusy(false);
      setCancelling(false);
    });
  };

  return (
    <div
      className={`event-card${cancelled ? " event-card-cancelled" : ""}`}
      data-testid="event-card"
      data-message-id={m.id}
      role="group"
      aria-label={`Event: ${event.title}`}
    >
      <div className="event-head">
        <DateChip at={event.starts_at} />
        <div className="event-head-text">
          <div className="event-title" data-testid="event-title-text">
            {event.title}
          </div>
          <div className="event-when" data-testid="event-when">
            {whenWords(event, now)}
            {cancelled ? (
              <span className="event-badge event-badge-cancelled" data-testid="event-cancelled">
                Cancelled
              </span>
            ) : (
              over && (
                <span className="event-badge" data-testid="event-ended">
                  Ended
                </span>
              )
            )}
          </div>
          {zoneWords && (
            <div className="hint" data-testid="event-zone-time">
              {zoneWords}
            </div>
          )}
        </div>
      </div>
      {event.place && (
        <div className="event-place" data-testid="event-place">
          <span className="hint">Where </span>
          {event.place}
        </div>
      )}
      {event.description && (
        <div className="event-description" data-testid="event-description-text">
          {event.description}
        </div>
      )}
      {event.call_link && !cancelled && (
        <div className="event-link">
          {/* Handed to the app (`open_link`): the system's browser opens it; a refused or failed
           * one says why under the card. Copy link works everywhere. */}
          <button
            type="button"
            className="event-join"
            title={event.call_link}
            data-testid="event-join"
            onClick={() => joinCall(event.call_link!)}
          >
            Join call
          </button>
          <button
            type="button"
            className="link-button"
            data-testid="event-copy-link"
            onClick={() => {
              void navigator.clipboard?.writeText(event.call_link ?? "");
              notify("The call link was copied.");
            }}
          >
            Copy link
          </button>
        </div>
      )}
      <div className="event-rsvps" role="group" aria-label="Your answer">
        {RSVPS.map((rsvp) => (
          <button
            key={rsvp}
            type="button"
            className={`event-rsvp${mine === rsvp ? " chosen" : ""}`}
            aria-pressed={mine === rsvp}
            data-testid={`event-rsvp-${rsvp}`}
            disabled={!canAnswer}
            onClick={() => void act({ action: "rsvp", rsvp: nextRsvp(mine, rsvp) })}
          >
            <span>{RSVP_WORDS[rsvp]}</span>
            <span className="event-rsvp-count" data-testid={`event-count-${rsvp}`}>
              {counts[rsvp]}
            </span>
          </button>
        ))}
      </div>
      {mine === "going" && canAnswer && event.starts_at > now && <EventReminder messageId={m.id} />}
      <div className="event-foot">
        <button
          type="button"
          className="link-button"
          aria-expanded={showAnswers}
          data-testid="event-answers"
          onClick={() => setShowAnswers(!showAnswers)}
        >
          {showAnswers ? "Hide answers" : "Who's coming"}
        </button>
        {creator && (
          <>
            <button
              type="button"
              className="link-button"
              data-testid="event-edit"
              onClick={() => setEditing(true)}
            >
              Edit
            </button>
            <button
              type="button"
              className="link-button"
              data-testid="event-cancel"
              onClick={() => setCancelling(true)}
            >
              Cancel event
            </button>
          </>
        )}
      </div>
      {cancelling && creator && (
        <Confirm
          label="Cancel event"
          testId="event-cancel-confirm"
          busy={busy}
          onConfirm={cancelEvent}
          onCancel={() => setCancelling(false)}
        >
          Cancel “{event.title}” for everyone in the chat? Nobody can answer it after, and it can't
          be changed.
        </Confirm>
      )}
      {showAnswers && <EventAnswers rsvps={m.rsvps} myId={myId} nameOf={nameOf} />}
      {error && (
        <p className="error event-problem" role="alert" data-testid="event-action-error">
          {error}
        </p>
      )}
      {editing &&
        creator &&
        // Over the window: a row of the timeline is moved by a transform, which would hold a
        // fixed backdrop inside it.
        createPortal(
          <EventCreateDialog
            chatId={m.chat_id}
            editing={{ messageId: m.id, event }}
            onClose={() => setEditing(false)}
            onSent={() => setEditing(false)}
          />,
          document.body,
        )}
    </div>
  );
}
