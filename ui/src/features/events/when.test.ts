import { describe, expect, it } from "vitest";
import type { LocalMessage } from "../../api";
import { chatMessage } from "../../test-fixtures";
import type { Answer, Event } from "./api";
import {
  answerersBy,
  creatorZoneWords,
  dateInput,
  endFrom,
  fromInputs,
  isOver,
  knownZone,
  localZone,
  monthAndDay,
  myRsvp,
  nextDate,
  nextFullHour,
  nextRsvp,
  rsvpCounts,
  shortWhen,
  timeInput,
  UNKNOWN_TIME,
  upcomingOf,
  whenWords,
  zoneCity,
} from "./when";

/** A local time. */
const at = (y: number, mo: number, d: number, h = 0, mi = 0) =>
  new Date(y, mo - 1, d, h, mi).getTime();

const event = (over: Partial<Event> = {}): Event => ({
  title: "Picnic",
  starts_at: at(2030, 3, 14, 18),
  time_zone: localZone(),
  ...over,
});

const clock = (ms: number, timeZone?: string) =>
  new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit", timeZone }).format(ms);

describe("an event's times", () => {
  it("starts at the next full hour", () => {
    expect(nextFullHour(at(2030, 3, 14, 17, 20))).toBe(at(2030, 3, 14, 18));
    expect(nextFullHour(at(2030, 3, 14, 17, 0))).toBe(at(2030, 3, 14, 18));
    expect(nextFullHour(at(2030, 12, 31, 23, 30))).toBe(at(2031, 1, 1, 0));
  });

  it("reads a date and a time input as a local time", () => {
    expect(fromInputs("2030-03-14", "18:30")).toBe(at(2030, 3, 14, 18, 30));
    expect(fromInputs("", "18:30")).toBeNull();
    expect(fromInputs("2030-03-14", "")).toBeNull();
  });

  it("ends on the start's day, or the next one when the end time is earlier", () => {
    const start = at(2030, 3, 14, 22);
    expect(endFrom(start, "23:30")).toBe(at(2030, 3, 14, 23, 30));
    expect(endFrom(start, "02:00")).toBe(at(2030, 3, 15, 2));
    expect(endFrom(start, "22:00")).toBe(start);
  });

  it("reads and writes the inputs in a zone, across its changes of the clocks", () => {
    const ny = "America/New_York";
    // 18:30 in New York in March 2030 (summer time, UTC-4) and in January (UTC-5).
    expect(fromInputs("2030-03-14", "18:30", ny)).toBe(Date.UTC(2030, 2, 14, 22, 30));
    expect(fromInputs("2030-01-14", "18:30", ny)).toBe(Date.UTC(2030, 0, 14, 23, 30));
    expect(dateInput(Date.UTC(2030, 2, 14, 22, 30), ny)).toBe("2030-03-14");
    expect(timeInput(Date.UTC(2030, 2, 14, 22, 30), ny)).toBe("18:30");
    // Late at night in UTC is still the day before there.
    expect(dateInput(Date.UTC(2030, 2, 15, 2), ny)).toBe("2030-03-14");
    expect(fromInputs("2030-03-14", "18:30", "Asia/Kolkata")).toBe(Date.UTC(2030, 2, 14, 13));
    // Either side of the clocks moving: 01:59 EST, then 03:00 EDT a minute on.
    expect(fromInputs("2030-03-10", "01:59", ny)).toBe(Date.UTC(2030, 2, 10, 6, 59));
    expect(fromInputs("2030-03-10", "03:00", ny)).toBe(Date.UTC(2030, 2, 10, 7));
    // 01:30 twice in November: the first (EDT).
    expect(fromInputs("2030-11-03", "01:30", ny)).toBe(Date.UTC(2030, 10, 3, 5, 30));
    expect(fromInputs("2030-11-03", "03:00", ny)).toBe(Date.UTC(2030, 10, 3, 8));
    // Times all through a year there come back as they were read.
    for (let ms = Date.UTC(2030, 0, 1); ms < Date.UTC(2031, 0, 1); ms += 15 * 60_000 * 97) {
      expect(fromInputs(dateInput(ms, ny), timeInput(ms, ny), ny)).toBe(ms);
    }
    // The end's next day is the next day there.
    const start = Date.UTC(2030, 2, 15, 2); // 22:00 on the 14th in New York
    expect(endFrom(start, "02:00", ny)).toBe(Date.UTC(2030, 2, 15, 6));
    expect(endFrom(start, "23:00", ny)).toBe(Date.UTC(2030, 2, 15, 3));
    expect(nextDate("2030-02-28")).toBe("2030-03-01");
    expect(nextDate("2030-12-31")).toBe("2031-01-01");
    expect(fromInputs("2030-03-14", "18:30", "Mars/Olympus_Mons")).toBeNull();
    expect(knownZone(ny)).toBe(true);
    expect(knownZone("Mars/Olympus_Mons")).toBe(false);
  });

  it("shows a time beyond what a date holds as unknown, never throwing", () => {
    const far = event({ starts_at: Number.MAX_SAFE_INTEGER });
    expect(whenWords(far)).toBe(UNKNOWN_TIME);
    expect(UNKNOWN_TIME).toBe("Unknown time");
    expect(shortWhen(far)).toBe("Unknown time");
    expect(creatorZoneWords({ ...far, time_zone: "Asia/Tokyo" }, "Europe/Paris")).toBeNull();
    expect(monthAndDay(Number.MAX_SAFE_INTEGER)).toBeNull();
    expect(dateInput(Number.MAX_SAFE_INTEGER)).toBe("");
    expect(timeInput(Number.MAX_SAFE_INTEGER, "Asia/Tokyo")).toBe("");
    expect(endFrom(Number.MAX_SAFE_INTEGER, "18:00")).toBeNull();
    // A bad end leaves the start.
    const badEnd = event({ ends_at: Number.MAX_SAFE_INTEGER });
    expect(whenWords(badEnd)).toBe(whenWords(event()));
  });

  it("is over once its end, else its start, has passed", () => {
    const now = at(2030, 3, 14, 19);
    expect(isOver(event(), now)).toBe(true);
    expect(isOver(event({ ends_at: at(2030, 3, 14, 20) }), now)).toBe(false);
    expect(isOver(event({ starts_at: at(2030, 3, 15) }), now)).toBe(false);
  });

  it("says when in the viewer's time, with the end and the year only when needed", () => {
    const day = new Intl.DateTimeFormat(undefined, {
      weekday: "long",
      day: "numeric",
      month: "long",
    }).format(at(2030, 3, 14));
    const now = at(2030, 1, 1);
    expect(whenWords(event(), now)).toBe(`${day}, ${clock(at(2030, 3, 14, 18))}`);
    expect(whenWords(event({ ends_at: at(2030, 3, 14, 20) }), now)).toBe(
      `${day}, ${clock(at(2030, 3, 14, 18))} – ${clock(at(2030, 3, 14, 20))}`,
    );
    // Ending the next day names that day.
    const nextDay = whenWords(event({ ends_at: at(2030, 3, 15, 2) }), now);
    expect(nextDay).toContain(" – ");
    expect(nextDay).toContain("15");
    // Another year's event says its year.
    expect(whenWords(event(), at(2029, 6, 1))).toContain("2030");
  });

  it("says the time in the creator's zone when it reads otherwise there", () => {
    const start = Date.UTC(2030, 2, 14, 9, 0);
    const far = event({ starts_at: start, time_zone: "Pacific/Kiritimati" });
    // 09:00 UTC is 23:00 in Kiritimati (UTC+14), a day on from most places.
    const words = creatorZoneWords(far, "Europe/London");
    expect(words).toBe(`${clock(start, "Pacific/Kiritimati")} in Kiritimati time`);
    // 12:00 UTC is 02:00 the next day there: with its weekday.
    const noon = Date.UTC(2030, 2, 14, 12);
    const weekday = new Intl.DateTimeFormat(undefined, {
      weekday: "short",
      timeZone: "Pacific/Kiritimati",
    }).format(noon);
    expect(
      creatorZoneWords(
        event({ starts_at: noon, time_zone: "Pacific/Kiritimati" }),
        "Europe/London",
      ),
    ).toBe(`${weekday} ${clock(noon, "Pacific/Kiritimati")} in Kiritimati time`);
    expect(
      creatorZoneWords(
        event({ starts_at: start, ends_at: start + 3_600_000, time_zone: "Asia/Tokyo" }),
        "Europe/London",
      ),
    ).toBe(
      `${clock(start, "Asia/Tokyo")} – ${clock(start + 3_600_000, "Asia/Tokyo")} in Tokyo time`,
    );
    // The same zone, one whose clock reads the same, or one not known: nothing.
    expect(creatorZoneWords(event({ time_zone: "Europe/Paris" }), "Europe/Paris")).toBeNull();
    expect(
      creatorZoneWords(event({ starts_at: start, time_zone: "Europe/Berlin" }), "Europe/Paris"),
    ).toBeNull();
    expect(creatorZoneWords(event({ time_zone: "Mars/Olympus_Mons" }), "Europe/Paris")).toBeNull();
  });

  it("names a zone's city", () => {
    expect(zoneCity("America/New_York")).toBe("New York");
    expect(zoneCity("America/Argentina/Buenos_Aires")).toBe("Buenos Aires");
    expect(zoneCity("UTC")).toBe("UTC");
  });
});

