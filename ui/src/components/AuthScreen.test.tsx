import { fireEvent, render, screen } from "@testing-library/react";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { ME } from "../test-fixtures";
import { invoke } from "../test-ipc";
import AuthScreen from "./AuthScreen";

describe("AuthScreen", () => {
  beforeEach(() => {
    invoke.mockImplementation(async (command: string, args?: Record<string, unknown>) => {
      if (command === "watch_connection") return;
      if (command === "sign_in") {
        if (args?.password === "right password") return ME;
        throw { code: "invalid_credentials", message: "wrong username, email or password" };
      }
      if (command === "sign_up") {
        throw { code: "username_taken", message: "this username is taken" };
      }
      throw new Error(`unexpected ${command}`);
    });
  });

  it("signs in with username and password", async () => {
    const onSignedIn = vi.fn();
    render(<AuthScreen onSignedIn={onSignedIn} onQuickChat={() => {}} />);
    fireEvent.change(screen.getByTestId("auth-login"), { target: { value: "ann" } });
    fireEvent.change(screen.getByTestId("auth-password"), { target: { value: "right password" } });
    fireEvent.click(screen.getByTestId("auth-submit"));
    await vi.waitFor(() => expect(onSignedIn).toHaveBeenCalledWith(ME));
    expect(invoke).toHaveBeenCalledWith("sign_in", { login: "ann", password: "right password" });
  });

  it("shows a wrong password in words with its code", async () => {
    render(<AuthScreen onSignedIn={() => {}} onQuickChat={() => {}} />);
    fireEvent.change(screen.getByTestId("auth-password"), { target: { value: "nope" } });
    fireEvent.click(screen.getByTestId("auth-submit"));
    expect((await screen.findByTestId("auth-error")).textContent).toBe(
      "wrong username, email or password (invalid_credentials)",
    );
  });

  it("sends the whole sign-up form and shows a taken username", async () => {
    render(<AuthScreen onSignedIn={() => {}} onQuickChat={() => {}} />);
    fireEvent.click(screen.getByTestId("auth-tab-sign-up"));
    fireEvent.change(screen.getByTestId("auth-display-name"), { target: { value: "Ann A" } });
    fireEvent.change(screen.getByTestId("auth-username"), { target: { value: "ann" } });
    fireEvent.change(screen.getByTestId("auth-email"), { target: { value: "ann@example.org" } });
    fireEvent.change(screen.getByTestId("auth-password"), {
      target: { value: "long secret words" },
    });
    fireEvent.click(screen.getByTestId("auth-submit"));
    expect((await screen.findByTestId("auth-error")).textContent).toContain("(username_taken)");
    expect(invoke).toHaveBeenCalledWith("sign_up", {
      form: {
        username: "ann",
        email: "ann@example.org",
        password: "long secret words",
        display_name: "Ann A",
      },
    });
  });
});
