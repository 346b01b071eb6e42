import { act, fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";
import type { LocalMessage, MessengerEvent } from "../../api";
import { useMessengerFeed } from "../../messages";
import { chatMessage, layOutTimeline } from "../../test-fixtures";
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
  return chatMessage(
    seq,
    "u2",
    event
      ? {
          kind: "event",
          event: { title: id, starts_at: Date.now() + DAY, time_zone: localZone(), ...event },
        }
      : { kind: "text", text: `text ${id}` },
    { id, rsvps },
  );
}

const rows = () => screen.queryAllByTestId("upcoming-event");

const loads = () => invoke.mock.calls.filter(([c]) => c === "upcoming_events").length;

describe("upcoming events", () => {
  it("lists the chat's events to come, soonest first, with my answer; a click picks one", async () => {
    const inTwoDays = message("Dinner", { starts_at: Date.now() + 2 * DAY }, [
      { user_id: "me", rsvp: "going", at: 1 },
    ]);
    invoke.mockImplementation(async (command: string) => {
      if (command !== "upcoming_events") throw new Error(command);
      // The store's index: those to come or going on, soonest first.
      return [
        message("Running", { starts_at: Date.now() - HOUR, ends_at: Date.now() + HOUR }),
        message("Lunch", { starts_at: Date.now() + HOUR }, [
          { user_id: "me", rsvp: "maybe", at: 1 },
        ]),
        inTwoDays,
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
    // One look into the store's index of events, not its messages.
    expect(invoke.mock.calls).toEqual([["upcoming_events", { chatId: "c1" }]]);
  });

  it("leaves out one that ended since the store listed it, and says an unknown time so", async () => {
    const stored = [
      message("Just ended", { starts_at: Date.now() - 2 * HOUR, ends_at: Date.now() - 60_000 }),
      message("Soon", { starts_at: Date.now() + HOUR }),
      message("Far", { starts_at: Number.MAX_SAFE_INTEGER }),
    ];
    invoke.mockImplementation(async () => stored);
    render(<UpcomingEvents chatId="c1" myId="me" onPick={() => {}} />);
    await waitFor(() =>
      expect(rows().map((r) => r.getAttribute("data-message-id"))).toEqual(["Soon", "Far"]),
    );
    expect(within(rows()[1]!).getByTestId("upcoming-event-when").textContent).toBe("Unknown time");
  });

  it("says there are none, or says nothing where asked to", async () => {
    invoke.mockImplementation(async () => []);
    const { unmount } = render(<UpcomingEvents chatId="c1" myId="me" onPick={() => {}} />);
    expect((await screen.findByTestId("upcoming-events-none")).textContent).toBe(
      "No upcoming events.",
    );
    unmount();
    render(<UpcomingEvents chatId="c1" myId="me" onPick={() => {}} hideEmpty />);
    await waitFor(() => expect(invoke).toHaveBeenCalledTimes(2));
    expect(screen.queryByTestId("upcoming-events")).toBeNull();
  });

  it("says why the events could not be read", async () => {
    invoke.mockImplementation(async () => {
      throw { code: "internal", message: "the store is locked" };
    });
    render(<UpcomingEvents chatId="c1" myId="me" onPick={() => {}} />);
    expect((await screen.findByRole("alert")).textContent).toBe("the store is locked (internal)");
  });
});

describe("upcoming events as they change", () => {
  function WithFeed() {
    useMessengerFeed();
    return <UpcomingEvents chatId="c1" myId="me" onPick={() => {}} />;
  }

  /** The messenger's feed, as the test running watched it (each test starts its own). */
  const feed: { channel?: { onmessage: (event: MessengerEvent) => void } } = {};

  /** The desktop side with `stored` as the chat's upcoming events, and the messenger's feed. */
  function serveFeed() {
    const state: { stored: LocalMessage[] } = { stored: [] };
    invoke.mockImplementation(async (command: string, args?: never) => {
      if (command === "upcoming_events") return state.stored;
      if (command === "watch_messages") {
        feed.channel = (args as unknown as { onEvent: typeof feed.channel }).onEvent;
        return;
      }
      throw new Error(command);
    });
    const said = (event: MessengerEvent) => act(() => feed.channel!.onmessage(event));
    const saidMessage = (local: LocalMessage, chat_id = "c1") =>
      said({ event: "message", chat_id, message: local });
    return { state, said, saidMessage };
  }

  it("load again when one of the chat's events changes, not for its other messages", async () => {
    const { state, saidMessage } = serveFeed();
    render(<WithFeed />);
    await screen.findByTestId("upcoming-events-none");
    saidMessage(message("hi", null));
    saidMessage(message("Elsewhere", {}), "c2");
    expect(loads()).toBe(1);
    const party = message("Party", {});
    state.stored = [party];
    saidMessage(party);
    await waitFor(() => expect(rows()).toHaveLength(1));
    // Cancelled: gone from the list.
    const cancelled = structuredClone(party);
    (cancelled.message.content as { event: Event }).event.cancelled_at = 1;
    state.stored = [];
    saidMessage(cancelled);
    await screen.findByTestId("upcoming-events-none");
    expect(loads()).toBe(3);
  });

  it("load again when one of them is deleted, for everyone or for me", async () => {
    const { state, saidMessage } = serveFeed();
    const party = message("Party", {});
    const picnic = message("Picnic", {});
    state.stored = [party, picnic];
    render(<WithFeed />);
    await waitFor(() => expect(rows()).toHaveLength(2));
    // Deleted for everyone: a tombstone, which no longer says it was an event.
    const tombstone = structuredClone(party);
    tombstone.message.content = null;
    tombstone.message.deleted_at = 5;
    state.stored = [picnic];
    saidMessage(tombstone);
    await waitFor(() => expect(rows()).toHaveLength(1));
    // Deleted for me.
    const hidden = structuredClone(picnic);
    hidden.message.hidden = true;
    state.stored = [];
    saidMessage(hidden);
    await screen.findByTestId("upcoming-events-none");
    expect(loads()).toBe(3);
  });

  it("load again when the chats change while one not sent yet is listed (taken back)", async () => {
    const { state, said } = serveFeed();
    const sent = message("Party", {});
    state.stored = [sent];
    render(<WithFeed />);
    await waitFor(() => expect(rows()).toHaveLength(1));
    // All sent: a change to the chats says nothing about them.
    said({ event: "chats_changed" });
    expect(loads()).toBe(1);
    const pending = message("Picnic", {});
    pending.status = { state: "pending" };
    pending.message.seq = 0;
    state.stored = [sent, pending];
    said({ event: "message", chat_id: "c1", message: pending });
    await waitFor(() => expect(rows()).toHaveLength(2));
    // Taken back before it went: only the chats are said to change.
    state.stored = [sent];
    said({ event: "chats_changed" });
    await waitFor(() => expect(rows()).toHaveLength(1));
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
