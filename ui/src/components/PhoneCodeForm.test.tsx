import { fireEvent, render, screen } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";
import { ApiError } from "../api";
import { ME } from "../test-fixtures";
import PhoneCodeForm from "./PhoneCodeForm";

describe("PhoneCodeForm", () => {
  it("sends a code, then confirms it with the normalised number", async () => {
    const sendCode = vi.fn(async () => ({
      phone: "+447911123456",
      expires_at: Date.now() + 300000,
      resend_after: Date.now() + 60000,
    }));
    const confirm = vi.fn(async () => ({ ...ME, phone: "+447911123456" }));
    const onConfirmed = vi.fn();
    render(
      <PhoneCodeForm
        sendCode={sendCode}
        confirm={confirm}
        onConfirmed={onConfirmed}
        confirmLabel="Verify"
        testIdPrefix="t-"
      />,
    );
    fireEvent.change(screen.getByTestId("t-phone"), { target: { value: "+44 7911 123456" } });
    fireEvent.click(screen.getByTestId("t-submit"));
    const code = await screen.findByTestId("t-code");
    expect(sendCode).toHaveBeenCalledWith("+44 7911 123456");
    fireEvent.change(code, { target: { value: "123456" } });
    fireEvent.click(screen.getByTestId("t-submit"));
    await vi.waitFor(() => expect(onConfirmed).toHaveBeenCalled());
    expect(confirm).toHaveBeenCalledWith("+447911123456", "123456");
  });

  it("shows a refused number in words", async () => {
    const sendCode = vi.fn(async () => {
      throw new ApiError("invalid_phone", "not a phone number");
    });
    render(
      <PhoneCodeForm
        sendCode={sendCode}
        confirm={vi.fn()}
        onConfirmed={vi.fn()}
        confirmLabel="Sign in"
        testIdPrefix="t-"
      />,
    );
    fireEvent.click(screen.getByTestId("t-submit"));
    expect((await screen.findByTestId("t-error")).textContent).toBe(
      "not a phone number (invalid_phone)",
    );
  });
});
