import { fireEvent, render, screen, waitFor } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import type { NotificationSettings as Settings } from "../api";
import { invoke } from "../test-ipc";
import NotificationSettings from "./NotificationSettings";

/** Everything on, as a new install has it; `over` sets anything else. */
const settings = (over: Partial<Settings> = {}): Settings => ({
  enabled: true,
  previews: true,
  answers: true,
  mentions: true,
  status: true,
  sound: true,
  ...over,
});

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
    serve(settings());
    render(<NotificationSettings />);
    const answers = (await screen.findByTestId("notify-answers")) as HTMLInputElement;
    expect(answers.checked).toBe(true);
    expect(screen.getByLabelText("Votes and answers to my polls and events")).toBe(answers);
    fireEvent.click(answers);
    await waitFor(() => expect(answers.checked).toBe(false));
    expect(saves()).toEqual([{ settings: settings({ answers: false }) }]);
  });

  it("has no say over answers while notifications are off", async () => {
    serve(settings({ enabled: false }));
    render(<NotificationSettings />);
    expect(((await screen.findByTestId("notify-answers")) as HTMLInputElement).disabled).toBe(true);
  });

  it("saves mentions in muted chats, status updates and the sound, each at once", async () => {
    serve(settings({ status: false }));
    render(<NotificationSettings />);
    const mentions = (await screen.findByTestId("notify-mentions")) as HTMLInputElement;
    const status = screen.getByTestId("notify-status") as HTMLInputElement;
    const sound = screen.getByTestId("notify-sound") as HTMLInputElement;
    expect([mentions.checked, status.checked, sound.checked]).toEqual([true, false, true]);
    expect(screen.getByLabelText("A message that mentions me notifies even in a muted chat")).toBe(
      mentions,
    );
    expect(screen.getByLabelText("Play the message sound")).toBe(sound);

    fireEvent.click(mentions);
    await waitFor(() => expect(mentions.checked).toBe(false));
    fireEvent.click(status);
    await waitFor(() => expect(status.checked).toBe(true));
    fireEvent.click(sound);
    await waitFor(() => expect(sound.checked).toBe(false));
    expect(saves()).toEqual([
      { settings: settings({ status: false, mentions: false }) },
      { settings: settings({ mentions: false }) },
      { settings: settings({ mentions: false, sound: false }) },
    ]);
  });

  it("has no say over mentions, status updates or the sound while notifications are off", async () => {
    serve(settings({ enabled: false }));
    render(<NotificationSettings />);
    await screen.findByTestId("notify-mentions");
    for (const id of ["notify-mentions", "notify-status", "notify-sound"]) {
      expect((screen.getByTestId(id) as HTMLInputElement).disabled).toBe(true);
    }
  });
});
