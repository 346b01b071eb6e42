import { fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import type { LocalMessage } from "../../api";
import { LAYER, useEscape, useShortcuts } from "../../shortcuts";
import { layOutTimeline } from "../../test-fixtures";
import { invoke } from "../../test-ipc";
import Conversation from "../conversation/Conversation";
import { mediaMessage, serve } from "../media/test-media";
import { dateInput, localZone, nextFullHour, timeInput } from "./when";

/** The conversation with the window's Esc, as the frame has it. */
function InFrame() {
  useShortcuts(() => undefined);
  useEscape(true, LAYER.conversation, () => undefined);
  return <Conversation open={{ chatId: "c1" }} myId="me" onClose={() => {}} />;
}

const sent = (): LocalMessage => mediaMessage("m9", [], { seq: 0, sender: "me" });
const sends = () => invoke.mock.calls.filter(([c]) => c === "send_event");

/** Opens the clip's menu and picks Event. */
async function openDialog() {
  fireEvent.click(screen.getByRole("button", { name: "Attach" }));
  fireEvent.click(screen.getByTestId("attach-event"));
  return screen.findByTestId("event-create-dialog");
}

const type = (input: HTMLElement, value: string) => fireEvent.change(input, { target: { value } });
const field = (dialog: HTMLElement, id: string) =>
  within(dialog).getByTestId(id) as HTMLInputElement;

layOutTimeline();

describe("planning an event", () => {
  it("opens from the clip's Event at the next full hour and sends the event in my zone", async () => {
    serve([], { send_event: sent });
    const before = nextFullHour();
    render(<Conversation open={{ chatId: "c1" }} myId="me" onClose={() => {}} />);
    const dialog = await openDialog();
    const after = nextFullHour();
    expect(screen.queryByRole("menu")).toBeNull();
    expect(screen.getByRole("dialog", { name: "Plan an event" })).toBe(dialog);
    // The next full hour (read on either side of opening, should an hour turn meanwhile).
    expect([dateInput(before), dateInput(after)]).toContain(field(dialog, "event-date").value);
    expect([timeInput(before), timeInput(after)]).toContain(field(dialog, "event-time").value);
    expect(field(dialog, "event-end-time").value).toBe("");
    type(field(dialog, "event-title"), "  Launch party ");
    type(field(dialog, "event-date"), "2030-03-14");
    type(field(dialog, "event-time"), "21:30");
    // Earlier than the start: the next day.
    type(field(dialog, "event-end-time"), "01:00");
    expect(within(dialog).getByTestId("event-ends-next-day").textContent).toBe("Ends the next day");
    type(field(dialog, "event-place"), "The roof");
    type(field(dialog, "event-call-link"), "https://meet.example.com/launch");
    type(field(dialog, "event-description"), "Bring snacks");
    fireEvent.click(within(dialog).getByTestId("event-create"));
    await waitFor(() => expect(screen.queryByTestId("event-create-dialog")).toBeNull());
    expect(sends()).toEqual([
      [
        "send_event",
        {
          chatId: "c1",
          event: {
            title: "Launch party",
            description: "Bring snacks",
            starts_at: new Date(2030, 2, 14, 21, 30).getTime(),
            ends_at: new Date(2030, 2, 15, 1, 0).getTime(),
            time_zone: localZone(),
            place: "The roof",
            call_link: "https://meet.example.com/launch",
          },
        },
      ],
    ]);
  });

  it("sends only the title and start when nothing else is filled", async () => {
    serve([], { send_event: sent });
    render(<Conversation open={{ chatId: "c1" }} myId="me" onClose={() => {}} />);
    const dialog = await openDialog();
    type(field(dialog, "event-title"), "Standup");
    type(field(dialog, "event-date"), "2030-01-02");
    type(field(dialog, "event-time"), "09:15");
    fireEvent.submit(dialog);
    await waitFor(() => expect(sends()).toHaveLength(1));
    expect(sends()[0]![1]).toEqual({
      chatId: "c1",
      event: {
        title: "Standup",
        starts_at: new Date(2030, 0, 2, 9, 15).getTime(),
        time_zone: localZone(),
      },
    });
  });

  it("says what is wrong under each input, and sends nothing until it is right", async () => {
    serve([], { send_event: sent });
    render(<Conversation open={{ chatId: "c1" }} myId="me" onClose={() => {}} />);
    const dialog = await openDialog();
    // Nothing is said before the first try.
    expect(within(dialog).queryByTestId("event-problem-title")).toBeNull();
    type(field(dialog, "event-time"), "18:00");
    type(field(dialog, "event-end-time"), "18:00");
    type(field(dialog, "event-call-link"), "meet.example.com/x");
    fireEvent.click(within(dialog).getByTestId("event-create"));
    expect(within(dialog).getByTestId("event-problem-title").textContent).toBe(
      "Give the event a title.",
    );
    expect(within(dialog).getByTestId("event-problem-end").textContent).toBe(
      "The end must be after the start.",
    );
    expect(within(dialog).getByTestId("event-problem-callLink").textContent).toBe(
      "A call link starts with https://, http:// or gkchat:",
    );
    expect(field(dialog, "event-title").getAttribute("aria-invalid")).toBe("true");
    // Fixed as they are typed.
    type(field(dialog, "event-title"), "Retro");
    expect(within(dialog).queryByTestId("event-problem-title")).toBeNull();
    type(field(dialog, "event-date"), "");
    expect(within(dialog).getByTestId("event-problem-time").textContent).toBe(
      "Pick a date and a start time.",
    );
    fireEvent.click(within(dialog).getByTestId("event-create"));
    expect(sends()).toHaveLength(0);
    type(field(dialog, "event-date"), "2030-05-01");
    type(field(dialog, "event-end-time"), "19:00");
    type(field(dialog, "event-call-link"), "gkchat://quick/retro");
    fireEvent.click(within(dialog).getByTestId("event-create"));
    await waitFor(() => expect(screen.queryByTestId("event-create-dialog")).toBeNull());
    expect(sends()[0]![1]).toMatchObject({
      event: {
        title: "Retro",
        ends_at: new Date(2030, 4, 1, 19, 0).getTime(),
        call_link: "gkchat://quick/retro",
      },
    });
  });

  it("ends on the day the end date says, and asks for its time", async () => {
    serve([], { send_event: sent });
    render(<Conversation open={{ chatId: "c1" }} myId="me" onClose={() => {}} />);
    const dialog = await openDialog();
    expect(field(dialog, "event-end-date").value).toBe("");
    type(field(dialog, "event-title"), "Festival");
    type(field(dialog, "event-date"), "2030-07-10");
    type(field(dialog, "event-time"), "10:00");
    type(field(dialog, "event-end-date"), "2030-07-13");
    fireEvent.click(within(dialog).getByTestId("event-create"));
    expect(within(dialog).getByTestId("event-problem-end").textContent).toBe(
      "Pick an end time, or no end date.",
    );
    // Earlier in the day than the start, but days later: no "next day".
    type(field(dialog, "event-end-time"), "08:00");
    expect(within(dialog).queryByTestId("event-ends-next-day")).toBeNull();
    expect(within(dialog).queryByTestId("event-problem-end")).toBeNull();
    // An end with its day moves along with the start.
    type(field(dialog, "event-time"), "11:00");
    expect(field(dialog, "event-end-date").value).toBe("2030-07-13");
    expect(field(dialog, "event-end-time").value).toBe("09:00");
    // A new event is in my own time: nothing says which.
    expect(within(dialog).queryByTestId("event-dialog-zone")).toBeNull();
    fireEvent.click(within(dialog).getByTestId("event-create"));
    await waitFor(() => expect(sends()).toHaveLength(1));
    expect(sends()[0]![1]).toEqual({
      chatId: "c1",
      event: {
        title: "Festival",
        starts_at: new Date(2030, 6, 10, 11).getTime(),
        ends_at: new Date(2030, 6, 13, 9).getTime(),
        time_zone: localZone(),
      },
    });
  });

  it("shows why the event was refused and stays open", async () => {
    serve([], {
      send_event: () => {
        throw {
          code: "bad_request",
          message: "an event's time zone is a name such as Europe/Paris",
        };
      },
    });
    render(<Conversation open={{ chatId: "c1" }} myId="me" onClose={() => {}} />);
    const dialog = await openDialog();
    type(field(dialog, "event-title"), "Tea");
    fireEvent.submit(dialog);
    expect((await within(dialog).findByTestId("event-error")).textContent).toBe(
      "an event's time zone is a name such as Europe/Paris (bad_request)",
    );
    expect(screen.getByTestId("event-create-dialog")).toBeTruthy();
  });

  it("closes on Esc and on Cancel, sending nothing", async () => {
    serve([]);
    render(<InFrame />);
    let dialog = await openDialog();
    fireEvent.keyDown(field(dialog, "event-title"), { key: "Escape" });
    expect(screen.queryByTestId("event-create-dialog")).toBeNull();
    dialog = await openDialog();
    fireEvent.click(within(dialog).getByRole("button", { name: "Cancel" }));
    expect(screen.queryByTestId("event-create-dialog")).toBeNull();
    expect(sends()).toHaveLength(0);
  });
});
