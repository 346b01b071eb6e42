import { useId, useState } from "react";
import { describeError, type LocalMessage } from "../../api";
import { CheckIcon } from "../../components/Icon";
import { conversationApi } from "../conversation/api";
import type { NameOf } from "../groups/words";
import { useMediaActions } from "../media/MediaContext";
import type { Poll } from "./api";
import { nextChoice, pollCounts, totalWords } from "./counts";
import PollVotes from "./PollVotes";
import "./polls.css";

/**
 * A poll in its bubble: the question, each option as a button with its count, share and bar,
 * and what can be done with it. A tap votes (the backend shows it at once and sends the message
 * again); a closed or not yet sent poll takes no votes. Its creator may close it; who chose what
 * is listed on View votes unless the poll is anonymous.
 */
export default function PollCard({
  local,
  poll,
  nameOf,
}: {
  local: LocalMessage;
  poll: Poll;
  /** Voters' names (View votes). */
  nameOf: NameOf;
}) {
  const { myId } = useMediaActions();
  const [showVotes, setShowVotes] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const baseId = useId();
  const m = local.message;
  const { mine, perOption, total, percent } = pollCounts(poll, m, myId);
  const closed = poll.closed_at !== undefined;
  const sent = local.status.state === "sent" && m.seq > 0;
  const canVote = sent && !closed && myId !== null;

  const act = (action: Parameters<typeof conversationApi.actOnMessage>[2]) => {
    setError(null);
    conversationApi.actOnMessage(m.chat_id, m.id, action).catch((e) => setError(describeError(e)));
  };

  return (
    <div
      className={`poll-card${closed ? " poll-card-closed" : ""}`}
      data-testid="poll-card"
      role="group"
      aria-label={`Poll: ${poll.question}`}
    >
      <div className="poll-question" data-testid="poll-question">
        {poll.question}
      </div>
      <div className="hint poll-kind" data-testid="poll-kind">
        {poll.multiple ? "Select one or more" : "Select one"}
        {poll.anonymous && " · Anonymous"}
        {closed && (
          <>
            {" · "}
            <span className="poll-closed" data-testid="poll-closed">
              Closed
            </span>
          </>
        )}
      </div>
      <div
        className="poll-options"
        role={poll.multiple ? "group" : "radiogroup"}
        aria-label={poll.question}
      >
        {poll.options.map((option, i) => {
          const chosen = mine.includes(i);
          const countId = `${baseId}-count-${i}`;
          return (
            <button
              key={i}
              type="button"
              role={poll.multiple ? "checkbox" : "radio"}
              aria-checked={chosen}
              aria-label={option}
              aria-describedby={countId}
              className={`poll-option${chosen ? " chosen" : ""}`}
              data-testid="poll-option-row"
              data-option={i}
              disabled={!canVote}
              onClick={() => act({ action: "vote", options: nextChoice(poll, mine, i) })}
            >
              <span className="poll-option-line">
                <span
                  className={`poll-mark poll-mark-${poll.multiple ? "checkbox" : "radio"}`}
                  aria-hidden="true"
                >
                  {chosen && <CheckIcon size={12} />}
                </span>
                <span className="poll-option-text">{option}</span>
                <span className="poll-option-count" id={countId}>
                  <span data-testid="poll-option-count">{perOption[i]}</span>
                  {" · "}
                  <span data-testid="poll-option-percent">{percent[i]}%</span>
                </span>
              </span>
              <span className="poll-track" aria-hidden="true">
                <span
                  className="poll-bar"
                  data-testid="poll-bar"
                  style={{ width: `${percent[i]}%` }}
                />
              </span>
            </button>
          );
        })}
      </div>
      <div className="poll-foot">
        <span className="hint" data-testid="poll-total">
          {totalWords(poll, total)}
        </span>
        {!poll.anonymous && (
          <button
            type="button"
            className="link-button"
            aria-expanded={showVotes}
            data-testid="poll-view-votes"
            onClick={() => setShowVotes(!showVotes)}
          >
            {showVotes ? "Hide votes" : "View votes"}
          </button>
        )}
        {!closed && sent && myId !== null && m.sender_id === myId && (
          <button
            type="button"
            className="link-button"
            data-testid="poll-close"
            onClick={() => act({ action: "close_poll" })}
          >
            Close poll
          </button>
        )}
      </div>
      {showVotes && !poll.anonymous && (
        <PollVotes poll={poll} votes={m.votes} myId={myId} nameOf={nameOf} />
      )}
      {error && (
        <p className="error poll-error-line" role="alert" data-testid="poll-action-error">
          {error}
        </p>
      )}
    </div>
  );
}
