import { act, fireEvent, render, screen, waitFor } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { CallView, LocalChat } from "../api";
import { invoke } from "../test-ipc";
import CallScreen from "./CallScreen";

const grace = {
  user_id: "u2",
  username: "grace",
  display_name: "Grace",
  photo: null,
  role: "member" as const,
  joined_at: 0,
};
const chats = [{ id: "c1", kind: "direct", title: "Grace", other_member: grace } as LocalChat];

const view = (over: Partial<CallView>): CallView => ({
  call_id: "call-1",
  peer_id: "u2",
  direction: "incoming",
  kind: "audio",
  phase: "ringing",
  muted: false,
  camera_on: false,
  remote_video: false,
  started_at: Date.now(),
  answered_at: null,
  outcome: null,
  ...over,
});

// The page follows calls and pictures once (as the app does): these are the channels' ends,
// kept from the first test that opened them.
let pushCall: ((view: CallView) => void) | undefined;
let pushFrame: ((message: ArrayBuffer) => void) | undefined;
const ANSWERED = ["accept_call", "decline_call", "hang_up_call", "set_call_muted", "switch_call"];

type Channel<T> = { onmessage: (message: T) => void };
beforeEach(() => {
  invoke.mockImplementation(
    async (
      command: string,
      args?: { onEvent?: Channel<CallView>; onFrame?: Channel<ArrayBuffer> },
    ) => {
      if (command === "watch_calls") pushCall = args!.onEvent!.onmessage;
      else if (command === "watch_call_video") pushFrame = args!.onFrame!.onmessage;
      else if (command === "list_contacts") return [];
      else if (!ANSWERED.includes(command)) throw new Error(command);
    },
  );
  // jsdom has no canvas: no renderer, unless a test gives one.
  vi.spyOn(HTMLCanvasElement.prototype, "getContext").mockReturnValue(null);
});

afterEach(() => {
  vi.restoreAllMocks();
});

async function show(call: CallView) {
  render(<CallScreen chats={chats} />);
  await waitFor(() => expect(pushCall).toBeDefined());
  act(() => pushCall!(call));
}

describe("CallScreen", () => {
  it("rings with the caller's name, and Accept answers", async () => {
    await show(view({ kind: "video" }));
    expect(screen.getByTestId("call-screen").dataset.phase).toBe("ringing");
    expect(screen.getByTestId("call-peer-name").textContent).toBe("Grace");
    expect(screen.getByTestId("call-status").textContent).toBe("Incoming video call");
    expect(screen.queryByTestId("call-hangup")).toBeNull();
    fireEvent.click(screen.getByTestId("call-accept"));
    await waitFor(() => expect(invoke).toHaveBeenCalledWith("accept_call", undefined));
    act(() => pushCall!(view({ kind: "video", phase: "connecting", camera_on: true })));
    expect(screen.getByTestId("call-status").textContent).toBe("Connecting…");
    expect(screen.queryByTestId("call-accept")).toBeNull();
  });

  it("names an unknown caller Someone, and Decline declines", async () => {
    await show(view({ call_id: "call-2", peer_id: "u9" }));
    expect(screen.getByTestId("call-peer-name").textContent).toBe("Someone");
    expect(screen.getByTestId("call-status").textContent).toBe("Incoming voice call");
    fireEvent.click(screen.getByTestId("call-decline"));
    await waitFor(() => expect(invoke).toHaveBeenCalledWith("decline_call", undefined));
  });

  it("times a connected call, hangs up, says it ended and goes away", async () => {
    const answeredAt = Date.now() - 65_000;
    await show(view({ call_id: "call-3", direction: "outgoing", phase: "calling" }));
    expect(screen.getByTestId("call-status").textContent).toBe("Calling…");
    expect(screen.queryByTestId("call-timer")).toBeNull();
    const connected = view({
      call_id: "call-3",
      direction: "outgoing",
      phase: "connected",
      answered_at: answeredAt,
    });
    act(() => pushCall!(connected));
    expect(screen.getByTestId("call-timer").textContent).toBe("1:05");
    fireEvent.click(screen.getByTestId("call-mute"));
    await waitFor(() => expect(invoke).toHaveBeenCalledWith("set_call_muted", { muted: true }));
    fireEvent.click(screen.getByTestId("call-switch"));
    await waitFor(() => expect(invoke).toHaveBeenCalledWith("switch_call", { kind: "video" }));
    fireEvent.click(screen.getByTestId("call-hangup"));
    await waitFor(() => expect(invoke).toHaveBeenCalledWith("hang_up_call", undefined));

    act(() => pushCall!({ ...connected, phase: "ended", outcome: "answered" }));
    expect(screen.getByTestId("call-screen").dataset.phase).toBe("ended");
    expect(screen.getByTestId("call-status").textContent).toBe("Call ended");
    expect(screen.queryByTestId("call-hangup")).toBeNull();
    await waitFor(() => expect(screen.queryByTestId("call-screen")).toBeNull(), {
      timeout: 3000,
    });
  });

  it("says an outgoing call was declined", async () => {
    await show(view({ call_id: "call-4", direction: "outgoing", phase: "calling" }));
    act(() =>
      pushCall!(
        view({ call_id: "call-4", direction: "outgoing", phase: "ended", outcome: "declined" }),
      ),
    );
    expect(screen.getByTestId("call-status").textContent).toBe("Declined");
  });

  it("draws the newest far-side picture and counts it", async () => {
    const putImageData = vi.fn();
    const context = {
      createImageData: (width: number, height: number) => ({
        width,
        height,
        data: new Uint8ClampedArray(width * height * 4),
      }),
      putImageData,
    };
    vi.mocked(HTMLCanvasElement.prototype.getContext).mockImplementation(((type: string) =>
      type === "2d" ? context : null) as never);
    await show(
      view({
        call_id: "call-5",
        kind: "video",
        phase: "connected",
        answered_at: Date.now(),
        camera_on: true,
        remote_video: true,
      }),
    );
    const remote = screen.getByTestId("call-remote-video");
    expect(screen.getByTestId("call-self-view")).toBeTruthy();
    expect(remote.dataset.renderer).toBe("2d");
    expect(remote.dataset.frames).toBe("0");
    await waitFor(() => expect(pushFrame).toBeDefined());
    // Two 2x2 pictures before the next animation frame: only the newer (red) is drawn.
    act(() => {
      pushFrame!(new Uint8Array([0, 2, 0, 2, 0, 235, 235, 235, 235, 128, 128]).buffer);
      pushFrame!(new Uint8Array([0, 2, 0, 2, 0, 81, 81, 81, 81, 90, 240]).buffer);
    });
    await waitFor(() => expect(remote.dataset.frames).toBe("1"));
    expect(putImageData).toHaveBeenCalledTimes(1);
    const drawn = putImageData.mock.calls[0][0] as { data: Uint8ClampedArray };
    expect(drawn.data[0]).toBeGreaterThan(250);
    expect(drawn.data[1]).toBeLessThan(5);
    expect(screen.getByTestId("call-self-view").dataset.frames).toBe("0");
  });
});
