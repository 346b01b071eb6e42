import { useEffect, useRef, useState, type FormEvent, type ReactNode, type RefObject } from "react";
import { LAYER, useEscape } from "../shortcuts";

/** What may take the keyboard in a dialog, in the page's order. */
const FOCUSABLE =
  "input:not([disabled]):not([type=hidden]), select:not([disabled]), textarea:not([disabled]), button:not([disabled]), [href], [tabindex]:not([tabindex='-1'])";

/**
 * Where the keyboard goes when a dialog opens: its first field (of a group of radios, the chosen
 * one, where the arrows start), else its first button.
 */
function firstField(form: HTMLFormElement): HTMLElement | null {
  const first = form.querySelector<HTMLElement>(FOCUSABLE);
  if (first instanceof HTMLInputElement && first.type === "radio" && first.name) {
    const chosen = [...form.querySelectorAll<HTMLInputElement>("input[type=radio]:checked")].find(
      (radio) => radio.name === first.name && !radio.disabled,
    );
    return chosen ?? first;
  }
  return first;
}

/**
 * A small modal form: a title, what the caller puts in it, its refusal in words, and Cancel /
 * submit. Esc cancels. Opening it takes the keyboard to its first field (unless one of the
 * caller's took it); closing gives it back to what had it before (or to `returnFocus`, when that
 * is gone: a menu's item). Test ids follow `name`: `<name>-dialog`, `<name>-error`,
 * `<name>-cancel` (the submit button's is the caller's).
 */
export default function FormDialog({
  name,
  title,
  alert = false,
  error,
  busy,
  canSubmit = true,
  danger = false,
  submitLabel,
  busyLabel,
  submitTestId,
  onSubmit,
  onClose,
  returnFocus,
  children,
}: {
  name: string;
  title: string;
  /** Asks to confirm something that cannot be undone. */
  alert?: boolean;
  error: string | null;
  busy: boolean;
  canSubmit?: boolean;
  danger?: boolean;
  submitLabel: string;
  busyLabel: string;
  submitTestId: string;
  onSubmit: () => void;
  onClose: () => void;
  /** Takes the keyboard back on close when what had it is no longer on the page. */
  returnFocus?: RefObject<HTMLElement | null>;
  children: ReactNode;
}) {
  useEscape(true, LAYER.menu, onClose);
  const form = useRef<HTMLFormElement>(null);
  // What had the keyboard, read while the dialog first renders (before the page changes: the
  // menu item that opened it is still there).
  const [opener] = useState(() => {
    const active = document.activeElement;
    return active instanceof HTMLElement && active !== document.body ? active : null;
  });
  const returnTo = useRef(returnFocus);
  returnTo.current = returnFocus;
  useEffect(() => {
    const box = form.current;
    if (box && !box.contains(document.activeElement)) firstField(box)?.focus();
    return () => {
      // Only while the keyboard is still the dialog's (gone with it): not taken elsewhere.
      const now = document.activeElement;
      if (now && now !== document.body && !box?.contains(now)) return;
      const back = opener?.isConnected ? opener : returnTo.current?.current;
      back?.focus();
    };
  }, [opener]);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    onSubmit();
  };
  return (
    <div className="modal-backdrop">
      <form
        ref={form}
        className={`modal ${name}-dialog`}
        role={alert ? "alertdialog" : "dialog"}
        aria-modal="true"
        aria-label={title}
        data-testid={`${name}-dialog`}
        onSubmit={submit}
      >
        <h2 className="modal-title">{title}</h2>
        {children}
        {error && (
          <p className="error" role="alert" data-testid={`${name}-error`}>
            {error}
          </p>
        )}
        <div className="row modal-actions">
          <button
            type="button"
            className="link-button"
            data-testid={`${name}-cancel`}
            onClick={onClose}
          >
            Cancel
          </button>
          <button
            type="submit"
            className={danger ? "danger-button" : undefined}
            data-testid={submitTestId}
            disabled={busy || !canSubmit}
          >
            {busy ? busyLabel : submitLabel}
          </button>
        </div>
      </form>
    </div>
  );
}
