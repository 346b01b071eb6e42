import { act, fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";
import type { LocalMessage, MessengerEvent } from "../../api";
import { useMessengerFeed } from "../../messages";
import { layOutTimeline } from "../../test-fixtures";
import { invoke } from "../../test-ipc";
import Conversation from "../conversation/Conversation";
import { serve } from "../media/test-media";
import type { Answer, Event } from "./api";
import UpcomingEvents from "./UpcomingEvents";
import { localZone, shortWhen } from "./when";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

let seq = 0;
/** A message in chat c1: an event, or some text. */
function message(id: string, event: Partial<Event> | null, rsvps: Answer[] = []): LocalMessage {
  seq += 1;
  return {
    message: {
      id,
      chat_id: "c1",
      seq,
      updated_seq: seq,
      sender_id: "u2",
      content: event
        ? {
            kind: "event",
            event: { title: id, starts_at: Date.now() + DAY, time_zone: localZone(), ...event },
          }
        : { kind: "text", text: `text ${id}` },
      reply_to: null,
      forwarded: false,
      sent_at: Date.now(),
      edited_at: null,
      deleted_at: null,
      reactions: [],
      rsvps,
      hidden: false,
    },
    status: { state: "sent" },
  };
}

const rows = () => screen.queryAllByTestId("upcoming-event");

describe("upcoming events", () => {
  it("lists the chat's events to come, soonest first, with my answer; a click picks one", async () => {
    const inTwoDays = message("Dinner", { starts_at: Date.now() + 2 * DAY }, [
      { user_id: "me", rsvp: "going", at: 1 },
    ]);
    invoke.mockImplementation(async (command: string) => {
      if (command !== "chat_messages") throw new Error(command);
      return [
        inTwoDays,
        message("hello", null),
        message("Old", { starts_at: Date.now() - DAY }),
        message("Called off", { cancelled_at: 1 }),
        message("Lunch", { starts_at: Date.now() + HOUR }, [
          { user_id: "me", rsvp: "maybe", at: 1 },
        ]),
        message("Running", { starts_at: Date.now() - HOUR, ends_at: Date.now() + HOUR }),
      ];
    });
    const onPick = vi.fn();
    render(<UpcomingEvents chatId="c1" myId="me" onPick={onPick} />);
    await waitFor(() => expect(rows()).toHaveLength(3));
    expect(rows().map((r) => r.getAttribute("data-message-id"))).toEqual([
      "Running",
      "Lunch",
      "Dinner",
    ]);
    const when = (i: number) => within(rows()[i]!).getByTestId("upcoming-event-when").textContent;
    const answer = (i: number) =>
      within(rows()[i]!).getByTestId("upcoming-event-answer").textContent;
    expect(when(0)).toBe("Now");
    expect(when(2)).toBe(shortWhen((inTwoDays.message.content as { event: Event }).event));
    expect([answer(0), answer(1), answer(2)]).toEqual(["Not answered", "Maybe", "Going"]);
    fireEvent.click(rows()[1]!);
    expect(onPick).toHaveBeenCalledWith("Lunch");
    expect(invoke).toHaveBeenCalledWith("chat_messages", {
      chatId: "c1",
      before: null,
      limit: 500,
    });
  });

  it("looks further back in the store a page at a time", async () => {
    const newest = Array.from({ length: 500 }, (_, i) => message(`n${i}`, null));
    const older = [message("Far ahead", { starts_at: Date.now() + 30 * DAY }), message("x", null)];
    // The older page's messages come before the newest page's.
    older.forEach((local, i) => (local.message.seq = i + 1));
    newest.forEach((local, i) => (local.message.seq = i + 10));
    newest[499] = message("Soon", {});
    newest[499].message.seq = 509;
    invoke.mockImplementation(async (command: string, args?: never) => {
      if (command !== "chat_messages") throw new Error(command);
      const { before } = args as unknown as { before: number | null };
      return before === null ? newest : before === 10 ? older : [];
    });
    render(<UpcomingEvents chatId="c1" myId="me" onPick={() => {}} />);
    await waitFor(() =>
      expect(rows().map((r) => r.getAttribute("data-message-id"))).toEqual(["Soon", "Far ahead"]),
    );
    expect(
      invoke.mock.calls.map(([, args]) => (args as unknown as { before: unknown }).before),
    ).toEqual([null, 10]);
  });

  it("says there are none, or says nothing where asked to", async () => {
    invoke.mockImplementation(async () => [message("Old", { starts_at: Date.now() - DAY })]);
    const { unmount } = render(<UpcomingEvents chatId="c1" myId="me" onPick={() => {}} />);
    expect((await screen.findByTestId("upcoming-events-none")).textContent).toBe(
      "No upcoming events.",
    );
    unmount();
    render(<UpcomingEvents chatId="c1" myId="me" onPick={() => {}} hideEmpty />);
    await waitFor(() => expect(invoke).toHaveBeenCalledTimes(2));
    expect(screen.queryByTestId("upcoming-events")).toBeNull();
  });
});

describe("upcoming events as they change", () => {
  function WithFeed() {
    useMessengerFeed();
    return <UpcomingEvents chatId="c1" myId="me" onPick={() => {}} />;
  }

  it("load again when one of the chat's events changes, not for its other messages", async () => {
    let stored: LocalMessage[] = [];
    const feed: { channel?: { onmessage: (event: MessengerEvent) => void } } = {};
    invoke.mockImplementation(async (command: string, args?: never) => {
      if (command === "chat_messages") return stored;
      if (command === "watch_messages") {
        feed.channel = (args as unknown as { onEvent: typeof feed.channel }).onEvent;
        return;
      }
      throw new Error(command);
    });
    render(<WithFeed />);
    await screen.findByTestId("upcoming-events-none");
    const loads = () => invoke.mock.calls.filter(([c]) => c === "chat_messages").length;
    const said = (local: LocalMessage, chat_id = "c1") =>
      act(() => feed.channel!.onmessage({ event: "message", chat_id, message: local }));
    said(message("hi", null));
    said(message("Elsewhere", {}), "c2");
    expect(loads()).toBe(1);
    const party = message("Party", {});
    stored = [party];
    said(party);
    await waitFor(() => expect(rows()).toHaveLength(1));
    // Cancelled: gone from the list.
    const cancelled = structuredClone(party);
    (cancelled.message.content as { event: Event }).event.cancelled_at = 1;
    stored = [cancelled];
    said(cancelled);
    await screen.findByTestId("upcoming-events-none");
    expect(loads()).toBe(3);
  });
});

describe("upcoming events beside a direct chat", () => {
  layOutTimeline();

  it("shows above the gallery, and a click shows the event in the conversation", async () => {
    const picnic = message("Picnic", {});
    serve([message("hi", null), picnic, message("bye", null)], { chat_gallery: () => [] });
    render(<Conversation open={{ chatId: "c1" }} myId="me" onClose={() => {}} />);
    await screen.findByTestId("event-card");
    fireEvent.click(screen.getByTestId("open-gallery"));
    const gallery = screen.getByTestId("gallery");
    const row = await within(gallery).findByTestId("upcoming-event");
    expect(row.textContent).toContain("Picnic");
    fireEvent.click(row);
    expect(screen.queryByTestId("gallery")).toBeNull();
    await vi.waitFor(() =>
      expect(document.querySelector(".bubble.highlight")?.getAttribute("data-message-id")).toBe(
        "Picnic",
      ),
    );
  });
});
