import { describe, expect, it } from "vitest";
import type { Event } from "./api";
import {
  draftOf,
  draftProblems,
  endsNextDay,
  eventOf,
  moveStart,
  newDraft,
  type EventDraft,
} from "./draft";
import { dateInput, localZone, timeInput } from "./when";

const at = (y: number, mo: number, d: number, h = 0, mi = 0) =>
  new Date(y, mo - 1, d, h, mi).getTime();
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

const draft = (over: Partial<EventDraft> = {}): EventDraft => ({
  title: "Picnic",
  description: "",
  date: "2030-03-14",
  time: "18:00",
  endDate: "",
  endTime: "",
  place: "",
  callLink: "",
  ...over,
});

describe("an event being written", () => {
  it("starts empty at the next full hour", () => {
    expect(newDraft(at(2030, 3, 14, 17, 20))).toEqual(draft({ title: "" }));
    expect(newDraft(at(2030, 3, 14, 23, 30))).toMatchObject({ date: "2030-03-15", time: "00:00" });
  });

  it("says what is wrong, by input", () => {
    expect(draftProblems(draft())).toEqual({});
    expect(draftProblems(draft({ title: "  " })).title).toBe("Give the event a title.");
    expect(draftProblems(draft({ title: "é".repeat(101) })).title).toBe("The title is too long.");
    expect(draftProblems(draft({ time: "" })).time).toBe("Pick a date and a start time.");
    expect(draftProblems(draft({ endTime: "18:00" })).end).toBe("The end must be after the start.");
    expect(draftProblems(draft({ endTime: "17:00" })).end).toBeUndefined();
    // With its day, the end is that day's.
    expect(draftProblems(draft({ endDate: "2030-03-14", endTime: "17:00" })).end).toBe(
      "The end must be after the start.",
    );
    expect(draftProblems(draft({ endDate: "2030-03-13", endTime: "20:00" })).end).toBe(
      "The end must be after the start.",
    );
    expect(draftProblems(draft({ endDate: "2030-03-15", endTime: "18:00" })).end).toBeUndefined();
    expect(draftProblems(draft({ endDate: "2030-03-15" })).end).toBe(
      "Pick an end time, or no end date.",
    );
    expect(draftProblems(draft({ callLink: "meet.example.com/x" })).callLink).toBe(
      "A call link starts with https://, http:// or gkchat:",
    );
    expect(draftProblems(draft({ callLink: "https://a b" })).callLink).toBe(
      "A call link has no spaces.",
    );
    expect(draftProblems(draft({ callLink: "gkchat://quick/room" })).callLink).toBeUndefined();
    expect(draftProblems(draft({ place: "x".repeat(301) })).place).toBe("The place is too long.");
    expect(draftProblems(draft({ description: "x".repeat(2049) })).description).toBe(
      "The description is too long.",
    );
  });

  it("knows an end time earlier than the start is the next day", () => {
    expect(endsNextDay(draft({ endTime: "02:00" }))).toBe(true);
    expect(endsNextDay(draft({ endTime: "20:00" }))).toBe(false);
    expect(endsNextDay(draft())).toBe(false);
    // An end date says the day itself.
    expect(endsNextDay(draft({ endDate: "2030-03-15", endTime: "02:00" }))).toBe(false);
  });

  it("makes the event in the viewer's zone, trimmed, leaving out what is empty", () => {
    expect(
      eventOf(
        draft({
          title: " Picnic ",
          endTime: "01:30",
          place: " Park ",
          callLink: " https://x.y/z ",
        }),
        undefined,
        "Europe/Paris",
      ),
    ).toEqual({
      title: "Picnic",
      starts_at: at(2030, 3, 14, 18),
      ends_at: at(2030, 3, 15, 1, 30),
      time_zone: "Europe/Paris",
      place: "Park",
      call_link: "https://x.y/z",
    });
  });

  it("keeps a changed event's times and zone while its date and times are untouched", () => {
    const original: Event = {
      title: "Picnic",
      description: "Bring food",
      starts_at: at(2030, 3, 14, 18),
      ends_at: at(2030, 3, 16, 18),
      time_zone: "Asia/Tokyo",
      place: "Park",
    };
    const same = eventOf({ ...draftOf(original), title: "Big picnic" }, original, "Europe/Paris");
    expect(same).toEqual({ ...original, title: "Big picnic" });
    // Moved: the start in its own zone (Tokyo), the end along with it, its zone kept.
    const start = draftOf(original);
    const tokyo = (ms: number) => [dateInput(ms, "Asia/Tokyo"), timeInput(ms, "Asia/Tokyo")];
    expect([start.date, start.time]).toEqual(tokyo(original.starts_at));
    expect([start.endDate, start.endTime]).toEqual(tokyo(original.ends_at!));
    const [date, time] = tokyo(original.starts_at + HOUR) as [string, string];
    const moved = eventOf(moveStart(start, date, time, "Asia/Tokyo"), original);
    expect(moved).toMatchObject({
      starts_at: original.starts_at + HOUR,
      ends_at: original.ends_at! + HOUR,
      time_zone: "Asia/Tokyo",
    });
    // Cleared: the description goes.
    expect(
      eventOf({ ...draftOf(original), description: "" }, original).description,
    ).toBeUndefined();
  });

  it("keeps a 3-day event's length when only its title changes, and when its start moves", () => {
    const original: Event = {
      title: "Festival",
      starts_at: Date.UTC(2030, 6, 10, 8),
      ends_at: Date.UTC(2030, 6, 13, 8),
      time_zone: "Europe/Paris",
    };
    const renamed = eventOf({ ...draftOf(original), title: "Big festival" }, original);
    expect(renamed).toEqual({ ...original, title: "Big festival" });
    const before = draftOf(original);
    expect(before).toMatchObject({
      date: "2030-07-10",
      time: "10:00",
      endDate: "2030-07-13",
      endTime: "10:00",
    });
    // A day later and an hour earlier: the end moves with it.
    const moved = moveStart(before, "2030-07-11", "09:00", "Europe/Paris");
    expect(moved).toMatchObject({ endDate: "2030-07-14", endTime: "09:00" });
    expect(draftProblems(moved, "Europe/Paris")).toEqual({});
    const saved = eventOf(moved, original);
    expect(saved.starts_at).toBe(original.starts_at + DAY - HOUR);
    expect(saved.ends_at! - saved.starts_at).toBe(3 * DAY);
    // Its end date cleared: the end time on the start's day or the next, as for a new one.
    const cut = eventOf({ ...before, endDate: "", endTime: "12:00" }, original);
    expect(cut.ends_at).toBe(original.starts_at + 2 * HOUR);
  });

  it("lets an event of exactly 24 hours be changed", () => {
    const original: Event = {
      title: "Hackathon",
      starts_at: at(2030, 3, 14, 12),
      ends_at: at(2030, 3, 15, 12),
      time_zone: localZone(),
    };
    const same = draftOf(original);
    expect(same).toMatchObject({ date: "2030-03-14", endDate: "2030-03-15", endTime: "12:00" });
    expect(draftProblems(same)).toEqual({});
    expect(eventOf({ ...same, title: "Hack day" }, original)).toEqual({
      ...original,
      title: "Hack day",
    });
    const later = moveStart(same, "2030-03-14", "13:00");
    expect(draftProblems(later)).toEqual({});
    expect(eventOf(later, original)).toMatchObject({
      starts_at: at(2030, 3, 14, 13),
      ends_at: at(2030, 3, 15, 13),
    });
  });

  it("changes an event in its own zone on a device in another, keeping zone and times", () => {
    const original: Event = {
      title: "Call",
      // 18:00 – 19:30 in New York.
      starts_at: Date.UTC(2030, 2, 14, 22),
      ends_at: Date.UTC(2030, 2, 14, 23, 30),
      time_zone: "America/New_York",
    };
    const inputs = draftOf(original);
    expect(inputs).toMatchObject({
      date: "2030-03-14",
      time: "18:00",
      endDate: "2030-03-14",
      endTime: "19:30",
    });
    // Made on a device in Tokyo (or wherever this one is): nothing about the times changes.
    expect(eventOf({ ...inputs, title: "Weekly call" }, original, "Asia/Tokyo")).toEqual({
      ...original,
      title: "Weekly call",
    });
    // Its start typed again as it was: still the same times.
    const retyped = moveStart(inputs, "2030-03-14", "18:00", "America/New_York");
    expect(eventOf(retyped, original, "Asia/Tokyo")).toEqual(original);
    // Half an hour on in New York, wherever the device is.
    const later = moveStart(inputs, "2030-03-14", "18:30", "America/New_York");
    expect(eventOf(later, original, "Asia/Tokyo")).toEqual({
      ...original,
      starts_at: original.starts_at + HOUR / 2,
      ends_at: original.ends_at! + HOUR / 2,
    });
    // A zone this system does not know: the inputs in the device's time, the zone as it was.
    const unknown = { ...original, time_zone: "Mars/Olympus_Mons" };
    expect(draftOf(unknown).time).toBe(new Date(original.starts_at).toTimeString().slice(0, 5));
    expect(eventOf(draftOf(unknown), unknown, "Asia/Tokyo")).toEqual(unknown);
  });

  it("leaves the inputs of a time beyond what a date holds empty, to be picked again", () => {
    const far: Event = { title: "Far", starts_at: Number.MAX_SAFE_INTEGER, time_zone: "UTC" };
    const inputs = draftOf(far);
    expect([inputs.date, inputs.time]).toEqual(["", ""]);
    expect(draftProblems(inputs, "UTC").time).toBe("Pick a date and a start time.");
  });
});
