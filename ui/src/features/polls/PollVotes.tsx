import type { NameOf } from "../groups/words";
import type { Poll, Vote } from "./api";
import { votersByOption } from "./counts";

/** Under a poll that is not anonymous: each option with the names of those who chose it. */
export default function PollVotes({
  poll,
  votes,
  myId,
  nameOf,
}: {
  poll: Poll;
  votes: Vote[] | undefined;
  myId: string | null;
  nameOf: NameOf;
}) {
  const voters = votersByOption(poll, votes);
  const name = (userId: string) => (userId === myId ? "You" : (nameOf(userId) ?? "Someone"));
  return (
    <ul className="poll-votes" data-testid="poll-votes" aria-label="Votes">
      {poll.options.map((option, i) => {
        const who = voters[i] ?? [];
        return (
          <li key={i} className="poll-votes-option" data-testid="poll-votes-option" data-option={i}>
            <span className="poll-votes-title">
              {option} <span className="hint">({who.length})</span>
            </span>
            {who.length === 0 ? (
              <span className="hint">No votes</span>
            ) : (
              <ul className="poll-voters">
                {who.map((userId) => (
                  <li key={userId} data-testid="poll-voter">
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
