import { describe, expect, it } from "vitest";
import { clockTime } from "../../time";
import { HOUR, mediaPost, owner, peer, picture, textPost } from "./test-status";
import {
  DURATIONS,
  feedSections,
  firstUnseen,
  nextFont,
  postDuration,
  statusTime,
  utf8Length,
} from "./words";

describe("status words", () => {
  it("says when a post was made as Today or Yesterday with the time", () => {
    const now = new Date(2025, 4, 10, 12, 0).getTime();
    const morning = new Date(2025, 4, 10, 10, 42).getTime();
    const lastNight = new Date(2025, 4, 9, 21, 3).getTime();
    expect(statusTime(morning, now)).toBe(`Today ${clockTime(morning)}`);
    expect(statusTime(lastNight, now)).toBe(`Yesterday ${clockTime(lastNight)}`);
  });

  it("shows texts and pictures 5 s, a video its length up to 30 s", () => {
    expect(postDuration(textPost("t", "a"))).toBe(5000);
    expect(postDuration(mediaPost("p", "a", picture("m")))).toBe(5000);
    const video = (duration_ms?: number) =>
      mediaPost("v", "a", picture("m", { kind: "video", duration_ms }));
    expect(postDuration(video(12_000))).toBe(12_000);
    expect(postDuration(video(95_000))).toBe(30_000);
    expect(postDuration(video(undefined))).toBe(DURATIONS.videoUnknown);
  });

  it("goes round the typefaces", () => {
    expect(["sans", "serif", "mono", "script", "bold"].map((f) => nextFont(f as never))).toEqual([
      "serif",
      "mono",
      "script",
      "bold",
      "sans",
    ]);
  });

  it("counts a text's bytes as the server does", () => {
    expect(utf8Length("abc")).toBe(3);
    expect(utf8Length("é")).toBe(2);
  });

  it("puts unseen owners first, the seen after, the muted apart, each newest first", () => {
    const bob = peer("b", "Bob");
    const cal = peer("c", "Cal");
    const dan = peer("d", "Dan");
    const eve = peer("e", "Eve");
    const fay = peer("f", "Fay");
    const sections = feedSections([
      owner(bob, [textPost("b1", "b", { seen: true, ago: 2 * HOUR })]),
      owner(cal, [
        textPost("c1", "c", { seen: true, ago: 5 * HOUR }),
        textPost("c2", "c", { ago: 4 * HOUR }),
      ]),
      owner(dan, [textPost("d1", "d", { ago: HOUR })]),
      owner(eve, [textPost("e1", "e", { ago: HOUR })], { muted: true }),
      // Expired while the list was open: left out.
      owner(fay, [textPost("f1", "f", { ago: 25 * HOUR })]),
    ]);
    const ids = (list: { peer: { user_id: string } }[]) => list.map((o) => o.peer.user_id);
    expect(ids(sections.recent)).toEqual(["d", "c"]);
    expect(ids(sections.viewed)).toEqual(["b"]);
    expect(ids(sections.muted)).toEqual(["e"]);
  });

  it("starts at the first post not seen", () => {
    expect(firstUnseen([textPost("a", "x", { seen: true }), textPost("b", "x")])).toBe(1);
    expect(firstUnseen([textPost("a", "x", { seen: true })])).toBe(0);
  });
});
