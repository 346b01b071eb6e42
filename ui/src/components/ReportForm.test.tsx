import { fireEvent, render, screen } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";
import { contact } from "../test-fixtures";
import { invoke } from "../test-ipc";

import ReportForm from "./ReportForm";

const MALLORY = contact("mallory", "Mallory");

describe("ReportForm", () => {
  it("sends no messages unless asked to", async () => {
    invoke.mockResolvedValue("r1");
    const onDone = vi.fn();
    render(<ReportForm contact={MALLORY} onDone={onDone} />);
    const include = screen.getByTestId<HTMLInputElement>("report-include-messages");
    expect(include.checked).toBe(false);
    fireEvent.change(screen.getByTestId("report-reason"), { target: { value: "spam" } });
    fireEvent.click(screen.getByTestId("report-submit"));
    await vi.waitFor(() => expect(onDone).toHaveBeenCalled());
    expect(invoke).toHaveBeenCalledWith("report_user", {
      userId: "id-mallory",
      reason: "spam",
      block: true,
      includeMessages: false,
    });
  });

  it("includes our last messages when ticked, and shows a refusal in words", async () => {
    invoke.mockRejectedValue({
      code: "bad_request",
      message: "a report can only attach messages of your chat",
    });
    const onDone = vi.fn();
    render(<ReportForm contact={MALLORY} onDone={onDone} />);
    fireEvent.click(screen.getByTestId("report-include-messages"));
    fireEvent.click(screen.getByTestId("report-block"));
    fireEvent.change(screen.getByTestId("report-reason"), { target: { value: "scam links" } });
    fireEvent.click(screen.getByTestId("report-submit"));
    expect((await screen.findByTestId("report-error")).textContent).toBe(
      "a report can only attach messages of your chat (bad_request)",
    );
    expect(invoke).toHaveBeenCalledWith("report_user", {
      userId: "id-mallory",
      reason: "scam links",
      block: false,
      includeMessages: true,
    });
    expect(onDone).not.toHaveBeenCalled();
  });
});
