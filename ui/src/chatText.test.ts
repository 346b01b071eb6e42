import { describe, expect, it } from "vitest";
import type { ChatSummary, LocalMessage, Message } from "./api";
import { isMuted, preview, tickOf } from "./chatText";

const message = (seq: number, sender: string, text: string | null): Message => ({
  id: `m${seq}`,
  chat_id: "c",
  seq,
  updated_seq: seq,
  sender_id: sender,
  content: text === null ? null : { kind: "text", text },
  reply_to: null,
  forwarded: false,
  sent_at: 0,
  edited_at: null,
  deleted_at: text === null ? 1 : null,
  reactions: [],
  hidden: false,
});

const chat = (over: Partial<ChatSummary>): ChatSummary => ({
  id: "c",
  kind: "direct",
  peer: null,
  last_seq: 3,
  last_message: null,
  unread: 0,
  last_activity_at: 0,
  my_delivered_seq: 0,
  my_read_seq: 0,
  peer_delivered_seq: 2,
  peer_read_seq: 1,
  pinned_at: null,
  archived: false,
  muted_until: null,
  ...over,
});

describe("chat words", () => {
  it("previews the last message kind-aware", () => {
    expect(preview(chat({ last_message: message(1, "me", "hi\nthere") }), "me")).toBe("You: hi");
    expect(preview(chat({ last_message: message(1, "bob", null) }), "me")).toBe(
      "This message was deleted",
    );
  });

  it("ticks follow status and the peer's cursors", () => {
    const local = (seq: number, state: "sent" | "pending"): LocalMessage => ({
      message: message(seq, "me", "x"),
      status: { state },
    });
    const c = chat({});
    expect(tickOf(local(0, "pending"), c)).toBe("pending");
    expect(tickOf(local(1, "sent"), c)).toBe("read");
    expect(tickOf(local(2, "sent"), c)).toBe("delivered");
    expect(tickOf(local(3, "sent"), c)).toBe("sent");
  });

  it("knows muted from forever and expired", () => {
    expect(isMuted(chat({ muted_until: Number.MAX_SAFE_INTEGER }))).toBe(true);
    expect(isMuted(chat({ muted_until: 1 }))).toBe(false);
  });
});
