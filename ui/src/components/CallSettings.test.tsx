import { fireEvent, render, screen, waitFor } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import type { CallSettings as Settings, CallSettingsView } from "../api";
import { invoke } from "../test-ipc";
import CallSettings from "./CallSettings";

const shown = (over: Partial<CallSettingsView>): CallSettingsView => ({
  settings: { microphone: null, speaker: "Headphones", camera: null, synthetic: false },
  microphones: [
    { id: "alsa:builtin", name: "Built-in microphone" },
    { id: "USB microphone", name: "USB microphone" },
  ],
  speakers: [
    { id: "Speakers", name: "Speakers" },
    { id: "Headphones", name: "Headphones" },
  ],
  cameras: [],
  synthetic_forced: false,
  ...over,
});

describe("CallSettings", () => {
  it("shows the choices and saves a change", async () => {
    invoke.mockImplementation(async (command: string, args?: { settings?: Settings }) => {
      if (command === "get_call_settings") return shown({});
      if (command === "set_call_settings") return args!.settings;
      throw new Error(command);
    });
    render(<CallSettings />);
    const microphone = (await screen.findByTestId("call-settings-microphone")) as HTMLSelectElement;
    expect(microphone.value).toBe("");
    expect(microphone.options[0].textContent).toBe("System default");
    expect((screen.getByTestId("call-settings-speaker") as HTMLSelectElement).value).toBe(
      "Headphones",
    );
    fireEvent.change(microphone, { target: { value: "USB microphone" } });
    await waitFor(() =>
      expect(invoke).toHaveBeenCalledWith("set_call_settings", {
        settings: {
          microphone: "USB microphone",
          speaker: "Headphones",
          camera: null,
          synthetic: false,
        },
      }),
    );
    await waitFor(() => expect(microphone.value).toBe("USB microphone"));

    fireEvent.change(screen.getByTestId("call-settings-speaker"), { target: { value: "" } });
    await waitFor(() =>
      expect(invoke).toHaveBeenCalledWith("set_call_settings", {
        settings: { microphone: "USB microphone", speaker: null, camera: null, synthetic: false },
      }),
    );

    fireEvent.click(screen.getByTestId("call-settings-synthetic"));
    await waitFor(() =>
      expect(invoke).toHaveBeenCalledWith("set_call_settings", {
        settings: { microphone: "USB microphone", speaker: null, camera: null, synthetic: true },
      }),
    );
    await waitFor(() => expect(microphone.disabled).toBe(true));
  });

  it("shows forced synthetic devices checked and fixed", async () => {
    invoke.mockImplementation(async (command: string) => {
      if (command === "get_call_settings") return shown({ synthetic_forced: true });
      throw new Error(command);
    });
    render(<CallSettings />);
    const synthetic = (await screen.findByTestId("call-settings-synthetic")) as HTMLInputElement;
    expect(synthetic.checked).toBe(true);
    expect(synthetic.disabled).toBe(true);
    expect(screen.getByTestId("call-settings-forced").textContent).toContain(
      "GKCHAT_SYNTHETIC_MEDIA=1",
    );
  });

  it("shows a failure in words", async () => {
    invoke.mockImplementation(async () => {
      throw { code: "internal", message: "no sound server" };
    });
    render(<CallSettings />);
    expect((await screen.findByRole("alert")).textContent).toBe("no sound server (internal)");
  });
});
