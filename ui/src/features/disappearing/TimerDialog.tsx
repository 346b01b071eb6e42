import { useState, type RefObject } from "react";
import FormDialog from "../../components/FormDialog";
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
  returnFocus,
}: {
  chatId: string;
  /** The chat's timer now (`null`: off). */
  current: number | null;
  allowed?: boolean;
  onClose: () => void;
  /** Where the keyboard goes back to on close (the menu that opened it is gone). */
  returnFocus?: RefObject<HTMLElement | null>;
}) {
  const [choice, setChoice] = useState<number | null>(current);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const save = async () => {
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
    <FormDialog
      name="timer"
      title="Disappearing messages"
      error={error}
      busy={busy}
      canSubmit={allowed}
      submitLabel="Save"
      busyLabel="Saving…"
      submitTestId="timer-save"
      onSubmit={save}
      onClose={onClose}
      returnFocus={returnFocus}
    >
      <p className="hint">
        New messages in this chat disappear this long after they're sent, unless someone keeps them.
        Messages sent before stay as they are.
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
    </FormDialog>
  );
}
