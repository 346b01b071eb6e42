import { useState } from "react";
import TimerDialog from "./TimerDialog";
import { timerLabel } from "./words";
import "./disappearing.css";

/**
 * A group's timer in its info panel: what it is, and Change (the timer dialog); disabled, with
 * why, when I may not change it.
 */
export default function GroupTimerSetting({
  chatId,
  afterMs,
  allowed,
}: {
  chatId: string;
  /** The group's timer (`null`: off). */
  afterMs: number | null;
  allowed: boolean;
}) {
  const [open, setOpen] = useState(false);
  return (
    <section className="group-info-section" data-testid="group-disappearing">
      <div className="group-info-section-title">
        <h3 className="contacts-title">Disappearing messages</h3>
        <button
          type="button"
          className="link-button"
          data-testid="group-disappearing-change"
          disabled={!allowed}
          title={allowed ? undefined : "Only admins can change this"}
          onClick={() => setOpen(true)}
        >
          Change
        </button>
      </div>
      <p className="timer-setting-value" data-testid="group-disappearing-value">
        {timerLabel(afterMs)}
      </p>
      {!allowed && (
        <p className="hint" data-testid="group-disappearing-admins-only">
          Only admins can change this
        </p>
      )}
      {open && <TimerDialog chatId={chatId} current={afterMs} onClose={() => setOpen(false)} />}
    </section>
  );
}
