import { fireEvent, render, screen, waitFor } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import type { NotificationSettings as Settings } from "../api";
import { invoke } from "../test-ipc";
import NotificationSettings from "./NotificationSettings";

/** The desktop side: the settings as saved, each save answered with what was saved. */
function serve(initial: Settings) {
  invoke.mockImplementation(async (command: string, args?: never) => {
    if (command === "get_notification_settings") return initial;
    if (command === "set_notification_settings") {
      return (args as unknown as { settings: Settings }).settings;
    }
    throw new Error(command);
  });
}
const saves = () =>
  invoke.mock.calls.filter(([c]) => c === "set_notification_settings").map(([, args]) => args);

describe("notification settings", () => {
  it("turns notifications of votes and answers to my polls and events on and off", async () => {
    serve({ enabled: true, previews: true, answers: true });
    render(<NotificationSettings />);
    const answers = (await screen.findByTestId("notify-answers")) as HTMLInputElement;
    expect(answers.checked).toBe(true);
    expect(screen.getByLabelText("Votes and answers to my polls and events")).toBe(answers);
    fireEvent.click(answers);
    await waitFor(() => expect(answers.checked).toBe(false));
    expect(saves()).toEqual([{ settings: { enabled: true, previews: true, answers: false } }]);
  });

  it("has no say over answers while notifications are off", async () => {
    serve({ enabled: false, previews: true, answers: true });
    render(<NotificationSettings />);
    expect(((await screen.findByTestId("notify-answers")) as HTMLInputElement).disabled).toBe(true);
  });
});
