import { cleanup, fireEvent, render, screen } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";

const invoke = vi.fn();
vi.mock("@tauri-apps/api/core", () => ({
  invoke: (...args: unknown[]) => invoke(...args),
  Channel: class {},
}));

import DeleteAccount from "./DeleteAccount";

describe("DeleteAccount", () => {
  afterEach(() => {
    cleanup();
    invoke.mockReset();
  });

  it("asks for the password and shows a refusal", async () => {
    invoke.mockRejectedValue({ code: "invalid_credentials", message: "wrong password" });
    render(<DeleteAccount />);
    expect(screen.queryByTestId("delete-account-password")).toBeNull();
    fireEvent.click(screen.getByTestId("delete-account-open"));
    fireEvent.change(screen.getByTestId("delete-account-password"), { target: { value: "nope" } });
    fireEvent.click(screen.getByTestId("delete-account-confirm"));
    expect((await screen.findByTestId("delete-account-error")).textContent).toBe(
      "wrong password (invalid_credentials)",
    );
    expect(invoke).toHaveBeenCalledWith("delete_account", { password: "nope" });
  });
});
