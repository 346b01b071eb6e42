import { fireEvent, render, screen, waitFor } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import type { CallLogEntry } from "../api";
import { invoke } from "../test-ipc";
import CallsPanel from "./CallsPanel";

const entry = (over: Partial<CallLogEntry>): CallLogEntry => ({
  call_id: "call-1",
  direction: "outgoing",
  peer: { user_id: "u2", username: "grace", display_name: "Grace", photo: null },
  kind: "audio",
  outcome: "answered",
  started_at: Date.now() - 60_000,
  answered_at: Date.now() - 55_000,
  ended_at: Date.now(),
  duration_ms: 75_000,
  ...over,
});

describe("CallsPanel", () => {
  it("lists calls with their outcome, and calls back", async () => {
    const log = [
      entry({}),
      entry({
        call_id: "call-2",
        direction: "incoming",
        kind: "video",
        outcome: "missed",
        peer: { user_id: "u3", username: "alan", display_name: "Alan", photo: null },
        duration_ms: 0,
      }),
    ];
    invoke.mockImplementation(async (command: string) => {
      if (command === "call_log") return log;
      if (command === "watch_calls") return;
      if (command === "start_call") throw { code: "blocked", message: "Alan blocked you" };
      throw new Error(command);
    });
    render(<CallsPanel />);
    const rows = await screen.findAllByTestId("call-log-row");
    expect(invoke).toHaveBeenCalledWith("call_log", { before: null, limit: 100 });
    expect(
      rows.map((row) => row.querySelector("[data-testid=call-log-name]")!.textContent),
    ).toEqual(["Grace", "Alan"]);
    const outcomes = screen.getAllByTestId("call-log-outcome");
    expect(outcomes[0].textContent).toContain("1:15");
    expect(outcomes[0].className).not.toContain("call-log-bad");
    expect(outcomes[1].textContent).toContain("Missed");
    expect(outcomes[1].className).toContain("call-log-bad");
    expect(screen.getAllByTestId("call-log-when")[0].textContent).toMatch(/^today at /);
    expect(screen.getByLabelText("Incoming")).toBeTruthy();

    fireEvent.click(screen.getAllByTestId("call-back-video")[1]);
    await waitFor(() =>
      expect(invoke).toHaveBeenCalledWith("start_call", { calleeId: "u3", kind: "video" }),
    );
    expect((await screen.findByTestId("call-log-error")).textContent).toBe(
      "Alan blocked you (blocked)",
    );
    fireEvent.click(screen.getAllByTestId("call-back-audio")[0]);
    expect(invoke).toHaveBeenCalledWith("start_call", { calleeId: "u2", kind: "audio" });
  });

  it("says when there are no calls", async () => {
    invoke.mockImplementation(async (command: string) => {
      if (command === "call_log") return [];
      if (command === "watch_calls") return;
      throw new Error(command);
    });
    render(<CallsPanel />);
    expect(await screen.findByText("No calls yet")).toBeTruthy();
  });
});
