import { describe, expect, it } from "vitest";
import type { CallLogEntry, CallView } from "./api";
import { endedWords, formatDuration, outcomeWords } from "./calls";

const view = (over: Partial<CallView>): CallView => ({
  call_id: "c1",
  peer_id: "u2",
  direction: "outgoing",
  kind: "audio",
  phase: "ended",
  muted: false,
  camera_on: false,
  remote_video: false,
  started_at: 0,
  answered_at: null,
  outcome: "answered",
  ...over,
});

describe("formatDuration", () => {
  it("words seconds, minutes and hours as a call timer does", () => {
    expect(formatDuration(0)).toBe("0:00");
    expect(formatDuration(7_999)).toBe("0:07");
    expect(formatDuration(65_000)).toBe("1:05");
    expect(formatDuration(59 * 60_000 + 59_000)).toBe("59:59");
    expect(formatDuration(3_600_000)).toBe("1:00:00");
    expect(formatDuration(3_600_000 + 2 * 60_000 + 3_000)).toBe("1:02:03");
    expect(formatDuration(25 * 3_600_000)).toBe("25:00:00");
  });

  it("shows a clock running behind the server's as zero, not negative", () => {
    expect(formatDuration(-1500)).toBe("0:00");
  });
});

describe("call words", () => {
  it("says how a call ended from my side", () => {
    expect(endedWords(view({ outcome: "answered" }))).toBe("Call ended");
    expect(endedWords(view({ outcome: "missed" }))).toBe("No answer");
    expect(endedWords(view({ outcome: "missed", direction: "incoming" }))).toBe("Missed");
    expect(endedWords(view({ outcome: "cancelled", direction: "incoming" }))).toBe("Missed");
    expect(endedWords(view({ outcome: "declined" }))).toBe("Declined");
    expect(endedWords(view({ outcome: "busy" }))).toBe("Busy");
    expect(endedWords(view({ outcome: null }))).toBe("Answered on another device");
  });

  it("gives an answered log line its duration", () => {
    const entry = { outcome: "answered", duration_ms: 125_000 } as CallLogEntry;
    expect(outcomeWords(entry)).toBe("2:05");
    expect(outcomeWords({ ...entry, outcome: "cancelled" })).toBe("Cancelled");
  });
});
