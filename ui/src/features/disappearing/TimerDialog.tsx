import { useState, type FormEvent } from "react";
import { LAYER, useEscape } from "../../shortcuts";
import { groupErrorText } from "../groups/words";
import { disappearingApi } from "./api";
import { TIMER_CHOICES } from "./words";
import "./disappearing.css";

/**
 * A chat's disappearing-messages timer: Off, 24 hours, 7 days or 90 days, the current one
 * chosen. Save sets it for everyone in the chat (the timeline says so) and closes; a refusal
 * stays in it in words. When I may not change it (a group where only admins edit its info) the
 * choices show, disabled, with why.
 */
export default function TimerDialog({
  chatId,
  current,
  allowed = true,
  onClose,
}: {
  chatId: string;
  /** The chat's timer now (`null`: off). */
  current: number | null;
  allowed?: boolean;
  onClose: () => void;
}) {
  const [choice, setChoice] = useState<number | null>(current);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  useEscape(true, LAYER.menu, onClose);

  const save = async (event?: FormEvent) => {
    event?.preventDefault();
    if (busy || !allowed) return;
    if (choice === current) {
      onClose();
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await disappearingApi.setChatTimer(chatId, choice);
      onClose();
    } catch (e) {
      setError(groupErrorText(e));
      setBusy(false);
    }
  };

  return (
    <div className="modal-backdrop">
      <form
        className="modal timer-dialog"
        role="dialog"
        aria-modal="true"
        aria-label="Disappearing messages"
        data-testid="timer-dialog"
        onSubmit={save}
      >
        <h2 className="modal-title">Disappearing messages</h2>
        <p className="hint">
          New messages in this chat disappear this long after they're sent, unless someone keeps
          them. Messages sent before stay as they are.
        </p>
        <fieldset className="timer-choices">
          <legend className="hint">Message timer</legend>
          {TIMER_CHOICES.map(({ id, ms, label }) => (
            <label key={id} className="radio">
              <input
                type="radio"
                name="timer"
                value={id}
                data-testid={`timer-option-${id}`}
                checked={choice === ms}
                disabled={!allowed || busy}
                onChange={() => setChoice(ms)}
              />
              {label}
            </label>
          ))}
        </fieldset>
        {!allowed && (
          <p className="hint" data-testid="timer-admins-only">
            Only admins can change this
          </p>
        )}
        {error && (
          <p className="error" role="alert" data-testid="timer-error">
            {error}
          </p>
        )}
        <div className="row modal-actions">
          <button
            type="button"
            className="link-button"
            data-testid="timer-cancel"
            onClick={onClose}
          >
            Cancel
          </button>
          <button type="submit" data-testid="timer-save" disabled={busy || !allowed}>
            {busy ? "Saving…" : "Save"}
          </button>
        </div>
      </form>
    </div>
  );
}
