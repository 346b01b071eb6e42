import { fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import type { LocalMessage } from "../../api";
import { chatMessage, layOutTimeline } from "../../test-fixtures";
import { invoke } from "../../test-ipc";
import Conversation from "../conversation/Conversation";
import MessageBubble from "../conversation/MessageBubble";
import { MediaProvider } from "../media/MediaContext";
import { serve } from "../media/test-media";
import type { Answer, Event } from "./api";
import { dateInput, localZone, timeInput } from "./when";

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
  const content = {
    kind: "event" as const,
    event: { title: "Picnic", starts_at: START, time_zone: localZone(), ...event },
  };
  return {
    ...chatMessage(pending ? 0 : 4, sender, content, { id: "e1", updated_seq: 4, rsvps }),
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
    // A button: the app opens the call link (the window follows no link itself).
    const join = within(card).getByRole("button", { name: "Join call" });
    expect(join.getAttribute("data-testid")).toBe("event-join");
    expect(join.getAttribute("title")).toBe("https://meet.example.com/picnic");
    expect(within(card).getByTestId("event-copy-link")).toBeTruthy();
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
    // Its times in its own zone, which is said.
    expect(input("event-date").value).toBe(dateInput(START, "Pacific/Kiritimati"));
    expect(input("event-time").value).toBe(timeInput(START, "Pacific/Kiritimati"));
    expect(input("event-end-date").value).toBe("");
    expect(input("event-end-time").value).toBe("");
    if (localZone() !== "Pacific/Kiritimati") {
      expect(within(dialog).getByTestId("event-dialog-zone").textContent).toBe(
        "Times in Kiritimati time",
      );
    }
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

  /** Opens the card's Edit: the dialog, and its inputs by test id. */
  function openEdit() {
    fireEvent.click(screen.getByTestId("event-edit"));
    const dialog = screen.getByRole("dialog", { name: "Edit the event" });
    const input = (id: string) => within(dialog).getByTestId(id) as HTMLInputElement;
    const type = (id: string, value: string) => fireEvent.change(input(id), { target: { value } });
    return { dialog, input, type };
  }
  /** The event the last update_event sent. */
  const updated = () => {
    const all = acts();
    return (all[all.length - 1] as { action: "update_event"; event: Event } | undefined)?.event;
  };
  const DAY = 24 * HOUR;

  it("keeps a 3-day event's length when only its title changes, and when its start moves", async () => {
    serveActs();
    const threeDays = eventMessage({ ends_at: START + 3 * DAY }, { sender: "me" });
    render(<Bubble local={threeDays} />);
    let edit = openEdit();
    expect(edit.input("event-end-date").value).toBe(dateInput(START + 3 * DAY));
    expect(edit.input("event-end-time").value).toBe(timeInput(START + 3 * DAY));
    edit.type("event-title", "Long picnic");
    fireEvent.click(within(edit.dialog).getByTestId("event-save"));
    await waitFor(() => expect(screen.queryByRole("dialog")).toBeNull());
    expect(updated()).toEqual({
      title: "Long picnic",
      starts_at: START,
      ends_at: START + 3 * DAY,
      time_zone: localZone(),
    });
    // A day later and at 20:00: the end moves along, three days after.
    edit = openEdit();
    const start = new Date(START);
    start.setDate(start.getDate() + 1);
    start.setHours(20);
    edit.type("event-date", dateInput(start.getTime()));
    edit.type("event-time", "20:00");
    expect(edit.input("event-end-date").value).toBe(dateInput(start.getTime() + 3 * DAY));
    expect(edit.input("event-end-time").value).toBe(timeInput(start.getTime() + 3 * DAY));
    fireEvent.click(within(edit.dialog).getByTestId("event-save"));
    await waitFor(() => expect(screen.queryByRole("dialog")).toBeNull());
    expect(updated()).toMatchObject({ starts_at: start.getTime() });
    expect(updated()!.ends_at! - updated()!.starts_at).toBe(3 * DAY);
  });

  it("lets an event of exactly 24 hours be changed", async () => {
    serveActs();
    render(<Bubble local={eventMessage({ ends_at: START + DAY }, { sender: "me" })} />);
    const edit = openEdit();
    expect(edit.input("event-end-time").value).toBe(edit.input("event-time").value);
    edit.type("event-title", "Picnic day");
    fireEvent.click(within(edit.dialog).getByTestId("event-save"));
    await waitFor(() => expect(screen.queryByRole("dialog")).toBeNull());
    expect(updated()).toMatchObject({
      title: "Picnic day",
      starts_at: START,
      ends_at: START + DAY,
    });
  });

  it("changes an event made in New York from here without moving it or its zone", async () => {
    serveActs();
    const ny = "America/New_York";
    render(
      <Bubble
        local={eventMessage({ ends_at: START + 2 * HOUR, time_zone: ny }, { sender: "me" })}
      />,
    );
    const edit = openEdit();
    // The inputs read as its creator set them, in New York.
    expect(edit.input("event-date").value).toBe(dateInput(START, ny));
    expect(edit.input("event-time").value).toBe(timeInput(START, ny));
    expect(edit.input("event-end-time").value).toBe(timeInput(START + 2 * HOUR, ny));
    if (localZone() !== ny) {
      expect(within(edit.dialog).getByTestId("event-dialog-zone").textContent).toBe(
        "Times in New York time",
      );
    }
    edit.type("event-place", "Central Park");
    fireEvent.click(within(edit.dialog).getByTestId("event-save"));
    await waitFor(() => expect(screen.queryByRole("dialog")).toBeNull());
    expect(updated()).toEqual({
      title: "Picnic",
      starts_at: START,
      ends_at: START + 2 * HOUR,
      time_zone: ny,
      place: "Central Park",
    });
  });

  it("shows a start beyond what a date holds as an unknown time, not breaking the page", () => {
    serveActs();
    render(
      <Bubble
        local={eventMessage({
          starts_at: Number.MAX_SAFE_INTEGER,
          time_zone: localZone() === "Asia/Tokyo" ? "Europe/Paris" : "Asia/Tokyo",
        })}
      />,
    );
    expect(screen.getByTestId("event-when").textContent).toBe("Unknown time");
    expect(screen.queryByTestId("event-zone-time")).toBeNull();
    expect(screen.getByTestId("event-title-text").textContent).toBe("Picnic");
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

  it("joins the call through the app's open_link, and says why it did not open", async () => {
    invoke.mockImplementation(async (command: string, args?: never) => {
      if (command !== "open_link") throw new Error(command);
      if ((args as unknown as { link: string }).link.startsWith("https://")) return null;
      throw { code: "bad_request", message: "only web and gkchat: links open" };
    });
    const { rerender } = render(
      <Bubble local={eventMessage({ call_link: "https://meet.example.com/picnic" })} />,
    );
    fireEvent.click(screen.getByTestId("event-join"));
    expect(invoke).toHaveBeenCalledWith("open_link", { link: "https://meet.example.com/picnic" });
    await waitFor(() => expect(invoke).toHaveBeenCalledTimes(1));
    expect(screen.queryByTestId("event-action-error")).toBeNull();

    rerender(<Bubble local={eventMessage({ call_link: "ftp://meet.example.com/picnic" })} />);
    fireEvent.click(screen.getByTestId("event-join"));
    expect(invoke).toHaveBeenLastCalledWith("open_link", {
      link: "ftp://meet.example.com/picnic",
    });
    expect((await screen.findByTestId("event-action-error")).textContent).toBe(
      "only web and gkchat: links open (bad_request)",
    );
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
    expect(within(menu).getByTestId("message-forward")).toBeTruthy();
  });

  it("offers no Forward for a cancelled event", async () => {
    serve([eventMessage({ cancelled_at: 5 })]);
    render(<Conversation open={{ chatId: "c1" }} myId="me" onClose={() => {}} />);
    await screen.findByTestId("event-card");
    fireEvent.click(screen.getByTestId("message-menu"));
    const menu = screen.getByRole("menu");
    expect(within(menu).getByRole("button", { name: "Reply" })).toBeTruthy();
    expect(within(menu).queryByTestId("message-forward")).toBeNull();
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
