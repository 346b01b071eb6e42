// An event's times as its card shows them (the start in the viewer's own time, and in its
// creator's when that differs), and its answers counted.
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

/** Two digits: "07". */
const two = (n: number) => String(n).padStart(2, "0");

/** A local time as a date input holds it: "2030-03-14". */
export function dateInput(ms: number): string {
  const d = new Date(ms);
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())}`;
}

/** A local time as a time input holds it: "18:30". */
export function timeInput(ms: number): string {
  const d = new Date(ms);
  return `${two(d.getHours())}:${two(d.getMinutes())}`;
}

/** The next full hour after `now`, local time (18:00 at 17:20; 00:00 the next day at 23:30). */
export function nextFullHour(now: number = Date.now()): number {
  const d = new Date(now);
  d.setMinutes(0, 0, 0);
  d.setHours(d.getHours() + 1);
  return d.getTime();
}

/** The local time a date input and a time input name; null when either is empty or not one. */
export function fromInputs(date: string, time: string): number | null {
  const day = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  const clock = /^(\d{2}):(\d{2})/.exec(time);
  if (!day || !clock) return null;
  const d = new Date(
    Number(day[1]),
    Number(day[2]) - 1,
    Number(day[3]),
    Number(clock[1]),
    Number(clock[2]),
  );
  return Number.isNaN(d.getTime()) ? null : d.getTime();
}

/**
 * The end that an end time names for an event starting at `start`: that time on the start's
 * day, or on the next day when it is earlier than the start (a party till 02:00). The same time
 * as the start is returned as is (an end must come after the start: the form says so).
 */
export function endFrom(start: number, endTime: string): number | null {
  const end = fromInputs(dateInput(start), endTime);
  if (end === null || end >= start) return end;
  const next = new Date(end);
  next.setDate(next.getDate() + 1);
  return next.getTime();
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
 * year's; the end's day when it ends on another day).
 */
export function whenWords(event: Event, now: number = Date.now()): string {
  const start = event.starts_at;
  const year = new Date(start).getFullYear() !== new Date(now).getFullYear();
  const begins = `${dayFormat(year).format(start)}, ${clockFormat().format(start)}`;
  const end = event.ends_at;
  if (end === undefined) return begins;
  const ends =
    dayKey(end) === dayKey(start)
      ? clockFormat().format(end)
      : `${shortDayFormat().format(end)}, ${clockFormat().format(end)}`;
  return `${begins} – ${ends}`;
}

/**
 * "18:00 – 20:00 in Tokyo time": the event's time in its creator's zone, when that is not the
 * viewer's and its clock reads otherwise there (with the weekday when it falls on another day
 * there); null when it reads the same, or the zone is not one this system knows.
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
    // A zone this system does not know: the viewer's own time is all there is.
    return null;
  }
}

/** "Sat, 14 Mar, 18:00": an event's start in a list, in the viewer's time. */
export function shortWhen(event: Event): string {
  return `${shortDayFormat().format(event.starts_at)}, ${clockFormat().format(event.starts_at)}`;
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

/** The events still to come (or going on) at `now` and not cancelled, soonest first. */
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
