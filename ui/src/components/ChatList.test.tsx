import { fireEvent, render, screen, waitFor } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import type { ChatSummary } from "../api";
import { invoke } from "../test-ipc";
import ChatList from "./ChatList";

const WEEK = 7 * 24 * 60 * 60 * 1000;

const tile = (muted_until: number | null): ChatSummary => ({
  id: "c1",
  kind: "direct",
  peer: { user_id: "u2", display_name: "Bo", username: "bo", photo: null },
  last_seq: 0,
  last_message: null,
  unread: 0,
  last_activity_at: Date.now(),
  my_delivered_seq: 0,
  my_read_seq: 0,
  peer_delivered_seq: 0,
  peer_read_seq: 0,
  pinned_at: null,
  archived: false,
  muted_until,
});

/** Programs `list_chats` to answer `chats`, and records every `update_chat`. */
function serve(chats: ChatSummary[]): unknown[] {
  const updates: unknown[] = [];
  invoke.mockImplementation(async (command: string, args?: never) => {
    if (command === "list_chats") return chats;
    if (command === "update_chat") {
      updates.push(args);
      return null;
    }
    throw new Error(`unexpected ${command}`);
  });
  return updates;
}

describe("ChatList", () => {
  it("mutes a chat for a week, or for 8 hours, or always", async () => {
    const updates = serve([tile(null)]);
    render(<ChatList myId="u1" selectedId={null} onOpen={() => {}} />);
    fireEvent.click(await screen.findByLabelText("More for Bo"));
    expect(screen.getByText("Mute 8 hours")).toBeTruthy();
    expect(screen.getByText("Mute always")).toBeTruthy();
    const before = Date.now();
    fireEvent.click(screen.getByText("Mute 1 week"));
    await waitFor(() => expect(updates).toHaveLength(1));
    const { update } = updates[0] as { update: { muted_until: number } };
    expect(update.muted_until).toBeGreaterThanOrEqual(before + WEEK);
    expect(update.muted_until).toBeLessThanOrEqual(Date.now() + WEEK);
  });

  it("shows until when a chat is muted, and offers to unmute", async () => {
    const until = Date.now() + 3 * 60 * 60 * 1000;
    const updates = serve([tile(until)]);
    render(<ChatList myId="u1" selectedId={null} onOpen={() => {}} />);
    const icon = await screen.findByTestId("chat-tile-muted");
    expect(icon.getAttribute("title")).toMatch(/^Muted until /);
    fireEvent.click(screen.getByLabelText("More for Bo"));
    expect(screen.queryByText("Mute 1 week")).toBeNull();
    fireEvent.click(screen.getByText("Unmute"));
    await waitFor(() => expect(updates).toEqual([{ chatId: "c1", update: { muted_until: 0 } }]));
  });

  it("says just Muted when a chat is muted always", async () => {
    serve([tile(Number.MAX_SAFE_INTEGER)]);
    render(<ChatList myId="u1" selectedId={null} onOpen={() => {}} />);
    expect((await screen.findByTestId("chat-tile-muted")).getAttribute("title")).toBe("Muted");
  });
});
