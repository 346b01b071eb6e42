// The open chat's window: which stretch of the chat the page holds (never all of it), and how a
// page from the store joins it. Pure list rules, so they are tested without a page.
import type { LocalMessage } from "../../api";

/**
 * How many messages a chat shows at first and how many each page (older or newer) brings; while
 * the newest message is in view the page holds this many of the newest (the unsent among them)
 * and drops the rest.
 */
export const PAGE = 200;

/**
 * The most the page holds while the user reads back: paging further drops the far end (the store
 * gives it back when scrolled to), and messages arriving meanwhile wait in the store until the
 * user comes down to them.
 */
export const MAX_HELD = 5 * PAGE;

/** Asks the store for the newest placed messages, leaving the unsent ones out. */
export const BEFORE_ALL = Number.MAX_SAFE_INTEGER;

/** A message has its place in the chat (a sequence number); an unsent one has none yet (0). */
export const placed = (local: LocalMessage): boolean => local.message.seq > 0;

/** The sequence number of the oldest of these that has one; Infinity when none has. */
export function oldestSeq(list: readonly LocalMessage[]): number {
  return list.find(placed)?.message.seq ?? Infinity;
}

/** The sequence number of the newest of these that has one; 0 when none has. */
export function newestSeq(list: readonly LocalMessage[]): number {
  for (let i = list.length - 1; i >= 0; i--) {
    if (placed(list[i]!)) return list[i]!.message.seq;
  }
  return 0;
}

/**
 * `held`, then `newer` (a run of the chat up to its newest, as the store gave it) where they meet:
 * held's placed messages before newer's first, then newer (whose versions win). Null when they do
 * not meet: messages between them are in neither.
 */
export function joinNewer(
  held: readonly LocalMessage[],
  newer: readonly LocalMessage[],
): LocalMessage[] | null {
  const start = oldestSeq(newer);
  if (start > newestSeq(held) + 1) return null;
  return [...held.filter((local) => placed(local) && local.message.seq < start), ...newer];
}

/**
 * `held` (a run up to the chat's newest) with `arrived` put in its place from its event, its held
 * version gone: where it was when its place did not change, a placed one right after the newest
 * placed one held (the unsent ones stay last), an unsent one at the end. Null when held does not
 * say where it goes (messages before it are in neither, or it is older and not held): the store
 * does.
 */
export function withArrived(
  held: readonly LocalMessage[],
  arrived: LocalMessage,
): LocalMessage[] | null {
  const { id, seq } = arrived.message;
  const at = held.findIndex((local) => local.message.id === id);
  if (at >= 0 && held[at]!.message.seq === seq) {
    return held.map((local, i) => (i === at ? arrived : local));
  }
  const rest = held.filter((local) => local.message.id !== id);
  if (!placed(arrived)) return [...rest, arrived];
  if (seq !== newestSeq(rest) + 1) return null;
  return [...rest.filter(placed), arrived, ...rest.filter((local) => !placed(local))];
}

/** `known` with `ids` added, keeping the latest `MAX_HELD`. */
export function withIds(known: ReadonlySet<string>, ids: readonly string[]): ReadonlySet<string> {
  const added = ids.filter((id) => !known.has(id));
  if (added.length === 0) return known;
  return new Set([...known, ...added].slice(-MAX_HELD));
}
