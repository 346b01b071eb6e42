import { useNow } from "../../hooks";
import { useChatEvents } from "./hooks";
import { myRsvp, RSVP_WORDS, shortWhen, upcomingOf } from "./when";
import "./events.css";

/**
 * A chat's events still to come, soonest first (the store's 50 soonest): title, when in the
 * viewer's time, and my answer; a click shows the event in the conversation. `hideEmpty`:
 * nothing at all while there are none (where the list is a guest, as in a direct chat's
 * gallery).
 */
export default function UpcomingEvents({
  chatId,
  myId,
  onPick,
  hideEmpty = false,
}: {
  chatId: string;
  myId: string;
  /** Shows this message in the conversation. */
  onPick: (messageId: string) => void;
  hideEmpty?: boolean;
}) {
  const { events, error } = useChatEvents(chatId);
  const now = useNow(true, 60_000);
  const upcoming = upcomingOf(events ?? [], now);
  if (hideEmpty && upcoming.length === 0) return null;
  return (
    <section className="upcoming-events" data-testid="upcoming-events">
      <h3 className="contacts-title">Upcoming events</h3>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {events !== null && upcoming.length === 0 && (
        <p className="hint" data-testid="upcoming-events-none">
          No upcoming events.
        </p>
      )}
      {upcoming.length > 0 && (
        <ul className="upcoming-list">
          {upcoming.map(({ local, event }) => {
            const rsvp = myRsvp(local.message.rsvps, myId);
            return (
              <li key={local.message.id}>
                <button
                  type="button"
                  className="upcoming-event"
                  data-testid="upcoming-event"
                  data-message-id={local.message.id}
                  onClick={() => onPick(local.message.id)}
                >
                  <span className="upcoming-title">{event.title}</span>
                  <span className="hint">
                    <span data-testid="upcoming-event-when">
                      {event.starts_at <= now ? "Now" : shortWhen(event)}
                    </span>
                    {" · "}
                    <span data-testid="upcoming-event-answer">
                      {rsvp ? RSVP_WORDS[rsvp] : "Not answered"}
                    </span>
                  </span>
                </button>
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}
