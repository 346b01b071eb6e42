import { describe, expect, it } from "vitest";
import type { ChatSummary, LocalMessage, Message } from "./api";
import {
  attachmentsLabel,
  isMuted,
  messageText,
  mutedUntilText,
  preview,
  tickOf,
} from "./chatText";
import { clockTime, dayLabel } from "./time";
import type { Attachment } from "./bindings/Attachment";
import { chatMessage, chatTile } from "./test-fixtures";

const message = (seq: number, sender: string, text: string | null): Message =>
  chatMessage(seq, sender, text === null ? null : { kind: "text", text }, {
    chat_id: "c",
    sent_at: 0,
    deleted_at: text === null ? 1 : null,
  }).message;

const chat = (over: Partial<ChatSummary>): ChatSummary =>
  chatTile({
    id: "c",
    title: "Bo",
    last_seq: 3,
    delivered_to_all_seq: 2,
    read_by_all_seq: 1,
    ...over,
  });

describe("chat words", () => {
  it("previews the last message kind-aware", () => {
    expect(preview(chat({ last_message: message(1, "me", "hi\nthere") }), "me")).toBe("You: hi");
    expect(preview(chat({ last_message: message(1, "bob", null) }), "me")).toBe(
      "This message was deleted",
    );
  });

  it("reads a message that disappeared as expired, and previews it as nothing", () => {
    const gone: Message = { ...message(1, "bob", null), deleted_at: null, expired: true };
    expect(messageText(gone)).toBe("Message expired");
    expect(preview(chat({ last_message: gone }), "me")).toBe("");
    const timeUp = { ...message(2, "bob", "bye"), expires_at: Date.now() - 1 };
    expect(preview(chat({ last_message: timeUp }), "me")).toBe("");
    expect(preview(chat({ last_message: { ...timeUp, kept: true } }), "me")).toBe("bye");
  });

  it("previews a poll and an event by what they are", () => {
    const event = {
      ...message(1, "bob", "x"),
      content: {
        kind: "event" as const,
        event: { title: "Launch party", starts_at: 1, time_zone: "UTC" },
      },
    };
    expect(preview(chat({ last_message: event }), "me")).toBe("📅 Event: Launch party");
    const poll = {
      ...message(1, "me", "x"),
      content: {
        kind: "poll" as const,
        poll: { question: "Lunch?", options: ["a", "b"], multiple: false, anonymous: false },
      },
    };
    expect(preview(chat({ last_message: poll }), "me")).toBe("You: 📊 Poll: Lunch?");
  });

  it("previews a group's messages with their sender's name, its happenings and mentions in words", () => {
    const names: Record<string, string> = { bob: "Bob", ann: "Ann" };
    const nameOf = (id: string) => names[id];
    const group = (last: Message) => chat({ kind: "group", title: "Hikers", last_message: last });
    expect(preview(group(message(1, "bob", "hi <@ann>")), "me", nameOf)).toBe("Bob: hi @Ann");
    expect(preview(group(message(1, "me", "hi")), "me", nameOf)).toBe("You: hi");
    // Not known (yet): no name rather than a wrong one.
    expect(preview(group(message(1, "zed", "hi")), "me", nameOf)).toBe("hi");
    const added = {
      ...message(2, "ann", "x"),
      content: { kind: "system" as const, event: { event: "added" as const, user_ids: ["me"] } },
    };
    expect(preview(group(added), "me", nameOf)).toBe("Ann added you");
    // A direct chat names nobody.
    expect(preview(chat({ last_message: message(1, "bob", "hi") }), "me", nameOf)).toBe("hi");
  });

  const local = (seq: number, state: "sent" | "pending"): LocalMessage => ({
    message: message(seq, "me", "x"),
    status: { state },
  });

  it("ticks follow status and how far all the others got", () => {
    const c = chat({});
    expect(tickOf(local(0, "pending"), c)).toBe("pending");
    expect(tickOf(local(1, "sent"), c)).toBe("read");
    expect(tickOf(local(2, "sent"), c)).toBe("delivered");
    expect(tickOf(local(3, "sent"), c)).toBe("sent");
    expect(tickOf(local(3, "sent"), null)).toBe("sent");
  });

  it("ticks in a group wait for everyone: my own cursors do not count", () => {
    // I read and received up to 9 (my cursors); the slowest member has 5, the slowest reader 3.
    const group = chat({
      kind: "group",
      member_count: 5,
      last_seq: 9,
      my_delivered_seq: 9,
      my_read_seq: 9,
      delivered_to_all_seq: 5,
      read_by_all_seq: 3,
    });
    expect(tickOf(local(3, "sent"), group)).toBe("read");
    expect(tickOf(local(4, "sent"), group)).toBe("delivered");
    expect(tickOf(local(5, "sent"), group)).toBe("delivered");
    expect(tickOf(local(6, "sent"), group)).toBe("sent");
    // Nobody shares read receipts: never read, however far they got.
    expect(tickOf(local(2, "sent"), { ...group, read_by_all_seq: 0 })).toBe("delivered");
  });

  it("knows muted from forever and expired", () => {
    expect(isMuted(chat({ muted_until: Number.MAX_SAFE_INTEGER }))).toBe(true);
    expect(isMuted(chat({ muted_until: 1 }))).toBe(false);
  });

  it("says until when a chat is muted", () => {
    const now = new Date(2024, 2, 3, 9, 0).getTime();
    const at = (day: number, hour: number, minute: number) =>
      new Date(2024, 2, day, hour, minute).getTime();
    expect(mutedUntilText(Number.MAX_SAFE_INTEGER, now)).toBe("Always");
    expect(mutedUntilText(9.223372036854776e18, now)).toBe("Always");
    expect(mutedUntilText(at(3, 18, 30), now)).toBe(`Muted until ${clockTime(at(3, 18, 30))}`);
    expect(mutedUntilText(at(4, 8, 0), now)).toBe(
      `Muted until tomorrow, ${clockTime(at(4, 8, 0))}`,
    );
    expect(mutedUntilText(at(10, 9, 0), now)).toBe(
      `Muted until ${dayLabel(at(10, 9, 0), now)}, ${clockTime(at(10, 9, 0))}`,
    );
  });
});

describe("attachments in words", () => {
  const attachment = (kind: Attachment["kind"], over: Partial<Attachment> = {}): Attachment => ({
    media_id: "0".repeat(32),
    kind,
    mime: "application/octet-stream",
    size: 10,
    thumbs: [],
    waveform: [],
    ...over,
  });

  it("names one attachment by its kind, a document by its name, a voice message by its length", () => {
    expect(attachmentsLabel([attachment("image")])).toBe("Photo");
    expect(attachmentsLabel([attachment("file", { name: "report.pdf" })])).toBe("report.pdf");
    expect(attachmentsLabel([attachment("voice", { duration_ms: 67_400 })])).toBe(
      "Voice message (1:07)",
    );
  });

  it("counts several", () => {
    expect(attachmentsLabel([attachment("image"), attachment("image"), attachment("image")])).toBe(
      "3 photos",
    );
    expect(attachmentsLabel([attachment("image"), attachment("file")])).toBe("2 attachments");
  });

  it("prefers the caption", () => {
    const captioned = {
      ...message(1, "b", "x"),
      content: { kind: "media" as const, attachments: [attachment("video")], caption: "the beach" },
    };
    expect(messageText(captioned)).toBe("the beach");
    expect(
      messageText({ ...captioned, content: { kind: "media", attachments: [attachment("video")] } }),
    ).toBe("Video");
  });
});
