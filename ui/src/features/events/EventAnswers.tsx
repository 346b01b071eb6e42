import type { NameOf } from "../groups/words";
import type { Answer } from "./api";
import { answerersBy, RSVP_WORDS, RSVPS } from "./when";

/** Under an event: each answer with the names of those who gave it, in the order they did. */
export default function EventAnswers({
  rsvps,
  myId,
  nameOf,
}: {
  rsvps: Answer[] | undefined;
  myId: string | null;
  nameOf: NameOf;
}) {
  const by = answerersBy(rsvps);
  const name = (userId: string) => (userId === myId ? "You" : (nameOf(userId) ?? "Someone"));
  return (
    <ul className="event-answers" data-testid="event-answers-list" aria-label="Answers">
      {RSVPS.map((rsvp) => {
        const who = by[rsvp];
        return (
          <li
            key={rsvp}
            className="event-answers-group"
            data-testid="event-answers-group"
            data-rsvp={rsvp}
          >
            <span className="event-answers-title">
              {RSVP_WORDS[rsvp]} <span className="hint">({who.length})</span>
            </span>
            {who.length === 0 ? (
              <span className="hint">Nobody</span>
            ) : (
              <ul className="event-answerers">
                {who.map((userId) => (
                  <li key={userId} data-testid="event-answerer">
                    {name(userId)}
                  </li>
                ))}
              </ul>
            )}
          </li>
        );
      })}
    </ul>
  );
}
