import { fireEvent, render, screen } from "@testing-library/react";
import { useState, type ReactNode } from "react";
import { describe, expect, it } from "vitest";
import ClearChatDialog from "../features/conversation/ClearChatDialog";
import TimerDialog from "../features/disappearing/TimerDialog";

const DAY = 86_400_000;

/** A button that opens `dialog` (given its close), and keeps the keyboard before it does. */
function Opener({ dialog }: { dialog: (close: () => void) => ReactNode }) {
  const [open, setOpen] = useState(false);
  return (
    <>
      <button type="button" data-testid="opener" onClick={() => setOpen(true)}>
        Open
      </button>
      {open && dialog(() => setOpen(false))}
    </>
  );
}

/** Opens the dialog from the opener, as a keyboard user would (the opener had the keyboard). */
function open() {
  const opener = screen.getByTestId("opener");
  opener.focus();
  fireEvent.click(opener);
  return opener;
}

describe("FormDialog's keyboard", () => {
  it("starts on the chosen choice of a group of radios, and goes back to the opener on Cancel", () => {
    render(
      <Opener dialog={(close) => <TimerDialog chatId="c1" current={DAY} onClose={close} />} />,
    );
    const opener = open();
    expect(document.activeElement).toBe(screen.getByTestId("timer-option-24h"));
    fireEvent.click(screen.getByTestId("timer-cancel"));
    expect(screen.queryByTestId("timer-dialog")).toBeNull();
    expect(document.activeElement).toBe(opener);
  });

  it("starts on the first field", () => {
    render(
      <Opener
        dialog={(close) => <ClearChatDialog chatId="c1" onCleared={() => {}} onClose={close} />}
      />,
    );
    const opener = open();
    expect(document.activeElement).toBe(screen.getByTestId("clear-keep-starred"));
    fireEvent.click(screen.getByTestId("clear-cancel"));
    expect(document.activeElement).toBe(opener);
  });

  it("starts on Cancel when nothing else may be used", () => {
    render(
      <Opener
        dialog={(close) => (
          <TimerDialog chatId="c1" current={null} allowed={false} onClose={close} />
        )}
      />,
    );
    open();
    expect(document.activeElement).toBe(screen.getByTestId("timer-cancel"));
  });

  it("leaves the keyboard where it went when something else took it before closing", () => {
    render(
      <Opener dialog={(close) => <TimerDialog chatId="c1" current={DAY} onClose={close} />} />,
    );
    open();
    const elsewhere = document.createElement("input");
    document.body.append(elsewhere);
    elsewhere.focus();
    fireEvent.click(screen.getByTestId("timer-cancel"));
    expect(document.activeElement).toBe(elsewhere);
    elsewhere.remove();
  });
});
