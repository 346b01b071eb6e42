// An event's times as its card shows them (the start in the viewer's own time, and in its
// creator's when that differs; "Unknown time" for one beyond what a JS date holds), as its
// dialog's inputs hold them (in a given zone), and its answers counted.
import type { LocalMessage } from "../../api";
import type { Answer, Event, Rsvp } from "./api";

/** The answers in the order the card shows them. */
export const RSVPS: readonly Rsvp[] = ["going", "maybe", "not_going"];

export const RSVP_WORDS: Record<Rsvp, string> = {
  going: "Going",
  maybe: "Maybe",
  not_going: "Not going",
};

/** This device's time zone (IANA name): what a new event is planned in. */
export function localZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone;
}

/** What a time that cannot be shown (beyond what a JS date holds) shows instead. */
export const UNKNOWN_TIME = "Unknown time";

/** Whether a time can be shown: within the ±275,000 years a JS date holds (else formatting it
 * throws a RangeError). */
export function isShowable(ms: number): boolean {
  return !Number.isNaN(new Date(ms).getTime());
}

/** Whether this system knows a time zone (IANA name). */
export function knownZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** A wall clock's reading: a calendar day and a time of day. */
interface Wall {
  year: number;
  /** 1–12. */
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

/** What the wall clock reads at `ms` in `zone` (the device's when none); null when the time
 * cannot be shown or the zone is not known. */
function wallAt(ms: number, zone?: string): Wall | null {
  if (!isShowable(ms)) return null;
  if (zone === undefined) {
    const d = new Date(ms);
    return {
      year: d.getFullYear(),
      month: d.getMonth() + 1,
      day: d.getDate(),
      hour: d.getHours(),
      minute: d.getMinutes(),
      second: d.getSeconds(),
    };
  }
  try {
    const parts = new Intl.DateTimeFormat("en-US", {
      timeZone: zone,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
    }).formatToParts(ms);
    const part = (type: Intl.DateTimeFormatPartTypes) =>
      Number(parts.find((p) => p.type === type)?.value);
    const wall = {
      year: part("year"),
      month: part("month"),
      day: part("day"),
      hour: part("hour") % 24,
      minute: part("minute"),
      second: part("second"),
    };
    return Object.values(wall).every(Number.isFinite) ? wall : null;
  } catch {
    return null;
  }
}

/** The UTC time a wall clock reading names (as if the zone were UTC); NaN beyond a JS date. */
function utcOf({ year, month, day, hour, minute, second }: Wall): number {
  const d = new Date(0);
  d.setUTCFullYear(year, month - 1, day);
  d.setUTCHours(hour, minute, second, 0);
  return d.getTime();
}

/** How far `zone`'s clock is ahead of UTC at `ms`, in ms; null when that cannot be told. */
function offsetAt(ms: number, zone: string): number | null {
  const wall = wallAt(ms, zone);
  // The wall clock reads whole seconds: compare it with the whole second.
  return wall === null ? null : utcOf(wall) - (ms - (((ms % 1000) + 1000) % 1000));
}

/** Two digits: "07". */
const two = (n: number) => String(n).padStart(2, "0");

/** A time as a date input holds it, in `zone` (the device's when none): "2030-03-14"; "" when
 * it cannot be shown. */
export function dateInput(ms: number, zone?: string): string {
  const wall = wallAt(ms, zone);
  if (wall === null) return "";
  return `${String(wall.year).padStart(4, "0")}-${two(wall.month)}-${two(wall.day)}`;
}

/** A time as a time input holds it, in `zone` (the device's when none): "18:30"; "" when it
 * cannot be shown. */
export function timeInput(ms: number, zone?: string): string {
  const wall = wallAt(ms, zone);
  return wall === null ? "" : `${two(wall.hour)}:${two(wall.minute)}`;
}

/** The next full hour after `now`, local time (18:00 at 17:20; 00:00 the next day at 23:30). */
export function nextFullHour(now: number = Date.now()): number {
  const d = new Date(now);
  d.setMinutes(0, 0, 0);
  d.setHours(d.getHours() + 1);
  return d.getTime();
}

/** The day after a date input's day: "2030-03-01" after "2030-02-28"; "" when it is not one. */
export function nextDate(date: string): string {
  const day = /^(\d{4,})-(\d{2})-(\d{2})$/.exec(date);
  if (!day) return "";
  const next = new Date(
    utcOf({
      year: Number(day[1]),
      month: Number(day[2]),
      day: Number(day[3]) + 1,
      hour: 0,
      minute: 0,
      second: 0,
    }),
  );
  if (Number.isNaN(next.getTime())) return "";
  const year = String(next.getUTCFullYear()).padStart(4, "0");
  return `${year}-${two(next.getUTCMonth() + 1)}-${two(next.getUTCDate())}`;
}

/**
 * The time a date input and a time input name in `zone` (the device's when none); null when
 * either is empty or not one. A time the clocks skip (moved forward that night) comes out an
 * hour off; one they pass twice (moved back), the first.
 */
export function fromInputs(date: string, time: string, zone?: string): number | null {
  const day = /^(\d{4,})-(\d{2})-(\d{2})$/.exec(date);
  const clock = /^(\d{2}):(\d{2})/.exec(time);
  if (!day || !clock) return null;
  const [year, month, dayOf, hour, minute] = [day[1], day[2], day[3], clock[1], clock[2]].map(
    Number,
  ) as [number, number, number, number, number];
  if (zone === undefined) {
    const d = new Date(year, month - 1, dayOf, hour, minute);
    return Number.isNaN(d.getTime()) ? null : d.getTime();
  }
  const wall = utcOf({ year, month, day: dayOf, hour, minute, second: 0 });
  if (Number.isNaN(wall)) return null;
  // The zone's offset where the time is: guessed at the wall reading, then at the guess (which
  // is on the right side of a change of the clocks but at its edges).
  let at = wall;
  for (let round = 0; round < 2; round++) {
    const offset = offsetAt(at, zone);
    if (offset === null) return null;
    at = wall - offset;
  }
  return isShowable(at) ? at : null;
}

/**
 * The end that an end time names for an event starting at `start`, in `zone` (the device's
 * when none): that time on the start's day, or on the next day when it is earlier than the
 * start (a party till 02:00). The same time as the start is returned as is (an end must come
 * after the start: the form says so).
 */
export function endFrom(start: number, endTime: string, zone?: string): number | null {
  const day = dateInput(start, zone);
  const end = fromInputs(day, endTime, zone);
  if (end === null || end >= start) return end;
  return fromInputs(nextDate(day), endTime, zone);
}

/** Whether an event is over at `now`: its end (else its start) has passed. */
export function isOver(event: Event, now: number): boolean {
  return (event.ends_at ?? event.starts_at) < now;
}

/** The city of an IANA zone name, for people: "America/New_York" → "New York". */
export function zoneCity(zone: string): string {
  return (zone.split("/").pop() ?? zone).replace(/_/g, " ");
}

const dayFormat = (year: boolean, timeZone?: string) =>
  new Intl.DateTimeFormat(undefined, {
    weekday: "long",
    day: "numeric",
    month: "long",
    ...(year ? { year: "numeric" } : {}),
    timeZone,
  });
const shortDayFormat = (timeZone?: string) =>
  new Intl.DateTimeFormat(undefined, {
    weekday: "short",
    day: "numeric",
    month: "short",
    timeZone,
  });
const clockFormat = (timeZone?: string) =>
  new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit", timeZone });
/** The calendar day of a time in a zone, to compare days by. */
const dayKey = (ms: number, timeZone?: string) =>
  new Intl.DateTimeFormat("en-CA", { year: "numeric", month: "2-digit", day: "2-digit", timeZone })
    .format(ms)
    .slice(0, 10);

/**
 * "Saturday, 14 March, 18:00 – 20:00" in the viewer's own time (the year when it is not this
 * year's; the end's day when it ends on another day). A start that cannot be shown reads
 * "Unknown time"; an end that cannot, is left out.
 */
export function whenWords(event: Event, now: number = Date.now()): string {
  const start = event.starts_at;
  let begins: string;
  try {
    const year = new Date(start).getFullYear() !== new Date(now).getFullYear();
    begins = `${dayFormat(year).format(start)}, ${clockFormat().format(start)}`;
  } catch {
    // Beyond what a JS date holds: Intl throws a RangeError.
    return UNKNOWN_TIME;
  }
  const end = event.ends_at;
  if (end === undefined) return begins;
  try {
    const ends =
      dayKey(end) === dayKey(start)
        ? clockFormat().format(end)
        : `${shortDayFormat().format(end)}, ${clockFormat().format(end)}`;
    return `${begins} – ${ends}`;
  } catch {
    return begins;
  }
}

/**
 * "18:00 – 20:00 in Tokyo time": the event's time in its creator's zone, when that is not the
 * viewer's and its clock reads otherwise there (with the weekday when it falls on another day
 * there); null when it reads the same, the zone is not one this system knows, or its times
 * cannot be shown.
 */
export function creatorZoneWords(event: Event, viewerZone: string = localZone()): string | null {
  const zone = event.time_zone;
  if (zone === viewerZone) return null;
  try {
    const clock = clockFormat(zone);
    const start = event.starts_at;
    const sameClock = clock.format(start) === clockFormat(viewerZone).format(start);
    const sameDay = dayKey(start, zone) === dayKey(start, viewerZone);
    if (sameClock && sameDay) return null;
    const weekday = new Intl.DateTimeFormat(undefined, { weekday: "short", timeZone: zone });
    const at = (ms: number) =>
      dayKey(ms, zone) === dayKey(ms, viewerZone)
        ? clock.format(ms)
        : `${weekday.format(ms)} ${clock.format(ms)}`;
    const end = event.ends_at;
    const span = end === undefined ? at(start) : `${at(start)} – ${at(end)}`;
    return `${span} in ${zoneCity(zone)} time`;
  } catch {
    // A zone this system does not know, or a time beyond a JS date: the viewer's own time
    // (or "Unknown time") is all there is.
    return null;
  }
}

/** "Sat, 14 Mar, 18:00": an event's start in a list, in the viewer's time ("Unknown time" when
 * it cannot be shown). */
export function shortWhen(event: Event): string {
  try {
    return `${shortDayFormat().format(event.starts_at)}, ${clockFormat().format(event.starts_at)}`;
  } catch {
    return UNKNOWN_TIME;
  }
}

/** "MAR" and "14": the month and day of a time, in the viewer's time; null when it cannot be
 * shown. */
export function monthAndDay(ms: number): { month: string; day: number } | null {
  try {
    const month = new Intl.DateTimeFormat(undefined, { month: "short" }).format(ms);
    return { month, day: new Date(ms).getDate() };
  } catch {
    return null;
  }
}

/** My answer, or null when I have not answered. */
export function myRsvp(rsvps: Answer[] | undefined, myId: string | null): Rsvp | null {
  return (rsvps ?? []).find((answer) => answer.user_id === myId)?.rsvp ?? null;
}

/** How many gave each answer. */
export function rsvpCounts(rsvps: Answer[] | undefined): Record<Rsvp, number> {
  const counts: Record<Rsvp, number> = { going: 0, maybe: 0, not_going: 0 };
  for (const answer of rsvps ?? []) counts[answer.rsvp] += 1;
  return counts;
}

/** Who gave each answer, in the order they answered. */
export function answerersBy(rsvps: Answer[] | undefined): Record<Rsvp, string[]> {
  const sorted = [...(rsvps ?? [])].sort((a, b) => a.at - b.at);
  const by = (rsvp: Rsvp) => sorted.filter((a) => a.rsvp === rsvp).map((a) => a.user_id);
  return { going: by("going"), maybe: by("maybe"), not_going: by("not_going") };
}

/** What a tap on an answer sends: that answer, or nothing when it is already mine (taken back). */
export function nextRsvp(mine: Rsvp | null, tapped: Rsvp): Rsvp | null {
  return mine === tapped ? null : tapped;
}

/**
 * The events still to come (or going on) at `now` and not cancelled, soonest first (the store
 * lists them so; this keeps the list so while it is shown and the clock moves on).
 */
export function upcomingOf(
  messages: LocalMessage[],
  now: number,
): { local: LocalMessage; event: Event }[] {
  return messages
    .flatMap((local) => {
      const content = local.message.deleted_at === null ? local.message.content : null;
      return content?.kind === "event" ? [{ local, event: content.event }] : [];
    })
    .filter(({ event }) => event.cancelled_at === undefined && !isOver(event, now))
    .sort((a, b) => a.event.starts_at - b.event.starts_at);
}
