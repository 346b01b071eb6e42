// A poll's numbers as its card shows them: my choice, how many chose each option, out of how
// many, and what the next tap of an option sends.
import type { Message } from "../../api";
import type { Poll, Vote } from "./api";

/** Everything the card counts, from the message as the store holds it now. */
export interface PollCounts {
  /** The options I chose (empty when I have not voted). */
  mine: number[];
  /** How many chose each option, counting everyone. */
  perOption: number[];
  /** What the percentages are of: voters (votes in an anonymous poll, where voters are unknown). */
  total: number;
  /** Each option's share of `total`, whole percent (choices of several may add past 100). */
  percent: number[];
}

/** Votes that still choose something (a vote taken back chooses nothing). */
function cast(votes: Vote[] | undefined): Vote[] {
  return (votes ?? []).filter((vote) => vote.options.length > 0);
}

/** Counts a poll message: the server's tally when it sent one, else the votes themselves. */
export function pollCounts(poll: Poll, message: Message, myId: string | null): PollCounts {
  const votes = cast(message.votes);
  const mine = votes.find((vote) => vote.user_id === myId)?.options ?? [];
  const perOption = poll.options.map(
    (_, i) => message.tally?.[i] ?? votes.filter((vote) => vote.options.includes(i)).length,
  );
  // An anonymous poll lists my vote only: the tally's sum is all that is known.
  const total = poll.anonymous ? perOption.reduce((sum, n) => sum + n, 0) : votes.length;
  const percent = perOption.map((n) => Math.min(100, Math.round((n * 100) / Math.max(1, total))));
  return { mine, perOption, total, percent };
}

/** The options a tap on option `index` leaves me with: one choice swaps (or is taken back),
 * several toggle. */
export function nextChoice(poll: Poll, mine: number[], index: number): number[] {
  if (!poll.multiple) return mine.includes(index) ? [] : [index];
  return mine.includes(index)
    ? mine.filter((i) => i !== index)
    : [...mine, index].sort((a, b) => a - b);
}

/** "1 voter", "3 voters"; "1 vote", "3 votes" in an anonymous poll; "No votes yet". */
export function totalWords(poll: Poll, total: number): string {
  if (total === 0) return "No votes yet";
  const noun = poll.anonymous ? "vote" : "voter";
  return `${total} ${noun}${total === 1 ? "" : "s"}`;
}

/** Who chose each option, in the order they voted. */
export function votersByOption(poll: Poll, votes: Vote[] | undefined): string[][] {
  const sorted = cast(votes).sort((a, b) => a.at - b.at);
  return poll.options.map((_, i) =>
    sorted.filter((vote) => vote.options.includes(i)).map((vote) => vote.user_id),
  );
}
