import { describe, expect, it } from "vitest";
import type { LocalMessage } from "../../api";
import { textMessage } from "../../test-fixtures";
import { MAX_HELD, joinNewer, newestSeq, oldestSeq, withArrived, withIds } from "./window";

/** Messages `from`..`to` of chat c1. */
const run = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, i) => textMessage(from + i, "u2", `line ${from + i}`));

/** One of mine not sent yet: no place in the chat. */
const unsent = (id: string): LocalMessage => ({
  ...textMessage(0, "me", id, { id }),
  status: { state: "pending" },
});

const seqs = (list: LocalMessage[] | null) => list?.map((local) => local.message.seq);

describe("the window's rules", () => {
  it("takes the places of the placed messages only", () => {
    const list = [...run(5, 9), unsent("p1")];
    expect(oldestSeq(list)).toBe(5);
    expect(newestSeq(list)).toBe(9);
    expect(oldestSeq([unsent("p1")])).toBe(Infinity);
    expect(newestSeq([unsent("p1")])).toBe(0);
  });

  it("joins the newest page where it meets what is held, its versions winning", () => {
    const held = [...run(1, 10), unsent("p1")];
    const newer = run(8, 12).map((m) => ({ ...m, message: { ...m.message, starred: true } }));
    const joined = joinNewer(held, newer)!;
    expect(seqs(joined)).toEqual(run(1, 12).map((m) => m.message.seq));
    expect(joined.map((m) => m.message.starred)).toEqual([
      ...Array(7).fill(false),
      ...Array(5).fill(true),
    ]);
    // Right after the last held one meets it too; a gap does not.
    expect(seqs(joinNewer(run(1, 10), run(11, 12)))).toHaveLength(12);
    expect(joinNewer(run(1, 10), run(12, 13))).toBeNull();
    // A page of unsent ones only has no place to meet at.
    expect(joinNewer(run(1, 10), [unsent("p1")])).toBeNull();
  });

  it("puts an arriving message in its place, or says the store knows it", () => {
    const held = [...run(1, 10), unsent("p1")];
    const ids = (list: LocalMessage[] | null) => list?.map((local) => local.message.id);
    // The next one: before my unsent one; an unsent one: last.
    expect(ids(withArrived(held, textMessage(11, "u2", "next")))).toEqual([
      ...ids(run(1, 11))!,
      "p1",
    ]);
    expect(ids(withArrived(held, unsent("p2")))?.slice(-2)).toEqual(["p1", "p2"]);
    // Mine, sent: among the placed ones.
    const sent = textMessage(11, "me", "p1", { id: "p1" });
    expect(seqs(withArrived(held, sent))).toEqual(seqs(run(1, 11)));
    // A held one changed: where it was.
    const edited = textMessage(5, "u2", "edited");
    expect(withArrived(held, edited)?.[4]).toBe(edited);
    expect(withArrived(held, edited)).toHaveLength(held.length);
    // A gap, or an older one not held: unknown here.
    expect(withArrived(held, textMessage(12, "u2", "gap"))).toBeNull();
    expect(withArrived(run(5, 10), textMessage(3, "u2", "older"))).toBeNull();
    expect(withArrived(held, textMessage(13, "me", "p1", { id: "p1" }))).toBeNull();
  });

  it("keeps the latest ids known gone, no more than the most held", () => {
    let known: ReadonlySet<string> = new Set();
    for (let i = 0; i < MAX_HELD + 50; i++) known = withIds(known, [`m${i}`]);
    expect(known.size).toBe(MAX_HELD);
    expect(known.has(`m${MAX_HELD + 49}`)).toBe(true);
    expect(known.has("m0")).toBe(false);
    // Nothing new: the same set (nothing re-renders for it).
    expect(withIds(known, [`m${MAX_HELD + 49}`])).toBe(known);
  });
});
