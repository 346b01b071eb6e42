// How times read in the UI: "14:02", "yesterday", "3 Mar" — as a chat app shows them.

const DAY_MS = 24 * 60 * 60 * 1000;

function startOfDay(ms: number): number {
  const date = new Date(ms);
  date.setHours(0, 0, 0, 0);
  return date.getTime();
}

/** "14:02" in the user's locale. */
export function clockTime(ms: number): string {
  return new Date(ms).toLocaleTimeString(undefined, { hour: "2-digit", minute: "2-digit" });
}

/** "today", "yesterday", or a date ("3 Mar", with the year when it is not this year). */
export function dayLabel(ms: number, now: number = Date.now()): string {
  const days = Math.round((startOfDay(now) - startOfDay(ms)) / DAY_MS);
  if (days === 0) return "today";
  if (days === 1) return "yesterday";
  const sameYear = new Date(ms).getFullYear() === new Date(now).getFullYear();
  return new Date(ms).toLocaleDateString(undefined, {
    day: "numeric",
    month: "short",
    ...(sameYear ? {} : { year: "numeric" }),
  });
}

/** A contact's presence line: "online", "last seen today at 14:02", or nothing when hidden. */
export function presenceText(
  presence: { online: boolean; last_seen: number | null },
  now: number = Date.now(),
): string {
  if (presence.online) return "online";
  if (presence.last_seen === null) return "";
  return `last seen ${dayLabel(presence.last_seen, now)} at ${clockTime(presence.last_seen)}`;
}
