import { fireEvent, render, screen } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";
import { invoke } from "../test-ipc";

import { ME } from "../test-fixtures";

import type { Me } from "../api";
import ProfileSettings from "./ProfileSettings";

describe("ProfileSettings", () => {
  it("saves name, about and status together (and leaves my privacy to its own form)", async () => {
    invoke.mockImplementation(async (_command: string, args?: { update: Partial<Me> }) => ({
      ...ME,
      ...args!.update,
    }));
    const onSaved = vi.fn();
    render(<ProfileSettings me={ME} onSaved={onSaved} />);
    expect(screen.queryByTestId("privacy-last_seen")).toBeNull();
    fireEvent.change(screen.getByTestId("profile-display-name"), { target: { value: "Ann B" } });
    fireEvent.change(screen.getByTestId("profile-status"), { target: { value: "at the gym" } });
    fireEvent.click(screen.getByTestId("save-profile"));
    await screen.findByTestId("profile-saved");
    expect(invoke).toHaveBeenCalledWith("update_profile", {
      update: {
        display_name: "Ann B",
        about: "",
        status_text: "at the gym",
      },
    });
    expect(onSaved.mock.calls[0][0].display_name).toBe("Ann B");
  });

  it("shows the server's refusal", async () => {
    invoke.mockRejectedValue({
      code: "invalid_profile",
      message: "display name must not be empty",
    });
    render(<ProfileSettings me={ME} onSaved={() => {}} />);
    fireEvent.change(screen.getByTestId("profile-display-name"), { target: { value: "" } });
    fireEvent.click(screen.getByTestId("save-profile"));
    expect((await screen.findByTestId("profile-error")).textContent).toBe(
      "display name must not be empty (invalid_profile)",
    );
  });

  it("follows a change made on another device, except where I changed it here", async () => {
    invoke.mockImplementation(async (_command: string, args?: { update: Partial<Me> }) => ({
      ...ME,
      ...args!.update,
    }));
    const { rerender } = render(<ProfileSettings me={ME} onSaved={() => {}} />);
    fireEvent.change(screen.getByTestId("profile-status"), { target: { value: "at the gym" } });
    const there: Me = { ...ME, display_name: "Annie", about: "Hiking", status_text: "away" };
    rerender(<ProfileSettings me={there} onSaved={() => {}} />);
    expect((screen.getByTestId("profile-display-name") as HTMLInputElement).value).toBe("Annie");
    expect((screen.getByTestId("profile-about") as HTMLInputElement).value).toBe("Hiking");
    expect((screen.getByTestId("profile-status") as HTMLInputElement).value).toBe("at the gym");
    fireEvent.click(screen.getByTestId("save-profile"));
    await screen.findByTestId("profile-saved");
    expect(invoke).toHaveBeenCalledWith("update_profile", {
      update: { display_name: "Annie", about: "Hiking", status_text: "at the gym" },
    });
  });
});
