import { useState, type FormEvent } from "react";
import { api, type Contact } from "../api";
import { useSubmit } from "../useSubmit";

/** Report a user to the server's operator, optionally with our last messages and blocking them too. */
export default function ReportForm({
  contact,
  onDone,
  onCancel = onDone,
}: {
  /** A contact, or anyone I chat with (a chat's member). */
  contact: Pick<Contact, "user_id" | "display_name">;
  /** The report was sent. */
  onDone: () => void;
  /** Cancelled without reporting (`onDone` unless given). */
  onCancel?: () => void;
}) {
  const [reason, setReason] = useState("");
  const [block, setBlock] = useState(true);
  const [includeMessages, setIncludeMessages] = useState(false);
  const { error, run } = useSubmit();

  const submit = (event: FormEvent) => {
    event.preventDefault();
    return run(async () => {
      await api.reportUser(contact.user_id, reason, block, includeMessages);
      onDone();
    });
  };

  return (
    <form className="report-form" onSubmit={submit} data-testid="report-form">
      <label className="field">
        Why are you reporting {contact.display_name}?
        <textarea
          data-testid="report-reason"
          value={reason}
          maxLength={500}
          rows={3}
          onChange={(event) => setReason(event.target.value)}
        />
      </label>
      <label className="radio">
        <input
          type="checkbox"
          data-testid="report-include-messages"
          checked={includeMessages}
          onChange={(event) => setIncludeMessages(event.target.checked)}
        />
        Include our last messages
      </label>
      <label className="radio">
        <input
          type="checkbox"
          data-testid="report-block"
          checked={block}
          onChange={(event) => setBlock(event.target.checked)}
        />
        Also block {contact.display_name}
      </label>
      <div className="row">
        <button type="submit" className="danger-button" data-testid="report-submit">
          Report
        </button>
        <button type="button" className="link-button" onClick={onCancel}>
          Cancel
        </button>
      </div>
      {error && (
        <p className="error" role="alert" data-testid="report-error">
          {error}
        </p>
      )}
    </form>
  );
}
