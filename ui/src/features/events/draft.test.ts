import { describe, expect, it } from "vitest";
import type { Event } from "./api";
import { draftOf, draftProblems, endsNextDay, eventOf, newDraft, type EventDraft } from "./draft";

const at = (y: number, mo: number, d: number, h = 0, mi = 0) =>
  new Date(y, mo - 1, d, h, mi).getTime();

const draft = (over: Partial<EventDraft> = {}): EventDraft => ({
  title: "Picnic",
  description: "",
  date: "2030-03-14",
  time: "18:00",
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
    const moved = eventOf({ ...draftOf(original), time: "19:00" }, original, "Europe/Paris");
    expect(moved).toMatchObject({ starts_at: at(2030, 3, 14, 19), time_zone: "Europe/Paris" });
    // Cleared: the description goes.
    expect(
      eventOf({ ...draftOf(original), description: "" }, original).description,
    ).toBeUndefined();
  });
});