describe("an event's answers", () => {
  const answers: Answer[] = [
    { user_id: "u3", rsvp: "maybe", at: 3 },
    { user_id: "me", rsvp: "going", at: 2 },
    { user_id: "u2", rsvp: "going", at: 1 },
  ];

  it("counts each answer, finds mine and lists who in the order they answered", () => {
    expect(rsvpCounts(answers)).toEqual({ going: 2, maybe: 1, not_going: 0 });
    expect(rsvpCounts(undefined)).toEqual({ going: 0, maybe: 0, not_going: 0 });
    expect(myRsvp(answers, "me")).toBe("going");
    expect(myRsvp(answers, "u9")).toBeNull();
    expect(answerersBy(answers)).toEqual({ going: ["u2", "me"], maybe: ["u3"], not_going: [] });
  });

  it("takes my answer back on a second tap", () => {
    expect(nextRsvp(null, "going")).toBe("going");
    expect(nextRsvp("maybe", "going")).toBe("going");
    expect(nextRsvp("going", "going")).toBeNull();
  });
});

describe("upcoming events", () => {
  const message = (id: string, content: Event | null, deleted = false): LocalMessage =>
    chatMessage(
      1,
      "u2",
      content ? { kind: "event", event: content } : { kind: "text", text: "hi" },
      {
        id,
        sent_at: 0,
        deleted_at: deleted ? 1 : null,
      },
    );

  it("keeps the events to come or going on, not cancelled, soonest first", () => {
    const now = at(2030, 3, 14, 12);
    const list = [
      message("later", event({ starts_at: at(2030, 3, 20) })),
      message("text", null),
      message("past", event({ starts_at: at(2030, 3, 1) })),
      message("cancelled", event({ starts_at: at(2030, 3, 15), cancelled_at: 5 })),
      message("now", event({ starts_at: at(2030, 3, 14, 11), ends_at: at(2030, 3, 14, 13) })),
      message("deleted", event({ starts_at: at(2030, 3, 16) }), true),
      message("soon", event({ starts_at: at(2030, 3, 14, 18) })),
    ];
    expect(upcomingOf(list, now).map(({ local }) => local.message.id)).toEqual([
      "now",
      "soon",
      "later",
    ]);
  });
});
