import { fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import type { LocalMessage } from "../../api";
import { LAYER, useEscape, useShortcuts } from "../../shortcuts";
import { layOutTimeline } from "../../test-fixtures";
import { invoke } from "../../test-ipc";
import Conversation from "../conversation/Conversation";
import { mediaMessage, serve } from "../media/test-media";

/** The conversation with the window's Esc, as the frame has it. */
function InFrame() {
  useShortcuts(() => undefined);
  useEscape(true, LAYER.conversation, () => undefined);
  return <Conversation open={{ chatId: "c1" }} myId="me" onClose={() => {}} />;
}

const sent = (): LocalMessage => mediaMessage("m9", [], { seq: 0, sender: "me" });
const sends = () => invoke.mock.calls.filter(([c]) => c === "send_poll");

/** Opens the clip's menu and picks Poll. */
async function openDialog() {
  fireEvent.click(screen.getByRole("button", { name: "Attach" }));
  fireEvent.click(screen.getByTestId("attach-poll"));
  return screen.findByTestId("poll-create");
}

const type = (input: HTMLElement, value: string) => fireEvent.change(input, { target: { value } });
const sendButton = (dialog: HTMLElement) =>
  within(dialog).getByTestId("poll-send") as HTMLButtonElement;

layOutTimeline();

describe("creating a poll", () => {
  it("opens from the clip's Poll and sends the question, the filled options and the choices", async () => {
    serve([], { send_poll: sent });
    render(<Conversation open={{ chatId: "c1" }} myId="me" onClose={() => {}} />);
    const dialog = await openDialog();
    expect(screen.queryByRole("menu")).toBeNull();
    expect(screen.getByRole("dialog", { name: "Create a poll" })).toBe(dialog);
    const options = () => within(dialog).getAllByTestId("poll-option");
    expect(options()).toHaveLength(2);
    expect(within(dialog).queryByTestId("poll-option-remove")).toBeNull();
    expect(sendButton(dialog).disabled).toBe(true);
    type(within(dialog).getByTestId("poll-question"), "  Lunch?  ");
    type(options()[0]!, "Pizza");
    expect(sendButton(dialog).disabled).toBe(true);
    // A third option, left empty, goes nowhere; the second one filled makes it ready.
    fireEvent.click(within(dialog).getByRole("button", { name: "Add option" }));
    expect(options()).toHaveLength(3);
    expect(document.activeElement).toBe(options()[2]);
    type(options()[1]!, " Sushi ");
    expect(sendButton(dialog).disabled).toBe(false);
    fireEvent.click(within(dialog).getByRole("checkbox", { name: "Allow multiple answers" }));
    fireEvent.click(within(dialog).getByRole("checkbox", { name: "Anonymous voting" }));
    fireEvent.click(sendButton(dialog));
    await waitFor(() => expect(screen.queryByTestId("poll-create")).toBeNull());
    expect(sends()).toEqual([
      [
        "send_poll",
        {
          chatId: "c1",
          poll: {
            question: "Lunch?",
            options: ["Pizza", "Sushi"],
            multiple: true,
            anonymous: true,
          },
        },
      ],
    ]);
  });

  it("adds options up to 12 and removes any past the first two", async () => {
    serve([]);
    render(<Conversation open={{ chatId: "c1" }} myId="me" onClose={() => {}} />);
    const dialog = await openDialog();
    const add = within(dialog).getByTestId("poll-add-option") as HTMLButtonElement;
    for (let i = 0; i < 10; i++) fireEvent.click(add);
    const options = () => within(dialog).getAllByTestId("poll-option") as HTMLInputElement[];
    expect(options()).toHaveLength(12);
    expect(add.disabled).toBe(true);
    expect(within(dialog).getAllByTestId("poll-option-remove")).toHaveLength(10);
    options().forEach((input, i) => type(input, `Choice ${i + 1}`));
    fireEvent.click(within(dialog).getByRole("button", { name: "Remove option 3" }));
    expect(
      options()
        .map((input) => input.value)
        .slice(0, 4),
    ).toEqual(["Choice 1", "Choice 2", "Choice 4", "Choice 5"]);
    expect(options()[2]!.getAttribute("aria-label")).toBe("Option 3");
    expect(add.disabled).toBe(false);
  });

  it("shows why the poll was refused and stays open", async () => {
    serve([], {
      send_poll: () => {
        throw { code: "bad_request", message: "two options are the same" };
      },
    });
    render(<Conversation open={{ chatId: "c1" }} myId="me" onClose={() => {}} />);
    const dialog = await openDialog();
    type(within(dialog).getByTestId("poll-question"), "Tea?");
    const [first, second] = within(dialog).getAllByTestId("poll-option");
    type(first!, "Yes");
    type(second!, "Yes");
    fireEvent.submit(dialog);
    expect((await within(dialog).findByTestId("poll-error")).textContent).toBe(
      "two options are the same (bad_request)",
    );
    expect(screen.getByTestId("poll-create")).toBeTruthy();
    expect(sends()[0]![1]).toEqual({
      chatId: "c1",
      poll: { question: "Tea?", options: ["Yes", "Yes"], multiple: false, anonymous: false },
    });
  });

  it("closes on Esc and on Cancel, sending nothing", async () => {
    serve([]);
    render(<InFrame />);
    let dialog = await openDialog();
    fireEvent.keyDown(within(dialog).getByTestId("poll-question"), { key: "Escape" });
    expect(screen.queryByTestId("poll-create")).toBeNull();
    dialog = await openDialog();
    fireEvent.click(within(dialog).getByRole("button", { name: "Cancel" }));
    expect(screen.queryByTestId("poll-create")).toBeNull();
    expect(sends()).toHaveLength(0);
  });
});
