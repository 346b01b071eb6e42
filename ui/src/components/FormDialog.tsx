import type { FormEvent, ReactNode } from "react";
import { LAYER, useEscape } from "../shortcuts";

/**
 * A small modal form: a title, what the caller puts in it, its refusal in words, and Cancel /
 * submit. Esc cancels. Test ids follow `name`: `<name>-dialog`, `<name>-error`, `<name>-cancel`
 * (the submit button's is the caller's).
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
  children: ReactNode;
}) {
  useEscape(true, LAYER.menu, onClose);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    onSubmit();
  };
  return (
    <div className="modal-backdrop">
      <form
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
