import { fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import type { LocalMessage } from "../../api";
import { layOutTimeline } from "../../test-fixtures";
import { invoke } from "../../test-ipc";
import Conversation from "../conversation/Conversation";
import MessageBubble from "../conversation/MessageBubble";
import { MediaProvider } from "../media/MediaContext";
import { serve } from "../media/test-media";
import type { Answer, Event } from "./api";
import { localZone } from "./when";

const NAMES: Record<string, string> = { u2: "Grace", u3: "Alan" };
const HOUR = 3_600_000;
/** Tomorrow at 18:00, local time. */
const START = (() => {
  const d = new Date();
  d.setDate(d.getDate() + 1);
  d.setHours(18, 0, 0, 0);
  return d.getTime();
})();

/** A bubble as the conversation shows it: in its media provider, where I am "me". */
function Bubble({ local }: { local: LocalMessage }) {
  return (
    <MediaProvider chatId="c1" myId="me" onOpenChat={null}>
      <MessageBubble
        local={local}
        mine={local.message.sender_id === "me"}
        tick={null}
        quoted={undefined}
        highlighted={false}
        info={null}
        onToggleMenu={() => {}}
        onCloseInfo={() => {}}
        menu={null}
        voterName={(userId) => NAMES[userId]}
      />
    </MediaProvider>
  );
}

/** An event message in chat c1 with these answers. */
function eventMessage(
  event: Partial<Event> = {},
  {
    rsvps = [],
    sender = "u2",
    pending = false,
  }: { rsvps?: Answer[]; sender?: string; pending?: boolean } = {},
): LocalMessage {
  return {
    message: {
      id: "e1",
      chat_id: "c1",
      seq: pending ? 0 : 4,
      updated_seq: 4,
      sender_id: sender,
      content: {
        kind: "event",
        event: {
          title: "Picnic",
          starts_at: START,
          time_zone: localZone(),
          ...event,
        },
      },
      reply_to: null,
      forwarded: false,
      sent_at: Date.now(),
      edited_at: null,
      deleted_at: null,
      reactions: [],
      rsvps,
      hidden: false,
    },
    status: pending ? { state: "pending" } : { state: "sent" },
  };
}

const answer = (user_id: string, rsvp: Answer["rsvp"], at = 1): Answer => ({ user_id, rsvp, at });

/** The act command answers at once, the reminder is the default 15 minutes; anything else fails. */
function serveActs(reminder: number | null = 15 * 60_000) {
  invoke.mockImplementation(async (command: string) => {
    if (command === "act_on_message") return null;
    if (command === "event_reminder") return reminder;
    if (command === "set_event_reminder") return null;
    throw new Error(command);
  });
}
const acts = () =>
  invoke.mock.calls
    .filter(([c]) => c === "act_on_message")
    .map(([, args]) => (args as unknown as { action: unknown }).action);

const rsvpButton = (rsvp: string) => screen.getByTestId(`event-rsvp-${rsvp}`) as HTMLButtonElement;
const counts = () =>
  ["going", "maybe", "not_going"].map((r) => screen.getByTestId(`event-count-${r}`).textContent);
const pressed = () =>
  ["going", "maybe", "not_going"].map((r) => rsvpButton(r).getAttribute("aria-pressed"));

describe("an event in the timeline", () => {
  it("shows what, when, where, the call link, each answer's count and mine", () => {
    serveActs();
    render(
      <Bubble
        local={eventMessage(
          {
            ends_at: START + 2 * HOUR,
            place: "Hyde Park",
            description: "Bring a blanket",
            call_link: "https://meet.example.com/picnic",
          },
          { rsvps: [answer("u2", "going"), answer("me", "maybe"), answer("u3", "going")] },
        )}
      />,
    );
    const card = screen.getByTestId("event-card");
    expect(card.getAttribute("data-message-id")).toBe("e1");
    expect(within(card).getByTestId("event-title-text").textContent).toBe("Picnic");
    const when = within(card).getByTestId("event-when").textContent!;
    expect(when).toContain(new Date(START).toLocaleDateString(undefined, { weekday: "long" }));
    expect(when).toContain(
      new Date(START + 2 * HOUR).toLocaleTimeString(undefined, {
        hour: "2-digit",
        minute: "2-digit",
      }),
    );
    expect(within(card).getByTestId("event-place").textContent).toContain("Hyde Park");
    expect(within(card).getByTestId("event-description-text").textContent).toBe("Bring a blanket");
    const join = within(card).getByRole("link", { name: "Join call" });
    expect(join.getAttribute("href")).toBe("https://meet.example.com/picnic");
    expect(counts()).toEqual(["2", "1", "0"]);
    expect(pressed()).toEqual(["false", "true", "false"]);
    // In my own zone: no second time; not over; not mine: no Edit or Cancel.
    expect(screen.queryByTestId("event-zone-time")).toBeNull();
    expect(screen.queryByTestId("event-ended")).toBeNull();
    expect(screen.queryByTestId("event-edit")).toBeNull();
    expect(screen.queryByTestId("event-cancel")).toBeNull();
    // Not going: no reminder.
    expect(screen.queryByTestId("event-reminder")).toBeNull();
  });

  it("answers with a tap, swaps, and takes my answer back on a second tap", () => {
    serveActs();
    const { rerender } = render(<Bubble local={eventMessage()} />);
    expect(counts()).toEqual(["0", "0", "0"]);
    fireEvent.click(rsvpButton("going"));
    rerender(<Bubble local={eventMessage({}, { rsvps: [answer("me", "going")] })} />);
    expect(pressed()).toEqual(["true", "false", "false"]);
    fireEvent.click(rsvpButton("not_going"));
    rerender(<Bubble local={eventMessage({}, { rsvps: [answer("me", "not_going")] })} />);
    fireEvent.click(rsvpButton("not_going"));
    expect(acts()).toEqual([
      { action: "rsvp", rsvp: "going" },
      { action: "rsvp", rsvp: "not_going" },
      { action: "rsvp", rsvp: null },
    ]);
    expect(invoke.mock.calls.find(([c]) => c === "act_on_message")![1]).toMatchObject({
      chatId: "c1",
      messageId: "e1",
    });
  });

  it("lists who answered what", () => {
    serveActs();
    render(
      <Bubble
        local={eventMessage(
          {},
          {
            rsvps: [answer("u3", "going", 3), answer("me", "going", 2), answer("u9", "maybe", 1)],
          },
        )}
      />,
    );
    expect(screen.queryByTestId("event-answers-list")).toBeNull();
    fireEvent.click(screen.getByTestId("event-answers"));
    const groups = within(screen.getByTestId("event-answers-list")).getAllByTestId(
      "event-answers-group",
    );
    expect(groups.map((g) => g.getAttribute("data-rsvp"))).toEqual(["going", "maybe", "not_going"]);
    expect(
      groups.map((g) =>
        within(g)
          .queryAllByTestId("event-answerer")
          .map((a) => a.textContent),
      ),
    ).toEqual([["You", "Alan"], ["Someone"], []]);
    fireEvent.click(screen.getByRole("button", { name: "Hide answers" }));
    expect(screen.queryByTestId("event-answers-list")).toBeNull();
  });

  it("lets its creator cancel it after asking, and then takes no answers", () => {
    serveActs();
    const { rerender } = render(<Bubble local={eventMessage({}, { sender: "me" })} />);
    fireEvent.click(screen.getByTestId("event-cancel"));
    // Not yet: the question first, and Cancel leaves it be.
    expect(acts()).toEqual([]);
    const question = screen.getByRole("alertdialog", { name: "Cancel event" });
    fireEvent.click(within(question).getByRole("button", { name: "Cancel" }));
    expect(screen.queryByRole("alertdialog")).toBeNull();
    fireEvent.click(screen.getByTestId("event-cancel"));
    fireEvent.click(screen.getByTestId("event-cancel-confirm"));
    expect(acts()).toEqual([{ action: "cancel_event" }]);
    rerender(
      <Bubble
        local={eventMessage({ cancelled_at: 5 }, { sender: "me", rsvps: [answer("u2", "going")] })}
      />,
    );
    expect(screen.getByTestId("event-cancelled").textContent).toBe("Cancelled");
    expect(screen.queryByTestId("event-edit")).toBeNull();
    expect(screen.queryByTestId("event-cancel")).toBeNull();
    expect(["going", "maybe", "not_going"].every((r) => rsvpButton(r).disabled)).toBe(true);
    fireEvent.click(rsvpButton("going"));
    expect(acts()).toHaveLength(1);
    // The count stays to see.
    expect(counts()).toEqual(["1", "0", "0"]);
  });

  it("lets its creator change it: the form filled in, the whole event sent", async () => {
    serveActs();
    const original: Partial<Event> = {
      place: "Hyde Park",
      description: "Bring a blanket",
      time_zone: "Pacific/Kiritimati",
    };
    render(<Bubble local={eventMessage(original, { sender: "me" })} />);
    fireEvent.click(screen.getByTestId("event-edit"));
    const dialog = screen.getByRole("dialog", { name: "Edit the event" });
    const input = (id: string) => within(dialog).getByTestId(id) as HTMLInputElement;
    expect(input("event-title").value).toBe("Picnic");
    expect(input("event-place").value).toBe("Hyde Park");
    expect(input("event-description").value).toBe("Bring a blanket");
    expect(input("event-time").value).toBe("18:00");
    fireEvent.change(input("event-title"), { target: { value: "Big picnic" } });
    fireEvent.click(within(dialog).getByTestId("event-save"));
    await waitFor(() => expect(screen.queryByRole("dialog")).toBeNull());
    // Its times untouched: its creator's zone kept.
    expect(acts()).toEqual([
      {
        action: "update_event",
        event: {
          title: "Big picnic",
          starts_at: START,
          time_zone: "Pacific/Kiritimati",
          place: "Hyde Park",
          description: "Bring a blanket",
        },
      },
    ]);
  });

  it("says the time in its creator's zone when that reads otherwise", () => {
    serveActs();
    const zone = localZone() === "Pacific/Kiritimati" ? "Pacific/Pago_Pago" : "Pacific/Kiritimati";
    render(<Bubble local={eventMessage({ time_zone: zone })} />);
    const line = screen.getByTestId("event-zone-time").textContent!;
    expect(line).toContain(
      new Date(START).toLocaleTimeString(undefined, {
        hour: "2-digit",
        minute: "2-digit",
        timeZone: zone,
      }),
    );
    expect(line).toMatch(/ in (Kiritimati|Pago Pago) time$/);
  });

  it("says when it is over, and still takes answers", () => {
    serveActs();
    render(<Bubble local={eventMessage({ starts_at: Date.now() - 3 * HOUR })} />);
    expect(screen.getByTestId("event-ended").textContent).toBe("Ended");
    expect(rsvpButton("going").disabled).toBe(false);
  });

  it("lets those going choose when this device reminds them", async () => {
    serveActs();
    render(<Bubble local={eventMessage({}, { rsvps: [answer("me", "going")] })} />);
    const select = screen.getByTestId("event-reminder") as HTMLSelectElement;
    await waitFor(() => expect(select.disabled).toBe(false));
    expect(select.value).toBe(String(15 * 60_000));
    expect(invoke).toHaveBeenCalledWith("event_reminder", { messageId: "e1" });
    expect(Array.from(select.options).map((o) => o.textContent)).toEqual([
      "None",
      "At start",
      "5 minutes before",
      "15 minutes before",
      "30 minutes before",
      "1 hour before",
      "1 day before",
    ]);
    fireEvent.change(select, { target: { value: String(60 * 60_000) } });
    fireEvent.change(select, { target: { value: "none" } });
    fireEvent.change(select, { target: { value: "0" } });
    expect(invoke.mock.calls.filter(([c]) => c === "set_event_reminder")).toEqual([
      ["set_event_reminder", { messageId: "e1", leadMs: 3_600_000 }],
      ["set_event_reminder", { messageId: "e1", leadMs: null }],
      ["set_event_reminder", { messageId: "e1", leadMs: 0 }],
    ]);
  });

  it("shows no reminder set as None", async () => {
    serveActs(null);
    render(<Bubble local={eventMessage({}, { rsvps: [answer("me", "going")] })} />);
    const select = screen.getByTestId("event-reminder") as HTMLSelectElement;
    await waitFor(() => expect(select.value).toBe("none"));
  });

  it("takes no answers and offers no changes while it is not sent yet", () => {
    serveActs();
    render(<Bubble local={eventMessage({}, { sender: "me", pending: true })} />);
    expect(rsvpButton("going").disabled).toBe(true);
    expect(screen.queryByTestId("event-edit")).toBeNull();
  });

  it("says why an answer failed", async () => {
    invoke.mockImplementation(async () => {
      throw { code: "event_cancelled", message: "the event is cancelled" };
    });
    render(<Bubble local={eventMessage()} />);
    fireEvent.click(rsvpButton("maybe"));
    expect((await screen.findByTestId("event-action-error")).textContent).toBe(
      "the event is cancelled (event_cancelled)",
    );
  });
});

describe("an event in a conversation", () => {
  layOutTimeline();

  it("shows as a card, names the other person among those answering, and has no Edit", async () => {
    serve([eventMessage({}, { sender: "me", rsvps: [answer("u2", "maybe")] })], {
      act_on_message: () => null,
    });
    render(<Conversation open={{ chatId: "c1" }} myId="me" onClose={() => {}} />);
    const card = await screen.findByTestId("event-card");
    fireEvent.click(within(card).getByTestId("event-answers"));
    await waitFor(() =>
      expect(
        within(card)
          .getAllByTestId("event-answerer")
          .map((a) => a.textContent),
      ).toEqual(["Grace"]),
    );
    fireEvent.click(screen.getByTestId("message-menu"));
    const menu = screen.getByRole("menu");
    expect(within(menu).queryByRole("button", { name: "Edit" })).toBeNull();
    expect(within(menu).getByRole("button", { name: "Reply" })).toBeTruthy();
  });

  it("tells in the timeline, in words, what the other person changed, and that they cancelled", async () => {
    const notice = (
      id: string,
      seq: number,
      event: Extract<LocalMessage["message"]["content"], { kind: "system" }>["event"],
    ): LocalMessage => ({
      ...eventMessage(),
      message: {
        ...eventMessage().message,
        id,
        seq,
        updated_seq: seq,
        content: { kind: "system", event },
      },
    });
    serve([
      eventMessage(),
      notice("s1", 5, {
        event: "event_changed",
        message_id: "e1",
        title: "Picnic",
        changes: ["time", "place"],
      }),
      notice("s2", 6, { event: "event_cancelled", message_id: "e1", title: "Picnic" }),
    ]);
    render(<Conversation open={{ chatId: "c1" }} myId="me" onClose={() => {}} />);
    await waitFor(() =>
      expect(screen.getAllByTestId("system-message").map((n) => n.textContent)).toEqual([
        "Grace changed the event “Picnic”: time, place",
        "Grace cancelled the event “Picnic”",
      ]),
    );
  });
});
