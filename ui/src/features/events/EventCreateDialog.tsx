import { useState, type FormEvent } from "react";
import { describeError } from "../../api";
import { LAYER, useEscape } from "../../shortcuts";
import { conversationApi } from "../conversation/api";
import { eventsApi, type Event } from "./api";
import {
  draftOf,
  draftProblems,
  draftZone,
  endsNextDay,
  eventOf,
  moveStart,
  newDraft,
  type DraftField,
  type EventDraft,
} from "./draft";
import { localZone, zoneCity } from "./when";
import "./events.css";

/** Under an input: what is wrong with it, once the form was sent. */
function Problem({ field, text }: { field: DraftField; text: string | undefined }) {
  if (!text) return null;
  return (
    <span className="error event-problem" data-testid={`event-problem-${field}`}>
      {text}
    </span>
  );
}

/**
 * Planning an event (the clip's Event): a title, the day and start time (the next full hour
 * at first), an optional end (its time, and its day when not the start's or the next: an end
 * with its day moves along with the start), the place, a call link and a description. With
 * `editing` (its creator's Edit on the card) the same form, filled in, changes that event, its
 * times in its own zone (said when not the viewer's). What is wrong is shown under each input
 * once sent; it closes once the event is sent or changed, on Cancel and on Esc, and a refusal
 * stays in it with the server's words.
 */
export default function EventCreateDialog({
  chatId,
  editing = null,
  onClose,
  onSent,
}: {
  chatId: string;
  /** The event to change, and its message. */
  editing?: { messageId: string; event: Event } | null;
  onClose: () => void;
  onSent: () => void;
}) {
  const [draft, setDraft] = useState<EventDraft>(() =>
    editing ? draftOf(editing.event) : newDraft(),
  );
  /** Sent once: problems show (and follow the typing) from then on. */
  const [tried, setTried] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  useEscape(true, LAYER.menu, onClose);

  /** The zone the inputs are in: the event's own when changing one, else the device's. */
  const zone = editing ? draftZone(editing.event) : undefined;
  const problems = draftProblems(draft, zone);
  const shown = tried ? problems : {};
  const set = (field: keyof EventDraft) => (value: string) =>
    setDraft({ ...draft, [field]: value });
  const setStart = (date: string, time: string) => setDraft(moveStart(draft, date, time, zone));
  const label = editing ? "Edit the event" : "Plan an event";

  const send = async (event?: FormEvent) => {
    event?.preventDefault();
    if (busy) return;
    setTried(true);
    if (Object.keys(problems).length > 0) return;
    setBusy(true);
    setError(null);
    try {
      if (editing) {
        await conversationApi.actOnMessage(chatId, editing.messageId, {
          action: "update_event",
          event: eventOf(draft, editing.event),
        });
      } else {
        await eventsApi.sendEvent(chatId, eventOf(draft));
      }
      onSent();
    } catch (e) {
      setError(describeError(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="modal-backdrop">
      <form
        className="modal event-create"
        role="dialog"
        aria-modal="true"
        aria-label={label}
        data-testid="event-create-dialog"
        noValidate
        onSubmit={send}
      >
        <h2 className="modal-title">{label}</h2>
        <label className="field">
          Title
          <input
            type="text"
            placeholder="What is happening?"
            data-testid="event-title"
            autoFocus
            aria-invalid={shown.title !== undefined}
            value={draft.title}
            onChange={(event) => set("title")(event.target.value)}
          />
          <Problem field="title" text={shown.title} />
        </label>
        {zone !== undefined && zone !== localZone() && (
          <span className="hint" data-testid="event-dialog-zone">
            Times in {zoneCity(zone)} time
          </span>
        )}
        <div className="event-create-when">
          <label className="field">
            Date
            <input
              type="date"
              data-testid="event-date"
              aria-invalid={shown.time !== undefined}
              value={draft.date}
              onChange={(event) => setStart(event.target.value, draft.time)}
            />
          </label>
          <label className="field">
            Starts
            <input
              type="time"
              data-testid="event-time"
              aria-invalid={shown.time !== undefined}
              value={draft.time}
              onChange={(event) => setStart(draft.date, event.target.value)}
            />
          </label>
        </div>
        <div className="event-create-when">
          <label className="field">
            End date (optional)
            <input
              type="date"
              data-testid="event-end-date"
              aria-invalid={shown.end !== undefined}
              value={draft.endDate}
              onChange={(event) => set("endDate")(event.target.value)}
            />
          </label>
          <label className="field">
            Ends (optional)
            <input
              type="time"
              data-testid="event-end-time"
              aria-invalid={shown.end !== undefined}
              value={draft.endTime}
              onChange={(event) => set("endTime")(event.target.value)}
            />
          </label>
        </div>
        <Problem field="time" text={shown.time} />
        <Problem field="end" text={shown.end} />
        {!shown.end && endsNextDay(draft, zone) && (
          <span className="hint" data-testid="event-ends-next-day">
            Ends the next day
          </span>
        )}
        <label className="field">
          Place
          <input
            type="text"
            placeholder="Where? (optional)"
            data-testid="event-place"
            aria-invalid={shown.place !== undefined}
            value={draft.place}
            onChange={(event) => set("place")(event.target.value)}
          />
          <Problem field="place" text={shown.place} />
        </label>
        <label className="field">
          Call link
          <input
            type="url"
            placeholder="https://… (optional)"
            data-testid="event-call-link"
            aria-invalid={shown.callLink !== undefined}
            value={draft.callLink}
            onChange={(event) => set("callLink")(event.target.value)}
          />
          <Problem field="callLink" text={shown.callLink} />
        </label>
        <label className="field">
          Description
          <textarea
            rows={3}
            placeholder="Anything else to know (optional)"
            data-testid="event-description"
            aria-invalid={shown.description !== undefined}
            value={draft.description}
            onChange={(event) => set("description")(event.target.value)}
          />
          <Problem field="description" text={shown.description} />
        </label>
        {error && (
          <p className="error" role="alert" data-testid="event-error">
            {error}
          </p>
        )}
        <div className="row modal-actions">
          <button
            type="button"
            className="link-button"
            data-testid="event-dialog-cancel"
            onClick={onClose}
          >
            Cancel
          </button>
          <button
            type="submit"
            data-testid={editing ? "event-save" : "event-create"}
            disabled={busy}
          >
            {busy ? (editing ? "Saving…" : "Sending…") : editing ? "Save" : "Send"}
          </button>
        </div>
      </form>
    </div>
  );
}
