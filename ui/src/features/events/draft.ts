// An event as its dialog holds it while it is written: the inputs' words, checked as the server
// checks them (and a little more: the end after the start), and the event they make.
import type { Event } from "./api";
import { dateInput, endFrom, fromInputs, localZone, nextFullHour, timeInput } from "./when";

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
  /** An optional end on the same day ("" for none); earlier than `time` is the next day. */
  endTime: string;
  place: string;
  callLink: string;
}

/** The inputs a problem is shown under. */
export type DraftField = "title" | "description" | "time" | "end" | "place" | "callLink";

const bytes = (text: string) => new TextEncoder().encode(text).length;

/** A new event's inputs: empty, at the next full hour. */
export function newDraft(now: number = Date.now()): EventDraft {
  const start = nextFullHour(now);
  return {
    title: "",
    description: "",
    date: dateInput(start),
    time: timeInput(start),
    endTime: "",
    place: "",
    callLink: "",
  };
}

/** An event's inputs to change it, its times in the viewer's own time. */
export function draftOf(event: Event): EventDraft {
  return {
    title: event.title,
    description: event.description ?? "",
    date: dateInput(event.starts_at),
    time: timeInput(event.starts_at),
    endTime: event.ends_at === undefined ? "" : timeInput(event.ends_at),
    place: event.place ?? "",
    callLink: event.call_link ?? "",
  };
}

/** What is wrong with the inputs, by the input it is about (empty when nothing is). */
export function draftProblems(draft: EventDraft): Partial<Record<DraftField, string>> {
  const problems: Partial<Record<DraftField, string>> = {};
  const title = draft.title.trim();
  if (title === "") problems.title = "Give the event a title.";
  else if (bytes(title) > TITLE_MAX_BYTES) problems.title = "The title is too long.";
  if (bytes(draft.description.trim()) > DESCRIPTION_MAX_BYTES) {
    problems.description = "The description is too long.";
  }
  if (bytes(draft.place.trim()) > PLACE_MAX_BYTES) problems.place = "The place is too long.";
  const start = fromInputs(draft.date, draft.time);
  if (start === null) {
    problems.time = "Pick a date and a start time.";
  } else if (draft.endTime !== "") {
    const end = endFrom(start, draft.endTime);
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

/** Whether the end time falls on the day after the start (it is earlier than the start time). */
export function endsNextDay(draft: EventDraft): boolean {
  const start = fromInputs(draft.date, draft.time);
  if (start === null || draft.endTime === "") return false;
  const end = endFrom(start, draft.endTime);
  return end !== null && dateInput(end) !== dateInput(start);
}

/**
 * The event the inputs make (they must have no problems). A change to `original` keeps its
 * times and time zone while its date and times are as they were; new ones are in `zone`, the
 * viewer's.
 */
export function eventOf(draft: EventDraft, original?: Event, zone: string = localZone()): Event {
  const before = original ? draftOf(original) : null;
  const sameTimes =
    original !== undefined &&
    before !== null &&
    before.date === draft.date &&
    before.time === draft.time &&
    before.endTime === draft.endTime;
  const event: Event = {
    title: draft.title.trim(),
    starts_at: 0,
    time_zone: zone,
  };
  if (sameTimes) {
    event.starts_at = original.starts_at;
    if (original.ends_at !== undefined) event.ends_at = original.ends_at;
    event.time_zone = original.time_zone;
  } else {
    const start = fromInputs(draft.date, draft.time) ?? 0;
    event.starts_at = start;
    const end = draft.endTime === "" ? null : endFrom(start, draft.endTime);
    if (end !== null) event.ends_at = end;
  }
  const description = draft.description.trim();
  if (description !== "") event.description = description;
  const place = draft.place.trim();
  if (place !== "") event.place = place;
  const link = draft.callLink.trim();
  if (link !== "") event.call_link = link;
  return event;
}
