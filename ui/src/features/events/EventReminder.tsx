import { useEffect, useState } from "react";
import { describeError } from "../../api";
import { eventsApi } from "./api";

const MINUTE = 60 * 1000;

/** The leads offered, in ms before the start ("none": no reminder). */
const LEADS: { value: string; label: string }[] = [
  { value: "none", label: "None" },
  { value: "0", label: "At start" },
  { value: String(5 * MINUTE), label: "5 minutes before" },
  { value: String(15 * MINUTE), label: "15 minutes before" },
  { value: String(30 * MINUTE), label: "30 minutes before" },
  { value: String(60 * MINUTE), label: "1 hour before" },
  { value: String(24 * 60 * MINUTE), label: "1 day before" },
];

/** What this device reminds me with unless I chose otherwise (proto's REMINDER_DEFAULT_MS). */
const DEFAULT_LEAD = String(15 * MINUTE);

/**
 * For an event I am going to: when this device reminds me of it (kept by this device only), read
 * when shown and saved on each change.
 */
export default function EventReminder({ messageId }: { messageId: string }) {
  /** The select's value; null until the device answered. */
  const [lead, setLead] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    eventsApi
      .reminder(messageId)
      .then((ms) => live && setLead(ms === null ? "none" : String(ms)))
      .catch((e) => {
        if (!live) return;
        setLead(DEFAULT_LEAD);
        setError(describeError(e));
      });
    return () => {
      live = false;
    };
  }, [messageId]);

  const change = (value: string) => {
    const before = lead;
    setLead(value);
    setError(null);
    eventsApi.setReminder(messageId, value === "none" ? null : Number(value)).catch((e) => {
      setLead(before);
      setError(describeError(e));
    });
  };

  // A lead chosen elsewhere that is none of these still shows as it is.
  const leads =
    lead === null || LEADS.some((l) => l.value === lead)
      ? LEADS
      : [...LEADS, { value: lead, label: `${Math.round(Number(lead) / MINUTE)} minutes before` }];
  return (
    <div className="event-reminder">
      <label className="event-reminder-label">
        Remind me
        <select
          data-testid="event-reminder"
          disabled={lead === null}
          value={lead ?? DEFAULT_LEAD}
          onChange={(event) => change(event.target.value)}
        >
          {leads.map((l) => (
            <option key={l.value} value={l.value}>
              {l.label}
            </option>
          ))}
        </select>
      </label>
      {error && (
        <span className="error event-problem" role="alert" data-testid="event-reminder-error">
          {error}
        </span>
      )}
    </div>
  );
}
