import { act, fireEvent, render, screen, waitFor } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import type { MessageAction, MessengerEvent } from "../../api";
import { useMessengerFeed } from "../../messages";
import { layOutTimeline } from "../../test-fixtures";
import { invoke } from "../../test-ipc";
import { mediaMessage } from "../media/test-media";
import Conversation from "./Conversation";
import { refusedText } from "./hooks";

/** The conversation with the messenger's feed followed, as the frame has it. */
function WithFeed() {
  useMessengerFeed();
  return <Conversation open={{ chatId: "c1" }} myId="me" onClose={() => {}} />;
}

/** The messenger's feed (watched once per file: messages.ts keeps following it). */
const feed: { channel?: { onmessage: (event: MessengerEvent) => void } } = {};

const refused = (chatId: string, action: MessageAction, message: string): MessengerEvent => ({
  event: "action_refused",
  chat_id: chatId,
  message_id: "m1",
  action,
  code: "too_late",
  message,
});

layOutTimeline();

describe("a change of mine the server refused", () => {
  it("is worded by what it was", () => {
    expect(refusedText({ action: "edit", content: { kind: "text", text: "x" } }, "too late")).toBe(
      "Your edit couldn't be saved: too late",
    );
    expect(refusedText({ action: "react", emoji: "👍" }, "not a member")).toBe(
      "Your reaction couldn't be sent: not a member",
    );
    expect(refusedText({ action: "react", emoji: null }, "not a member")).toBe(
      "Your reaction couldn't be sent: not a member",
    );
    expect(refusedText({ action: "delete_for_everyone" }, "too late")).toBe(
      "The message couldn't be deleted: too late",
    );
    expect(refusedText({ action: "delete_for_me" }, "not found")).toBe(
      "The message couldn't be deleted: not found",
    );
    expect(refusedText({ action: "rsvp", rsvp: "going" }, "the event is cancelled")).toBe(
      "Your answer couldn't be sent: the event is cancelled",
    );
    expect(refusedText({ action: "cancel_event" }, "forbidden")).toBe(
      "The event couldn't be cancelled: forbidden",
    );
  });

  it("shows in its chat's conversation until dismissed, the latest one", async () => {
    const mine = mediaMessage("m1", [], { seq: 1, sender: "me" });
    mine.message.content = { kind: "text", text: "first" };
    invoke.mockImplementation(async (command: string, args?: never) => {
      if (command === "chat_messages") return [mine];
      if (command === "list_chats") return [];
      if (command === "list_contacts") return [];
      if (command === "watch_messages") {
        feed.channel = (args as unknown as { onEvent: typeof feed.channel }).onEvent;
        return;
      }
      throw new Error(command);
    });
    render(<WithFeed />);
    await screen.findByText("first");
    await waitFor(() => expect(feed.channel).toBeDefined());
    const send = (event: MessengerEvent) => act(() => feed.channel!.onmessage(event));

    // Another chat's refusal is not this one's.
    send(refused("c2", { action: "delete_for_everyone" }, "too late"));
    expect(screen.queryByTestId("action-refused")).toBeNull();

    send(refused("c1", { action: "edit", content: { kind: "text", text: "firts" } }, "too late"));
    const notice = screen.getByTestId("action-refused");
    expect(notice.textContent).toBe("Your edit couldn't be saved: too late");
    expect(notice.getAttribute("role")).toBe("alert");
    send(refused("c1", { action: "react", emoji: "👍" }, "you were removed"));
    expect(screen.getByTestId("action-refused").textContent).toBe(
      "Your reaction couldn't be sent: you were removed",
    );
    fireEvent.click(screen.getByRole("button", { name: "Dismiss" }));
    expect(screen.queryByTestId("action-refused")).toBeNull();

    send(refused("c1", { action: "delete_for_me" }, "not found"));
    expect(screen.getByTestId("action-refused").textContent).toBe(
      "The message couldn't be deleted: not found",
    );
    fireEvent.click(screen.getByTestId("action-refused-dismiss"));
    expect(screen.queryByTestId("action-refused")).toBeNull();
  });
});
