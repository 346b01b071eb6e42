import { act, fireEvent, render, screen, waitFor } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { LAYER, useEscape, useShortcuts } from "../../shortcuts";
import { layOutTimeline } from "../../test-fixtures";
import { invoke } from "../../test-ipc";
import Conversation from "../conversation/Conversation";
import { mediaMessage, serve } from "./test-media";

/** The conversation with the window's Esc, as the frame has it. */
function InFrame() {
  useShortcuts(() => undefined);
  useEscape(true, LAYER.conversation, () => undefined);
  return <Conversation open={{ chatId: "c1" }} myId="me" onClose={() => {}} />;
}

/** The desktop side with a microphone: recording starts, and stops with a message if sent. */
function serveRecording(stop: (args: { chatId: string; send: boolean }) => unknown = () => null) {
  serve([], {
    start_voice_recording: () => null,
    stop_voice_recording: (args: { chatId: string; send: boolean }) => stop(args),
  });
}

const stops = () => invoke.mock.calls.filter(([command]) => command === "stop_voice_recording");
const mic = () => screen.getByTestId("voice-record");

layOutTimeline();
afterEach(() => vi.useRealTimers());

describe("recording a voice message", () => {
  it("shows the microphone in place of Send while there is no text", () => {
    serveRecording();
    render(<InFrame />);
    expect(mic().getAttribute("aria-label")).toBe("Record voice message");
    expect(screen.queryByTestId("send")).toBeNull();
    fireEvent.change(screen.getByTestId("composer"), { target: { value: "hello" } });
    expect(screen.queryByTestId("voice-record")).toBeNull();
    expect(screen.getByTestId("send")).toBeTruthy();
    fireEvent.change(screen.getByTestId("composer"), { target: { value: "  " } });
    expect(mic()).toBeTruthy();
  });

  it("records hands-free after a click, and Send sends it", async () => {
    serveRecording(() => mediaMessage("v1", [], { seq: 0, sender: "me" }));
    render(<InFrame />);
    fireEvent.pointerDown(mic());
    fireEvent.pointerUp(mic());
    const bar = screen.getByTestId("voice-recording");
    expect(bar.textContent).toContain("00:00");
    expect(screen.queryByTestId("voice-record")).toBeNull();
    // Nothing else to do with the composer meanwhile.
    expect((screen.getByTestId("composer") as HTMLTextAreaElement).disabled).toBe(true);
    expect((screen.getByTestId("attach-button") as HTMLButtonElement).disabled).toBe(true);
    await waitFor(() => expect(invoke).toHaveBeenCalledWith("start_voice_recording", undefined));
    fireEvent.click(screen.getByTestId("voice-send"));
    expect(screen.queryByTestId("voice-recording")).toBeNull();
    await waitFor(() =>
      expect(stops()).toEqual([["stop_voice_recording", { chatId: "c1", send: true }]]),
    );
    expect((screen.getByTestId("composer") as HTMLTextAreaElement).disabled).toBe(false);
    expect(mic()).toBeTruthy();
  });

  it("runs a clock while recording hands-free, and Cancel throws the recording away", async () => {
    vi.useFakeTimers({ toFake: ["setInterval", "clearInterval", "Date"] });
    serveRecording();
    render(<InFrame />);
    fireEvent.pointerDown(mic());
    fireEvent.pointerUp(mic());
    await act(() => vi.advanceTimersByTimeAsync(2_100));
    expect(screen.getByTestId("voice-clock").textContent).toBe("00:02");
    await act(() => vi.advanceTimersByTimeAsync(60_000));
    expect(screen.getByTestId("voice-clock").textContent).toBe("01:02");
    fireEvent.click(screen.getByTestId("voice-cancel"));
    expect(screen.queryByTestId("voice-recording")).toBeNull();
    // The clock's interval went with it.
    expect(vi.getTimerCount()).toBe(0);
    vi.useRealTimers();
    await waitFor(() =>
      expect(stops()).toEqual([["stop_voice_recording", { chatId: "c1", send: false }]]),
    );
  });

  it("sends what was recorded while held when the button is let go", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    serveRecording(() => mediaMessage("v1", [], { seq: 0, sender: "me" }));
    render(<InFrame />);
    fireEvent.pointerDown(mic());
    expect(screen.getByTestId("voice-hint").textContent).toContain("Slide away to cancel");
    vi.advanceTimersByTime(1_500);
    fireEvent.pointerUp(mic());
    vi.useRealTimers();
    expect(screen.queryByTestId("voice-hint")).toBeNull();
    expect(screen.queryByTestId("voice-recording")).toBeNull();
    await waitFor(() =>
      expect(stops()).toEqual([["stop_voice_recording", { chatId: "c1", send: true }]]),
    );
    expect(invoke).toHaveBeenCalledWith("start_voice_recording", undefined);
  });

  it("throws the recording away when the pointer slides off the held button", async () => {
    serveRecording();
    render(<InFrame />);
    fireEvent.pointerDown(mic());
    expect(screen.getByTestId("voice-hint")).toBeTruthy();
    fireEvent.pointerLeave(mic());
    expect(screen.queryByTestId("voice-hint")).toBeNull();
    // Let go elsewhere: nothing more.
    fireEvent.pointerUp(document.body);
    await waitFor(() =>
      expect(stops()).toEqual([["stop_voice_recording", { chatId: "c1", send: false }]]),
    );
    expect(screen.queryByTestId("voice-recording")).toBeNull();
  });

  it("cancels on Esc, held or hands-free", async () => {
    serveRecording();
    render(<InFrame />);
    fireEvent.pointerDown(mic());
    fireEvent.pointerUp(mic());
    expect(screen.getByTestId("voice-recording")).toBeTruthy();
    fireEvent.keyDown(document.body, { key: "Escape" });
    expect(screen.queryByTestId("voice-recording")).toBeNull();
    await waitFor(() => expect(stops()).toHaveLength(1));
    fireEvent.pointerDown(mic());
    fireEvent.keyDown(document.body, { key: "Escape" });
    expect(screen.queryByTestId("voice-hint")).toBeNull();
    await waitFor(() => expect(stops()).toHaveLength(2));
    const cancelled = ["stop_voice_recording", { chatId: "c1", send: false }];
    expect(stops()).toEqual([cancelled, cancelled]);
  });

  it("records hands-free when the button is clicked from the keyboard", async () => {
    serveRecording();
    render(<InFrame />);
    // A keyboard's click comes with no pointer press.
    fireEvent.click(mic());
    expect(screen.getByTestId("voice-recording")).toBeTruthy();
    await waitFor(() => expect(invoke).toHaveBeenCalledWith("start_voice_recording", undefined));
  });

  it("says when there is no microphone, and when a hold was too short to send", async () => {
    serve([], {
      start_voice_recording: () => {
        throw { code: "unavailable", message: "no microphone: none found" };
      },
    });
    render(<InFrame />);
    fireEvent.pointerDown(mic());
    fireEvent.pointerUp(mic());
    expect((await screen.findByTestId("composer-error")).textContent).toBe(
      "no microphone: none found (unavailable)",
    );
    expect(screen.queryByTestId("voice-recording")).toBeNull();
    expect((screen.getByTestId("composer") as HTMLTextAreaElement).disabled).toBe(false);
    // It never recorded: nothing to stop.
    expect(stops()).toHaveLength(0);

    vi.useFakeTimers({ toFake: ["Date"] });
    serveRecording(() => {
      throw { code: "bad_request", message: "hold to record a voice message" };
    });
    fireEvent.pointerDown(mic());
    // A new recording clears the last error.
    expect(screen.queryByTestId("composer-error")).toBeNull();
    vi.advanceTimersByTime(400);
    fireEvent.pointerUp(mic());
    vi.useRealTimers();
    expect((await screen.findByTestId("composer-error")).textContent).toBe(
      "hold to record a voice message (bad_request)",
    );
  });

  it("throws the recording away when the conversation closes", async () => {
    serveRecording();
    const { unmount } = render(<InFrame />);
    fireEvent.pointerDown(mic());
    fireEvent.pointerUp(mic());
    await waitFor(() => expect(invoke).toHaveBeenCalledWith("start_voice_recording", undefined));
    unmount();
    await waitFor(() =>
      expect(stops()).toEqual([["stop_voice_recording", { chatId: "c1", send: false }]]),
    );
  });
});
