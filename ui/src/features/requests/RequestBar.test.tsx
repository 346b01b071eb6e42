import { fireEvent, render, screen, waitFor } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";
import { chatTile } from "../../test-fixtures";
import { invoke } from "../../test-ipc";
import RequestBar from "./RequestBar";

/** Records each command; `refuse` names one that fails with a server refusal. */
function serve(refuse?: string): unknown[][] {
  const calls: unknown[][] = [];
  invoke.mockImplementation(async (command: string, args?: never) => {
    calls.push([command, args]);
    if (command === refuse) throw { code: "blocked", message: "this person does not accept" };
    return command === "block_and_report" ? "report-1" : null;
  });
  return calls;
}

const request = chatTile({ title: "Stranger", request: true });

describe("RequestBar", () => {
  it("accepts the request and stays open", async () => {
    const calls = serve();
    const gone = vi.fn();
    render(<RequestBar chat={request} onGone={gone} />);
    expect(screen.getByTestId("request-bar").textContent).toContain(
      "Stranger is not in your contacts",
    );
    fireEvent.click(screen.getByTestId("request-accept"));
    await waitFor(() => expect(calls).toEqual([["accept_request", { chatId: "c1" }]]));
    expect(gone).not.toHaveBeenCalled();
  });

  it("deletes the chat, or blocks and reports its sender once asked again, and closes it", async () => {
    const calls = serve();
    const gone = vi.fn();
    const { unmount } = render(<RequestBar chat={request} onGone={gone} />);
    fireEvent.click(screen.getByTestId("request-delete"));
    await waitFor(() => expect(gone).toHaveBeenCalledTimes(1));
    unmount();
    render(<RequestBar chat={request} onGone={gone} />);
    fireEvent.click(screen.getByTestId("request-block"));
    expect(screen.getByTestId("request-bar").textContent).toContain(
      "Block Stranger and report them?",
    );
    fireEvent.click(screen.getByText("Cancel"));
    fireEvent.click(screen.getByTestId("request-block"));
    fireEvent.click(screen.getByTestId("request-block-confirm"));
    await waitFor(() => expect(gone).toHaveBeenCalledTimes(2));
    expect(calls).toEqual([
      ["delete_chat", { chatId: "c1" }],
      ["block_and_report", { chatId: "c1", reason: "Unwanted message request" }],
    ]);
  });

  it("says why when it could not be done, and keeps the chat", async () => {
    serve("accept_request");
    const gone = vi.fn();
    render(<RequestBar chat={request} onGone={gone} />);
    fireEvent.click(screen.getByTestId("request-accept"));
    expect((await screen.findByTestId("request-error")).textContent).toContain("blocked");
    expect(gone).not.toHaveBeenCalled();
  });
});
