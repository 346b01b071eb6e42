import { describe, expect, it } from "vitest";
import { clockTime, dayLabel, presenceText } from "./time";

const at = (text: string) => new Date(text).getTime();

describe("time labels", () => {
  const now = at("2026-11-22T15:00:00");

  it("names today, yesterday, and older days", () => {
    expect(dayLabel(at("2026-11-22T00:01:00"), now)).toBe("today");
    expect(dayLabel(at("2026-11-21T23:59:00"), now)).toBe("yesterday");
    expect(dayLabel(at("2026-11-03T10:00:00"), now)).not.toMatch(/2026/);
    expect(dayLabel(at("2025-11-03T10:00:00"), now)).toMatch(/2025/);
  });

  it("reads presence as a chat app does", () => {
    expect(presenceText({ online: true, last_seen: now }, now)).toBe("online");
    expect(presenceText({ online: false, last_seen: null }, now)).toBe("");
    const seen = at("2026-11-22T09:05:00");
    expect(presenceText({ online: false, last_seen: seen }, now)).toBe(
      `last seen today at ${clockTime(seen)}`,
    );
  });
});
