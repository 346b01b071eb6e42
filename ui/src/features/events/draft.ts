// An event as its dialog holds it while it is written: the inputs' words, checked as the server
// checks them (and a little more: the end after the start), and the event they make. A new
// event's inputs are in the viewer's own time; a changed one's in its own zone (its creator's),
// so that its times read as they were set and come back the same.
import type { Event } from "./api";
import {
  dateInput,
  endFrom,
  fromInputs,
  knownZone,
  localZone,
  nextFullHour,
  timeInput,
} from "./when";

/** Mirror proto's EVENT_*_MAX_BYTES (UTF-8). */
export const TITLE_MAX_BYTES = 200;
export const DESCRIPTION_MAX_BYTES = 2048;
export const PLACE_MAX_BYTES = 300;
export const LINK_MAX_BYTES = 2048;
/** The schemes a call link may have (proto's `Event::check`). */
const LINK_SCHEMES = ["https://", "http://", "gkchat:"];

/** The dialog's inputs. */
export interface EventDraft {
  title: string;
  description: string;
  /** "2030-03-14" (the date input's value). */
  date: string;
  /** "18:00" (the time input's value). */
  time: string;
  /**
   * The end's day ("" for none): with it the end is that day at `endTime`; without it the end
   * is on the start's day, or the next when `endTime` is earlier than `time`.
   */
  endDate: string;
  /** An optional end time ("" for none). */
  endTime: string;
  place: string;
  callLink: string;
}

/** The inputs a problem is shown under. */
export type DraftField = "title" | "description" | "time" | "end" | "place" | "callLink";

const bytes = (text: string) => new TextEncoder().encode(text).length;

/**
 * The zone an event's inputs are in: a changed event's own, a new one's the viewer's (undefined:
 * the device's clock), as is a changed one's whose zone this system does not know.
 */
export function draftZone(event?: Event): string | undefined {
  return event !== undefined && knownZone(event.time_zone) ? event.time_zone : undefined;
}

/** The start the inputs name in `zone` (the device's when none); null when they name none. */
function startOf(draft: EventDraft, zone?: string): number | null {
  return fromInputs(draft.date, draft.time, zone);
}

/** The end the inputs name for an event starting at `start`; null when they name none. */
function endOf(draft: EventDraft, start: number, zone?: string): number | null {
  if (draft.endTime === "") return null;
  return draft.endDate === ""
    ? endFrom(start, draft.endTime, zone)
    : fromInputs(draft.endDate, draft.endTime, zone);
}

/** A new event's inputs: empty, at the next full hour. */
export function newDraft(now: number = Date.now()): EventDraft {
  const start = nextFullHour(now);
  return {
    title: "",
    description: "",
    date: dateInput(start),
    time: timeInput(start),
    endDate: "",
    endTime: "",
    place: "",
    callLink: "",
  };
}

/**
 * An event's inputs to change it, its times in its own zone (`draftZone`), the end with its day.
 * A time that cannot be shown leaves its inputs empty.
 */
export function draftOf(event: Event): EventDraft {
  const zone = draftZone(event);
  const end = event.ends_at;
  return {
    title: event.title,
    description: event.description ?? "",
    date: dateInput(event.starts_at, zone),
    time: timeInput(event.starts_at, zone),
    endDate: end === undefined ? "" : dateInput(end, zone),
    endTime: end === undefined ? "" : timeInput(end, zone),
    place: event.place ?? "",
    callLink: event.call_link ?? "",
  };
}

/**
 * The inputs with the start at `date` and `time`: an end with its day set moves along with it,
 * the event keeping its length (as the inputs read it, in `zone`).
 */
export function moveStart(
  draft: EventDraft,
  date: string,
  time: string,
  zone?: string,
): EventDraft {
  const moved = { ...draft, date, time };
  if (draft.endDate === "" || draft.endTime === "") return moved;
  const before = startOf(draft, zone);
  const after = startOf(moved, zone);
  const end = before === null ? null : endOf(draft, before, zone);
  if (before === null || after === null || end === null) return moved;
  const newEnd = after + (end - before);
  const endDate = dateInput(newEnd, zone);
  const endTime = timeInput(newEnd, zone);
  return endDate === "" || endTime === "" ? moved : { ...moved, endDate, endTime };
}

/** What is wrong with the inputs, by the input it is about (empty when nothing is); `zone` as
 * in `moveStart`. */
export function draftProblems(
  draft: EventDraft,
  zone?: string,
): Partial<Record<DraftField, string>> {
  const problems: Partial<Record<DraftField, string>> = {};
  const title = draft.title.trim();
  if (title === "") problems.title = "Give the event a title.";
  else if (bytes(title) > TITLE_MAX_BYTES) problems.title = "The title is too long.";
  if (bytes(draft.description.trim()) > DESCRIPTION_MAX_BYTES) {
    problems.description = "The description is too long.";
  }
  if (bytes(draft.place.trim()) > PLACE_MAX_BYTES) problems.place = "The place is too long.";
  const start = startOf(draft, zone);
  if (start === null) {
    problems.time = "Pick a date and a start time.";
  } else if (draft.endTime === "") {
    if (draft.endDate !== "") problems.end = "Pick an end time, or no end date.";
  } else {
    const end = endOf(draft, start, zone);
    if (end === null || end <= start) problems.end = "The end must be after the start.";
  }
  const link = draft.callLink.trim();
  if (link !== "") {
    if (!LINK_SCHEMES.some((scheme) => link.startsWith(scheme))) {
      problems.callLink = "A call link starts with https://, http:// or gkchat:";
    } else if (/\s/.test(link)) {
      problems.callLink = "A call link has no spaces.";
    } else if (bytes(link) > LINK_MAX_BYTES) {
      problems.callLink = "The call link is too long.";
    }
  }
  return problems;
}

/** Whether the end falls on the day after the start by the end time being earlier than the
 * start's (no end date given). */
export function endsNextDay(draft: EventDraft, zone?: string): boolean {
  const start = startOf(draft, zone);
  if (start === null || draft.endTime === "" || draft.endDate !== "") return false;
  const end = endFrom(start, draft.endTime, zone);
  return end !== null && dateInput(end, zone) !== dateInput(start, zone);
}

/**
 * The event the inputs make (they must have no problems). A new one is in `zone`, the viewer's,
 * its inputs read in the device's clock. A change to `original` keeps its time zone, its inputs
 * read in that zone (`draftZone`); a start or end whose inputs are as they were keeps its time
 * to the millisecond.
 */
export function eventOf(draft: EventDraft, original?: Event, zone: string = localZone()): Event {
  const inputsZone = draftZone(original);
  const before = original ? draftOf(original) : null;
  const sameStart = before !== null && before.date === draft.date && before.time === draft.time;
  const sameEnd =
    before !== null && before.endDate === draft.endDate && before.endTime === draft.endTime;
  const start = sameStart && original ? original.starts_at : (startOf(draft, inputsZone) ?? 0);
  const end = sameEnd && original ? (original.ends_at ?? null) : endOf(draft, start, inputsZone);
  const event: Event = {
    title: draft.title.trim(),
    starts_at: start,
    time_zone: original ? original.time_zone : zone,
  };
  if (end !== null) event.ends_at = end;
  const description = draft.description.trim();
  if (description !== "") event.description = description;
  const place = draft.place.trim();
  if (place !== "") event.place = place;
  const link = draft.callLink.trim();
  if (link !== "") event.call_link = link;
  return event;
}
