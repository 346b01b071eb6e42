import { useState, type FormEvent } from "react";
import { api, type Contact } from "../api";
import { groupsApi } from "../features/groups/api";
import { useSubmit } from "../useSubmit";

/** A group to report: whether I am still in it (then the form offers to exit it). */
export interface ReportedGroup {
  chatId: string;
  name: string;
  member: boolean;
}

/**
 * Report a user or a group to the server's operator, optionally with the last messages, and
 * one more step: blocking the user, or exiting the group (while I am in it).
 */
export default function ReportForm({
  onDone,
  onCancel = () => onDone(false),
  ...about
}: {
  /** The report was sent; `stepTaken`: the user was blocked, or I exited the group, too. */
  onDone: (stepTaken: boolean) => void;
  /** Cancelled without reporting (`onDone` unless given). */
  onCancel?: () => void;
} & (
  | {
      /** A contact, or anyone I chat with (a chat's member). */
      contact: Pick<Contact, "user_id" | "display_name">;
      group?: undefined;
    }
  | { group: ReportedGroup; contact?: undefined }
)) {
  const { contact, group } = about;
  const name = contact ? contact.display_name : group.name;
  /** The step beside the report, if any: its words, its test id, and whether it starts ticked. */
  const step = contact
    ? { label: `Also block ${name}`, testId: "report-block" }
    : group.member
      ? { label: "Exit the group", testId: "report-group-exit" }
      : null;
  const ids = contact ? "report" : "report-group";
  const [reason, setReason] = useState("");
  const [stepTicked, setStepTicked] = useState(true);
  const [includeMessages, setIncludeMessages] = useState(false);
  const { error, run } = useSubmit();

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const taken = step !== null && stepTicked;
    return run(async () => {
      if (contact) await api.reportUser(contact.user_id, reason, taken, includeMessages);
      else await groupsApi.reportGroup(group.chatId, reason, includeMessages, taken);
      onDone(taken);
    });
  };

  return (
    <form className="report-form" onSubmit={submit} data-testid={`${ids}-form`}>
      <label className="field">
        Why are you reporting {name}?
        <textarea
          data-testid={`${ids}-reason`}
          value={reason}
          maxLength={500}
          rows={3}
          onChange={(event) => setReason(event.target.value)}
        />
      </label>
      <label className="radio">
        <input
          type="checkbox"
          data-testid={`${ids}-include-messages`}
          checked={includeMessages}
          onChange={(event) => setIncludeMessages(event.target.checked)}
        />
        {contact ? "Include our last messages" : "Include the last messages"}
      </label>
      {step && (
        <label className="radio">
          <input
            type="checkbox"
            data-testid={step.testId}
            checked={stepTicked}
            onChange={(event) => setStepTicked(event.target.checked)}
          />
          {step.label}
        </label>
      )}
      <div className="row">
        <button type="submit" className="danger-button" data-testid={`${ids}-submit`}>
          Report
        </button>
        <button
          type="button"
          className="link-button"
          data-testid={`${ids}-cancel`}
          onClick={onCancel}
        >
          Cancel
        </button>
      </div>
      {error && (
        <p className="error" role="alert" data-testid={`${ids}-error`}>
          {error}
        </p>
      )}
    </form>
  );
}
