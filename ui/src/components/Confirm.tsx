import type { ReactNode } from "react";

/** A question before something that cannot be undone: the action's button, and Cancel. */
export default function Confirm({
  label,
  testId,
  busy,
  onConfirm,
  onCancel,
  children,
}: {
  label: string;
  testId: string;
  busy: boolean;
  onConfirm: () => void;
  onCancel: () => void;
  children: ReactNode;
}) {
  return (
    <div className="confirm" role="alertdialog" aria-label={label}>
      <p>{children}</p>
      <div className="row">
        <button
          type="button"
          className="danger-button"
          data-testid={testId}
          disabled={busy}
          onClick={onConfirm}
        >
          {label}
        </button>
        <button type="button" className="link-button" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </div>
  );
}
