import { fireEvent, render, screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { invoke } from "../test-ipc";

import DeleteAccount from "./DeleteAccount";

describe("DeleteAccount", () => {
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
